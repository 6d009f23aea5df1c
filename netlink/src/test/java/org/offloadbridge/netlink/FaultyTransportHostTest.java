package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetlinkFaultInjector.Fault;
import org.offloadbridge.netlink.uapi.IfAddr;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * The fault seam against this machine's kernel: each fault looks to {@link NetlinkConnection}
 * exactly as the kernel's own would, and what the kernel did is what the fault says (refused: not
 * done; ack or reply lost: done). The connection stays usable after each.
 */
@Tag("host")
class FaultyTransportHostTest {
    private NetNs ns;
    private int lo;

    /** Faults by message index within a sendmsg; events lost while {@link #loseEvents} > 0. */
    private IntFunction<Fault> byIndex = i -> Fault.NONE;
    private int loseEvents;

    private final NetlinkFaultInjector injector = new NetlinkFaultInjector() {
        @Override
        public boolean active() {
            return true;
        }

        @Override
        public Fault onRequest(NetlinkProtocol protocol, int type, int flags, int index) {
            return byIndex.apply(index);
        }

        @Override
        public boolean loseEvent(NetlinkProtocol protocol, int type) {
            return loseEvents-- > 0;
        }
    };

    @BeforeEach
    void setUp() {
        ns = HostNetns.create("nlf");
        try (NetlinkConnection plain = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            lo = new RtnlLinks(plain).get("lo").orElseThrow().index();
        }
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    private NetlinkConnection faulty() {
        return ns.call(() -> new NetlinkConnection(new FaultyTransport(NetlinkSocket.open(NetlinkProtocol.ROUTE),
            NetlinkProtocol.ROUTE, injector, false))).timeoutMillis(5_000);
    }

    private static int address(int i) {
        return (10 << 24) | (7 << 16) | (i + 1);
    }

    private NetlinkMessageWriter adds(int n) {
        return adds(n, true);
    }

    private NetlinkMessageWriter adds(int n, boolean ack) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64 * n);
        for (int i = 0; i < n; i++) {
            w.beginMessage(Rtnetlink.RTM_NEWADDR, NLM_F_REQUEST | (ack ? NLM_F_ACK : 0) | NLM_F_CREATE | NLM_F_EXCL);
            int p = w.reserve(8);
            w.buffer().put(p, (byte) 2); // AF_INET
            w.buffer().put(p + 1, (byte) 32);
            w.buffer().putInt(p + 4, lo);
            w.putBe32(IfAddr.IFA_LOCAL, address(i));
            w.putBe32(IfAddr.IFA_ADDRESS, address(i));
            w.finish(0);
        }
        return w;
    }

    /** The 10.7.0.x addresses the kernel holds, by i. */
    private List<Integer> held() {
        Matcher m = Pattern.compile("\"local\":\"10\\.7\\.0\\.(\\d+)\"").matcher(ns.ipIn("-j", "addr", "show", "dev", "lo"));
        List<Integer> out = new ArrayList<>();
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)) - 1);
        }
        return out;
    }

    @Test
    void aRefusedRequestFailsWithItsErrnoAndNeverReachesTheKernel() {
        byIndex = i -> i == 3 ? Fault.refuse(Errno.EBUSY) : Fault.NONE;
        try (NetlinkConnection c = faulty()) {
            BatchResult r = c.batch("add", adds(6), null, new BatchResult());
            assertEquals(1, r.failureCount());
            assertEquals(Errno.EBUSY.value(), r.errno(3));
            assertEquals(List.of(0, 1, 2, 4, 5), held());
        }
    }

    /**
     * A fenced batch under faults: the refused requests' errors come where the kernel would have
     * sent them — so the fence, refused itself, still comes after request 2's real EEXIST, and
     * no failure is taken for a success.
     */
    @Test
    void aFencedBatchSeesEveryFailureWhenTheFenceItselfIsRefused() {
        try (NetlinkConnection plain = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            NetlinkMessageWriter two = new NetlinkMessageWriter(64);
            two.beginMessage(Rtnetlink.RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
            int p = two.reserve(8);
            two.buffer().put(p, (byte) 2);
            two.buffer().put(p + 1, (byte) 32);
            two.buffer().putInt(p + 4, lo);
            two.putBe32(IfAddr.IFA_LOCAL, address(2));
            two.putBe32(IfAddr.IFA_ADDRESS, address(2));
            two.finish(0);
            plain.request("add 2 first", two);
        }
        byIndex = i -> i == 1 ? Fault.refuse(Errno.ENOSPC) : i == 5 ? Fault.refuse(Errno.EBUSY) : Fault.NONE;
        try (NetlinkConnection c = faulty()) {
            BatchResult r = c.batchFenced("add", adds(6, false), null, new BatchResult());
            assertEquals(Errno.ENOSPC.value(), r.errno(1));
            assertEquals(Errno.EEXIST.value(), r.errno(2), "the kernel's own refusal, before the fence's");
            assertEquals(Errno.EBUSY.value(), r.errno(5));
            assertEquals(3, r.failureCount());
            assertEquals(List.of(0, 2, 3, 4), held().stream().sorted().toList());
            assertEquals(0, c.counters().staleReplies());
        }
    }

    @Test
    void aPartialBatchAcksTheFirstKThenReportsTheRestUnknownAndTheKernelDidThemAll() {
        byIndex = i -> i >= 4 ? Fault.of(Fault.Kind.ACK_LOST) : Fault.NONE;
        try (NetlinkConnection c = faulty()) {
            BatchResult r = c.batch("add", adds(8), null, new BatchResult());
            for (int i = 0; i < 4; i++) {
                assertTrue(r.ok(i), "acked " + i + ": " + r.exception(i));
            }
            for (int i = 4; i < 8; i++) {
                assertEquals(Errno.ENOBUFS.value(), r.errno(i), "unknown outcome " + i);
                assertTrue(r.extackMessage(i).contains("outcome unknown"), r.extackMessage(i));
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), held(), "the kernel did every request");
            // The next request on the same socket is answered correctly (late acks are stale).
            byIndex = i -> Fault.NONE;
            NetlinkException dup = assertThrows(NetlinkException.class, () -> c.request("add again", adds(1)));
            assertEquals(Errno.EEXIST, dup.errno());
        }
    }

    @Test
    void aLostReplyTimesOutAndTheRequestWasDone() {
        byIndex = i -> Fault.of(Fault.Kind.REPLY_LOST);
        try (NetlinkConnection c = faulty()) {
            long t0 = System.nanoTime();
            NetlinkException e = assertThrows(NetlinkException.class, () -> c.request("add", adds(1)));
            assertEquals(Errno.ETIMEDOUT, e.errno());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 4_000, "the seam does not wait the whole timeout");
            assertEquals(List.of(0), held());
            byIndex = i -> Fault.NONE;
            assertEquals(Errno.EEXIST, assertThrows(NetlinkException.class, () -> c.request("add again", adds(1))).errno());
        }
    }

    @Test
    void anInterruptedDumpIsRestartedAndDeliversEveryEntry() {
        int[] calls = {0};
        byIndex = i -> calls[0]++ == 0 ? Fault.of(Fault.Kind.DUMP_INTR) : Fault.NONE;
        try (NetlinkConnection c = faulty()) {
            NetlinkMessageWriter w = new NetlinkMessageWriter(256);
            RtnlLinks.encodeDump(w);
            List<Integer> types = new ArrayList<>();
            int[] interrupted = {0};
            c.dump("links", w, new ReplyHandler() {
                @Override
                public void onReply(int requestIndex, NetlinkMessage m) {
                    types.add(m.type());
                }

                @Override
                public void onDumpInterrupted() {
                    interrupted[0]++;
                    types.clear();
                }
            });
            assertEquals(1, interrupted[0]);
            assertEquals(2, calls[0], "asked again for the restarted dump");
            assertEquals(List.of(Rtnetlink.RTM_NEWLINK), types, "lo, once, from the second walk");
        }
    }

    @Test
    void aLostEventIsReportedAsAnOverrunAndTheNextOneArrives() {
        NetlinkSocket s = ns.call(() -> NetlinkSocket.open(NetlinkProtocol.ROUTE));
        s.joinGroup(Rtnetlink.RTNLGRP_IPV4_IFADDR);
        FaultyTransport t = new FaultyTransport(s, NetlinkProtocol.ROUTE, injector, true);
        loseEvents = 1;
        try (t; NetlinkConnection c = faulty()) {
            c.batch("add", adds(2), null, new BatchResult());
            assertEquals(-Errno.ENOBUFS.value(), t.receive(1_000), "the first event dropped, reported as an overrun");
            int n = t.receive(1_000);
            assertTrue(n > 0, "the second event arrives: " + n);
            NetlinkMessageCursor cur = new NetlinkMessageCursor();
            cur.reset(t.receiveBuffer(), 0, n);
            assertTrue(cur.next());
            assertEquals(Rtnetlink.RTM_NEWADDR, cur.message().type());
            assertEquals(-Errno.EAGAIN.value(), t.receive(0));
        }
    }

    /** Production: no provider on the class path, so a connection uses its socket itself. */
    @Test
    void withoutAProviderSocketsAreNotWrapped() {
        try (NetlinkSocket s = ns.call(() -> NetlinkSocket.open(NetlinkProtocol.ROUTE))) {
            assertSame(s, NetlinkFaults.requests(s, NetlinkProtocol.ROUTE));
            assertSame(s, NetlinkFaults.events(s, NetlinkProtocol.ROUTE));
            assertFalse(java.util.ServiceLoader.load(NetlinkFaultInjector.class).findFirst().isPresent());
        }
    }
}
