package org.offloadbridge.dpdk.internal;

import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;

/**
 * The exact-match cache in front of the classifier, one per PMD thread (so no synchronisation):
 * full packet key → flow, two-way set-associative, keyed by a hash of the whole key and validated
 * by comparing every word. Entries of deleted flows are ignored (the flow's dead flag) and then
 * overwritten; no writer outside the PMD ever touches an EMC.
 */
public final class Emc {

    private final int mask;
    private final int[] hashes;
    private final DpFlow[] flows;
    private final long[] keys;
    private long hits;
    private long misses;

    /** @param entries power of two (8192 as OVS's EM_FLOW_HASH_ENTRIES) */
    public Emc(int entries) {
        if (Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("EMC size must be a power of two, got " + entries);
        }
        mask = entries - 1;
        hashes = new int[entries];
        flows = new DpFlow[entries];
        keys = new long[entries * Field.WORDS];
    }

    /** A hash of every word of the key (the EMC key; also used to spread batches). */
    public static int hash(FlowKey k) {
        long a = 0x9e3779b97f4a7c15L;
        long b = 0x632be59bd9b4e019L;
        // Two independent lanes halve the dependency chain; words past the parsed headers are
        // usually zero and cheap.
        int i = 0;
        for (; i + 1 < Field.WORDS; i += 2) {
            a = (a ^ k.word(i)) * 0xff51afd7ed558ccdL;
            b = (b ^ k.word(i + 1)) * 0xc4ceb93fe53e2b4fL;
        }
        if (i < Field.WORDS) {
            a = (a ^ k.word(i)) * 0xff51afd7ed558ccdL;
        }
        long h = a ^ Long.rotateLeft(b, 31);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }

    public DpFlow lookup(FlowKey k, int hash) {
        int i1 = hash & mask;
        DpFlow f = flows[i1];
        if (f != null && hashes[i1] == hash && !f.isDead() && same(i1, k)) {
            hits++;
            return f;
        }
        int i2 = (hash >>> 16 ^ hash * 0x9e3779b9) & mask;
        f = flows[i2];
        if (f != null && hashes[i2] == hash && !f.isDead() && same(i2, k)) {
            hits++;
            return f;
        }
        misses++;
        return null;
    }

    public void insert(FlowKey k, int hash, DpFlow flow) {
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
        for (int w = 0; w < Field.WORDS; w++) {
            keys[base + w] = k.word(w);
        }
    }

    private boolean same(int i, FlowKey k) {
        int base = i * Field.WORDS;
        for (int w = 0; w < Field.WORDS; w++) {
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

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }
}
