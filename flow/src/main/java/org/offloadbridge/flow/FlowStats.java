package org.offloadbridge.flow;

/**
 * One flow's counters, the same in every layer.
 *
 * @param packets  packets that hit the flow (for tc: software and hardware together)
 * @param bytes    their bytes
 * @param used     the {@link MonotonicClock} reading of the last hit, or {@link #NEVER_USED}
 * @param tcpFlags OR of the TCP flags seen (12 bits, OVS's {@code tcp_flags}); 0 where the layer
 *                 can't count them (tc)
 */
public record FlowStats(long packets, long bytes, long used, int tcpFlags) {
    /** {@link #used} of a flow no packet has hit. */
    public static final long NEVER_USED = Long.MIN_VALUE;
    public static final FlowStats ZERO = new FlowStats(0, 0, NEVER_USED, 0);

    public boolean everUsed() {
        return used != NEVER_USED;
    }

    /** Milliseconds since the last hit at {@code now}, or -1 when never used (the dump's {@code used:never}). */
    public long usedMillisAgo(long now) {
        return used == NEVER_USED ? -1 : Math.max(0, now - used);
    }

    /**
     * These counters continued from {@code base} (the counters of a flow this one replaced):
     * sums, the later {@code used}, the OR of the flags — so a flow's counters never go backwards
     * across a modify or a move between layers.
     */
    public FlowStats plus(FlowStats base) {
        if (base == null || base.equals(ZERO)) {
            return this;
        }
        return new FlowStats(packets + base.packets, bytes + base.bytes, Math.max(used, base.used), tcpFlags | base.tcpFlags);
    }
}
