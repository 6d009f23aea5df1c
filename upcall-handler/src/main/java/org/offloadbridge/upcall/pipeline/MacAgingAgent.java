package org.offloadbridge.upcall.pipeline;

import org.agrona.concurrent.Agent;
import org.offloadbridge.flow.MonotonicClock;

/**
 * Ages the MAC learning table: an Agrona {@link Agent} whose {@link #doWork()} forgets expired
 * entries at most once per interval and otherwise returns at once (it never blocks). Expiry
 * bumps the pipeline's sequence number, which is how revalidators learn that megaflows built
 * from a forgotten address must be re-translated. Run it from an {@code AgentRunner} (or a
 * composite agent) with any idle strategy; tests call {@link #doWork()} by hand with a fake clock.
 */
public final class MacAgingAgent implements Agent {
    private final MacLearningTable table;
    private final MonotonicClock clock;
    private final long intervalMillis;
    private long next = Long.MIN_VALUE;

    public MacAgingAgent(MacLearningTable table, MonotonicClock clock, long intervalMillis) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("MAC aging interval must be positive, not " + intervalMillis + " ms");
        }
        this.table = table;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
    }

    /** Expires aged entries when the interval has passed; returns how many were forgotten (the work count). */
    @Override
    public int doWork() {
        long now = clock.millis();
        if (next != Long.MIN_VALUE && now < next) {
            return 0;
        }
        next = now + intervalMillis;
        return table.expire();
    }

    @Override
    public String roleName() {
        return "mac-aging";
    }
}
