package org.offloadbridge.flow;

/**
 * A datapath flow: match ({@code key} under {@code mask}), actions, and its 128-bit
 * {@link Ufid}. Immutable: the constructor copies key and mask, brings the mask into its
 * canonical form ({@link FlowMask#canonicalize}) and stores the key already masked
 * ({@code key AND mask}), so two megaflows with the same match have equal keys and masks —
 * whichever layer (pipeline, tc dump, dpdk) built them.
 * The accessors return the stored instances — callers must not mutate them.
 *
 * <p>Masks and action lists are interned: the flows of one mask shape share one
 * {@link FlowMask} (264 bytes; a table of 200,000 megaflows has tens to hundreds of shapes, as
 * dpcls has subtables), and flows with the same actions (output to one port, say) one
 * {@link Actions}. Both tables are bounded ({@link #MAX_INTERNED}); past that a flow keeps its
 * own instance, as before — correct, just not shared. Neither is ever mutated.
 */
public final class Megaflow {
    /** Distinct masks, and distinct action lists, interned at most each. */
    static final int MAX_INTERNED = 4096;
    private static final java.util.concurrent.ConcurrentHashMap<FlowMask, FlowMask> MASKS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.ConcurrentHashMap<Actions, Actions> ACTIONS = new java.util.concurrent.ConcurrentHashMap<>();

    private final FlowKey key;
    private final FlowMask mask;
    private final Actions actions;
    private final Ufid ufid;

    public Megaflow(FlowKey key, FlowMask mask, Actions actions, Ufid ufid) {
        FlowMask m = mask.copy();
        m.canonicalize(key);
        FlowKey k = new FlowKey();
        key.and(m, k);
        this.key = k;
        this.mask = intern(MASKS, m);
        this.actions = intern(ACTIONS, actions);
        this.ufid = ufid;
    }

    /** The shared instance equal to {@code v} (never mutated once here), or {@code v} when the table is full. */
    private static <T> T intern(java.util.concurrent.ConcurrentHashMap<T, T> table, T v) {
        T had = table.get(v);
        if (had != null) {
            return had;
        }
        if (table.size() >= MAX_INTERNED) {
            return v;
        }
        had = table.putIfAbsent(v, v);
        return had != null ? had : v;
    }

    /** A megaflow whose ufid is {@link Ufid#of(FlowKey, FlowMask)} of its (canonical) match. */
    public static Megaflow of(FlowKey key, FlowMask mask, Actions actions) {
        Megaflow f = new Megaflow(key, mask, actions, null);
        return new Megaflow(f, Ufid.ofCanonical(f.key, f.mask));
    }

    private Megaflow(Megaflow canonical, Ufid ufid) {
        this.key = canonical.key;
        this.mask = canonical.mask;
        this.actions = canonical.actions;
        this.ufid = ufid;
    }

    /** The masked key (never mutate). */
    public FlowKey key() { return key; }
    /** The mask (never mutate). */
    public FlowMask mask() { return mask; }
    public Actions actions() { return actions; }
    public Ufid ufid() { return ufid; }

    /** True when the packet key {@code packet} falls in this megaflow. */
    public boolean matches(FlowKey packet) { return key.maskedEquals(mask, packet); }

    /** A copy with other actions and the same ufid (what a revalidator's modify installs). */
    public Megaflow withActions(Actions newActions) { return new Megaflow(this, newActions); }

    private Megaflow(Megaflow same, Actions actions) {
        this.key = same.key;
        this.mask = same.mask;
        this.actions = intern(ACTIONS, actions);
        this.ufid = same.ufid;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Megaflow m && key.equals(m.key) && mask.equals(m.mask) && actions.equals(m.actions) && ufid.equals(m.ufid);
    }

    @Override
    public int hashCode() { return key.hashCode() * 31 + mask.hashCode(); }

    @Override
    public String toString() { return ufid + ", " + FlowFormat.formatMatch(key, mask, null, false) + ", actions:" + actions; }
}
