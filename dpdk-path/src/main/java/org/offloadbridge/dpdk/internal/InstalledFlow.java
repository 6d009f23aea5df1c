package org.offloadbridge.dpdk.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;

/**
 * One installed datapath flow as the PMD threads see it: the masked key and mask (immutable),
 * the actions (replaced as a whole on modify, volatile), and per-PMD statistics.
 *
 * <p>Statistics have one 64-byte slot per PMD thread (plus one for packet-out), so each slot has
 * a single writer and no two writers share a cache line: the PMD adds to its own slot with
 * opaque stores, readers sum all slots. Layout of a slot: packets, bytes, used (a
 * {@link org.offloadbridge.flow.MonotonicClock} reading, {@link FlowStats#NEVER_USED} until hit), tcp_flags,
 * and the PMD's burst-group mark ({@link #mark(int)}).
 */
public final class InstalledFlow {

    private static final int SLOT_LONGS = 8;
    private static final int PACKETS = 0;
    private static final int BYTES = 1;
    private static final int USED = 2;
    private static final int TCP_FLAGS = 3;
    /** Not a statistic: the slot owner's mark of the burst group it put this flow in. */
    private static final int MARK = 4;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    public final Megaflow megaflow;
    public final FlowKey key;
    public final FlowMask mask;
    private volatile Actions actions;
    /** True when the actions contain userspace (which needs the packet's key): read per batch. */
    private volatile boolean needsKey;
    /** Set (before the flow leaves the classifier) when deleted: EMC entries check it. */
    private volatile boolean dead;
    private final long[] stats;

    public InstalledFlow(Megaflow megaflow, int statSlots) {
        this.megaflow = megaflow;
        this.key = megaflow.key();
        this.mask = megaflow.mask();
        this.actions = megaflow.actions();
        this.needsKey = !megaflow.actions().isOffloadable();
        long[] st = new long[(statSlots + 1) * SLOT_LONGS]; // +1: the first slot is padding
        for (int b = SLOT_LONGS; b < st.length; b += SLOT_LONGS) {
            st[b + USED] = FlowStats.NEVER_USED;
        }
        this.stats = st; // final field: published with the values above
    }

    public Actions actions() {
        return actions;
    }

    public void actions(Actions a) {
        this.needsKey = !a.isOffloadable();
        this.actions = a;
    }

    public boolean needsKey() {
        return needsKey;
    }

    public boolean isDead() {
        return dead;
    }

    public void markDead() {
        dead = true;
    }

    /** Adds a batch to the calling PMD's slot (single writer per slot). */
    public void count(int slot, int packets, long bytes, long nowMillis, int tcpFlags) {
        int b = (slot + 1) * SLOT_LONGS;
        long[] s = stats;
        LONGS.setOpaque(s, b + PACKETS, s[b + PACKETS] + packets);
        LONGS.setOpaque(s, b + BYTES, s[b + BYTES] + bytes);
        LONGS.setOpaque(s, b + USED, nowMillis);
        if (tcpFlags != 0) {
            LONGS.setOpaque(s, b + TCP_FLAGS, s[b + TCP_FLAGS] | tcpFlags);
        }
    }

    /**
     * The mark the PMD owning {@code slot} last left on this flow ({@link #mark(int, long)}); 0
     * before any. Plain access: only that PMD's thread reads or writes it.
     */
    public long mark(int slot) {
        return stats[(slot + 1) * SLOT_LONGS + MARK];
    }

    /**
     * Leaves a mark for the PMD owning {@code slot}: which group of its current burst holds this
     * flow (as OVS's flow-&gt;batch pointer), so grouping a burst by flow costs one read per
     * packet, in the cache line {@link #count} writes anyway, instead of a search of the groups.
     */
    public void mark(int slot, long mark) {
        stats[(slot + 1) * SLOT_LONGS + MARK] = mark;
    }

    public long packets() {
        return sum(PACKETS);
    }

    public long bytes() {
        return sum(BYTES);
    }

    /** Last time (monotonic ms) any PMD forwarded a packet of this flow, {@link FlowStats#NEVER_USED} if never. */
    public long used() {
        long u = FlowStats.NEVER_USED;
        for (int b = SLOT_LONGS; b < stats.length; b += SLOT_LONGS) {
            u = Math.max(u, (long) LONGS.getOpaque(stats, b + USED));
        }
        return u;
    }

    /** The counters summed over the slots. */
    public FlowStats stats() {
        return new FlowStats(packets(), bytes(), used(), tcpFlags());
    }

    public int tcpFlags() {
        long f = 0;
        for (int b = SLOT_LONGS; b < stats.length; b += SLOT_LONGS) {
            f |= (long) LONGS.getOpaque(stats, b + TCP_FLAGS);
        }
        return (int) f;
    }

    private long sum(int field) {
        long t = 0;
        for (int b = SLOT_LONGS; b < stats.length; b += SLOT_LONGS) {
            t += (long) LONGS.getOpaque(stats, b + field);
        }
        return t;
    }
}
