package org.offloadbridge.daemon;

import java.util.concurrent.atomic.LongAdder;
import org.agrona.concurrent.Agent;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.revalidator.ConsistencyCheck;
import org.offloadbridge.upcall.handler.Layers;
import org.offloadbridge.upcall.handler.UkeyTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's own audit: {@link ConsistencyCheck} every {@code intervalMillis} (5 minutes by
 * default: each run dumps tc and DPDK once more), its findings counted by kind and logged. It
 * should always find nothing — the revalidators repair what it would find — so a non-zero count
 * is a bug or something on the host fighting the daemon (coverage/show {@code consistency_*}).
 */
public final class ConsistencyAudit implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyAudit.class);
    static final long DEFAULT_INTERVAL_MILLIS = 300_000;

    /**
     * @param checks            audits run
     * @param missing           flows a layer should hold and did not, at an audit (each time seen)
     * @param extra             flows of ours a layer held and should not have
     * @param twoLayers         flows in tc and DPDK at once
     * @param wrongLayer        flows tc held in another place than the daemon thinks (or the NIC lost)
     * @param differentActions  flows a layer held with other actions
     */
    public record Counters(long checks, long missing, long extra, long twoLayers, long wrongLayer, long differentActions) {}

    private final UkeyTable ukeys;
    private final Layers layers;
    private final MonotonicClock clock;
    private volatile long intervalMillis;
    private long lastAt;
    private final LongAdder checks = new LongAdder();
    private final LongAdder[] byKind = new LongAdder[ConsistencyCheck.Kind.values().length];

    ConsistencyAudit(UkeyTable ukeys, Layers layers, MonotonicClock clock, long intervalMillis) {
        this.ukeys = ukeys;
        this.layers = layers;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
        this.lastAt = clock.millis();
        for (int i = 0; i < byKind.length; i++) {
            byKind[i] = new LongAdder();
        }
    }

    @Override
    public String roleName() {
        return "consistency-audit";
    }

    @Override
    public int doWork() {
        long now = clock.millis();
        if (now - lastAt < intervalMillis) {
            return 0;
        }
        lastAt = now;
        audit();
        return 1;
    }

    /** One audit now; its report. */
    ConsistencyCheck.Report audit() {
        ConsistencyCheck.Report r;
        try {
            r = ConsistencyCheck.run(ukeys, layers);
        } catch (RuntimeException e) {
            LOG.warn("consistency audit failed: {}", e.toString());
            return null;
        }
        checks.increment();
        for (ConsistencyCheck.Finding f : r.findings()) {
            byKind[f.kind().ordinal()].increment();
        }
        if (!r.clean()) {
            LOG.warn("consistency audit: {}", r.text().strip());
        }
        return r;
    }

    Counters counters() {
        return new Counters(checks.sum(), byKind[ConsistencyCheck.Kind.MISSING.ordinal()].sum(),
            byKind[ConsistencyCheck.Kind.EXTRA.ordinal()].sum(), byKind[ConsistencyCheck.Kind.TWO_LAYERS.ordinal()].sum(),
            byKind[ConsistencyCheck.Kind.WRONG_LAYER.ordinal()].sum(), byKind[ConsistencyCheck.Kind.DIFFERENT_ACTIONS.ordinal()].sum());
    }
}
