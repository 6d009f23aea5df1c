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
import org.offloadbridge.netlink.uapi.NetlinkConstants;

/**
 * Whatever the "kernel" answers — random bytes, or a real error ack (with extack TLVs) with
 * bytes mutated and the sequence number kept so it is parsed — a request ends in one of
 * three ways: success, a {@link NetlinkException} (errno, timeout), or a
 * {@link NetlinkParseException} naming an offset inside the datagram. Nothing else escapes.
 */
class ReplyFuzzTest {

    static byte[] realErrorAck(int seq) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        w.beginMessage(NetlinkConstants.NLMSG_ERROR, NetlinkConstants.NLM_F_CAPPED | NetlinkConstants.NLM_F_ACK_TLVS);
        int p = w.reserve(20);
        w.buffer().putInt(p, -17);
        w.buffer().putInt(p + 4, 32);
        w.buffer().putShort(p + 8, (short) 16);
        w.buffer().putInt(p + 12, seq);
        w.putString(NetlinkConstants.NLMSGERR_ATTR_MSG, "Exclusivity flag on, cannot modify");
        w.putU32(NetlinkConstants.NLMSGERR_ATTR_OFFS, 20);
        w.finish(seq);
        byte[] b = new byte[w.length()];
        w.buffer().get(0, b);
        return b;
    }

    static void exchange(byte[] reply, boolean keepSeq) {
        NetlinkConnectionTest.ScriptedKernel k = new NetlinkConnectionTest.ScriptedKernel();
        k.script = (kk, msgs) -> {
            byte[] d = reply.clone();
            if (keepSeq && d.length >= 12) {
                ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt(8, msgs.get(0).seq());
            }
            if (d.length > 1) {
                kk.queue.add(d);
            }
        };
        NetlinkConnection c = new NetlinkConnection(k).timeoutMillis(1);
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        RtnlLinks.encodeSetUp(w, 1, true);
        try {
            c.request("fuzz", w);
        } catch (NetlinkParseException e) {
            assertTrue(e.offset() >= 0 && e.offset() <= reply.length, e.getMessage());
        } catch (NetlinkException e) {
            assertTrue(e.errnoValue() > 0, e.getMessage());
        }
    }

    @Property(tries = 1000)
    void randomReplies(@ForAll byte[] reply, @ForAll boolean keepSeq) {
        exchange(reply, keepSeq);
    }

    @Provide
    Arbitrary<byte[]> mutatedAcks() {
        byte[] base = realErrorAck(0);
        Arbitrary<Integer> pos = Arbitraries.integers().between(0, base.length - 1);
        return Combinators.combine(pos.list().ofMaxSize(4), Arbitraries.bytes().list().ofMaxSize(4),
                Arbitraries.integers().between(0, base.length)).as((ps, vs, cut) -> {
                    byte[] m = base.clone();
                    for (int i = 0; i < Math.min(ps.size(), vs.size()); i++) {
                        m[ps.get(i)] = vs.get(i);
                    }
                    return java.util.Arrays.copyOf(m, cut);
                });
    }

    @Property(tries = 2000)
    void mutatedErrorAcks(@ForAll("mutatedAcks") byte[] reply) {
        exchange(reply, true);
    }
}
