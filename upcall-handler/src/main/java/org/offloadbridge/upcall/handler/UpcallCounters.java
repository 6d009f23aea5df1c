package org.offloadbridge.upcall.handler;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;

/**
 * The handlers' counters, shared by all handlers ({@code LongAdder}s: no contention, no
 * allocation). {@link #snapshot()} reads them as one record for metrics and tests;
 * {@link #handling()} is how long each upcall took.
 */
public final class UpcallCounters {
    final LongAdder upcalls = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder actionUpcalls = new LongAdder();
    final LongAdder installed = new LongAdder();
    final LongAdder slowPathFlows = new LongAdder();
    final LongAdder slowPathPackets = new LongAdder();
    final LongAdder duplicateUpcalls = new LongAdder();
    final LongAdder flowLimitHits = new LongAdder();
    final LongAdder unknownPort = new LongAdder();
    final LongAdder badFrames = new LongAdder();
    final LongAdder translateErrors = new LongAdder();
    final LongAdder executeErrors = new LongAdder();
    final LongAdder internalErrors = new LongAdder();
    private final LongAdder[] byReason = adders(Reason.values().length);
    private final LongAdder[] byLayer = adders(FlowLayer.values().length);
    /**
     * An upcall's handling, from the handler taking it to its packet executed (translation,
     * ukey, the install decision and the layers' answers included): 10 µs to 1 s. A tc install
     * is a netlink round trip (tens of µs to ms); a DPDK install is in-process.
     */
    final FixedHistogram handling = new FixedHistogram(
        FixedHistogram.millis(0.01), FixedHistogram.millis(0.025), FixedHistogram.millis(0.05), FixedHistogram.millis(0.1),
        FixedHistogram.millis(0.25), FixedHistogram.millis(0.5), FixedHistogram.millis(1), FixedHistogram.millis(2.5),
        FixedHistogram.millis(5), FixedHistogram.millis(10), FixedHistogram.millis(25), FixedHistogram.millis(50),
        FixedHistogram.millis(100), FixedHistogram.millis(250), FixedHistogram.millis(1000));

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** A flow placed by a handler: counted by the layer it landed in and by its reason. */
    void placed(FlowLayer layer, Reason reason) {
        byLayer[layer.ordinal()].increment();
        byReason[reason.ordinal()].increment();
    }

    /** Counts a reason on its own (flow-limit, which places nothing). */
    void reason(Reason reason) {
        byReason[reason.ordinal()].increment();
    }

    /**
     * The counters at one moment.
     *
     * @param upcalls          every upcall taken from a source
     * @param misses           of them, misses
     * @param actionUpcalls    of them, userspace-action upcalls (delivered to the controller: counted)
     * @param installed        flows placed in a layer
     * @param slowPathFlows    flows placed in no layer (their packets are executed by handlers)
     * @param slowPathPackets  packets executed by a handler for a flow in no layer (incl. flow-limit)
     * @param duplicateUpcalls upcalls of a flow another upcall had already placed or was placing
     * @param flowLimitHits    upcalls executed without a ukey because the table was at the limit
     * @param unknownPort      upcalls from a port the bridge does not have (dropped)
     * @param badFrames        frames that did not parse (dropped)
     * @param translateErrors  translations that reported an error or threw (dropped)
     * @param executeErrors    packets the executor could not send, or threw on
     * @param internalErrors   anything else that threw in the handler (the upcall is dropped)
     * @param byReason         placements (and flow-limit hits) by their reason
     * @param byLayer          placements by the layer they landed in
     */
    public record Values(long upcalls, long misses, long actionUpcalls, long installed, long slowPathFlows,
                         long slowPathPackets, long duplicateUpcalls, long flowLimitHits, long unknownPort, long badFrames,
                         long translateErrors, long executeErrors, long internalErrors, Map<Reason, Long> byReason,
                         Map<FlowLayer, Long> byLayer) {
        public long reason(Reason r) {
            return byReason.getOrDefault(r, 0L);
        }

        public long layer(FlowLayer l) {
            return byLayer.getOrDefault(l, 0L);
        }
    }

    /** How long upcalls took to handle (every upcall, dropped ones included). */
    public FixedHistogram handling() {
        return handling;
    }

    public Values snapshot() {
        Map<Reason, Long> reasons = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            long v = byReason[r.ordinal()].sum();
            if (v != 0) {
                reasons.put(r, v);
            }
        }
        Map<FlowLayer, Long> layers = new EnumMap<>(FlowLayer.class);
        for (FlowLayer l : FlowLayer.values()) {
            long v = byLayer[l.ordinal()].sum();
            if (v != 0) {
                layers.put(l, v);
            }
        }
        return new Values(upcalls.sum(), misses.sum(), actionUpcalls.sum(), installed.sum(), slowPathFlows.sum(),
            slowPathPackets.sum(), duplicateUpcalls.sum(), flowLimitHits.sum(), unknownPort.sum(), badFrames.sum(),
            translateErrors.sum(), executeErrors.sum(), internalErrors.sum(), Map.copyOf(reasons), Map.copyOf(layers));
    }
}
