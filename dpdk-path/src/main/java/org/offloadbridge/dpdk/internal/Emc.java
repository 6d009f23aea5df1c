package org.offloadbridge.dpdk.internal;

import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;

/**
 * The exact-match cache in front of the classifier, one per PMD thread (so no synchronisation):
 * full packet key → flow, two-way set-associative, keyed by a hash of the whole key and validated
 * by comparing every word. Only the words a key uses ({@link FlowKey#usedWords}, 6–10 of 31 for
 * a packet) are hashed and compared: a word outside both bitmaps is 0 in both keys, and a 0 word
 * adds nothing to the hash, so equal keys hash alike whatever their bitmaps. Entries of deleted
 * flows are ignored (the flow's dead flag) and then overwritten; no writer outside the PMD ever
 * touches an EMC. Hits are counted by the PMD ({@code DatapathCounters.emcHits}), not here.
 */
public final class Emc {

    private final int mask;
    private final int[] hashes;
    private final InstalledFlow[] flows;
    private final long[] keys;
    /** Per entry: the words its key may use ({@link FlowKey#usedWords}); the others are 0. */
    private final long[] used;

    /** @param entries power of two (8192 as OVS's EM_FLOW_HASH_ENTRIES) */
    public Emc(int entries) {
        if (Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("EMC size must be a power of two, got " + entries);
        }
        mask = entries - 1;
        hashes = new int[entries];
        flows = new InstalledFlow[entries];
        keys = new long[entries * Field.WORDS];
        used = new long[entries];
    }

    /** Per-word odd multipliers (fixed pseudo-random): words hash independently, in parallel. */
    private static final long[] K = new long[Field.WORDS];

    static {
        long x = 0x9e3779b97f4a7c15L;
        for (int i = 0; i < K.length; i++) {
            x += 0x9e3779b97f4a7c15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            K[i] = (z ^ (z >>> 31)) | 1;
        }
    }

    /**
     * A hash of the key's words (the EMC index; a hit is always validated by a full compare, so
     * the hash needs spread, not strength). The per-word products are independent, so the CPU
     * overlaps them instead of waiting on a multiply chain; one final mix spreads the sum. Only
     * used words are visited: an unused word is 0 and its product 0.
     */
    public static int hash(FlowKey k) {
        long h = 0;
        for (long b = k.usedWords(); b != 0; b &= b - 1) {
            int i = Long.numberOfTrailingZeros(b);
            long w = k.word(i);
            h += (w ^ (w >>> 29)) * K[i];
        }
        h ^= h >>> 32;
        h *= 0xd6e8feb86659fd93L;
        h ^= h >>> 32;
        return (int) h;
    }

    public InstalledFlow lookup(FlowKey k, int hash) {
        int i1 = hash & mask;
        InstalledFlow f = flows[i1];
        if (f != null && hashes[i1] == hash && !f.isDead() && same(i1, k)) {
            return f;
        }
        int i2 = (hash >>> 16 ^ hash * 0x9e3779b9) & mask;
        f = flows[i2];
        if (f != null && hashes[i2] == hash && !f.isDead() && same(i2, k)) {
            return f;
        }
        return null;
    }

    public void insert(FlowKey k, int hash, InstalledFlow flow) {
        int i1 = hash & mask;
        int i2 = (hash >>> 16 ^ hash * 0x9e3779b9) & mask;
        int i;
        if (flows[i1] == null || flows[i1].isDead()) {
            i = i1;
        } else if (flows[i2] == null || flows[i2].isDead()) {
            i = i2;
        } else {
            i = (hash & 0x10000) == 0 ? i1 : i2;
        }
        hashes[i] = hash;
        flows[i] = flow;
        int base = i * Field.WORDS;
        // the old key's words too, so every word outside the new bitmap is 0 again
        for (long b = used[i] | k.usedWords(); b != 0; b &= b - 1) {
            int w = Long.numberOfTrailingZeros(b);
            keys[base + w] = k.word(w);
        }
        used[i] = k.usedWords();
    }

    private boolean same(int i, FlowKey k) {
        int base = i * Field.WORDS;
        for (long b = used[i] | k.usedWords(); b != 0; b &= b - 1) {
            int w = Long.numberOfTrailingZeros(b);
            if (keys[base + w] != k.word(w)) {
                return false;
            }
        }
        return true;
    }

    /** Drops every entry (e.g. after many deletes, to let the dead flows be collected). */
    public void clear() {
        java.util.Arrays.fill(flows, null);
    }
}
