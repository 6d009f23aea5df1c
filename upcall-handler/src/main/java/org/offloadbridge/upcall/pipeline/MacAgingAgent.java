package org.offloadbridge.upcall.pipeline;

import java.util.function.LongSupplier;

/**
 * Ages the MAC learning table: an agent whose {@link #doWork()} forgets expired entries at
 * most once per interval. Expiry bumps the pipeline's sequence number, which is how
 * revalidators learn that megaflows built from a forgotten address must be re-translated.
 * Run it from any agent runner; tests call {@link #doWork()} by hand with a fake clock.
 */
public final class MacAgingAgent {
    private final MacLearningTable table;
    private final LongSupplier clockMillis;
    private final long intervalMillis;
    private long next = Long.MIN_VALUE;

    public MacAgingAgent(MacLearningTable table, LongSupplier clockMillis, long intervalMillis) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.table = table;
        this.clockMillis = clockMillis;
        this.intervalMillis = intervalMillis;
    }

    /** Expires aged entries when the interval has passed; returns how many were forgotten. */
    public int doWork() {
        long now = clockMillis.getAsLong();
        if (next != Long.MIN_VALUE && now < next) {
            return 0;
        }
        next = now + intervalMillis;
        return table.expire();
    }
}
