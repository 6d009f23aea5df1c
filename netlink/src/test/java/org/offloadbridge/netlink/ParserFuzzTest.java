package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.offloadbridge.netlink.uapi.IfLink;
import org.offloadbridge.netlink.uapi.PktCls;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * Property tests: whatever bytes arrive, the parsers either return values read strictly
 * inside the input or throw {@link NetlinkParseException} with an offset inside it —
 * no other exception escapes.
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

    @Property(tries = 2000)
    void randomBytes(@ForAll @Size(max = 600) byte[] input) {
        expectOnlyParseErrors(input);
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

    @Provide
    Arbitrary<byte[]> mutatedMessages() {
        byte[] base = realMessage();
        Arbitrary<Integer> pos = Arbitraries.integers().between(0, base.length - 1);
        Arbitrary<Byte> val = Arbitraries.bytes();
        Arbitrary<Integer> cut = Arbitraries.integers().between(0, base.length);
        return Combinators.combine(pos.list().ofMaxSize(4), val.list().ofMaxSize(4), cut).as((ps, vs, c) -> {
            byte[] m = base.clone();
            for (int i = 0; i < Math.min(ps.size(), vs.size()); i++) {
                m[ps.get(i)] = vs.get(i);
            }
            return java.util.Arrays.copyOf(m, c);
        });
    }

    @Property(tries = 3000)
    void mutatedRealMessages(@ForAll("mutatedMessages") byte[] input) {
        expectOnlyParseErrors(input);
    }

    @Property(tries = 1)
    void unmutatedRealMessageParsesFully() {
        byte[] m = realMessage();
        ByteBuffer b = ByteBuffer.allocateDirect(m.length).order(ByteOrder.nativeOrder());
        b.put(0, m);
        assertTrue(parseAll(b, m.length) > 0);
    }
}
