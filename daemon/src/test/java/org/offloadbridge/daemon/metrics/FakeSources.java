package org.offloadbridge.daemon.metrics;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.offloadbridge.daemon.TcEventAgent;
import org.offloadbridge.dpdk.DatapathCounters;
import org.offloadbridge.dpdk.PortStats;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.revalidator.RevalidatorCounters;
import org.offloadbridge.upcall.handler.FixedHistogram;
import org.offloadbridge.upcall.handler.FlowLimit;
import org.offloadbridge.upcall.handler.InstallDecision;
import org.offloadbridge.upcall.handler.LayerCounters;
import org.offloadbridge.upcall.handler.LayerTotals;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.handler.UkeyState;
import org.offloadbridge.upcall.handler.UkeyTable;
import org.offloadbridge.upcall.handler.UpcallCounters;

/**
 * A small daemon's worth of metric sources, in memory: a real ukey table, layer counters and
 * histograms, and counter records a test sets. {@link #flows} fills the table with flows spread
 * over the layers and ports (the benchmark uses it too); {@link #everything} makes every
 * labelled series appear.
 */
public final class FakeSources implements DaemonMetrics.Sources {
    public final UkeyTable ukeys = new UkeyTable(64);
    public final LayerCounters layerCounters = new LayerCounters();
    public final FixedHistogram handling = new UpcallCounters().handling();
    public final FixedHistogram rounds = new FixedHistogram(FixedHistogram.millis(1), FixedHistogram.millis(10),
        FixedHistogram.millis(100), FixedHistogram.millis(1000));
    public final FlowLimit flowLimit = new FlowLimit(200_000);
    public UpcallCounters.Values upcalls = values(0);
    public RevalidatorCounters.Values revalidators = new RevalidatorCounters().snapshot();
    public TcEventAgent.Counters tcEvents = new TcEventAgent.Counters(0, 0, 0);
    public DatapathCounters dpdk = DatapathCounters.ZERO;
    public final Map<Integer, String> portNames = new TreeMap<>(Map.of(1, "p1", 2, "p2", 3, "p3"));
    public final Map<String, PortStats> dpdkPorts = new TreeMap<>();
    public long queueDeduplicated;
    public long queueFull;
    private int nextFlow;

    static UpcallCounters.Values values(long n) {
        Map<Reason, Long> reasons = new EnumMap<>(Reason.class);
        Map<FlowLayer, Long> layers = new EnumMap<>(FlowLayer.class);
        return new UpcallCounters.Values(n, n, n, n, n, n, n, n, n, n, n, n, n, reasons, layers);
    }

    /** {@code n} more flows, round robin over the layers and in_ports 1..3, each with some traffic. */
    public FakeSources flows(int n) {
        FlowLayer[] layers = FlowLayer.values();
        for (int i = 0; i < n; i++) {
            int id = nextFlow++;
            FlowKey k = new FlowKey();
            k.set(Field.IN_PORT, 1 + id % 3);
            k.set(Field.ETH_SRC, 0x020000000000L + id);
            FlowMask m = new FlowMask();
            m.setExact(Field.IN_PORT);
            m.setExact(Field.ETH_SRC);
            Megaflow mf = Megaflow.of(k, m, Actions.builder().output(2).build());
            Ukey u = new Ukey(mf, OffloadPreference.PREFERRED, 1, List.of(), 0);
            if (ukeys.insert(u) != null) {
                continue;
            }
            FlowLayer l = layers[id % layers.length];
            u.placed(new InstallDecision.Outcome(l, Reason.NONE, null, 0, null, FlowStats.ZERO), 0, 0, 0);
            u.transition(UkeyState.OPERATIONAL);
            if (l != FlowLayer.NONE) {
                u.dumped(new FlowStats(10, 1000, 0, 0), l, 0);
            } else {
                u.countSlowPathPacket(100, 0);
            }
        }
        return this;
    }

    /** Something counted in every metric, so every series and label set appears. */
    public FakeSources everything() {
        flows(8);
        for (LayerCounters.Op op : LayerCounters.Op.values()) {
            for (FlowLayer l : new FlowLayer[] {FlowLayer.TC_HW, FlowLayer.TC_SW, FlowLayer.DPDK}) {
                FlowResult ok = FlowResult.ok(null, l);
                FlowResult refused = FlowResult.refused(null, Reason.UNSUPPORTED_KEY, "x");
                switch (op) {
                    case INSTALL -> {
                        layerCounters.put(l, ok);
                        layerCounters.put(l, refused);
                    }
                    case MODIFY -> {
                        layerCounters.modify(l, ok);
                        layerCounters.modify(l, refused);
                    }
                    case DELETE -> {
                        layerCounters.delete(l, ok);
                        layerCounters.delete(l, refused);
                    }
                }
            }
        }
        layerCounters.placed(FlowLayer.TC_HW, Reason.NONE);
        layerCounters.placed(FlowLayer.NONE, Reason.HW_OFFLOAD_OFF);
        handling.record(FixedHistogram.millis(0.2));
        rounds.record(FixedHistogram.millis(20));
        upcalls = values(3);
        revalidators = new RevalidatorCounters.Values(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24);
        tcEvents = new TcEventAgent.Counters(1, 2, 3);
        dpdk = new DatapathCounters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        pmdTimes = List.of(new org.offloadbridge.dpdk.PmdTime(0, 3_000_000_000L, 1_000_000_000L),
            new org.offloadbridge.dpdk.PmdTime(1, 0, 4_000_000_000L));
        dpdkPorts.put("p1", new PortStats(1, 2, 3, 4, 5, 6, 7, 8));
        queueDeduplicated = 4;
        queueFull = 5;
        return this;
    }

    @Override public LayerTotals totals() { return ukeys.totals(); }
    @Override public LayerCounters layerCounters() { return layerCounters; }
    @Override public UpcallCounters.Values upcalls() { return upcalls; }
    @Override public FixedHistogram upcallHandling() { return handling; }
    @Override public long upcallsDeduplicatedInQueue() { return queueDeduplicated; }
    @Override public long upcallsQueueFull() { return queueFull; }
    @Override public FlowLimit flowLimit() { return flowLimit; }
    @Override public long maxRevalidatorMillis() { return 500; }
    @Override public RevalidatorCounters.Values revalidators() { return revalidators; }
    @Override public FixedHistogram revalidatorRounds() { return rounds; }
    @Override public Map<Integer, String> portNames() { return portNames; }
    @Override public TcEventAgent.Counters tcEvents() { return tcEvents; }
    @Override public DatapathCounters dpdk() { return dpdk; }
    @Override public Map<String, PortStats> dpdkPortStats() { return dpdkPorts; }

    /** PMD times, with DPDK: PMD 0 three-quarters busy, PMD 1 idle. */
    public List<org.offloadbridge.dpdk.PmdTime> pmdTimes = List.of();

    @Override public List<org.offloadbridge.dpdk.PmdTime> pmdTimes() { return pmdTimes; }
}
