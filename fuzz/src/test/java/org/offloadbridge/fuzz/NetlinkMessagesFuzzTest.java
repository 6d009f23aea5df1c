package org.offloadbridge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.offloadbridge.netlink.AttributeCursor;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.LinkInfo;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkParseException;
import org.offloadbridge.netlink.uapi.IfLink;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * One datagram of arbitrary bytes, read as every consumer reads netlink: the message cursor,
 * each message's fixed header and attribute table, every attribute as a nested run (table and
 * cursor), typed reads; RTM_NEWLINK/RTM_DELLINK messages through {@link LinkInfo#parse}.
 *
 * <p>Property: only {@link NetlinkParseException}, with an offset inside the datagram; every
 * message, attribute and payload found lies inside it.
 */
class NetlinkMessagesFuzzTest {
    private final NetlinkMessageCursor messages = new NetlinkMessageCursor();
    private final AttributeTable table = new AttributeTable(IfLink.IFLA_MAX);
    private final AttributeTable inner = new AttributeTable(255);
    private final AttributeCursor cursor = new AttributeCursor();

    @FuzzTest
    void datagram(byte[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, data.length)).order(ByteOrder.nativeOrder());
        b.put(0, data);
        int n = data.length;
        try {
            messages.reset(b, 0, n);
            while (messages.next()) {
                NetlinkMessage m = messages.message();
                check(m.offset() >= 0 && m.end() <= n, "message outside the datagram");
                if (m.type() == Rtnetlink.RTM_NEWLINK || m.type() == Rtnetlink.RTM_DELLINK) {
                    try {
                        LinkInfo.parse(m);
                    } catch (NetlinkParseException e) {
                        checkOffset(e, n);
                    }
                }
                // Any family: a 0-, 4- (genl) and 16-byte (ifinfomsg) fixed header.
                for (int fixed : new int[] {0, 4, 16}) {
                    try {
                        walk(m, fixed, n);
                    } catch (NetlinkParseException e) {
                        checkOffset(e, n);
                    }
                }
            }
        } catch (NetlinkParseException e) {
            checkOffset(e, n);
        }
    }

    private void walk(NetlinkMessage m, int fixed, int n) {
        m.attributes(fixed, table);
        for (int type = 0; type <= table.maxType(); type++) {
            if (!table.has(type)) {
                continue;
            }
            check(table.offset(type) + table.length(type) <= m.end(), "attribute past its message");
            table.string(type);
            table.bytes(type);
            if (table.length(type) >= 8) {
                table.u64(type);
                table.be32(type);
            }
            try {
                table.nested(type, inner);
                cursor.reset(table, type);
                while (cursor.next()) {
                    check(cursor.payloadEnd() <= m.end(), "nested attribute past its parent");
                    cursor.string();
                    if (cursor.payloadLength() >= 4) {
                        cursor.u32();
                    }
                }
            } catch (NetlinkParseException notNested) {
                checkOffset(notNested, n);
            }
        }
    }

    static void checkOffset(NetlinkParseException e, int n) {
        check(e.offset() >= 0 && e.offset() <= n, "offset " + e.offset() + " outside a datagram of " + n + ": " + e.getMessage());
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
