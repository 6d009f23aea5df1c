package org.offloadbridge.upcall.pipeline.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;

/**
 * One OpenFlow table: tuple-space search over {@link Subtable}s (one per distinct mask),
 * sorted by their highest priority so a lookup stops as soon as no later subtable can beat
 * the best match found, plus one {@link PrefixTrie} per address field.
 *
 * <p>Immutable once built; the pipeline swaps whole rule sets (copy-on-write), so lookups
 * need no locks.
 */
public final class Table {
    /** Prefix-tracked fields: 0 nw_src, 1 nw_dst, 2 ipv6_src, 3 ipv6_dst. */
    static final Field[][] PREFIX_FIELDS = {
        {Field.IPV4_SRC}, {Field.IPV4_DST},
        {Field.IPV6_SRC_HI, Field.IPV6_SRC_LO}, {Field.IPV6_DST_HI, Field.IPV6_DST_LO},
    };

    private final Subtable[] subtables;
    private final PrefixTrie[] tries = new PrefixTrie[4];
    private final int size;

    Table(List<CompiledRule> rules) {
        Map<FlowMask, List<CompiledRule>> byMask = new LinkedHashMap<>();
        for (CompiledRule r : rules) {
            byMask.computeIfAbsent(r.mask, m -> new ArrayList<>()).add(r);
        }
        List<Subtable> st = new ArrayList<>();
        for (Map.Entry<FlowMask, List<CompiledRule>> e : byMask.entrySet()) {
            st.add(new Subtable(e.getKey(), e.getValue()));
        }
        st.sort(Comparator.comparingInt((Subtable s) -> -s.maxPriority));
        this.subtables = st.toArray(new Subtable[0]);
        PrefixTrie.Builder[] builders = new PrefixTrie.Builder[4];
        for (int k = 0; k < 4; k++) {
            for (Subtable s : subtables) {
                if (s.plen[k] != 0 && builders[k] == null) {
                    builders[k] = new PrefixTrie.Builder(k < 2 ? 32 : 128);
                }
            }
        }
        for (CompiledRule r : rules) {
            for (int k = 0; k < 4; k++) {
                if (builders[k] == null) {
                    continue;
                }
                int p = prefixLength(r.mask, k);
                if (p > 0) {
                    builders[k].insert(hi(r.value, k), lo(r.value, k), p);
                }
            }
        }
        for (int k = 0; k < 4; k++) {
            tries[k] = builders[k] == null ? null : builders[k].build();
        }
        this.size = rules.size();
    }

    public int size() {
        return size;
    }

    public int subtableCount() {
        return subtables.length;
    }

    /**
     * The highest-priority rule matching {@code key}, or null; ORs into {@code wc} the bits
     * of {@code key} the answer depends on.
     */
    public CompiledRule lookup(FlowKey key, FlowMask wc, LookupScratch sc) {
        sc.reset();
        CompiledRule best = null;
        for (Subtable s : subtables) {
            // Strictly lower: a later subtable could still hold an equal-priority rule loaded
            // earlier, and equal priorities resolve to the first loaded (OpenFlow leaves the
            // choice open; a fixed rule keeps translations reproducible across reloads).
            if (best != null && s.maxPriority < best.priority()) {
                break;
            }
            CompiledRule r = s.lookup(key, wc, this, sc);
            if (r != null && (best == null || CompiledRule.compare(r, best) < 0)) {
                best = r;
            }
        }
        return best;
    }

    /** The trie's {@link PrefixTrie#lookup} answer (lcp and proof bits) for field {@code k}. */
    int trieLookup(FlowKey key, int k) {
        PrefixTrie t = tries[k];
        return t == null ? 0 : t.lookup(hi(key, k), lo(key, k));
    }

    private static long hi(FlowKey key, int k) {
        return k < 2 ? 0 : key.get(PREFIX_FIELDS[k][0]);
    }

    private static long lo(FlowKey key, int k) {
        return k < 2 ? key.get(PREFIX_FIELDS[k][0]) : key.get(PREFIX_FIELDS[k][1]);
    }

    /** The CIDR length of prefix field {@code k} in {@code mask}, 0 if wildcarded or not a prefix. */
    static int prefixLength(FlowMask mask, int k) {
        int p = k < 2 ? mask.prefixLength(PREFIX_FIELDS[k][0]) : mask.prefixLength128(PREFIX_FIELDS[k][0], PREFIX_FIELDS[k][1]);
        return Math.max(p, 0);
    }

    /** Un-wildcards the first {@code bits} bits of prefix field {@code k}. */
    static void unwildcardPrefix(FlowMask wc, int k, int bits) {
        if (k < 2) {
            Field f = PREFIX_FIELDS[k][0];
            wc.unwildcard(f, FlowMask.prefixBits(32, Math.min(bits, 32)));
        } else {
            wc.unwildcard(PREFIX_FIELDS[k][0], FlowMask.prefixBits(64, Math.min(bits, 64)));
            if (bits > 64) {
                wc.unwildcard(PREFIX_FIELDS[k][1], FlowMask.prefixBits(64, Math.min(bits - 64, 64)));
            }
        }
    }
}
