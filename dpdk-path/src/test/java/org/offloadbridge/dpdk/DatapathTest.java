package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.HeaderEdit;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.flow.Upcall;
import org.offloadbridge.flow.UpcallQueue;

/**
 * The datapath driven by hand (one PMD, doWork on the test thread) over net_ring ports:
 * packets are put on port 1's ring, the PMD forwards them, the test reads port 2's ring.
 */
@Tag("host")
class DatapathTest {

    static final int IN = 1;
    static final int OUT = 2;
    static int seq;

    Eal eal;
    DpdkDatapath dp;
    EthdevPort in;
    EthdevPort out;
    PmdThread pmd;
    Arena arena;
    RingIo ring;
    final AtomicLong clock = new AtomicLong(1_000);

    @BeforeEach
    void setUp() {
        eal = TestEal.get();
        seq++;
        dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(2047).descriptors(256, 256)
            .upcallQueue(8, 60_000).clock(clock::get)
            .maxTxQueues(1) // one shared tx queue: packet-out lands in the ring the test reads
            .emcInsertInvProb(1));
        in = dp.addPort(IN, "net_ring_di" + seq);
        out = dp.addPort(OUT, "net_ring_do" + seq);
        pmd = dp.pmds().get(0);
        arena = Arena.ofConfined();
        ring = new RingIo(arena, dp.pool());
    }

    @AfterEach
    void tearDown() {
        drain(out);
        drain(in);
        int inUse = dp.pool().inUseCount();
        dp.close();
        assertEquals(0, inUse, "every mbuf returned");
        arena.close();
    }

    /** Puts frames on port IN's ring (as if they arrived on the wire). */
    void inject(byte[]... frames) {
        ring.inject(in, frames);
    }

    void injectMbufs(long... mbufs) {
        ring.injectMbufs(in, mbufs); // the PMD is not running (manual mode)
    }

    /** What came out on a port's ring, as bytes (mbufs freed). */
    List<byte[]> received(EthdevPort p) {
        return ring.received(p);
    }

    void drain(EthdevPort p) {
        if (p.isStarted()) {
            received(p);
        }
    }

    static Megaflow flow(int inPort, int dstIp, Actions actions) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(inPort);
        m.setExact(Field.IN_PORT);
        k.set(Field.ETH_TYPE, 0x0800);
        m.setExact(Field.ETH_TYPE);
        m.setExact(Field.VLAN0_CFI); // untagged only
        if (dstIp != 0) {
            k.set(Field.IPV4_DST, dstIp & 0xffffffffL);
            m.setExact(Field.IPV4_DST);
        }
        return Megaflow.of(k, m, actions);
    }

    @Test
    void forwardsMatchingPacketsByteIdenticalAndCountsThem() {
        Megaflow f = flow(IN, 0x0a000002, Actions.builder().output(OUT).build());
        dp.flows().install(f);
        byte[][] frames = new byte[10][];
        long bytes = 0;
        for (int i = 0; i < frames.length; i++) {
            frames[i] = Frames.ipv4(Frames.MAC_A, Frames.MAC_B, 0x0a000001, 0x0a000002, 17, 1000, 53, i);
            bytes += frames[i].length;
        }
        inject(frames);
        clock.set(5_000);
        assertEquals(10, pmd.doWork());
        List<byte[]> got = received(out);
        assertEquals(10, got.size());
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(frames[i], got.get(i));
        }
        FlowStats s = dp.flows().stats(f.ufid());
        assertEquals(new FlowStats(10, bytes, 5_000, 0), s);
        // A burst is looked up stage by stage: all of it probes the EMC before any classifier hit
        // is cached there, so the whole first burst goes through the classifier (as OVS's
        // emc_processing before fast_path_processing) and the next burst hits the EMC.
        assertEquals(10, pmd.counters().classifierHits(), "the first burst through the classifier");
        assertEquals(0, pmd.counters().emcHits());
        inject(frames);
        assertEquals(10, pmd.doWork());
        assertEquals(10, received(out).size());
        assertEquals(10, pmd.counters().classifierHits());
        assertEquals(10, pmd.counters().emcHits(), "the next burst from the exact-match cache");
        assertEquals(new FlowStats(20, 2 * bytes, 5_000, 0), dp.flows().stats(f.ufid()));
    }

    /**
     * Every packet of a new flow goes up while its first upcall is pending (bounded per key:
     * flow's UpcallQueueTest): the handler that installs the flow executes the first, the others
     * find the flow and are executed too — none is lost to the install's latency — and once the
     * flow is in, its packets no longer come up.
     */
    @Test
    void missesOfANewKeyAreAllDeliveredWhileItsFirstUpcallIsPending() {
        byte[] a = Frames.udp(0x0a000001, 0x0a000009, 7, 7);
        byte[] b = Frames.udp(0x0a000001, 0x0a00000a, 7, 7);
        inject(a, a, a, b, a);
        pmd.doWork();
        UpcallQueue q = dp.upcalls();
        assertEquals(5, q.size(), "each packet of the new flows goes up");
        assertEquals(0, dp.counters().upcallsDeduplicated());
        assertEquals(2, q.pendingKeys(), "one pending mark per key");
        Upcall u = q.poll();
        assertEquals(Upcall.Kind.MISS, u.kind());
        assertEquals(IN, u.inPort());
        assertArrayEquals(a, u.packet());
        assertEquals(0x0a000009, u.key().ipv4Dst());
        // handler installs a flow, replies with packet-out, completes
        dp.flows().install(flow(IN, 0x0a000009, Actions.builder().output(OUT).build()));
        dp.execute(u.packet(), u.inPort(), Actions.builder().output(OUT).build());
        q.complete(u);
        assertArrayEquals(a, received(out).get(0), "packet-out sent the upcall's packet");
        assertEquals(1, q.pendingKeys(), "key b still pending");
        inject(a, a);
        pmd.doWork();
        assertEquals(2, received(out).size(), "installed flow forwards, no new upcall");
        assertEquals(4, q.size(), "the packets queued behind the first are still there; nothing new");
        int bs = 0;
        for (Upcall v; (v = q.poll()) != null; ) {
            bs += v.key().ipv4Dst() == 0x0a00000a ? 1 : 0;
        }
        assertEquals(1, bs, "and b's one packet among them");
    }

    @Test
    void fullUpcallQueueDropsAndCountsWithBoundedMemory() {
        UpcallQueue q = dp.upcalls();
        for (int round = 0; round < 20; round++) {
            byte[][] frames = new byte[32][];
            for (int i = 0; i < 32; i++) {
                frames[i] = Frames.udp(0x0a000001, 0x0b000000 + round * 32 + i, 1, 1);
            }
            inject(frames);
            pmd.doWork();
        }
        assertEquals(q.capacity(), q.size(), "queue full, never more");
        assertEquals(640 - q.capacity(), dp.counters().upcallsDropped());
        assertEquals(q.capacity(), q.pendingKeys(), "pending marks only for queued keys");
        assertEquals(640, pmd.counters().misses());
    }

    @Test
    void dropFlowCountsAndFreesAndDeleteReturnsFinalStats() {
        Megaflow f = flow(IN, 0, Actions.DROP);
        dp.flows().install(f);
        int before = dp.pool().inUseCount();
        inject(Frames.udp(1, 2, 3, 4), Frames.udp(1, 2, 3, 5));
        pmd.doWork();
        assertTrue(received(out).isEmpty());
        assertEquals(before, dp.pool().inUseCount(), "dropped mbufs freed");
        FlowStats s = dp.flows().delete(f.ufid());
        assertEquals(2, s.packets());
        assertNull(dp.flows().delete(f.ufid()));
        inject(Frames.udp(1, 2, 3, 4));
        pmd.doWork();
        assertEquals(1, dp.upcalls().size(), "deleted flow no longer matches (EMC entry ignored)");
    }

    @Test
    void vlanPushPopAndFieldRewritesKeepChecksumsValid() {
        Actions push = Actions.builder().pushVlan(0x8100, 100, 3).output(OUT).build();
        dp.flows().install(flow(IN, 0x0a000002, push));
        byte[] plain = Frames.ipv4(Frames.MAC_A, Frames.MAC_B, 0x0a000001, 0x0a000002, 6, 4000, 80, 30);
        inject(plain);
        pmd.doWork();
        byte[] tagged = received(out).get(0);
        assertEquals(plain.length + 4, tagged.length);
        assertEquals(0x81, tagged[12] & 0xff);
        assertEquals(0x00, tagged[13] & 0xff);
        assertEquals((3 << 13) | 100, ((tagged[14] & 0xff) << 8) | (tagged[15] & 0xff), "pcp 3 vid 100, DEI 0");
        assertArrayEquals(java.util.Arrays.copyOfRange(plain, 12, plain.length),
            java.util.Arrays.copyOfRange(tagged, 16, tagged.length));

        // the tagged frame back in: pop + rewrite ipv4 src, ttl and tcp dst
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(IN);
        m.setExact(Field.IN_PORT);
        k.set(Field.VLAN0_VID, 100);
        m.setExact(Field.VLAN0_VID);
        Actions rewrite = Actions.builder().popVlan()
            .setField(KeyAttr.IPV4, Field.IPV4_SRC, 0xc0a80101L)
            .setField(KeyAttr.IPV4, Field.NW_TTL, 9)
            .setField(KeyAttr.TCP, Field.TP_DST, 8080)
            .setField(KeyAttr.ETHERNET, Field.ETH_DST, 0x0a0b0c0d0e0fL)
            .output(OUT).build();
        dp.flows().install(Megaflow.of(k, m, rewrite));
        inject(tagged);
        pmd.doWork();
        byte[] rewritten = received(out).get(0);
        assertEquals(plain.length, rewritten.length);
        MemorySegment s = MemorySegment.ofArray(rewritten);
        assertEquals(0x0a0b, org.offloadbridge.flow.HeaderEdit.u16(s, 0));
        assertEquals(0xc0a8, org.offloadbridge.flow.HeaderEdit.u16(s, 26));
        assertEquals(9, rewritten[22]);
        assertEquals(8080, org.offloadbridge.flow.HeaderEdit.u16(s, 36));
        assertTrue(Frames.checksumsValid(rewritten, 14), "IPv4 and TCP checksums valid after rewrite");
        assertEquals(0, pmd.counters().editFailures());
    }

    @Test
    void outputBeforeARewriteSendsTheUnmodifiedCopy() {
        Actions a = Actions.builder().output(OUT).setField(KeyAttr.UDP, Field.TP_SRC, 999).output(OUT).build();
        dp.flows().install(flow(IN, 0x0a000002, a));
        byte[] p = Frames.udp(0x0a000001, 0x0a000002, 1234, 53);
        inject(p);
        pmd.doWork();
        List<byte[]> got = received(out);
        assertEquals(2, got.size());
        assertArrayEquals(p, got.get(0));
        assertEquals(999, org.offloadbridge.flow.HeaderEdit.u16(MemorySegment.ofArray(got.get(1)), 34));
        assertTrue(Frames.checksumsValid(got.get(1), 14));
    }

    @Test
    void badInputRuntsBogusLengthsMultiSegmentAndUnknownPorts() {
        dp.flows().install(flow(IN, 0, Actions.builder().output(OUT).build()));
        // runt: shorter than an Ethernet header → dropped, counted, no upcall
        inject(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        pmd.doWork();
        assertEquals(1, pmd.counters().runts());
        assertEquals(0, dp.upcalls().size());
        assertTrue(received(out).isEmpty());

        // IPv4 total length larger than the frame: parsed as far as possible, still forwarded as is
        byte[] bogus = Frames.udp(0x0a000001, 0x0a000002, 1, 2);
        bogus[16] = (byte) 0xff;
        inject(bogus);
        pmd.doWork();
        assertArrayEquals(bogus, received(out).get(0));
        assertEquals(1, pmd.parseStatusCount(org.offloadbridge.flow.ParseStatus.TRUNCATED_L3));

        // a multi-segment mbuf (600 bytes in 256-byte segments) is forwarded whole
        try (Mempool small = Mempool.create(eal, eal.uniqueName("seg"), 63, 0, RteMbuf.RTE_PKTMBUF_HEADROOM + 256)) {
            byte[] big = Frames.ipv4(Frames.MAC_A, Frames.MAC_B, 0x0a000001, 0x0a000002, 17, 5, 6, 558);
            long m = small.copyIn(big);
            assertEquals(3, RteMbuf.nbSegs(m));
            injectMbufs(m);
            pmd.doWork();
            assertArrayEquals(big, received(out).get(0));
            assertEquals(0, small.inUseCount());
        }

        // unknown port in actions: refused at install and at packet-out, naming the port
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> dp.flows().install(flow(IN, 0x01010101, Actions.builder().output(77).build())));
        assertTrue(e.getMessage().contains("output(77)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> dp.execute(bogus, IN, Actions.builder().output(78).build()));
        // unsupported set: refused with the field named
        e = assertThrows(IllegalArgumentException.class, () -> dp.flows().install(flow(IN, 0x01010102,
            Actions.builder().setField(KeyAttr.IPV6, Field.IPV6_SRC_HI, 1).output(OUT).build())));
        assertTrue(e.getMessage().contains("ipv6_src"), e.getMessage());
    }

    @Test
    void removedPortDropsAndCountsAndCanBeAddedBack() {
        dp.flows().install(flow(IN, 0, Actions.builder().output(OUT).build()));
        dp.removePort(OUT);
        inject(Frames.udp(1, 2, 3, 4), Frames.udp(1, 2, 3, 4));
        pmd.doWork();
        assertEquals(2, pmd.counters().unknownPortDrops(), "flow outputs to a removed port: freed and counted");
        EthdevPort again = dp.addPort(OUT, out.devargs());
        assertEquals(out.id(), again.id(), "same DPDK port reused");
        out = again;
        inject(Frames.udp(1, 2, 3, 4));
        pmd.doWork();
        assertEquals(1, received(out).size());
        DatapathCounters c = dp.counters();
        assertEquals(3, c.rxPackets());
        assertEquals(2, c.unknownPortDrops());
        assertEquals(1, c.txPackets());
        assertEquals(3, c.classifierHits() + c.emcHits(), "every packet found its flow");
        assertEquals(0, c.misses());
    }

    @Test
    void flowTableApi() {
        Megaflow f = flow(IN, 0x0a000002, Actions.builder().output(OUT).build());
        dp.flows().install(f);
        assertThrows(IllegalStateException.class, () -> dp.flows().install(f), "same ufid");
        assertThrows(IllegalStateException.class, () -> dp.flows().install(
            new Megaflow(f.key(), f.mask(), Actions.DROP, Ufid.random())), "same match");
        assertTrue(dp.flows().modify(f.ufid(), Actions.DROP));
        assertEquals(Actions.DROP, dp.flows().get(f.ufid()).actions());
        inject(Frames.udp(0x0a000001, 0x0a000002, 1, 2));
        pmd.doWork();
        assertTrue(received(out).isEmpty(), "modified to drop");
        List<DumpedFlow> dump = dp.flows().dump();
        assertEquals(1, dump.size());
        assertEquals(1, dump.get(0).stats().packets());
        assertNotNull(dp.flows().lookup(dump.get(0).megaflow().key()));
        assertEquals(1, dp.flows().flush());
        assertEquals(0, dp.flows().size());
    }

    /**
     * The burst path against a reference: random bursts mixing packets of several flows (some
     * dropping), packets no flow matches and runts, over bursts that reuse the flows (so each
     * flow's group mark from an earlier burst must not be taken for this one). Every forwarded
     * packet leaves exactly once, each flow's packets in arrival order; each flow counts exactly
     * its packets; misses and runts are counted, not sent. Half the packets repeat the key of
     * the one before (runs, found without a second probe; also runs of a key no flow matches).
     * Seeded through {@link Cases}.
     */
    @Test
    void burstsGroupedByFlowKeepEachFlowsOrderAndCountsAgainstAReference() {
        org.offloadbridge.testkit.Cases.check(25, List.of(), r -> r.nextLong(),
            seed -> String.format("scenario seed 0x%016x", seed), seed -> {
                java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                int nFlows = 1 + r.nextInt(40);
                Megaflow[] flows = new Megaflow[nFlows];
                for (int f = 0; f < nFlows; f++) {
                    Actions a = r.nextInt(5) == 0 ? Actions.DROP : Actions.builder().output(OUT).build();
                    flows[f] = flow(IN, 0x0a000100 + f, a);
                    dp.flows().install(flows[f]);
                }
                long[] packets = new long[nFlows];
                java.util.Map<Integer, List<Integer>> sentOrder = new java.util.HashMap<>();
                DatapathCounters before = pmd.counters();
                long misses = 0;
                long runts = 0;
                int seqNo = 0;
                List<byte[]> got = new java.util.ArrayList<>();
                for (int burst = 0, bursts = 1 + r.nextInt(5); burst < bursts; burst++) {
                    int n = 1 + r.nextInt(PmdThread.BURST);
                    byte[][] frames = new byte[n][];
                    int lastFlow = -1;
                    for (int i = 0; i < n; i++) {
                        int kind = r.nextInt(10);
                        if (kind == 0) {
                            frames[i] = new byte[1 + r.nextInt(13)]; // a runt
                            runts++;
                            lastFlow = -1;
                            continue;
                        }
                        int f = kind == 1 ? nFlows + r.nextInt(5) : r.nextInt(nFlows); // kind 1: no flow
                        if (kind >= 6 && lastFlow >= 0) {
                            f = lastFlow; // runs of one key, as a bulk transfer's burst (PMD: no second probe)
                        }
                        lastFlow = f;
                        int tag = ++seqNo; // the IPv4 ID tells the packets apart; it is not in the key
                        frames[i] = Frames.udp(0x0a000001, 0x0a000100 + f, r.nextInt(4) == 0 ? tag : 7, 53);
                        frames[i][18] = (byte) (tag >>> 8);
                        frames[i][19] = (byte) tag;
                        if (f >= nFlows) {
                            misses++;
                        } else {
                            packets[f]++;
                            if (!flows[f].actions().equals(Actions.DROP)) {
                                sentOrder.computeIfAbsent(f, x -> new java.util.ArrayList<>()).add(tag);
                            }
                        }
                    }
                    inject(frames);
                    assertEquals(n, pmd.doWork());
                    got.addAll(received(out)); // before the next doWork polls OUT's ring too
                }
                java.util.Map<Integer, List<Integer>> gotOrder = new java.util.HashMap<>();
                for (byte[] g : got) {
                    int f = (java.nio.ByteBuffer.wrap(g).getInt(30)) - 0x0a000100;
                    int tag = java.nio.ByteBuffer.wrap(g).getShort(18) & 0xffff;
                    gotOrder.computeIfAbsent(f, x -> new java.util.ArrayList<>()).add(tag);
                }
                assertEquals(sentOrder, gotOrder, "each flow's packets, once each, in arrival order");
                for (int f = 0; f < nFlows; f++) {
                    assertEquals(packets[f], dp.flows().stats(flows[f].ufid()).packets(), "flow " + f + "'s packets");
                }
                DatapathCounters after = pmd.counters();
                assertEquals(misses, after.misses() - before.misses(), "misses");
                assertEquals(runts, after.runts() - before.runts(), "runts");
                assertEquals(java.util.Arrays.stream(packets).sum(),
                    after.emcHits() + after.classifierHits() - before.emcHits() - before.classifierHits(), "hits");
                dp.upcalls().drain(u -> { }, Integer.MAX_VALUE);
                dp.flows().flush();
            });
    }

    /**
     * Three full bursts from three ports in one pass, all to one port, then a fourth burst to
     * another: the first port's tx buffer ({@code ActionExecutor.TX_BUFFER} = 64 mbufs, beside
     * the next port's) fills mid-pass and is sent then, the rest at the end of the pass. Every
     * packet leaves once, on its flow's port, in order per input port.
     */
    @Test
    void aTxBufferFilledMidPassIsSentAndNothingIsLostOrReordered() {
        EthdevPort in2 = dp.addPort(3, "net_ring_di2" + seq); // OUT + 1: its tx buffer follows OUT's
        EthdevPort in3 = dp.addPort(4, "net_ring_di3" + seq);
        EthdevPort in4 = dp.addPort(5, "net_ring_di4" + seq);
        EthdevPort[] ins = {in, in3, in4, in2};
        int[] dpPorts = {IN, 4, 5, 3};
        for (int p = 0; p < ins.length; p++) {
            dp.flows().install(flow(dpPorts[p], 0, Actions.builder().output(p < 3 ? OUT : 3).build()));
        }
        for (int p = 0; p < ins.length; p++) {
            byte[][] frames = new byte[PmdThread.BURST][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = Frames.udp(0x0a000001, 0x0a000002, 1000 * (p + 1) + i, 53);
            }
            ring.inject(ins[p], frames);
        }
        assertEquals(4 * PmdThread.BURST, pmd.doWork());
        List<byte[]> got = received(out);
        assertEquals(3 * PmdThread.BURST, got.size(), "every packet of the first three ports sent on OUT");
        int[] next = {1000, 2000, 3000};
        for (byte[] g : got) {
            int sport = java.nio.ByteBuffer.wrap(g).getShort(34) & 0xffff;
            int p = sport / 1000 - 1;
            assertTrue(p >= 0 && p < 3, "from the first three ports: " + sport);
            assertEquals(next[p]++, sport, "in order per input port");
        }
        List<byte[]> other = received(in2);
        assertEquals(PmdThread.BURST, other.size(), "the fourth port's burst on its own port");
        for (int i = 0; i < other.size(); i++) {
            assertEquals(4000 + i, java.nio.ByteBuffer.wrap(other.get(i)).getShort(34) & 0xffff);
        }
        assertEquals(4 * PmdThread.BURST, pmd.counters().txPackets());
        drain(in3);
        drain(in4);
    }

    /**
     * More active keys than EMC entries: the PMD stops probing the thrashing EMC
     * ({@code Emc.probeThisBurst}) and every packet still reaches its flow through the classifier,
     * counted once.
     */
    @Test
    void aThrashingExactMatchCacheIsSkippedAndNothingIsLost() {
        Megaflow f = flow(IN, 0x0a000002, Actions.builder().output(OUT).build());
        dp.flows().install(f);
        int bursts = org.offloadbridge.dpdk.internal.Emc.WINDOW / PmdThread.BURST + 1;
        long sent = 0;
        int port = 0;
        for (int b = 0; b < bursts; b++) {
            byte[][] frames = new byte[PmdThread.BURST][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = Frames.udp(0x0a000001, 0x0a000002, port++ & 0xffff, 53); // a new key each (for 65,536)
            }
            inject(frames);
            assertEquals(frames.length, pmd.doWork());
            assertEquals(frames.length, received(out).size());
            sent += frames.length;
        }
        assertTrue(pmd.emcBypassed(), "an EMC that missed a whole window is skipped");
        assertEquals(sent, dp.flows().stats(f.ufid()).packets());
        assertEquals(sent, pmd.counters().classifierHits() + pmd.counters().emcHits());
        assertEquals(0, pmd.counters().misses());
    }
}
