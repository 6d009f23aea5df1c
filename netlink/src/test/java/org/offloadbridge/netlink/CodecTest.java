package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_IFNAME;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_KIND;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_LINKINFO;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_MAX;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_MTU;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_MAX;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLA_F_NESTED;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWLINK;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CodecTest {
    private static byte[] bytes(NetlinkMessageWriter w) {
        byte[] b = new byte[w.length()];
        w.buffer().get(0, b);
        return b;
    }

    @Test
    void putStructZeroesItsPayloadInAReusedBuffer() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST);
        w.putBytes(IFLA_IFNAME, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
        w.finish(1);
        w.reset();
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST);
        int p = w.putStruct(IFLA_IFNAME, 13);
        w.finish(2);
        for (int i = 0; i < 13; i++) {
            assertEquals(0, w.buffer().get(p + i), "payload byte " + i + " left over from the previous message");
        }
    }

    @Test
    void writesHeaderAttributesAndPaddingExactly() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        w.putIfInfoMsg(0, 0, 7, 0, 0);
        w.putString(IFLA_IFNAME, "eth1");
        w.putU32(IFLA_MTU, 1500);
        assertEquals(52, w.finish(0x01020304));
        // Expected bytes written out by hand from the struct layouts (little-endian host).
        String expected = "34000000" + "1000" + "0500" + "04030201" + "00000000"   // nlmsghdr
                + "00" + "00" + "0000" + "07000000" + "00000000" + "00000000"      // ifinfomsg
                + "0900" + "0300" + "65746831" + "00000000"                         // IFLA_IFNAME "eth1\0" + 3 pad
                + "0800" + "0400" + "dc050000";                                     // IFLA_MTU 1500
        assertEquals(expected, HexFormat.of().formatHex(bytes(w)));
    }

    @Test
    void nestedLengthIsPatchedAndCancelDropsEverythingInside() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(16);
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST);
        int kept = w.beginNested(IFLA_LINKINFO);
        w.putString(IFLA_INFO_KIND, "veth");
        w.endNested(kept);
        int dropped = w.beginNested(IFLA_LINKINFO | NLA_F_NESTED);
        w.putU64(1, 42);
        w.cancelNested(dropped);
        int len = w.finish(1);
        assertEquals(16 + 4 + 12, len);
        ByteBuffer b = w.buffer();
        assertEquals(16, b.getShort(16) & 0xffff, "nested nla_len = header + inner attribute");
        assertEquals(IFLA_LINKINFO, b.getShort(18));
        assertEquals(len, b.getInt(0));
    }

    @Test
    void growsPastInitialCapacityKeepingContent() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(16);
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST);
        for (int i = 0; i < 100; i++) {
            w.putU32(IFLA_MTU, i);
        }
        w.finish(9);
        AttributeCursor c = new AttributeCursor().reset(w.buffer(), 16, w.length());
        int n = 0;
        while (c.next()) {
            assertEquals(n++, c.u32());
        }
        assertEquals(100, n);
    }

    @Test
    void batchOfMessagesWalksBackWithCursor() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        for (int i = 0; i < 5; i++) {
            w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST);
            w.putIfInfoMsg(0, 0, i, 0, 0);
            w.putString(IFLA_IFNAME, "x".repeat(i));
            w.finish(100 + i);
        }
        assertEquals(5, w.messageCount());
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        AttributeTable t = new AttributeTable(IFLA_MAX);
        IfInfoMsg ifi = new IfInfoMsg();
        for (int i = 0; i < 5; i++) {
            assertTrue(c.next());
            NetlinkMessage m = c.message();
            assertEquals(100 + i, m.seq());
            assertEquals(RTM_NEWLINK, m.type());
            assertEquals(i, ifi.wrap(m.buffer(), m.fixedHeader(IfInfoMsg.LENGTH)).index());
            m.attributes(IfInfoMsg.LENGTH, t);
            assertEquals("x".repeat(i), t.string(IFLA_IFNAME));
            assertFalse(t.has(IFLA_MTU));
        }
        assertFalse(c.next());
    }

    @Test
    void typedValuesRoundTrip() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        w.putU8(1, 0xfe).putU16(2, 0xfedc).putU32(3, 0xfedcba98).putU64(4, 0x0123456789abcdefL)
                .putBe16(5, 0x0800).putBe32(6, 0xc0a80001).putFlag(7).putBytes(8, new byte[] {1, 2, 3})
                .putString(9, "grüße");
        AttributeTable t = new AttributeTable(10).parse(w.buffer(), 0, w.length());
        assertEquals(0xfe, t.u8(1));
        assertEquals(0xfedc, t.u16(2));
        assertEquals(0xfedcba98, t.u32(3));
        assertEquals(0x0123456789abcdefL, t.u64(4));
        assertEquals(0x0800, t.be16(5));
        assertEquals(0x08, w.buffer().get(t.offset(5)), "network order: high byte first");
        assertEquals(0xc0a80001, t.be32(6));
        assertTrue(t.flag(7));
        assertEquals(0, t.length(7));
        assertArrayEquals(new byte[] {1, 2, 3}, t.bytes(8));
        assertEquals("grüße", t.string(9));
        assertFalse(t.has(10));
    }

    @Test
    void nestedParsingAndTypeFlagsMasked() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        int n = w.beginNested(IFLA_LINKINFO | NLA_F_NESTED);
        w.putString(IFLA_INFO_KIND, "veth");
        w.endNested(n);
        AttributeTable outer = new AttributeTable(IFLA_MAX).parse(w.buffer(), 0, w.length());
        AttributeTable inner = new AttributeTable(IFLA_INFO_MAX);
        assertTrue(outer.nested(IFLA_LINKINFO, inner));
        assertEquals("veth", inner.string(IFLA_INFO_KIND));
    }

    @Test
    void attributeLengthPastEndNamesOffset() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.putU32(1, 5).putU32(2, 6);
        w.buffer().putShort(8, (short) 12); // second attribute claims 12 bytes, only 8 left
        NetlinkParseException e = assertThrows(NetlinkParseException.class,
                () -> new AttributeTable(4).parse(w.buffer(), 0, w.length()));
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("nla_len 12"), e.getMessage());
    }

    @Test
    void truncatedAttributeHeaderNamesOffset() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.putU32(1, 5);
        NetlinkParseException e = assertThrows(NetlinkParseException.class,
                () -> new AttributeTable(4).parse(w.buffer(), 0, 10));
        assertEquals(8, e.offset());
    }

    @Test
    void nestedOverflowIsCaughtAtTheInnerAttribute() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        int n = w.beginNested(1);
        w.putU32(2, 7);
        w.endNested(n);
        w.putU32(3, 8);
        // Inner attribute claims 12 bytes: it would fit in the buffer but not in its parent (8 bytes).
        w.buffer().putShort(4, (short) 12);
        AttributeTable outer = new AttributeTable(4).parse(w.buffer(), 0, w.length());
        NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> outer.nested(1, new AttributeTable(4)));
        assertEquals(4, e.offset());
    }

    @Test
    void shortPayloadForTypeIsAnErrorNotGarbage() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.putU16(1, 5);
        AttributeTable t = new AttributeTable(4).parse(w.buffer(), 0, w.length());
        NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> t.u32(1));
        assertEquals(0, e.offset());
    }

    @Test
    void truncatedMessageHeaderAndLengthPastDatagram() {
        ByteBuffer b = new NetlinkMessageWriter(64).buffer();
        b.putInt(0, 40);
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(b, 0, 32);
        assertEquals(0, assertThrows(NetlinkParseException.class, c::next).offset());
        c.reset(b, 0, 12);
        assertTrue(assertThrows(NetlinkParseException.class, c::next).getMessage().contains("truncated nlmsghdr"));
        b.putInt(0, 16);
        b.putInt(16, 8);
        c.reset(b, 0, 40);
        assertTrue(c.next());
        assertEquals(16, assertThrows(NetlinkParseException.class, c::next).offset());
    }

    @Test
    void fixedHeaderLongerThanMessageIsAnError() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.beginMessage(RTM_NEWLINK, 0);
        w.finish(1);
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        assertTrue(c.next());
        assertThrows(NetlinkParseException.class, () -> c.message().attributes(IfInfoMsg.LENGTH, new AttributeTable(IFLA_MAX)));
    }
}
