package org.offloadbridge.daemon.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.TcEventAgent;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.daemon.slowpath.SocketSlowPath;
import org.offloadbridge.dpdk.DatapathCounters;
import org.offloadbridge.dpdk.DpdkDatapath;
import org.offloadbridge.dpdk.PmdTime;
import org.offloadbridge.dpdk.EthdevPort;
import org.offloadbridge.dpdk.PortStats;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.revalidator.RevalidatorCounters;
import org.offloadbridge.upcall.handler.FixedHistogram;
import org.offloadbridge.upcall.handler.FlowLimit;
import org.offloadbridge.upcall.handler.LayerCounters;
import org.offloadbridge.upcall.handler.LayerCounters.Op;
import org.offloadbridge.upcall.handler.LayerTotals;
import org.offloadbridge.upcall.handler.UpcallCounters;

/**
 * The running daemon's metrics, bound to the Prometheus registry the
 * {@link MetricsServer} serves. docs/metrics.md lists every one; the golden list in the tests
 * ({@code metric-names.txt}) makes a rename a deliberate act.
 *
 * <h2>Cost of a scrape</h2>
 * No metric has a series per flow, and none is computed by walking flows: flows by layer and
 * traffic by port are sums the ukey table keeps as flows change ({@link LayerTotals}), layer
 * operations and placements are fixed arrays of counters ({@link LayerCounters}), latencies are
 * fixed-bucket histograms. A scrape reads O(layers × reasons + ports) numbers, the same at 100
 * or 100,000 flows (docs/benchmarks-metrics.md has the figures).
 *
 * <h2>Two ways onto the registry</h2>
 * What has labels from the vocabulary (layer, reason, port), the histograms and the gauges is
 * one Prometheus {@link MultiCollector}: it reads each source once per scrape, so the numbers of
 * one scrape belong together, emits a labelled series only once it has counted something
 * (counters never go back, so a series never vanishes) and renders classic histograms straight
 * from the handlers' own buckets. Plain records of component counters (the revalidators', the
 * DPDK datapath's, tc events) go through {@link RecordCounters}: one Micrometer meter per
 * component, named after it, so a counter added to such a record is exported without anyone
 * listing it here (and shows up as a golden-list difference).
 *
 * <p>Layer labels are the words of {@code obctl dump-flows} ({@code dp:} and {@code type=}):
 * {@code tc-hw}, {@code tc-sw} ({@link FlowLayer#text()}), {@code dpdk}, and {@code slow} for
 * the slow path — {@link FlowLayer#NONE}, flows in no layer whose packets the handlers execute
 * ({@link #layer}). Reasons are {@link Reason#token()}.
 */
public final class DaemonMetrics {
    private DaemonMetrics() {
    }

    /** What the metrics read: the running daemon ({@link #of(Daemon)}), or a test's own. */
    public interface Sources {
        /** Flows by layer and traffic by port (the ukey table's totals). */
        LayerTotals totals();

        /** Installs, modifies, deletes, failures and placements by layer and reason. */
        LayerCounters layerCounters();

        UpcallCounters.Values upcalls();

        /** Each upcall's handling time. */
        FixedHistogram upcallHandling();

        /** Misses not queued because an upcall of the same key was pending (the DPDK datapath's). */
        long upcallsDeduplicatedInQueue();

        /** Upcalls lost because the queue to the handlers was full. */
        long upcallsQueueFull();

        /** Frames the kernel dropped at the miss devices' sockets before the daemon read them (socket mode). */
        default long upcallsSocketFull() {
            return 0;
        }

        FlowLimit flowLimit();

        long maxRevalidatorMillis();

        RevalidatorCounters.Values revalidators();

        FixedHistogram revalidatorRounds();

        /** Datapath port number → port name, for the port label. */
        Map<Integer, String> portNames();

        /** tc's deletion/flush/lost events, or null without the tc event agent. */
        TcEventAgent.Counters tcEvents();

        /** The consistency audit's counters (checks, findings by kind). */
        default org.offloadbridge.daemon.ConsistencyAudit.Counters consistency() {
            return new org.offloadbridge.daemon.ConsistencyAudit.Counters(0, 0, 0, 0, 0, 0);
        }

        /** The DPDK datapath's counters, or null when the software datapath is packet sockets. */
        DatapathCounters dpdk();

        /** Each port's DPDK port statistics (rte_eth_stats of the port on its miss device), by port name. */
        Map<String, PortStats> dpdkPortStats();

        /** Each PMD thread's busy and idle time (empty without DPDK). */
        List<PmdTime> pmdTimes();
    }

    /** The running daemon's sources. */
    public static Sources of(Daemon d) {
        return new Sources() {
            @Override
            public LayerTotals totals() {
                return d.ukeys().totals();
            }

            @Override
            public LayerCounters layerCounters() {
                return d.layers().counters();
            }

            @Override
            public UpcallCounters.Values upcalls() {
                return d.upcallCounters();
            }

            @Override
            public FixedHistogram upcallHandling() {
                return d.upcallHandling();
            }

            @Override
            public long upcallsDeduplicatedInQueue() {
                DatapathCounters c = dpdk();
                return c == null ? 0 : c.upcallsDeduplicated();
            }

            @Override
            public long upcallsQueueFull() {
                return d.upcallDrops().queueFull();
            }

            @Override
            public long upcallsSocketFull() {
                return d.upcallDrops().socketFull();
            }

            @Override
            public FlowLimit flowLimit() {
                return d.flowLimit();
            }

            @Override
            public long maxRevalidatorMillis() {
                return d.revalidators().config().maxRevalidatorMillis();
            }

            @Override
            public RevalidatorCounters.Values revalidators() {
                return d.revalidators().counters();
            }

            @Override
            public FixedHistogram revalidatorRounds() {
                return d.revalidators().roundDurations();
            }

            @Override
            public Map<Integer, String> portNames() {
                Map<Integer, String> m = new java.util.HashMap<>();
                for (PortRegistry.Entry e : d.ports().snapshot().entries()) {
                    m.put(e.dpPort(), e.name());
                }
                return m;
            }

            @Override
            public TcEventAgent.Counters tcEvents() {
                return d.tcEventCounters();
            }

            @Override
            public org.offloadbridge.daemon.ConsistencyAudit.Counters consistency() {
                org.offloadbridge.daemon.ConsistencyAudit.Counters c = d.consistencyCounters();
                return c != null ? c : new org.offloadbridge.daemon.ConsistencyAudit.Counters(0, 0, 0, 0, 0, 0);
            }

            @Override
            public DatapathCounters dpdk() {
                DpdkDatapath dp = d.dpdk();
                return dp == null ? null : dp.counters();
            }

            @Override
            public List<PmdTime> pmdTimes() {
                DpdkDatapath dp = d.dpdk();
                return dp == null ? List.of() : dp.pmdTimes();
            }

            @Override
            public Map<String, PortStats> dpdkPortStats() {
                DpdkDatapath dp = d.dpdk();
                if (dp == null) {
                    return Map.of();
                }
                Map<String, PortStats> m = new java.util.TreeMap<>();
                for (PortRegistry.Entry e : d.ports().snapshot().entries()) {
                    EthdevPort p = dp.port(e.dpPort());
                    if (p == null) {
                        continue;
                    }
                    try {
                        m.put(e.name(), p.stats());
                    } catch (RuntimeException ex) {
                        // detached and closed under us: it is gone from the next scrape
                    }
                }
                return m;
            }
        };
    }

    /** Binds the running daemon's metrics to {@code registry}. */
    public static void bind(PrometheusMeterRegistry registry, Scrapes scrapes, Daemon d) {
        bind(registry, scrapes, of(d));
    }

    /**
     * Binds the metrics of {@code s} to {@code registry}. Whether DPDK and tc-event counters
     * exist is decided now (they don't come and go while the daemon runs).
     */
    public static void bind(PrometheusMeterRegistry registry, Scrapes scrapes, Sources s) {
        registry.getPrometheusRegistry().register(new Collector(s));
        RecordCounters.bind(registry, scrapes, "offload_bridge_revalidator", RevalidatorCounters.Values.class, s::revalidators,
            Set.of(), Tags.empty(), REVALIDATOR_HELP);
        RecordCounters.bind(registry, scrapes, "offload_bridge_consistency", org.offloadbridge.daemon.ConsistencyAudit.Counters.class,
            s::consistency, Set.of(), Tags.empty(), CONSISTENCY_HELP);
        if (s.tcEvents() != null) {
            RecordCounters.bind(registry, scrapes, "offload_bridge_tc_events", TcEventAgent.Counters.class, s::tcEvents,
                Set.of(), Tags.empty(), TC_EVENTS_HELP);
        }
        if (s.dpdk() != null) {
            RecordCounters.bind(registry, scrapes, "offload_bridge_dpdk", DatapathCounters.class, s::dpdk, Set.of(),
                Tags.empty(), DPDK_HELP);
        }
    }

    /** A layer as the metrics label it: {@code slow} for {@link FlowLayer#NONE}, as {@code obctl dump-flows} says. */
    static String layer(FlowLayer l) {
        return l == FlowLayer.NONE ? "slow" : l.text();
    }

    // ---------------------------------------------------------------- the collector

    /** The labelled metrics, the histograms and the gauges: one read of each source per scrape. */
    private static final class Collector implements MultiCollector {
        private static final FlowLayer[] LAYERS = FlowLayer.values();
        private static final FlowLayer[] DATAPATH_LAYERS = {FlowLayer.TC_HW, FlowLayer.TC_SW, FlowLayer.DPDK};
        private final Sources s;

        Collector(Sources s) {
            this.s = s;
        }

        @Override
        public MetricSnapshots collect() {
            List<MetricSnapshot> out = new ArrayList<>(40);
            flows(out);
            upcalls(out);
            revalidators(out);
            ports(out);
            return new MetricSnapshots(out);
        }

        private void flows(List<MetricSnapshot> out) {
            LayerTotals t = s.totals();
            GaugeSnapshot.Builder flows = gauge("offload_bridge_flows",
                "Flows the daemon placed, by the layer that holds them (slow: in no layer, packets executed by the daemon; and flows being placed).");
            for (FlowLayer l : LAYERS) {
                flows.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("layer", layer(l))).value(t.flows(l)).build());
            }
            out.add(flows.build());
            FlowLimit limit = s.flowLimit();
            out.add(gauge("offload_bridge_flow_limit",
                "The flow limit now: at or above it, new flows are executed and not placed (adapts to revalidation time).")
                .dataPoint(GaugeDataPointSnapshot.builder().value(limit.current()).build()).build());
            out.add(gauge("offload_bridge_flow_limit_configured", "The configured flow-limit: the most the flow limit may grow to.")
                .dataPoint(GaugeDataPointSnapshot.builder().value(limit.configured()).build()).build());

            LayerCounters c = s.layerCounters();
            CounterSnapshot.Builder placements = counter("offload_bridge_flow_placements",
                "Flows placed by a handler or moved, reinstalled or sent to the slow path by a revalidator, by where they"
                    + " landed and why not in their first-choice layer (ok: they are).");
            for (FlowLayer l : LAYERS) {
                for (Reason r : Reason.values()) {
                    long v = c.placements(l, r);
                    if (v != 0) {
                        placements.dataPoint(point(v, "layer", layer(l), "reason", r.token()));
                    }
                }
            }
            out.add(placements.build());
            String[][] ops = {
                {"offload_bridge_flow_installs", "Flows a layer installed, by the layer that holds them."},
                {"offload_bridge_flow_modifies", "Flows a layer modified in place (new actions or tc flags; counters kept), by layer."},
                {"offload_bridge_flow_deletes", "Flows deleted from a layer (idle, evicted, moved, stale), by layer."},
            };
            for (Op op : Op.values()) {
                CounterSnapshot.Builder b = counter(ops[op.ordinal()][0], ops[op.ordinal()][1]);
                for (FlowLayer l : DATAPATH_LAYERS) {
                    b.dataPoint(point(c.done(op, l), "layer", layer(l)));
                }
                out.add(b.build());
            }
            CounterSnapshot.Builder failures = counter("offload_bridge_flow_failures",
                "Installs, modifies and deletes a layer refused or failed, by operation, layer (for an install the one asked"
                    + " for) and reason.");
            for (Op op : Op.values()) {
                for (FlowLayer l : DATAPATH_LAYERS) {
                    for (Reason r : Reason.values()) {
                        long v = c.failed(op, l, r);
                        if (v != 0) {
                            failures.dataPoint(point(v, "op", op.text(), "layer", layer(l), "reason", r.token()));
                        }
                    }
                }
            }
            out.add(failures.build());
        }

        private void upcalls(List<MetricSnapshot> out) {
            UpcallCounters.Values u = s.upcalls();
            out.add(counter("offload_bridge_upcalls_received", "Upcalls the handlers took (misses and userspace actions).")
                .dataPoint(point(u.upcalls())).build());
            out.add(counter("offload_bridge_upcalls_deduplicated",
                "Upcalls saved: misses not queued because one of the same key was pending (stage queue), upcalls of a flow"
                    + " already placed or being placed (stage handler: the packet executed, no new flow).")
                .dataPoint(point(s.upcallsDeduplicatedInQueue(), "stage", "queue"))
                .dataPoint(point(u.duplicateUpcalls(), "stage", "handler")).build());
            out.add(counter("offload_bridge_upcalls_dropped", "Upcalls dropped, their packet lost, by why.")
                .dataPoint(point(s.upcallsQueueFull(), "reason", "queue-full"))
                .dataPoint(point(s.upcallsSocketFull(), "reason", "socket-full"))
                .dataPoint(point(u.unknownPort(), "reason", "unknown-port"))
                .dataPoint(point(u.badFrames(), "reason", "bad-frame"))
                .dataPoint(point(u.translateErrors(), "reason", "translate-error"))
                .dataPoint(point(u.internalErrors(), "reason", "internal-error")).build());
            out.add(counter("offload_bridge_upcall_execute_errors",
                "Upcall packets the handler could not send (the flow is placed all the same).")
                .dataPoint(point(u.executeErrors())).build());
            out.add(counter("offload_bridge_slow_path_packets",
                "Packets executed one by one by a handler: flows in no layer, and upcalls at the flow limit.")
                .dataPoint(point(u.slowPathPackets())).build());
            out.add(counter("offload_bridge_flow_limit_hits",
                "Upcalls executed without placing their flow because the table was at the flow limit.")
                .dataPoint(point(u.flowLimitHits())).build());
            out.add(histogram("offload_bridge_upcall_handling_seconds",
                "Time from a handler taking an upcall to its packet executed and its flow placed.", s.upcallHandling()));
        }

        private void revalidators(List<MetricSnapshot> out) {
            out.add(histogram("offload_bridge_revalidator_round_duration_seconds",
                "Revalidation rounds: dump of every layer, then every flow judged (stats, idle, re-translation).",
                s.revalidatorRounds()));
            out.add(gauge("offload_bridge_revalidator_last_round_duration_seconds",
                "The last revalidation round's duration (the flow limit adapts to it).")
                .unit(Unit.SECONDS)
                .dataPoint(GaugeDataPointSnapshot.builder().value(s.flowLimit().lastDurationMillis() / 1e3).build()).build());
            out.add(gauge("offload_bridge_revalidator_max_revalidator_seconds",
                "max-revalidator: how often a revalidation round starts.")
                .unit(Unit.SECONDS)
                .dataPoint(GaugeDataPointSnapshot.builder().value(s.maxRevalidatorMillis() / 1e3).build()).build());
        }

        private void ports(List<MetricSnapshot> out) {
            Map<Integer, String> names = s.portNames();
            CounterSnapshot.Builder packets = counter("offload_bridge_port_packets",
                "Packets of the flows matching in_port=port, by the layer that forwarded them (tc and DPDK counters as the"
                    + " revalidators read them; slow: executed by a handler).");
            CounterSnapshot.Builder bytes = counter("offload_bridge_port_bytes",
                "Bytes of the flows matching in_port=port, by the layer that forwarded them.");
            s.totals().forEachPort((port, layer, p, b) -> {
                String name = names.get(port);
                if (name != null) {
                    packets.dataPoint(point(p, "port", name, "layer", layer(layer)));
                    bytes.dataPoint(point(b, "port", name, "layer", layer(layer)));
                }
            });
            out.add(packets.build());
            out.add(bytes.build());

            Map<String, PortStats> dpdk = s.dpdkPortStats();
            if (s.dpdk() == null) {
                return;
            }
            // A PMD's load is rate(busy) / (rate(busy) + rate(idle)), as pmd-stats-show prints it.
            CounterSnapshot.Builder pmd = counter("offload_bridge_dpdk_pmd_seconds",
                "Time of each PMD thread in passes over its rx queues that received packets (busy) or nothing (idle).");
            for (PmdTime t : s.pmdTimes()) {
                String id = Integer.toString(t.pmd());
                pmd.dataPoint(point(t.busyNanos() / 1e9, "pmd", id, "state", "busy"));
                pmd.dataPoint(point(t.idleNanos() / 1e9, "pmd", id, "state", "idle"));
            }
            out.add(pmd.build());
            CounterSnapshot.Builder dp = counter("offload_bridge_dpdk_port_packets",
                "Packets through the DPDK datapath's port on a port's miss device (rx: misses of tc that reached it).");
            CounterSnapshot.Builder db = counter("offload_bridge_dpdk_port_bytes", "Bytes through the DPDK datapath's port, by direction.");
            CounterSnapshot.Builder de = counter("offload_bridge_dpdk_port_errors", "Errors of the DPDK datapath's port, by direction.");
            CounterSnapshot.Builder dm = counter("offload_bridge_dpdk_port_rx_missed",
                "Packets the DPDK datapath's port dropped on receive (rx queue full, no mbuf).");
            dpdk.forEach((name, st) -> {
                dp.dataPoint(point(st.ipackets(), "port", name, "direction", "rx"));
                dp.dataPoint(point(st.opackets(), "port", name, "direction", "tx"));
                db.dataPoint(point(st.ibytes(), "port", name, "direction", "rx"));
                db.dataPoint(point(st.obytes(), "port", name, "direction", "tx"));
                de.dataPoint(point(st.ierrors(), "port", name, "direction", "rx"));
                de.dataPoint(point(st.oerrors(), "port", name, "direction", "tx"));
                dm.dataPoint(point(st.imissed() + st.rxNombuf(), "port", name));
            });
            out.add(dp.build());
            out.add(db.build());
            out.add(de.build());
            out.add(dm.build());
        }

        private static GaugeSnapshot.Builder gauge(String name, String help) {
            return GaugeSnapshot.builder().name(name).help(help);
        }

        private static CounterSnapshot.Builder counter(String name, String help) {
            return CounterSnapshot.builder().name(name).help(help);
        }

        private static CounterDataPointSnapshot point(long value, String... labels) {
            return point((double) value, labels);
        }

        private static CounterDataPointSnapshot point(double value, String... labels) {
            return CounterDataPointSnapshot.builder().labels(labels.length == 0 ? Labels.EMPTY : Labels.of(labels)).value(value).build();
        }

        private static HistogramSnapshot histogram(String name, String help, FixedHistogram h) {
            FixedHistogram.Snapshot s = h.snapshot();
            long[] boundsNanos = s.boundsNanos();
            double[] bounds = new double[boundsNanos.length + 1];
            for (int i = 0; i < boundsNanos.length; i++) {
                bounds[i] = boundsNanos[i] / 1e9;
            }
            bounds[boundsNanos.length] = Double.POSITIVE_INFINITY;
            return HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS)
                .dataPoint(HistogramDataPointSnapshot.builder().classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, s.counts()))
                    .sum(s.sumNanos() / 1e9).build())
                .build();
        }
    }

    // ---------------------------------------------------------------- help of the records' meters

    private static final Map<String, String> REVALIDATOR_HELP = Map.ofEntries(
        Map.entry("rounds", "Revalidation rounds completed."),
        Map.entry("dumped", "Flows seen in the layers' dumps."),
        Map.entry("kept", "Re-translations that changed nothing."),
        Map.entry("modified", "Re-translations whose new actions were modified in place (counters kept)."),
        Map.entry("moved", "Flows moved between layers (make-before-break), policy changes included."),
        Map.entry("retranslateDeleted", "Flows deleted because their re-translation needs a field their mask wildcards, or failed."),
        Map.entry("idleExpired", "Flows deleted after max-idle without traffic."),
        Map.entry("overLimitEvicted", "Flows evicted because the table was over twice the flow limit."),
        Map.entry("missingReinstalled", "Flows that had vanished from their layer, put back."),
        Map.entry("missingDropped", "Flows that had vanished from their layer and were idle anyway, dropped."),
        Map.entry("extraDeleted", "Flows of ours in a layer with no ukey (or in a second layer), deleted."),
        Map.entry("eventsRestored", "Flows deleted behind the daemon's back, noticed from a tc event and put back."),
        Map.entry("eventsIgnored", "tc deletion events for flows still there or not ours to restore."),
        Map.entry("resyncs", "Full resyncs asked for (events lost, a full event queue)."),
        Map.entry("adopted", "Flows found in a layer at start that became ukeys again."),
        Map.entry("adoptionDeleted", "Flows found in a layer at start that no longer translate the same, deleted."),
        Map.entry("slowPathPlaced", "Moves and reinstalls that found no layer: the flow went to the slow path."),
        Map.entry("layerErrors", "Layer dumps or calls that threw (a broken layer)."),
        Map.entry("deviceLost", "Flows the NIC lost on its own (in_hw, but no hardware counters any more), placed again."),
        Map.entry("promoted", "Flows that had fallen back from NIC hardware (table full, refused) and were moved back into it."),
        Map.entry("promotionsTried", "Hardware retries of fallen-back flows that still carry traffic, landed or not."),
        Map.entry("capacityPromoted", "Flows capacity-aware placement moved into NIC hardware (critical, or hotter)."),
        Map.entry("capacityDemoted", "Flows capacity-aware placement moved out of NIC hardware (colder, or best-effort over the watermark)."),
        Map.entry("untouched", "Flows made before a change that touched nothing they depend on (MAC entries they never looked up): current again without a re-translation."));

    private static final Map<String, String> CONSISTENCY_HELP = Map.of(
        "checks", "Consistency audits run (every 5 minutes): the daemon's flows against tc and the DPDK table.",
        "missing", "Audit findings: flows a layer should hold and did not (should stay 0).",
        "extra", "Audit findings: flows of ours a layer held and should not have (should stay 0).",
        "twoLayers", "Audit findings: flows in tc and DPDK at once (should stay 0).",
        "wrongLayer", "Audit findings: flows tc held elsewhere than the daemon thinks, or the NIC lost (should stay 0).",
        "differentActions", "Audit findings: flows a layer held with other actions (should stay 0).");

    private static final Map<String, String> TC_EVENTS_HELP = Map.of(
        "deleted", "tc filter deletions heard on RTNLGRP_TC (ours and others').",
        "flushed", "Whole priorities, chains or clsact qdiscs of a port removed.",
        "lost", "Times tc events were lost (ENOBUFS): each one asks for a resync.");

    private static final Map<String, String> DPDK_HELP = Map.ofEntries(
        Map.entry("rxPackets", "Packets the DPDK datapath received on all its ports."),
        Map.entry("emcHits", "DPDK lookups answered by a PMD's exact-match cache (or by the packet before, same key)."),
        Map.entry("classifierHits", "DPDK lookups answered by the megaflow classifier."),
        Map.entry("misses", "DPDK packets that matched no flow."),
        Map.entry("upcallsQueued", "Upcalls the DPDK datapath queued (misses and userspace actions)."),
        Map.entry("upcallsDeduplicated", "DPDK misses not queued because their key already had an upcall pending."),
        Map.entry("upcallsDropped", "DPDK upcalls dropped because the queue was full."),
        Map.entry("runts", "Frames shorter than an Ethernet header (dropped)."),
        Map.entry("txPackets", "Packets the DPDK ports' tx queues took."),
        Map.entry("txDropped", "Packets a DPDK tx queue did not take."),
        Map.entry("unknownPortDrops", "DPDK packets output to a port that no longer exists."),
        Map.entry("editFailures", "DPDK set/push/pop actions that could not apply."),
        Map.entry("copyFailures", "DPDK outputs not sent because the copy for a non-last output failed."),
        Map.entry("tunnelEncaps", "Packets VXLAN-encapsulated by the DPDK datapath."),
        Map.entry("tunnelDecaps", "VXLAN frames decapsulated by the DPDK datapath."),
        Map.entry("tunnelMalformed", "Frames to a VXLAN endpoint with bad outer headers, dropped."),
        Map.entry("tunnelHeadroomDrops", "VXLAN encaps dropped for lack of mbuf headroom."),
        Map.entry("tunnelNoMetadataDrops", "Outputs to a VXLAN port without tunnel metadata, dropped."),
        Map.entry("pmdErrors", "Exceptions PMD threads caught (each is a bug; the PMD keeps polling)."));
}
