package org.offloadbridge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkParseException;
import org.offloadbridge.switchdev.PhysPortName;
import org.offloadbridge.switchdev.internal.DevlinkCodec;
import org.offloadbridge.switchdev.internal.EthtoolCodec;

/**
 * What switchdev discovery reads from the kernel: devlink replies and notifications (port dump
 * entries, eswitch get), ethtool replies (feature strings, features), and each netdev's
 * {@code phys_port_name}.
 */
class SwitchdevFuzzTest {
    private final NetlinkMessageCursor messages = new NetlinkMessageCursor();
    private final DevlinkCodec devlink = new DevlinkCodec();
    private final EthtoolCodec ethtool = new EthtoolCodec();

    /**
     * Each message of a datagram as a devlink port, an eswitch state, ethtool feature strings and
     * features (named by the strings it carried, if any). Property: each returns or throws
     * {@link NetlinkParseException} with an offset inside the datagram.
     */
    @FuzzTest
    void genetlinkReplies(byte[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, data.length)).order(ByteOrder.nativeOrder());
        b.put(0, data);
        try {
            messages.reset(b, 0, data.length);
            while (messages.next()) {
                NetlinkMessage m = messages.message();
                List<String> names = List.of();
                try {
                    devlink.command(m);
                    devlink.handle(m);
                } catch (NetlinkParseException e) {
                    NetlinkMessagesFuzzTest.checkOffset(e, data.length);
                }
                try {
                    devlink.parsePort(m);
                } catch (NetlinkParseException e) {
                    NetlinkMessagesFuzzTest.checkOffset(e, data.length);
                }
                try {
                    devlink.parseEswitch(m);
                } catch (NetlinkParseException e) {
                    NetlinkMessagesFuzzTest.checkOffset(e, data.length);
                }
                try {
                    names = ethtool.parseFeatureStrings(m);
                } catch (NetlinkParseException e) {
                    NetlinkMessagesFuzzTest.checkOffset(e, data.length);
                }
                try {
                    EthtoolCodec.Features f = ethtool.parseFeatures(m, names);
                    for (int i = 0; i < names.size(); i++) {
                        f.active(i);
                        f.changeable(i);
                        f.wanted(i);
                    }
                } catch (NetlinkParseException e) {
                    NetlinkMessagesFuzzTest.checkOffset(e, data.length);
                }
            }
        } catch (NetlinkParseException e) {
            NetlinkMessagesFuzzTest.checkOffset(e, data.length);
        }
    }

    /**
     * A {@code phys_port_name} as sysfs or IFLA_PHYS_PORT_NAME gives it. Property: never throws
     * ("what it does not know is UNKNOWN"), and a name it knows prints as itself and parses again
     * to the same value.
     */
    @FuzzTest
    void physPortName(byte[] data) {
        String raw = new String(data, StandardCharsets.UTF_8);
        PhysPortName p = PhysPortName.parse(raw);
        if (p.kind() != PhysPortName.Kind.UNKNOWN) {
            NetlinkMessagesFuzzTest.check(p.toString().equals(raw), p + " prints differently from '" + raw + "'");
            NetlinkMessagesFuzzTest.check(PhysPortName.parse(p.toString()).equals(p), "'" + raw + "' parses differently the second time");
        }
    }
}
