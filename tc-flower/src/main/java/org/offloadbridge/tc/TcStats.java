package org.offloadbridge.tc;

/**
 * A filter's counters, read from its actions ({@code TCA_ACT_STATS} and the action's
 * {@code tcf_t}). After a {@link TcOffload#replace} the counters continue from where the
 * replaced filter stood (the kernel's new actions start at zero; we add the old total).
 *
 * @param packets       packets that hit the filter (software + hardware)
 * @param bytes         their bytes
 * @param usedMillisAgo milliseconds since the last hit, -1 when never used
 * @param hwPackets     the part of {@code packets} counted by the device
 */
public record TcStats(long packets, long bytes, long usedMillisAgo, long hwPackets) {
    public static final TcStats ZERO = new TcStats(0, 0, -1, 0);

    /** These counters plus a baseline carried over from replaced filters. */
    public TcStats plus(TcStats base) {
        if (base == null || (base.packets == 0 && base.bytes == 0)) {
            return this;
        }
        long used = usedMillisAgo >= 0 ? usedMillisAgo : base.usedMillisAgo;
        return new TcStats(packets + base.packets, bytes + base.bytes, used, hwPackets + base.hwPackets);
    }
}
