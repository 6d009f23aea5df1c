package org.offloadbridge.upcall.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.testkit.Cases;

/**
 * The table's totals against brute force: after every change of every kind, the flows by layer
 * are what a walk of the table counts, and each port's traffic per layer is what a model of the
 * counters' growth says.
 */
class LayerTotalsTest {
    private static final FlowLayer[] LAYERS = FlowLayer.values();

    /** Flows per layer as a walk of the whole table counts them. */
    private static Map<FlowLayer, Long> walk(UkeyTable t) {
        Map<FlowLayer, Long> n = new EnumMap<>(FlowLayer.class);
        for (FlowLayer l : LAYERS) {
            n.put(l, 0L);
        }
        for (int s = 0; s < t.shards(); s++) {
            t.forEach(s, u -> n.merge(u.layer(), 1L, Long::sum));
        }
        return n;
    }

    private static Map<FlowLayer, Long> totals(UkeyTable t) {
        Map<FlowLayer, Long> n = new EnumMap<>(FlowLayer.class);
        for (FlowLayer l : LAYERS) {
            n.put(l, t.totals().flows(l));
        }
        return n;
    }

    private static InstallDecision.Outcome in(FlowLayer l, FlowStats s) {
        return new InstallDecision.Outcome(l, Reason.NONE, null, 0, null, s);
    }

    private static FlowStats plus(FlowStats s, long packets) {
        return new FlowStats(s.packets() + packets, s.bytes() + 100 * packets, s.used(), 0);
    }

    /** What a port's flows carried per layer: [port][layer] packets (bytes are 100 per packet). */
    private static final class Model {
        final long[][] packets = new long[4][LAYERS.length];
        final long[][] bytes = new long[4][LAYERS.length];

        void add(Ukey u, FlowLayer l, long p, long b) {
            packets[u.inPort()][l.ordinal()] += p;
            bytes[u.inPort()][l.ordinal()] += b;
        }
    }

    private static Ukey fresh(int inPort, int id) {
        return new Ukey(TestPipelines.exact(inPort, id, TestPipelines.output(2)), OffloadPreference.PREFERRED, 1, List.of(), 0);
    }

    @Test
    void flowsByLayerAndTrafficByPortFollowEveryChange() {
        Cases.check(300, List.of(), r -> r.nextLong(), Long::toHexString, seed -> run(new SplittableRandom(seed), 400));
    }

    private static void run(SplittableRandom r, int steps) {
        UkeyTable t = new UkeyTable(8);
        Model m = new Model();
        List<Ukey> live = new ArrayList<>();
        int ids = 0;
        for (int step = 0; step < steps; step++) {
            int op = r.nextInt(9);
            Ukey u = live.isEmpty() ? null : live.get(r.nextInt(live.size()));
            FlowLayer any = LAYERS[r.nextInt(LAYERS.length)];
            if (op == 0 || u == null) {
                Ukey k = fresh(1 + r.nextInt(3), ids++);
                if (t.insert(k) == null) {
                    live.add(k);
                }
            } else if (op == 1) {
                u.placed(in(any, FlowStats.ZERO), 0, 0, 0);
                operational(u);
            } else if (op == 2 && u.layer() != FlowLayer.NONE) {
                FlowLayer dumped = u.layer().isTc() ? (r.nextBoolean() ? FlowLayer.TC_HW : FlowLayer.TC_SW) : u.layer();
                long grow = r.nextInt(5);
                FlowStats before = u.rawStats();
                u.dumped(plus(before, grow), dumped, 0);
                m.add(u, dumped, grow, 100 * grow);
            } else if (op == 3 && u.layer() != FlowLayer.NONE) {
                long grow = r.nextInt(5);
                FlowStats before = u.rawStats();
                m.add(u, u.layer(), grow, 100 * grow);
                u.deleted(plus(before, grow));
            } else if (op == 4) {
                u.lost();
            } else if (op == 5) {
                if (u.countSlowPathPacket(100, 0)) {
                    m.add(u, FlowLayer.NONE, 1, 100);
                }
            } else if (op == 6 && u.state() == UkeyState.OPERATIONAL) {
                u.transition(UkeyState.EVICTING);
                u.transition(UkeyState.EVICTED);
                t.remove(u);
                live.remove(u);
            } else if (op == 7 && u.layer() != FlowLayer.NONE) {
                long grow = r.nextInt(5);
                FlowLayer from = u.layer();
                FlowLayer to = from.isTc() ? (r.nextBoolean() ? FlowLayer.TC_HW : FlowLayer.TC_SW) : from;
                m.add(u, from, grow, 100 * grow);
                u.placedInPlace(in(to, plus(u.rawStats(), grow)), 0, 0);
            } else if (op == 8) {
                Ukey k = fresh(1 + r.nextInt(3), ids++);
                if (t.insert(k) == null) {
                    // counters it had before it came into the table are not traffic we saw
                    k.adopted(any, new FlowStats(7, 700, 0, 0), 0);
                    operational(k);
                    live.add(k);
                }
            }
            assertEquals(walk(t), totals(t), "flows by layer after step " + step + " (op " + op + ")");
            assertEquals(t.size(), totals(t).values().stream().mapToLong(Long::longValue).sum(), "they add up to the size");
        }
        for (int port = 1; port <= 3; port++) {
            for (FlowLayer l : LAYERS) {
                assertEquals(m.packets[port][l.ordinal()], t.totals().packets(port, l), "packets of port " + port + " in " + l);
                assertEquals(m.bytes[port][l.ordinal()], t.totals().bytes(port, l), "bytes of port " + port + " in " + l);
            }
        }
    }

    private static void operational(Ukey u) {
        if (u.state() == UkeyState.VISIBLE) {
            u.transition(UkeyState.OPERATIONAL);
        }
    }

    /** A table with one flow of {@code inPort}, placed in {@code layer}, whose layer has counted {@code packets} of 100 bytes. */
    private static UkeyTable oneFlow(int inPort, FlowLayer layer, long packets) {
        UkeyTable t = new UkeyTable(1);
        Ukey u = fresh(inPort, 1);
        t.insert(u);
        u.placed(in(layer, FlowStats.ZERO), 0, 0, 0);
        u.dumped(new FlowStats(packets, 100 * packets, 0, 0), layer, 0);
        return t;
    }

    @Test
    void countersThatGoDownAreALayerStartingAfreshAndCountWhole() {
        UkeyTable t = oneFlow(3, FlowLayer.TC_SW, 10);
        Ukey u = t.get(fresh(3, 1).ufid());
        u.dumped(new FlowStats(4, 400, 0, 0), FlowLayer.TC_HW, 0);
        assertEquals(10, t.totals().packets(3, FlowLayer.TC_SW));
        assertEquals(4, t.totals().packets(3, FlowLayer.TC_HW));
        assertEquals(1, t.totals().flows(FlowLayer.TC_HW), "the dump moved it to hardware");
        assertEquals(0, t.totals().flows(FlowLayer.TC_SW));
    }

    @Test
    void aUkeyThatLostTheInsertRaceNeverCounts() {
        UkeyTable t = new UkeyTable(1);
        Ukey a = fresh(1, 1);
        Ukey b = fresh(1, 1);
        t.insert(a);
        assertEquals(a, t.insert(b));
        b.placed(in(FlowLayer.DPDK, FlowStats.ZERO), 0, 0, 0);
        assertEquals(1, t.totals().flows(FlowLayer.NONE));
        assertEquals(0, t.totals().flows(FlowLayer.DPDK));
    }

    @Test
    void everyPortIsVisitedInEveryLayer() {
        UkeyTable t = oneFlow(2, FlowLayer.DPDK, 5);
        List<String> seen = new ArrayList<>();
        t.totals().forEachPort((port, layer, packets, bytes) -> seen.add(port + " " + layer + " " + packets + " " + bytes));
        assertEquals(List.of("2 tc-hw 0 0", "2 tc-sw 0 0", "2 dpdk 5 500", "2 none 0 0"), seen);
    }

    @Test
    void addingTrafficToAKnownPortAllocatesNothing() {
        LayerTotals totals = new LayerTotals();
        totals.traffic(7, FlowLayer.TC_HW, 1, 64);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 20_000; i++) { // warm up (JIT)
            totals.traffic(7, FlowLayer.TC_HW, 1, 64);
            totals.moved(FlowLayer.NONE, FlowLayer.TC_HW);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            totals.traffic(7, FlowLayer.TC_HW, 1, 64);
            totals.moved(FlowLayer.NONE, FlowLayer.TC_HW);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 100,000 adds");
        assertEquals(120_001, totals.packets(7, FlowLayer.TC_HW));
    }

    @Test
    void reasonsAndLayersOfFailuresAreCountedWhereAsked() {
        LayerCounters c = new LayerCounters();
        c.put(FlowLayer.TC_HW, FlowResult.failed(null, Reason.DEVICE_REFUSED, "x", 95, null));
        c.put(FlowLayer.TC_SW, FlowResult.ok(null, FlowLayer.TC_SW));
        c.delete(FlowLayer.DPDK, FlowResult.ok(null, FlowLayer.NONE));
        assertEquals(1, c.failed(LayerCounters.Op.INSTALL, FlowLayer.TC_HW, Reason.DEVICE_REFUSED));
        assertEquals(1, c.done(LayerCounters.Op.INSTALL, FlowLayer.TC_SW));
        assertEquals(1, c.done(LayerCounters.Op.DELETE, FlowLayer.DPDK), "an ok without a layer counts where it was asked");
        assertEquals(0, c.done(LayerCounters.Op.INSTALL, FlowLayer.TC_HW));
    }
}
