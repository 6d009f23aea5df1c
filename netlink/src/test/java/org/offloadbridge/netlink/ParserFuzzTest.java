package org.offloadbridge.netlink;

import org.offloadbridge.testkit.Cases;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.uapi.IfLink;
import org.offloadbridge.netlink.uapi.PktCls;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * Seeded random tests ({@link Cases}): whatever bytes arrive, the parsers either return values
 * read strictly inside the input or throw {@link NetlinkParseException} with an offset inside
 * it — no other exception escapes.
 */
class ParserFuzzTest {

    /** Parses everything the way a consumer would: messages, fixed header, attributes, nested attributes, typed reads. */
    static int parseAll(ByteBuffer b, int len) {
        int seen = 0;
        NetlinkMessageCursor mc = new NetlinkMessageCursor().reset(b, 0, len);
        AttributeTable t = new AttributeTable(IfLink.IFLA_MAX);
        AttributeTable inner = new AttributeTable(255);
        AttributeCursor ac = new AttributeCursor();
        while (mc.next()) {
            NetlinkMessage m = mc.message();
            assertTrue(m.end() <= len);
            m.attributes(TcMsg.LENGTH, t);
            for (int type = 0; type <= t.maxType(); type++) {
                if (!t.has(type)) {
                    continue;
                }
                assertTrue(t.offset(type) + t.length(type) <= m.end());
                if (t.length(type) >= 4) {
                    t.u32(type);
                }
                t.string(type);
                // Any attribute may or may not be nested: try, and accept only a parse error as "not nested".
                try {
                    t.nested(type, inner);
                    ac.reset(t, type);
                    while (ac.next()) {
                        assertTrue(ac.payloadEnd() <= m.end());
                        seen++;
                    }
                } catch (NetlinkParseException notNested) {
                    assertTrue(notNested.offset() >= t.offset(type) - 4 && notNested.offset() <= m.end());
                }
            }
        }
        return seen;
    }

    static void expectOnlyParseErrors(byte[] input) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, input.length)).order(ByteOrder.nativeOrder());
        b.put(0, input);
        try {
            parseAll(b, input.length);
        } catch (NetlinkParseException e) {
            assertTrue(e.offset() >= 0 && e.offset() <= input.length, "offset " + e.offset() + " outside input of " + input.length);
        }
    }

    static final int MAX_RANDOM = 600;

    static String hex(byte[] b) {
        return b.length + " bytes " + HexFormat.of().formatHex(b);
    }

    /** Edges first: empty, one byte, all-zero and all-ones inputs at header boundaries, and headers whose nlmsg_len claims 0, 16 and the whole input. */
    static List<byte[]> randomBytesEdges() {
        List<byte[]> edges = new ArrayList<>();
        for (int len : new int[] {0, 1, 3, 4, 15, 16, 17, 19, 20, 36, MAX_RANDOM}) {
            for (byte fill : new byte[] {0, -1, Byte.MIN_VALUE, Byte.MAX_VALUE}) {
                byte[] b = new byte[len];
                Arrays.fill(b, fill);
                edges.add(b);
            }
        }
        for (int len : new int[] {16, 20, 24, 36, MAX_RANDOM}) {
            for (int claimed : new int[] {0, 16, len, len + 1}) {
                ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
                b.putInt(0, claimed);
                edges.add(b.array());
            }
        }
        return edges;
    }

    /** Random bytes; every other input gets an nlmsg_len inside it, so the parse goes past the first header check. */
    static byte[] randomInput(SplittableRandom r) {
        byte[] b = Cases.bytes(r, MAX_RANDOM);
        if (b.length >= 4 && r.nextBoolean()) {
            ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(0, r.nextBoolean() ? b.length : r.nextInt(b.length + 1));
        }
        return b;
    }

    @Test
    void randomBytes() {
        Cases.check(2000, randomBytesEdges(), ParserFuzzTest::randomInput, ParserFuzzTest::hex, ParserFuzzTest::expectOnlyParseErrors);
    }

    /** A real-shaped RTM_NEWTFILTER (flower key/mask attributes, nested actions) to mutate. */
    static byte[] realMessage() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(512);
        w.beginMessage(Rtnetlink.RTM_NEWTFILTER, 0x605);
        w.putTcMsg(0, 3, 1, 0xfffffff2, TcMsg.filterInfo(1, 0x0800));
        w.putString(Rtnetlink.TCA_KIND, "flower");
        int opts = w.beginNested(Rtnetlink.TCA_OPTIONS);
        w.putBe16(PktCls.TCA_FLOWER_KEY_ETH_TYPE, 0x0800);
        w.putBe32(PktCls.TCA_FLOWER_KEY_IPV4_SRC, 0x0a000001);
        w.putBe32(PktCls.TCA_FLOWER_KEY_IPV4_SRC_MASK, 0xffffffff);
        w.putU32(PktCls.TCA_FLOWER_FLAGS, 2);
        int acts = w.beginNested(PktCls.TCA_FLOWER_ACT);
        int a1 = w.beginNested(1);
        w.putString(PktCls.TCA_ACT_KIND, "mirred");
        w.putBytes(PktCls.TCA_ACT_OPTIONS, new byte[24]);
        w.endNested(a1);
        w.endNested(acts);
        w.endNested(opts);
        w.finish(7);
        byte[] b = new byte[w.length()];
        w.buffer().get(0, b);
        return b;
    }

    /** Up to 4 bytes of {@code base} overwritten, then cut to 0…base.length bytes. */
    static byte[] mutate(SplittableRandom r, byte[] base) {
        byte[] m = base.clone();
        for (int i = r.nextInt(5); i > 0; i--) {
            m[r.nextInt(base.length)] = Cases.oneByte(r);
        }
        // half cut anywhere (as before), half whole so mutations reach the nested attributes too
        return Arrays.copyOf(m, r.nextBoolean() ? r.nextInt(base.length + 1) : base.length);
    }

    /** Edges first: every truncation of the message, then bytes in its header and its last byte set to each edge value. */
    static List<byte[]> mutationEdges(byte[] base) {
        List<byte[]> edges = new ArrayList<>();
        for (int cut = 0; cut <= base.length; cut++) {
            edges.add(Arrays.copyOf(base, cut));
        }
        for (int pos : new int[] {0, 3, 16, base.length - 1}) {
            for (byte v : new byte[] {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE}) {
                byte[] m = base.clone();
                m[pos] = v;
                edges.add(m);
            }
        }
        return edges;
    }

    @Test
    void mutatedRealMessages() {
        byte[] base = realMessage();
        Cases.check(3000, mutationEdges(base), r -> mutate(r, base), ParserFuzzTest::hex, ParserFuzzTest::expectOnlyParseErrors);
    }

    @Test
    void unmutatedRealMessageParsesFully() {
        byte[] m = realMessage();
        ByteBuffer b = ByteBuffer.allocateDirect(m.length).order(ByteOrder.nativeOrder());
        b.put(0, m);
        assertTrue(parseAll(b, m.length) > 0);
    }
}
