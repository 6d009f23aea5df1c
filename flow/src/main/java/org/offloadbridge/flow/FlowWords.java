package org.offloadbridge.flow;

/**
 * The flat primitive shape shared by {@link FlowKey} and {@link FlowMask}: {@link Field#WORDS}
 * 64-bit words, fields addressed through {@link Field}. Mutable and reusable on purpose:
 * hot paths (parser, classifiers, translation) keep one instance per thread and refill it.
 *
 * <p>{@link #equals} and {@link #hashCode} are over the words only, so a reused probe key
 * can look up a {@code HashMap} whose keys are stored copies — without allocating. A key
 * stored in a map must never be mutated again.
 *
 * <p>{@link #usedWords} is a bitmap of the words that may be non-zero (every write sets its
 * word's bit; only {@link #clear} resets them): a packet's key touches 6–10 of the 31 words, so
 * clearing, hashing and comparing keys visit only those — OVS's miniflow idea, kept beside the
 * flat words instead of replacing them. Every write to {@code w} in this package keeps it a
 * superset of the non-zero words.
 */
public abstract sealed class FlowWords permits FlowKey, FlowMask {
    final long[] w = new long[Field.WORDS];
    /** Bit i set when word i may be non-zero; a clear bit means the word is 0. */
    long used;

    FlowWords() {}

    /** The raw word {@code i} (0 .. {@link Field#WORDS}-1). */
    public final long word(int i) { return w[i]; }

    /** Sets the raw word {@code i}. */
    public final void setWord(int i, long value) {
        w[i] = value;
        used |= 1L << i;
    }

    /** The value of {@code f}, right-aligned. */
    public final long get(Field f) {
        return (w[f.word()] >>> f.shift()) & f.valueMask();
    }

    /** Sets {@code f} to {@code value} (bits beyond the field's width are ignored). */
    public final void set(Field f, long value) {
        long m = f.wordMask();
        int i = f.word();
        w[i] = (w[i] & ~m) | ((value << f.shift()) & m);
        used |= 1L << i;
    }

    /**
     * A bitmap of the words that may be non-zero (bit i for word i): every word outside it is 0.
     * A superset — a word set back to 0 keeps its bit until {@link #clear}.
     */
    public final long usedWords() { return used; }

    /**
     * The words every packet's key lives in (in_port .. the IPv4 addresses and ports, and the
     * first half of an IPv6 source): {@link #clear} zeroes them unconditionally — eight straight
     * stores beat a bitmap walk of the five or six a packet uses — and only walks the bitmap
     * for the rest. Hashes and compares over packet keys can split the same way.
     */
    public static final int LOW_WORDS = 8;
    /** {@link #usedWords} bits outside {@link #LOW_WORDS}. */
    public static final long HIGH_WORDS_MASK = -1L << LOW_WORDS;

    /** Sets all words to zero (the low words always, the others only where used). */
    public void clear() {
        long[] a = w;
        a[0] = 0;
        a[1] = 0;
        a[2] = 0;
        a[3] = 0;
        a[4] = 0;
        a[5] = 0;
        a[6] = 0;
        a[7] = 0;
        for (long b = used & HIGH_WORDS_MASK; b != 0; b &= b - 1) {
            a[Long.numberOfTrailingZeros(b)] = 0;
        }
        used = 0;
    }

    /** True when every word is zero. */
    public final boolean isZero() {
        for (long x : w) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    final void copyWords(FlowWords from) {
        System.arraycopy(from.w, 0, w, 0, Field.WORDS);
        used = from.used;
    }

    @Override
    public final boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        long[] ow = ((FlowWords) o).w;
        for (int i = 0; i < Field.WORDS; i++) {
            if (w[i] != ow[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public final int hashCode() {
        long h = 0x9e3779b97f4a7c15L;
        for (int i = 0; i < Field.WORDS; i++) {
            h = mix(h ^ w[i]);
        }
        return (int) (h ^ (h >>> 32));
    }

    /** Debug form: every non-zero field as {@code name=0xvalue}, in layout order. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('{');
        boolean first = true;
        for (int i = 0; i < Field.count(); i++) {
            Field f = Field.of(i);
            long v = get(f);
            if (v != 0) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(f.name().toLowerCase(java.util.Locale.ROOT)).append("=0x").append(Long.toHexString(v));
            }
        }
        return sb.append('}').toString();
    }

    /** Unsigned lexicographic order over the words (word 0 first): a total order consistent with equals. */
    final int compareWords(FlowWords o) {
        for (int i = 0; i < Field.WORDS; i++) {
            int c = Long.compareUnsigned(w[i], o.w[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** A strong 64-bit finaliser (murmur3 fmix64): good spread for open-addressing tables. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe53e2b4fL;
        h ^= h >>> 33;
        return h;
    }
}
