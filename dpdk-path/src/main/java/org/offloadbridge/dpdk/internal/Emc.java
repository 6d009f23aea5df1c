package org.offloadbridge.dpdk.internal;

import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;

/**
 * The exact-match cache in front of the classifier, one per PMD thread (so no synchronisation):
 * full packet key → flow, two-way set-associative, keyed by a hash of the whole key and validated
 * by comparing every word.
 *
 * <p>Layout: one {@code long[]} of 32-word entries — one word holding the hash (high half) and
 * the key's used-words bitmap (low half), then the key's {@value Field#WORDS} words — beside the
 * flow references. A probe reads the hash next to the words it is about to compare, so a miss
 * costs one cache line, not one per array as with separate hash and bitmap arrays.
 *
 * <p>The low {@link FlowKey#LOW_WORDS} words, where every packet's key lives, are hashed and
 * compared unconditionally (straight-line code, no bitmap walk; an entry keeps them exactly, 0
 * where unused); the others only where either key's bitmap ({@link FlowKey#usedWords}) says
 * they may be non-zero. A 0 word adds nothing to the hash, so equal keys hash alike whatever
 * their bitmaps. Entries of deleted flows are ignored (the flow's dead flag) and then
 * overwritten; no writer outside the PMD ever touches an EMC. Hits are counted by the PMD
 * ({@code DatapathCounters.emcHits}), not here.
 */
public final class Emc {

    private static final int STRIDE = 32;
    private static final int META = 0; // the entry's first word: hash << 32 | used bitmap; then the key's words
    private static final long USED_BITS = (1L << Field.WORDS) - 1;
    private static final long HIGH = FlowKey.HIGH_WORDS_MASK;

    private final int mask;
    private final long[] entries;
    private final InstalledFlow[] flows;

    /** @param entries power of two (8192 as OVS's EM_FLOW_HASH_ENTRIES) */
    public Emc(int entries) {
        if (Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("EMC size must be a power of two, got " + entries);
        }
        mask = entries - 1;
        this.entries = new long[entries * STRIDE];
        flows = new InstalledFlow[entries];
    }

    /** Per-word odd multipliers (fixed pseudo-random): words hash independently, in parallel. */
    private static final long[] K = new long[Field.WORDS];
    // The low words' multipliers as static finals too: the JIT folds these into the code,
    // while K[i] stays a load from the array.
    private static final long K0;
    private static final long K1;
    private static final long K2;
    private static final long K3;
    private static final long K4;
    private static final long K5;
    private static final long K6;
    private static final long K7;

    static {
        long x = 0x9e3779b97f4a7c15L;
        for (int i = 0; i < K.length; i++) {
            x += 0x9e3779b97f4a7c15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            K[i] = (z ^ (z >>> 31)) | 1;
        }
        K0 = K[0];
        K1 = K[1];
        K2 = K[2];
        K3 = K[3];
        K4 = K[4];
        K5 = K[5];
        K6 = K[6];
        K7 = K[7];
    }

    private static long mix(long w, long k) {
        return (w ^ (w >>> 29)) * k;
    }

    /**
     * A hash of the key's words (the EMC index; a hit is always validated by a full compare, so
     * the hash needs spread, not strength): the sum of independent per-word products, so the CPU
     * overlaps them instead of waiting on a multiply chain, then one final mix. A 0 word's product
     * is 0, so words outside the bitmap need no visit.
     */
    public static int hash(FlowKey k) {
        long h = mix(k.word(0), K0) + mix(k.word(1), K1) + mix(k.word(2), K2) + mix(k.word(3), K3)
            + mix(k.word(4), K4) + mix(k.word(5), K5) + mix(k.word(6), K6) + mix(k.word(7), K7);
        for (long b = k.usedWords() & HIGH; b != 0; b &= b - 1) {
            int i = Long.numberOfTrailingZeros(b);
            h += mix(k.word(i), K[i]);
        }
        h ^= h >>> 32;
        h *= 0xd6e8feb86659fd93L;
        h ^= h >>> 32;
        return (int) h;
    }

    public InstalledFlow lookup(FlowKey k, int hash) {
        int i1 = hash & mask;
        if (same(i1, k, hash)) {
            InstalledFlow f = flows[i1];
            if (f != null && !f.isDead()) {
                return f;
            }
        }
        int i2 = second(hash);
        if (same(i2, k, hash)) {
            InstalledFlow f = flows[i2];
            if (f != null && !f.isDead()) {
                return f;
            }
        }
        return null;
    }

    private int second(int hash) {
        return (hash >>> 16 ^ hash * 0x9e3779b9) & mask;
    }

    public void insert(FlowKey k, int hash, InstalledFlow flow) {
        int i1 = hash & mask;
        int i2 = second(hash);
        int i;
        if (flows[i1] == null || flows[i1].isDead()) {
            i = i1;
        } else if (flows[i2] == null || flows[i2].isDead()) {
            i = i2;
        } else {
            i = (hash & 0x10000) == 0 ? i1 : i2;
        }
        long[] e = entries;
        int base = i * STRIDE;
        int key = base + 1;
        for (int w = 0; w < FlowKey.LOW_WORDS; w++) {
            e[key + w] = k.word(w);
        }
        // the old key's high words too, so every word outside the new bitmap is 0 again
        for (long b = (e[base + META] | k.usedWords()) & USED_BITS & HIGH; b != 0; b &= b - 1) {
            int w = Long.numberOfTrailingZeros(b);
            e[key + w] = k.word(w);
        }
        e[base + META] = (long) hash << 32 | (k.usedWords() & USED_BITS);
        flows[i] = flow;
    }

    /** The words packets of different flows mostly differ in: IPv4 addresses, then L4 ports. */
    private static final int W_ADDRS = Field.IPV4_DST.word();
    private static final int W_PORTS = Field.TP_DST.word();

    /**
     * Whether two packet keys are equal, as the EMC compares them: the low words, then the
     * others either bitmap names. The addresses and ports first, so that a packet of another
     * flow costs two compares (the PMD asks this of every packet and the one before it).
     */
    public static boolean sameKey(FlowKey a, FlowKey b) {
        if (a.word(W_ADDRS) != b.word(W_ADDRS) || a.word(W_PORTS) != b.word(W_PORTS)) {
            return false;
        }
        long diff = (a.word(0) ^ b.word(0)) | (a.word(1) ^ b.word(1)) | (a.word(2) ^ b.word(2))
            | (a.word(3) ^ b.word(3)) | (a.word(4) ^ b.word(4)) | (a.word(5) ^ b.word(5))
            | (a.word(6) ^ b.word(6)) | (a.word(7) ^ b.word(7));
        if (diff != 0) {
            return false;
        }
        for (long m = (a.usedWords() | b.usedWords()) & USED_BITS & HIGH; m != 0; m &= m - 1) {
            int w = Long.numberOfTrailingZeros(m);
            if (a.word(w) != b.word(w)) {
                return false;
            }
        }
        return true;
    }

    private boolean same(int i, FlowKey k, int hash) {
        long[] e = entries;
        int base = i * STRIDE;
        long meta = e[base + META];
        if ((int) (meta >>> 32) != hash) {
            return false;
        }
        int key = base + 1;
        long diff = (e[key] ^ k.word(0)) | (e[key + 1] ^ k.word(1)) | (e[key + 2] ^ k.word(2))
            | (e[key + 3] ^ k.word(3)) | (e[key + 4] ^ k.word(4)) | (e[key + 5] ^ k.word(5))
            | (e[key + 6] ^ k.word(6)) | (e[key + 7] ^ k.word(7));
        if (diff != 0) {
            return false;
        }
        for (long b = (meta | k.usedWords()) & USED_BITS & HIGH; b != 0; b &= b - 1) {
            int w = Long.numberOfTrailingZeros(b);
            if (e[key + w] != k.word(w)) {
                return false;
            }
        }
        return true;
    }

    // Whether probing pays. A probe that misses costs a cache line or two (cold when the EMC is
    // thrashing); a hit saves the classifier's hash, bucket and node. With more active flows than
    // entries (100,000 flows: 8 % hits) nearly every probe is that cost for nothing, so when
    // fewer than half of a window's probes hit, the PMD stops probing — but for one burst in
    // SAMPLE_EVERY, which keeps measuring (inserts go on meanwhile), so the EMC comes back as
    // soon as the traffic has locality again. Skipping a probe never changes a lookup's answer.

    /** Packets probed per decision. */
    public static final int WINDOW = 1 << 14;
    /** While bypassed, one burst in this many still probes. */
    public static final int SAMPLE_EVERY = 8;
    private int windowProbes;
    private int windowHits;
    private int skipped;
    private boolean bypassed;

    /** Whether the PMD should probe for its next burst (always, unless the last window mostly missed). */
    public boolean probeThisBurst() {
        return !bypassed || ++skipped % SAMPLE_EVERY == 0;
    }

    /** Accounts a probed burst: {@code hits} of {@code probes} packets found here. */
    public void probed(int probes, int hits) {
        windowProbes += probes;
        windowHits += hits;
        if (windowProbes >= WINDOW) {
            bypassed = windowHits * 2 < windowProbes;
            windowProbes = 0;
            windowHits = 0;
        }
    }

    /** True while probes are skipped (but for the sampled bursts). */
    public boolean bypassed() {
        return bypassed;
    }

    /** Drops every entry (e.g. after many deletes, to let the dead flows be collected). */
    public void clear() {
        java.util.Arrays.fill(flows, null);
    }
}
