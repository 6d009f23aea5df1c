package org.offloadbridge.flow;

/**
 * A flow mask: the same shape as {@link FlowKey}; a 1 bit means "this bit of the key
 * matters", a 0 bit is wildcarded. A fresh mask matches everything.
 *
 * <p>The rule pipeline starts a translation with an all-zero mask and un-wildcards
 * ({@link #setExact(Field)}, {@link #setPrefix}) every field a lookup consults; megaflow
 * masks are combined with {@link #or(FlowMask)}.
 */
public final class FlowMask extends FlowWords implements Comparable<FlowMask> {

    public FlowMask() {}

    /** Orders masks by their words (unsigned, word 0 first), consistent with {@link #equals}. */
    @Override
    public int compareTo(FlowMask o) { return compareWords(o); }

    /** A new mask with the same words. */
    public FlowMask copy() {
        FlowMask m = new FlowMask();
        m.copyWords(this);
        return m;
    }

    public void copyFrom(FlowMask other) { copyWords(other); }

    /**
     * Un-wildcards what every datapath flow for {@code packet} must match whatever the rules
     * consulted (OVS {@code xlate_wc_init} plus what its datapath mask export forces):
     * recirc_id, in_port, eth_type, nw_frag for IPv4/IPv6, and VLAN tag presence — the TPID
     * and present bit of tag 0, and of tag 1 when tag 0 is there.
     *
     * <p>Tag presence matters because {@link Field#ETH_TYPE} is the innermost ethertype: a
     * megaflow for untagged IPv4 without it would also match VLAN-tagged IPv4.
     */
    public void setDatapathBaseline(FlowKey packet) {
        setExact(Field.RECIRC_ID);
        setExact(Field.IN_PORT);
        setExact(Field.ETH_TYPE);
        setExact(Field.VLAN0_TPID);
        setExact(Field.VLAN0_CFI);
        if (packet.get(Field.VLAN0_TPID) != 0) {
            setExact(Field.VLAN1_TPID);
            setExact(Field.VLAN1_CFI);
        }
        int type = packet.ethType();
        if (type == 0x0800 || type == 0x86dd) {
            setExact(Field.NW_FRAG);
        }
    }

    /** Every bit of {@code f} matters. */
    public void setExact(Field f) { w[f.word()] |= f.wordMask(); }

    /** {@code f} is fully wildcarded again. */
    public void setWildcard(Field f) { w[f.word()] &= ~f.wordMask(); }

    /** Adds (ORs) the bits of {@code bits} (right-aligned) to {@code f}'s mask. */
    public void unwildcard(Field f, long bits) { w[f.word()] |= (bits & f.valueMask()) << f.shift(); }

    /** True when every bit of {@code f} matters. */
    public boolean isExact(Field f) { return (w[f.word()] & f.wordMask()) == f.wordMask(); }

    /** True when no bit of {@code f} matters. */
    public boolean isWildcard(Field f) { return (w[f.word()] & f.wordMask()) == 0; }

    /** Every bit of every field matters. */
    public void setAll() { java.util.Arrays.fill(w, -1L); }

    /** Un-wildcards every bit {@code other} un-wildcards (union of matched bits). */
    public void or(FlowMask other) {
        long[] o = other.w;
        for (int i = 0; i < Field.WORDS; i++) {
            w[i] |= o[i];
        }
    }

    /** Keeps only bits both masks match on. */
    public void and(FlowMask other) {
        long[] o = other.w;
        for (int i = 0; i < Field.WORDS; i++) {
            w[i] &= o[i];
        }
    }

    /** True when every bit this mask matches on is matched by {@code other} too (this ⊆ other). */
    public boolean isSubsetOf(FlowMask other) {
        long[] o = other.w;
        for (int i = 0; i < Field.WORDS; i++) {
            if ((w[i] & ~o[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Bit {@code i} set when word {@code i} is non-zero: the words a classifier subtable
     * must compare and hash (the miniflow idea, without a second representation).
     */
    public long wordBitmap() {
        long b = 0;
        for (int i = 0; i < Field.WORDS; i++) {
            if (w[i] != 0) {
                b |= 1L << i;
            }
        }
        return b;
    }

    /**
     * Sets {@code f}'s mask to a prefix of {@code len} leading (most significant) bits,
     * e.g. {@code setPrefix(IPV4_SRC, 24)} for 255.255.255.0.
     */
    public void setPrefix(Field f, int len) {
        if (len < 0 || len > f.width()) {
            throw new IllegalArgumentException("prefix length " + len + " out of 0.." + f.width() + " for " + f);
        }
        setWildcard(f);
        unwildcard(f, prefixBits(f.width(), len));
    }

    /** Length of {@code f}'s mask if it is a prefix (leading ones then zeros), else -1. */
    public int prefixLength(Field f) {
        return prefixLengthOf(get(f), f.width());
    }

    /**
     * Sets a 128-bit prefix over a {@code *_HI}/{@code *_LO} pair, e.g.
     * {@code setPrefix128(IPV6_SRC_HI, IPV6_SRC_LO, 64)}.
     */
    public void setPrefix128(Field hi, Field lo, int len) {
        if (len < 0 || len > 128) {
            throw new IllegalArgumentException("prefix length " + len + " out of 0..128 for " + hi.ovsName());
        }
        setPrefix(hi, Math.min(len, 64));
        setPrefix(lo, Math.max(len - 64, 0));
    }

    /** Length of a 128-bit prefix mask over a HI/LO pair, else -1. */
    public int prefixLength128(Field hi, Field lo) {
        int h = prefixLength(hi);
        if (h < 0) {
            return -1;
        }
        if (h < 64) {
            return get(lo) == 0 ? h : -1;
        }
        int l = prefixLength(lo);
        return l < 0 ? -1 : 64 + l;
    }

    /** {@code len} leading ones in a field of {@code width} bits, right-aligned. */
    public static long prefixBits(int width, int len) {
        if (len == 0) {
            return 0;
        }
        long ones = width == 64 ? -1L : (1L << width) - 1;
        return ones & ~((len == width ? 0 : (1L << (width - len)) - 1));
    }

    /** Prefix length of {@code bits} as a {@code width}-bit mask, or -1 if not a prefix. */
    public static int prefixLengthOf(long bits, int width) {
        if (bits == 0) {
            return 0;
        }
        int len = width - Long.numberOfTrailingZeros(bits);
        return bits == prefixBits(width, len) ? len : -1;
    }
}
