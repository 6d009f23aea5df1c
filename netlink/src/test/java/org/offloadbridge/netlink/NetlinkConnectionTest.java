package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSGERR_ATTR_MSG;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSGERR_ATTR_OFFS;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSG_DONE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSG_ERROR;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK_TLVS;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CAPPED;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP_INTR;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_MULTI;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETLINK;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWLINK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.uapi.IfLink;

/**
 * The request path's bookkeeping, driven by a scripted kernel for what a live kernel will
 * not do on demand: an interrupted dump, acks out of order, a stale reply, lost acks, a
 * silent kernel. (The live behaviour is covered by the host tests.)
 */
class NetlinkConnectionTest {

    /** A transport whose "kernel" answers each sendmsg through a script. */
    static final class ScriptedKernel implements NetlinkTransport {
        final Deque<byte[]> queue = new ArrayDeque<>();
        final List<List<NetlinkMessageView>> sends = new ArrayList<>();
        final ByteBuffer rx = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
        BiConsumer<ScriptedKernel, List<NetlinkMessageView>> script;

        @Override
        public void send(ByteBuffer buffer, int offset, int length) {
            List<NetlinkMessageView> msgs = new ArrayList<>();
            NetlinkMessageCursor c = new NetlinkMessageCursor().reset(buffer, offset, offset + length);
            while (c.next()) {
                NetlinkMessage m = c.message();
                msgs.add(new NetlinkMessageView(m.type(), m.flags(), m.seq(), m.length()));
            }
            sends.add(msgs);
            script.accept(this, msgs);
        }

        @Override
        public int receive(int timeoutMillis) {
            byte[] d = queue.poll();
            if (d == null) {
                return -11; // EAGAIN: nothing came
            }
            if (d.length == 1) {
                return -d[0]; // scripted errno
            }
            rx.put(0, d);
            return d.length;
        }

        @Override
        public ByteBuffer receiveBuffer() {
            return rx;
        }

        @Override
        public int portId() {
            return 4242;
        }

        @Override
        public void close() {
        }

        void datagram(NetlinkMessageWriter w) {
            byte[] b = new byte[w.length()];
            w.buffer().get(0, b);
            queue.add(b);
        }

        void errno(int e) {
            queue.add(new byte[] {(byte) e});
        }
    }

    record NetlinkMessageView(int type, int flags, int seq, int length) {
    }

    /** An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and NETLINK_EXT_ACK on. */
    static void ack(NetlinkMessageWriter w, NetlinkMessageView req, int error, String msg, int offs) {
        boolean tlvs = msg != null || offs >= 0;
        w.beginMessage(NLMSG_ERROR, (error != 0 ? NLM_F_CAPPED : 0) | (tlvs ? NLM_F_ACK_TLVS : 0));
        int p = w.reserve(4 + NlMsgHdr.LENGTH);
        w.buffer().putInt(p, error);
        w.buffer().putInt(p + 4, req.length());
        w.buffer().putShort(p + 8, (short) req.type());
        w.buffer().putShort(p + 10, (short) req.flags());
        w.buffer().putInt(p + 12, req.seq());
        if (msg != null) {
            w.putString(NLMSGERR_ATTR_MSG, msg);
        }
        if (offs >= 0) {
            w.putU32(NLMSGERR_ATTR_OFFS, offs);
        }
        w.finish(req.seq());
    }

    static void link(NetlinkMessageWriter w, int seq, int flags, int index, String name) {
        w.beginMessage(RTM_NEWLINK, flags);
        w.putIfInfoMsg(0, 0, index, 0, 0);
        w.putString(IfLink.IFLA_IFNAME, name);
        w.finish(seq);
    }

    static void done(NetlinkMessageWriter w, int seq, int flags, int error) {
        w.beginMessage(NLMSG_DONE, NLM_F_MULTI | flags);
        int p = w.reserve(4);
        w.buffer().putInt(p, error);
        w.finish(seq);
    }

    static NetlinkMessageWriter requests(int n) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        for (int i = 0; i < n; i++) {
            RtnlLinks.encodeSetUp(w, i + 1, true);
        }
        return w;
    }

    @Test
    void requestsCarryRequestAckFlagsAndFreshSeqs() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> msgs.forEach(m -> {
            NetlinkMessageWriter w = new NetlinkMessageWriter(64);
            ack(w, m, 0, null, -1);
            kk.datagram(w);
        });
        NetlinkConnection c = new NetlinkConnection(k);
        c.request("one", requests(1));
        c.request("two", requests(1));
        NetlinkMessageView a = k.sends.get(0).get(0);
        NetlinkMessageView b = k.sends.get(1).get(0);
        assertTrue((a.flags() & NLM_F_ACK) != 0);
        assertEquals(a.seq() + 1, b.seq());
    }

    @Test
    void acksOutOfOrderAndAStaleReplyAreMatchedBySeq() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> {
            NetlinkMessageWriter w = new NetlinkMessageWriter(64);
            ack(w, new NetlinkMessageView(RTM_NEWLINK, 0, msgs.get(0).seq() - 7, 32), 0, null, -1); // left over from an earlier request
            kk.datagram(w);
            for (int i = msgs.size() - 1; i >= 0; i--) {
                w.reset();
                ack(w, msgs.get(i), i == 1 ? -19 : 0, i == 1 ? "no such device" : null, i == 1 ? 20 : -1);
                kk.datagram(w);
            }
        };
        NetlinkConnection c = new NetlinkConnection(k);
        BatchResult r = c.batch("set up", requests(4), null, new BatchResult());
        assertEquals(1, r.failureCount());
        assertEquals(Errno.ENODEV.value(), r.errno(1));
        assertEquals("no such device", r.extackMessage(1));
        assertEquals(20, r.extackOffset(1));
        assertTrue(r.ok(0) && r.ok(2) && r.ok(3));
        assertNull(r.exception(0));
        assertEquals(1, c.counters().staleReplies());
    }

    /**
     * Found by fuzzing (fuzz/: NetlinkRepliesFuzzTest): a link dump answered with a message of
     * another type let LinkInfo's IllegalArgumentException out of RtnlLinks.dump; it is malformed
     * input, a NetlinkParseException like any other.
     */
    @Test
    void linkDumpAnsweredWithAnotherTypeIsAParseError() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> {
            NetlinkMessageWriter w = new NetlinkMessageWriter(256);
            w.beginMessage(RTM_NEWLINK + 8, NLM_F_MULTI); // RTM_NEWADDR
            w.putIfInfoMsg(0, 0, 1, 0, 0);
            w.finish(msgs.get(0).seq());
            done(w, msgs.get(0).seq(), 0, 0);
            kk.datagram(w);
        };
        NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> new RtnlLinks(new NetlinkConnection(k)).dump());
        assertTrue(e.getMessage().contains("not a link message"), e.getMessage());
    }

    @Test
    void interruptedDumpIsDiscardedAndRestarted() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> {
            NetlinkMessageView req = msgs.get(0);
            assertEquals(NLM_F_DUMP, req.flags() & NLM_F_DUMP);
            boolean first = kk.sends.size() == 1;
            NetlinkMessageWriter w = new NetlinkMessageWriter(256);
            link(w, req.seq(), NLM_F_MULTI, 1, "lo");
            link(w, req.seq(), NLM_F_MULTI | (first ? NLM_F_DUMP_INTR : 0), 2, first ? "stale" : "eth0");
            kk.datagram(w);
            w.reset();
            done(w, req.seq(), first ? NLM_F_DUMP_INTR : 0, 0);
            kk.datagram(w);
        };
        NetlinkConnection c = new NetlinkConnection(k);
        List<String> got = new ArrayList<>();
        int[] restarts = {0};
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.beginMessage(RTM_GETLINK, 0);
        w.putIfInfoMsg(0, 0, 0, 0, 0);
        w.finish(0);
        c.dump("dump links", w, new ReplyHandler() {
            @Override
            public void onReply(int i, NetlinkMessage m) {
                got.add(LinkInfo.parse(m).name());
            }

            @Override
            public void onDumpInterrupted() {
                restarts[0]++;
                got.clear();
            }
        });
        assertEquals(List.of("lo", "eth0"), got);
        assertEquals(1, restarts[0]);
        assertEquals(2, k.sends.size());
    }

    @Test
    void dumpThatNeverSettlesFailsWithEintr() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> {
            NetlinkMessageWriter w = new NetlinkMessageWriter(64);
            done(w, msgs.get(0).seq(), NLM_F_DUMP_INTR, 0);
            kk.datagram(w);
        };
        NetlinkConnection c = new NetlinkConnection(k);
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        RtnlLinks.encodeDump(w);
        NetlinkException e = assertThrows(NetlinkException.class, () -> c.dump("dump links", w, (i, m) -> { }));
        assertEquals(Errno.EINTR, e.errno());
        assertEquals(NetlinkConnection.MAX_DUMP_ATTEMPTS, k.sends.size());
    }

    @Test
    void dumpErrorInDoneCarriesExtack() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> {
            NetlinkMessageWriter w = new NetlinkMessageWriter(64);
            done(w, msgs.get(0).seq(), NLM_F_ACK_TLVS, -22);
            w.putString(NLMSGERR_ATTR_MSG, "Invalid header for link dump");
            // patch the length: attributes were appended after finish()
            w.buffer().putInt(0, w.length());
            kk.datagram(w);
        };
        NetlinkConnection c = new NetlinkConnection(k);
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        RtnlLinks.encodeDump(w);
        NetlinkException e = assertThrows(NetlinkException.class, () -> c.dump("dump links", w, null));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("Invalid header for link dump", e.extackMessage());
    }

    @Test
    void lostAcksAreReportedAsEnobufsOnlyForUnansweredRequests() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> {
            NetlinkMessageWriter w = new NetlinkMessageWriter(64);
            ack(w, msgs.get(0), 0, null, -1);
            kk.datagram(w);
            kk.errno(105); // ENOBUFS: the rest were dropped
        };
        NetlinkConnection c = new NetlinkConnection(k);
        BatchResult r = c.batch("set up", requests(3), null, new BatchResult());
        assertTrue(r.ok(0));
        assertEquals(Errno.ENOBUFS.value(), r.errno(1));
        assertEquals(Errno.ENOBUFS.value(), r.errno(2));
        assertTrue(r.extackMessage(1).contains("outcome unknown"), r.extackMessage(1));
    }

    @Test
    void rtnetlinkGetsWithoutAckCompleteOnTheirReplyOrError() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> {
            for (int i = 0; i < msgs.size(); i++) {
                NetlinkMessageView m = msgs.get(i);
                assertEquals(0, m.flags() & NLM_F_ACK, "no ack requested for a GET");
                NetlinkMessageWriter w = new NetlinkMessageWriter(128);
                if (i == 1) {
                    ack(w, m, -19, null, -1);
                } else {
                    link(w, m.seq(), 0, i + 1, "if" + i);
                }
                kk.datagram(w);
            }
        };
        NetlinkConnection c = new NetlinkConnection(k).timeoutMillis(5);
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        for (int i = 0; i < 3; i++) {
            RtnlLinks.encodeGet(w, i + 1, null);
        }
        List<String> names = new ArrayList<>();
        BatchResult r = c.batch("get links", w, (i, m) -> names.add(i + ":" + LinkInfo.parse(m).name()), new BatchResult());
        assertEquals(List.of("0:if0", "2:if2"), names);
        assertTrue(r.ok(0) && r.ok(2));
        assertEquals(Errno.ENODEV.value(), r.errno(1));
        assertEquals(0, c.counters().staleReplies());
    }

    @Test
    void silentKernelTimesOut() {
        ScriptedKernel k = new ScriptedKernel();
        k.script = (kk, msgs) -> { };
        NetlinkConnection c = new NetlinkConnection(k).timeoutMillis(5);
        NetlinkException e = assertThrows(NetlinkException.class, () -> c.request("set up", requests(1)));
        assertEquals(Errno.ETIMEDOUT, e.errno());
        assertTrue(e.getMessage().startsWith("set up: ETIMEDOUT"), e.getMessage());
    }

    @Test
    void requestRejectsBatchesAndUnfinishedMessages() {
        NetlinkConnection c = new NetlinkConnection(new ScriptedKernel());
        assertThrows(IllegalArgumentException.class, () -> c.request("two", requests(2)));
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.beginMessage(RTM_NEWLINK, 0);
        assertThrows(IllegalStateException.class, () -> c.request("unfinished", w));
        NetlinkMessageWriter d = new NetlinkMessageWriter(64);
        RtnlLinks.encodeDump(d);
        assertThrows(IllegalArgumentException.class, () -> c.batch("dump in a batch", d, null, new BatchResult()));
    }
}
