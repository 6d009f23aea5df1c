package org.offloadbridge.upcall.pipeline.internal;

import java.util.List;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;

/**
 * A subtable's best rule per masked value: the hash table its final stage probes.
 *
 * <p>Open addressing over one flat {@code long[]}: an entry is its hash (with a presence bit)
 * followed by only the words the subtable's mask covers — OVS's miniflow idea — so a probe
 * reads one or two cache lines and compares a handful of words, where a
 * {@code HashMap<FlowKey, …>} chased a table slot, a node, the key object and its 31-word array
 * (four dependent cache misses each, the largest cost of a translation at 100,000 rules). Only
 * each value's best rule is kept: a lookup never needs the others.
 *
 * <p>Built once, then only read (rule sets are copy-on-write); lookups allocate nothing.
 */
final class MaskedRuleTable {
    private static final long PRESENT = 1L << 32;

    private final FlowMask mask;
    private final long bitmap;
    /** Words per entry: the hash word and one per mask word. */
    private final int stride;
    private final long[] slots;
    private final CompiledRule[] rules;
    private final int capMask;
    private final int size;

    /** {@code rules}: the subtable's rules, all with mask {@code mask}. */
    MaskedRuleTable(FlowMask mask, List<CompiledRule> rules) {
        this.mask = mask;
        this.bitmap = mask.wordBitmap();
        this.stride = 1 + Long.bitCount(bitmap);
        int cap = Integer.highestOneBit(Math.max(4, rules.size() * 2 - 1)) << 1;
        this.capMask = cap - 1;
        this.slots = new long[cap * stride];
        this.rules = new CompiledRule[cap];
        int n = 0;
        for (CompiledRule r : rules) {
            int e = find(r.value);
            if (this.rules[e] == null) {
                this.rules[e] = r;
                int base = e * stride;
                slots[base] = PRESENT | (r.value.maskedHash(mask, bitmap) & 0xffffffffL);
                int j = 1;
                for (long b = bitmap; b != 0; b &= b - 1) {
                    int i = Long.numberOfTrailingZeros(b);
                    slots[base + j++] = r.value.word(i) & mask.word(i);
                }
                n++;
            } else if (CompiledRule.compare(r, this.rules[e]) < 0) {
                this.rules[e] = r;
            }
        }
        this.size = n;
    }

    /** Number of distinct masked values. */
    int size() {
        return size;
    }

    /** The best rule whose value is {@code key AND mask}, or null. */
    CompiledRule get(FlowKey key) {
        return rules[find(key)];
    }

    /** The entry holding {@code key AND mask}, or the free entry where it would go. */
    private int find(FlowKey key) {
        int h = key.maskedHash(mask, bitmap);
        long want = PRESENT | (h & 0xffffffffL);
        int e = spread(h) & capMask;
        while (true) {
            int base = e * stride;
            long head = slots[base];
            if (head == 0) {
                return e;
            }
            if (head == want && sameWords(key, base + 1)) {
                return e;
            }
            e = (e + 1) & capMask;
        }
    }

    private boolean sameWords(FlowKey key, int at) {
        int j = at;
        for (long b = bitmap; b != 0; b &= b - 1) {
            int i = Long.numberOfTrailingZeros(b);
            if ((key.word(i) & mask.word(i)) != slots[j++]) {
                return false;
            }
        }
        return true;
    }

    private static int spread(int h) {
        h *= 0x9e3779b9;
        return h ^ (h >>> 16);
    }
}
