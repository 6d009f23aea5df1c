package org.offloadbridge.upcall.handler;

/**
 * How many flows handlers may place, adapted to how long revalidation takes, as OVS's
 * {@code udpif_revalidator} does: a round slower than 2 s divides the limit by its seconds,
 * slower than 1.3 s cuts it by a quarter, faster than 1 s with the table near the limit raises
 * it by 1000; always between 1000 (or the configured limit, if lower) and the configured limit.
 * It starts at {@code min(flow-limit, 10000)}, so a flood of new flows at start can't build a
 * table the revalidators can't get through in time.
 */
public final class FlowLimit {
    /** OVS's starting cap. */
    public static final int INITIAL_CAP = 10_000;
    /** OVS's floor. */
    public static final int FLOOR = 1_000;

    private volatile int configured;
    private volatile int limit;
    private volatile long lastDurationMillis;

    public FlowLimit(int configured) {
        if (configured < 1) {
            throw new IllegalArgumentException("flow-limit must be >= 1, got " + configured);
        }
        this.configured = configured;
        this.limit = Math.min(configured, INITIAL_CAP);
    }

    /** The limit of a concluded config's {@code flow-limit}. */
    public static FlowLimit from(org.offloadbridge.upcall.DatapathConfig config) {
        return new FlowLimit(config.flowLimit());
    }

    /** The limit now: at or above it, handlers execute without installing. */
    public int current() {
        return limit;
    }

    public int configured() {
        return configured;
    }

    /**
     * A new {@code flow-limit} while running (a reload): a lower one caps the limit at once;
     * a higher one lets it grow by the usual steps (1000 per fast round), as OVS's does.
     */
    public synchronized void setConfigured(int newLimit) {
        if (newLimit < 1) {
            throw new IllegalArgumentException("flow-limit must be >= 1, got " + newLimit);
        }
        configured = newLimit;
        limit = Math.min(limit, newLimit);
    }

    /** How long the last revalidator round took. */
    public long lastDurationMillis() {
        return lastDurationMillis;
    }

    /** After a revalidator round that took {@code durationMillis} over {@code nFlows} flows. */
    public synchronized int afterRound(long durationMillis, int nFlows) {
        long duration = Math.max(durationMillis, 1);
        lastDurationMillis = duration;
        long l = limit;
        int configured = this.configured;
        if (duration > 2000) {
            l /= duration / 1000;
        } else if (duration > 1300) {
            l = l * 3 / 4;
        } else if (duration < 1000 && l < nFlows * 1000L / duration) {
            l += 1000;
        }
        l = Math.min(configured, Math.max(l, Math.min(FLOOR, configured)));
        limit = (int) l;
        return limit;
    }
}
