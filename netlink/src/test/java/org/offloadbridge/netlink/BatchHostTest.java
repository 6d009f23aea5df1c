package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.uapi.NetlinkConstants;
import org.offloadbridge.netlink.uapi.IfAddr;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * Batching and event loss against this machine's kernel, in a fresh namespace: 1,000
 * RTM_NEWADDR requests in one sendmsg, one of them deliberately a duplicate.
 */
@Tag("host")
class BatchHostTest {
    private static final int N = 1000;
    private static final int DUPLICATE = 500;

    private NetNs ns;
    private NetlinkConnection rt;
    private int lo;

    @BeforeEach
    void setUp() {
        ns = HostNetns.create("nlb");
        rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE)).timeoutMillis(10_000);
        lo = new RtnlLinks(rt).get("lo").orElseThrow().index();
    }

    @AfterEach
    void tearDown() {
        rt.close();
        ns.close();
    }

    /** 10.1.x.y for request i; request DUPLICATE reuses the address of DUPLICATE - 1. */
    private static int address(int i) {
        int k = i == DUPLICATE ? i - 1 : i;
        return (10 << 24) | (1 << 16) | ((k / 250) << 8) | (k % 250 + 1);
    }

    /** {@code ip addr add A/32 dev lo}: struct ifaddrmsg {u8 family, prefixlen, flags, scope; u32 index} + IFA_LOCAL/IFA_ADDRESS. */
    private void encodeAddAddress(NetlinkMessageWriter w, int addr) {
        encodeAddAddress(w, addr, true);
    }

    private void encodeAddAddress(NetlinkMessageWriter w, int addr, boolean ack) {
        encodeAddAddress(w, addr, ack, false);
    }

    private void encodeAddAddress(NetlinkMessageWriter w, int addr, boolean ack, boolean echo) {
        w.beginMessage(Rtnetlink.RTM_NEWADDR, NLM_F_REQUEST | (ack ? NLM_F_ACK : 0) | (echo ? NetlinkConstants.NLM_F_ECHO : 0)
            | NLM_F_CREATE | NLM_F_EXCL);
        int p = w.reserve(8);
        w.buffer().put(p, (byte) 2); // AF_INET
        w.buffer().put(p + 1, (byte) 32);
        w.buffer().putInt(p + 4, lo);
        w.putBe32(IfAddr.IFA_LOCAL, addr);
        w.putBe32(IfAddr.IFA_ADDRESS, addr);
        w.finish(0);
    }

    private NetlinkMessageWriter batch() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64 * N);
        for (int i = 0; i < N; i++) {
            encodeAddAddress(w, address(i));
        }
        assertEquals(N, w.messageCount());
        return w;
    }

    @Test
    void thousandRequestsInOneSendAreEachAnsweredAndTheFailureIsPinnedToItsRequest() {
        BatchResult r = rt.batch("add addresses", batch(), null, new BatchResult());
        assertOnlyTheDuplicateFailed(r);
        assertEquals(N - 1, addressesHeld(), "the kernel holds exactly the 999 distinct addresses");
        assertEquals(0, rt.counters().staleReplies());
    }

    /** Request DUPLICATE refused with the kernel's errno and text, pinned to its index; every other one done. */
    private static void assertOnlyTheDuplicateFailed(BatchResult r) {
        assertEquals(N, r.size());
        assertEquals(1, r.failureCount());
        for (int i = 0; i < N; i++) {
            if (i == DUPLICATE) {
                assertEquals(Errno.EEXIST.value(), r.errno(i));
                assertEquals("ipv4: Address already assigned", r.extackMessage(i));
                NetlinkException e = r.exception(i);
                assertEquals(DUPLICATE, e.requestIndex());
                assertTrue(e.getMessage().contains("request #500"), e.getMessage());
            } else {
                assertTrue(r.ok(i), "request " + i + ": " + r.exception(i));
            }
        }
    }

    /** The 10.1.x.y addresses on lo, as iproute2 lists them. */
    private int addressesHeld() {
        Matcher m = Pattern.compile("\"local\":\"10\\.1\\.").matcher(ns.ipIn("-j", "addr", "show", "dev", "lo"));
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    /** A counting transport over a new rtnetlink socket in the test's netns, with an 8 MiB receive buffer. */
    private Counting counting() {
        return new Counting(ns.call(() -> {
            NetlinkSocket s = NetlinkSocket.open(NetlinkProtocol.ROUTE);
            s.setReceiveBufferSize(8 << 20, true);
            return s;
        }));
    }

    /** The real socket, counting the datagrams received; optionally losing the n-th echo (RTM_NEWADDR) it reads. */
    private static final class Counting implements NetlinkTransport {
        final NetlinkSocket s;
        int datagrams;
        int sends;
        int largestSend;
        int echoes;
        int loseEcho = -1;

        Counting(NetlinkSocket s) {
            this.s = s;
        }

        @Override
        public void send(java.nio.ByteBuffer b, int offset, int length) {
            s.send(b, offset, length);
            sends++;
            largestSend = Math.max(largestSend, length);
        }

        @Override
        public int receive(int timeoutMillis) {
            int n = s.receive(timeoutMillis);
            datagrams += n >= 0 ? 1 : 0;
            if (n >= NlMsgHdr.LENGTH && (s.receiveBuffer().getShort(NlMsgHdr.TYPE) & 0xffff) == Rtnetlink.RTM_NEWADDR
                && echoes++ == loseEcho) {
                return receive(timeoutMillis);
            }
            return n;
        }

        @Override
        public java.nio.ByteBuffer receiveBuffer() {
            return s.receiveBuffer();
        }

        @Override
        public int portId() {
            return s.portId();
        }

        @Override
        public void close() {
            s.close();
        }
    }

    /**
     * batchFenced: the kernel answers only the failure and each chunk's last request — 2
     * datagrams for 1,000 requests in one send instead of 1,000 — and the outcome is the same as
     * {@link #thousandRequestsInOneSendAreEachAnsweredAndTheFailureIsPinnedToItsRequest}'s: the
     * failure at its index with the kernel's text, every other request done. A request written
     * with NLM_F_ACK keeps its ack. With chunks of 501 the duplicate is a fence itself and fails:
     * still pinned, and the chunk still ends.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "chunk={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1024, 501, 64})
    void aFencedBatchHearsOnlyFailuresAndFencesYetPinsEachOutcome(int chunk) {
        Counting t = counting();
        try (NetlinkConnection fenced = new NetlinkConnection(t, NetlinkProtocol.ROUTE).timeoutMillis(10_000).maxMessagesPerSend(chunk)) {
            NetlinkMessageWriter w = new NetlinkMessageWriter(64 * N);
            for (int i = 0; i < N; i++) {
                encodeAddAddress(w, address(i), i == 10);
            }
            BatchResult r = fenced.batchFenced("add addresses", w, null, new BatchResult());
            assertOnlyTheDuplicateFailed(r);
            int chunks = (N + chunk - 1) / chunk;
            boolean duplicateIsAFence = (DUPLICATE + 1) % chunk == 0;
            assertEquals(chunks + 1 + (duplicateIsAFence ? 0 : 1), t.datagrams,
                "one ack per chunk's fence, request 10's own ack, the duplicate's error");
            assertEquals(N - 1, addressesHeld(), "the kernel holds every distinct address");
            assertEquals(0, fenced.counters().staleReplies());
        }
    }

    /**
     * batchFenced with NLM_F_ECHO: each silent request's echo is its answer — one datagram per
     * address added instead of two — the failure still pinned to its index. An echo lost on the
     * way (the 300th) leaves its request's outcome unknown (ENOBUFS), not done, and no other.
     */
    @Test
    void aFencedEchoRequestIsDoneOnlyByItsEcho() {
        Counting t = counting();
        try (NetlinkConnection fenced = new NetlinkConnection(t, NetlinkProtocol.ROUTE).timeoutMillis(10_000)) {
            NetlinkMessageWriter w = new NetlinkMessageWriter(64 * N);
            for (int i = 0; i < N; i++) {
                encodeAddAddress(w, address(i), false, true);
            }
            int[] echoesOf = new int[N];
            BatchResult r = fenced.batchFenced("add addresses", w, (req, m) -> echoesOf[req]++, new BatchResult());
            assertOnlyTheDuplicateFailed(r);
            for (int i = 0; i < N; i++) {
                assertEquals(i == DUPLICATE ? 0 : 1, echoesOf[i], "request " + i + "'s echoes");
            }
            assertEquals(N - 1 + 1 + 1, t.datagrams, "999 echoes, the duplicate's error, the fence's ack (after its echo)");
            assertEquals(N - 1, addressesHeld());

            ns.ipIn("addr", "flush", "dev", "lo");
            t.echoes = 0;
            t.loseEcho = 299;
            BatchResult lost = fenced.batchFenced("add addresses", w, null, new BatchResult());
            assertEquals(2, lost.failureCount(), "the duplicate and the request whose echo was lost");
            assertEquals(Errno.EEXIST.value(), lost.errno(DUPLICATE));
            assertEquals(Errno.ENOBUFS.value(), lost.errno(299), "outcome unknown: " + lost.exception(299));
            assertTrue(lost.extackMessage(299).contains("echo never came"), lost.extackMessage(299));
            assertEquals(N - 1, addressesHeld(), "(the kernel did add it)");
            assertEquals(0, fenced.counters().staleReplies());
        }
    }

    /**
     * maxBytesPerSend: sendmsgs of at most that many bytes (40-byte requests: 10 to a 400-byte
     * send), a request bigger than the bound alone; the outcome per request as in one send.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "bytes={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {400, 439, 10})
    void aByteBoundChunksTheSendsAndKeepsEachOutcome(int bytes) {
        Counting t = counting();
        try (NetlinkConnection c = new NetlinkConnection(t, NetlinkProtocol.ROUTE).timeoutMillis(10_000).maxBytesPerSend(bytes)) {
            NetlinkMessageWriter w = batch();
            assertEquals(40 * N, w.length(), "40-byte requests");
            BatchResult r = c.batchFenced("add addresses", w, null, new BatchResult());
            assertOnlyTheDuplicateFailed(r);
            int perSend = Math.max(1, bytes / 40);
            assertEquals((N + perSend - 1) / perSend, t.sends, "sendmsgs of " + perSend + " requests");
            assertEquals(40 * perSend, t.largestSend);
            assertEquals(N - 1, addressesHeld());
        }
    }

    @Test
    void chunkedBatchMatchesAcksTheSameWay() {
        rt.maxMessagesPerSend(64);
        BatchResult r = rt.batch("add addresses", batch(), null, new BatchResult());
        assertEquals(1, r.failureCount());
        assertEquals(Errno.EEXIST.value(), r.errno(DUPLICATE));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "peekSizing={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void overflowingAnEventSocketIsReportedAsEventsLost(boolean peek) {
        try (NetlinkSubscription sub = ns.call(() -> NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_IPV4_IFADDR))) {
            sub.peekSizing(peek);
            sub.receiveBufferSize(1024); // the kernel raises this to its minimum: a few events fit
            rt.batch("add addresses", batch(), null, new BatchResult()).exception(DUPLICATE);
            int[] events = {0};
            int[] lost = {0};
            NetlinkEventHandler h = new NetlinkEventHandler() {
                @Override
                public void onEvent(NetlinkMessage m) {
                    assertEquals(Rtnetlink.RTM_NEWADDR, m.type());
                    events[0]++;
                }

                @Override
                public void onEventsLost() {
                    lost[0]++;
                }
            };
            for (int i = 0; i < 50 && sub.poll(h, 100) > 0; i++) {
                // drain what was queued; bounded
            }
            assertTrue(lost[0] >= 1, "the overflow must be reported");
            assertEquals(lost[0], sub.counters().overruns());
            assertTrue(events[0] < N - 1, "some events were really lost: got " + events[0]);
        }
    }
}
