package org.offloadbridge.upcall.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Ufid;

/**
 * The result of translating one packet: datapath actions and the megaflow that may be
 * installed for them.
 *
 * <p>Correctness contract: every packet {@code Q} with {@code key AND mask == Q AND mask}
 * translates to the same {@link #actions()} while {@link #seq()} is still the pipeline's
 * sequence number. {@link #mask()} is as wide as the lookups allow (see docs/rules.md).
 *
 * <h2>Reuse</h2>
 * A handler or revalidator translates into the same object again and again
 * ({@link Pipeline#translate(FlowKey, boolean, Translation)}): key, mask and the rules hit
 * are overwritten in place and the actions come from the translator's table of lists it has
 * built, so a translation on the upcall path allocates nothing in steady state. What a caller
 * keeps past the next translation must be copied: {@link #megaflow()} and {@link #rulesHit()}
 * are copies; {@link #key()} and {@link #mask()} are not. Not thread-safe: one per thread.
 */
public final class Translation {
    private final FlowKey key = new FlowKey();
    private final FlowMask mask = new FlowMask();
    private final FlowMask canonical = new FlowMask();
    private final Actions.Builder builder = Actions.builder().reset();
    private final ArrayList<Rule> hits = new ArrayList<>(8);
    private Actions actions = Actions.DROP;
    private OffloadPreference offload = OffloadPreference.PREFERRED;
    private List<Rule> hitsCopy;
    /** {@link #ufid()}, computed once per translation (null until asked). */
    private Ufid ufid;
    private String error;
    private boolean cacheable = true;
    private long seq;
    private long[] macs = new long[4];
    private int nMacs;
    private long[] macsCopy;
    private static final long[] NO_MACS = new long[0];

    /** An empty translation, to translate into. */
    public Translation() {
    }

    // ---- filled by Pipeline (the translator writes key, mask, builder and hits) ----

    FlowKey keyBuffer() {
        return key;
    }

    FlowMask maskBuffer() {
        return mask;
    }

    Actions.Builder builder() {
        return builder.reset();
    }

    List<Rule> hitsBuffer() {
        hits.clear();
        hitsCopy = null;
        return hits;
    }

    void finish(Actions actions, OffloadPreference offload, String error, boolean cacheable, long seq) {
        this.ufid = null; // key and mask are new
        this.actions = actions;
        this.offload = offload;
        this.error = error;
        this.cacheable = cacheable;
        this.seq = seq;
        if (error != null && hits.size() > 1) {
            distinctHits();
        }
    }

    /**
     * A loop's rules once each, in the order first hit: a rule loop hits the same few rules up to
     * 64 deep (4,096 lookups at most), and its drop flow's ukey keeps the list (off the hot path:
     * errors only).
     */
    private void distinctHits() {
        Set<Rule> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        hits.removeIf(r -> !seen.add(r));
    }

    void macLookups(org.offloadbridge.upcall.pipeline.internal.Translator tr) {
        int n = tr.macLookupCount();
        if (n > macs.length) {
            macs = new long[Math.max(n, macs.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            macs[i] = tr.macLookup(i);
        }
        nMacs = n;
        macsCopy = null;
    }

    // ---- the result ----

    /** The packet's key AND the mask (the megaflow key); overwritten by the next translation. */
    public FlowKey key() {
        return key;
    }

    /** The megaflow mask; overwritten by the next translation. */
    public FlowMask mask() {
        return mask;
    }

    /** Datapath actions; ports are datapath port numbers (immutable: safe to keep). */
    public Actions actions() {
        return actions;
    }

    /** The most restrictive offload= of the rules hit. */
    public OffloadPreference offload() {
        return offload;
    }

    /** The rules whose actions ran, in order: an immutable copy (made once per translation). */
    public List<Rule> rulesHit() {
        List<Rule> c = hitsCopy;
        if (c == null) {
            c = List.copyOf(hits);
            hitsCopy = c;
        }
        return c;
    }

    /** How many rules ran ({@link #rule} reads them without a copy). */
    public int ruleCount() {
        return hits.size();
    }

    /** The {@code i}-th rule that ran. */
    public Rule rule(int i) {
        return hits.get(i);
    }

    /** True when {@code rules} are the rules this translation hit, in the same order (no copy made). */
    public boolean sameRules(List<Rule> rules) {
        if (rules.size() != hits.size()) {
            return false;
        }
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i) != hits.get(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The MAC learning entries ({@link MacLearningTable#key}) the translation looked up, in
     * order — what it depends on in that table ({@link Pipeline#changedSince}): a copy, made
     * once per translation (a shared empty array when none).
     */
    public long[] macLookups() {
        long[] c = macsCopy;
        if (c == null) {
            c = nMacs == 0 ? NO_MACS : java.util.Arrays.copyOf(macs, nMacs);
            macsCopy = c;
        }
        return c;
    }

    /** True when {@code lookups} are the entries this translation looked up, in order (no copy made). */
    public boolean sameMacLookups(long[] lookups) {
        return java.util.Arrays.equals(lookups, 0, lookups.length, macs, 0, nMacs);
    }

    /** Null, or why translation stopped (then actions drop), e.g. "resubmit depth 64 exceeded". */
    public String error() {
        return error;
    }

    /**
     * Whether a datapath flow may carry this translation — its drop included when it failed, as
     * OVS installs the drop of a failed translation (a rule loop) so the megaflow's packets stop
     * coming up one by one. False only when the answer rests on something the megaflow does not
     * hold: a packet from a port the pipeline's port table does not have (yet).
     */
    public boolean cacheable() {
        return cacheable;
    }

    /** The pipeline sequence number the translation started from. */
    public long seq() {
        return seq;
    }

    /** The megaflow (key, mask, actions) with its ufid: a copy, safe to keep. */
    public Megaflow megaflow() {
        return new Megaflow(key, mask, actions, ufid()); // the ufid a handler's lookup computed already
    }

    /** The megaflow's ufid ({@link Ufid#of} of key and mask), computed once per translation. */
    public Ufid ufid() {
        Ufid u = ufid;
        if (u == null) {
            u = Ufid.of(key, mask, canonical);
            ufid = u;
        }
        return u;
    }

    /** True when the actions include a userspace (controller) action, which no datapath can offload. */
    public boolean needsUserspace() {
        return !actions.isOffloadable();
    }

    @Override
    public String toString() {
        return "Translation[key=" + key + ", mask=" + mask + ", actions=" + actions + ", offload=" + offload + ", rulesHit=" + hits
            + ", error=" + error + ", seq=" + seq + "]";
    }
}
