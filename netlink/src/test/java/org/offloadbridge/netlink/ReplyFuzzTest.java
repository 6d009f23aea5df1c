package org.offloadbridge.netlink;

import org.offloadbridge.testkit.Cases;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.uapi.NetlinkConstants;

/**
 * Whatever the "kernel" answers — random bytes, or a real error ack (with extack TLVs) with
 * bytes mutated and the sequence number kept so it is parsed — a request ends in one of
 * three ways: success, a {@link NetlinkException} (errno, timeout), or a
 * {@link NetlinkParseException} naming an offset inside the datagram. Nothing else escapes.
 * Seeded random cases: see {@link Cases} for seed and replay.
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

    record Reply(byte[] bytes, boolean keepSeq) {
        @Override
        public String toString() {
            return "keepSeq=" + keepSeq + " " + ParserFuzzTest.hex(bytes);
        }
    }

    /** At most 255 bytes, as before: longer random replies add nothing the 600-byte parser test does not cover. */
    static final int MAX_RANDOM = 255;

    static List<Reply> randomReplyEdges() {
        List<Reply> edges = new ArrayList<>();
        for (byte[] b : ParserFuzzTest.randomBytesEdges()) {
            if (b.length <= MAX_RANDOM) {
                edges.add(new Reply(b, false));
                edges.add(new Reply(b, true));
            }
        }
        return edges;
    }

    /** Random bytes; every other reply gets an nlmsg_len inside it, so the request path reads past the first header. */
    static Reply randomReply(SplittableRandom r) {
        byte[] b = Cases.bytes(r, MAX_RANDOM);
        if (b.length >= 4 && r.nextBoolean()) {
            ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(0, r.nextBoolean() ? b.length : r.nextInt(b.length + 1));
        }
        return new Reply(b, r.nextBoolean());
    }

    @Test
    void randomReplies() {
        Cases.check(1000, randomReplyEdges(), ReplyFuzzTest::randomReply, Reply::toString, c -> exchange(c.bytes(), c.keepSeq()));
    }

    @Test
    void mutatedErrorAcks() {
        byte[] base = realErrorAck(0);
        Cases.check(2000, ParserFuzzTest.mutationEdges(base), r -> ParserFuzzTest.mutate(r, base), ParserFuzzTest::hex,
                reply -> exchange(reply, true));
    }
}
