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
        if (type == EthType.IP || type == EthType.IPV6) {
            setExact(Field.NW_FRAG);
        }
    }

    /** True when this mask holds everything {@link #setDatapathBaseline} would set for {@code packet}. */
    public boolean hasDatapathBaseline(FlowKey packet) {
        if (!isExact(Field.RECIRC_ID) || !isExact(Field.IN_PORT) || !isExact(Field.ETH_TYPE) || !isExact(Field.VLAN0_TPID)
                || !isExact(Field.VLAN0_CFI)) {
            return false;
        }
        if (packet.get(Field.VLAN0_TPID) != 0 && (!isExact(Field.VLAN1_TPID) || !isExact(Field.VLAN1_CFI))) {
            return false;
        }
        int type = packet.ethType();
        return (type != EthType.IP && type != EthType.IPV6) || isExact(Field.NW_FRAG);
    }

    /**
     * Brings this mask into the one canonical form of its match for keys like {@code key}
     * (a packet key or a megaflow's key): mask bits that can't change which packets match are
     * cleared, and "no VLAN tag" is said one way. Every {@link Megaflow} and {@link Ufid#of}
     * goes through here, so the rule pipeline, tc and dpdk all see — and hash — the same form
     * of the same match, and a layer that can't carry a meaningless mask bit (tc flower has no
     * "VLAN id of an absent tag") gives back exactly what was installed.
     *
     * <p>The rules, each applied only when the key holds 0 in the bits it clears (the packet
     * parser leaves absent headers' fields 0; a key with a value there matches nothing and is
     * left alone, for the layers to refuse):
     * <ul>
     *   <li><b>No outer tag</b> (vlan0 cfi matched and 0, or vlan0 tpid matched exactly and 0):
     *       vlan0 cfi and tpid exact (both say "no tag"; OVS writes the tpid, the cfi bit is
     *       ours), vlan0 vid/pcp and every vlan1 bit wildcarded — an absent tag has none.</li>
     *   <li><b>One tag, no second</b> (tag 0 matched present; vlan1 cfi matched and 0, or vlan1
     *       tpid exact 0): the same for tag 1.</li>
     *   <li><b>Fields of another protocol</b> (eth_type exact): IPv4 addresses off IPv4, IPv6
     *       addresses and label off IPv6, nw_proto/tos/ttl/frag and L4 off IP, ARP fields off
     *       ARP/RARP are wildcarded; with nw_proto exact, ports off TCP/UDP/SCTP, tcp_flags off
     *       TCP, icmp type/code off ICMP (ICMPv6 on IPv6), ND fields off ICMPv6; with icmp_type
     *       exact, ND fields off neighbour solicitation/advertisement; on a later fragment
     *       (nw_frag exact "later") every L4 field.</li>
     * </ul>
     * Tunnel fields stay as they are: "no tunnel" is a property of the in_port, not of the key.
     *
     * @return true when the mask changed
     */
    public boolean canonicalize(FlowKey key) {
        boolean changed = false;
        // VLAN tags.
        if (says(key, Field.VLAN0_CFI, 0) || saysExact(key, Field.VLAN0_TPID, 0)) {
            if (key.get(Field.VLAN0_CFI) == 0 && key.get(Field.VLAN0_TPID) == 0 && zero(key, VLAN0_REST) && zero(key, VLAN1_ALL)) {
                changed |= exactZero(Field.VLAN0_CFI) | exactZero(Field.VLAN0_TPID);
                changed |= wildcardAll(VLAN0_REST) | wildcardAll(VLAN1_ALL);
            }
        } else if (says(key, Field.VLAN0_CFI, FlowKey.VLAN_PRESENT)
                && (says(key, Field.VLAN1_CFI, 0) || saysExact(key, Field.VLAN1_TPID, 0))) {
            if (key.get(Field.VLAN1_CFI) == 0 && key.get(Field.VLAN1_TPID) == 0 && zero(key, VLAN1_ALL)) {
                changed |= exactZero(Field.VLAN1_CFI) | exactZero(Field.VLAN1_TPID);
                changed |= wildcard(key, Field.VLAN1_VID) | wildcard(key, Field.VLAN1_PCP);
            }
        }
        if (!isExact(Field.ETH_TYPE)) {
            return changed;
        }
        int type = (int) key.get(Field.ETH_TYPE);
        boolean ip4 = type == EthType.IP;
        boolean ip6 = type == EthType.IPV6;
        if (!ip4) {
            changed |= wildcardAll(key, IPV4_FIELDS);
        }
        if (!ip6) {
            changed |= wildcardAll(key, IPV6_FIELDS);
        }
        if (type != EthType.ARP && type != EthType.RARP) {
            changed |= wildcardAll(key, ARP_FIELDS);
        }
        if (!ip4 && !ip6) {
            changed |= wildcardAll(key, IP_FIELDS) | wildcardAll(key, L4_FIELDS);
            return changed;
        }
        if (saysExact(key, Field.NW_FRAG, FlowKey.FRAG_LATER_FRAGMENT)) {
            // A later fragment carries no L4 header: the parser leaves L4 fields 0.
            return changed | wildcardAll(key, L4_FIELDS);
        }
        if (isExact(Field.NW_PROTO)) {
            int p = (int) key.get(Field.NW_PROTO);
            if (p != IpProto.TCP && p != IpProto.UDP && p != IpProto.SCTP) {
                changed |= wildcard(key, Field.TP_SRC) | wildcard(key, Field.TP_DST);
            }
            if (p != IpProto.TCP) {
                changed |= wildcard(key, Field.TCP_FLAGS);
            }
            if (!(ip4 && p == IpProto.ICMP) && !(ip6 && p == IpProto.ICMPV6)) {
                changed |= wildcard(key, Field.ICMP_TYPE) | wildcard(key, Field.ICMP_CODE);
            }
            boolean nd = ip6 && p == IpProto.ICMPV6;
            if (nd && isExact(Field.ICMP_TYPE)) {
                long t = key.get(Field.ICMP_TYPE);
                nd = (t == 135 || t == 136) && !(isExact(Field.ICMP_CODE) && key.get(Field.ICMP_CODE) != 0);
            }
            if (!nd) {
                changed |= wildcardAll(key, ND_FIELDS);
            }
        }
        return changed;
    }

    private static final Field[] VLAN0_REST = {Field.VLAN0_VID, Field.VLAN0_PCP};
    private static final Field[] VLAN1_ALL = {Field.VLAN1_VID, Field.VLAN1_CFI, Field.VLAN1_PCP, Field.VLAN1_TPID};
    private static final Field[] IPV4_FIELDS = {Field.IPV4_SRC, Field.IPV4_DST};
    private static final Field[] IPV6_FIELDS = {Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, Field.IPV6_DST_HI, Field.IPV6_DST_LO, Field.IPV6_LABEL};
    private static final Field[] ARP_FIELDS = {Field.ARP_SPA, Field.ARP_TPA, Field.ARP_OP, Field.ARP_SHA, Field.ARP_THA};
    private static final Field[] IP_FIELDS = {Field.NW_PROTO, Field.NW_TOS, Field.NW_TTL, Field.NW_FRAG};
    private static final Field[] L4_FIELDS = {Field.TP_SRC, Field.TP_DST, Field.TCP_FLAGS, Field.ICMP_TYPE, Field.ICMP_CODE,
        Field.ND_TARGET_HI, Field.ND_TARGET_LO, Field.ND_SLL, Field.ND_TLL};
    private static final Field[] ND_FIELDS = {Field.ND_TARGET_HI, Field.ND_TARGET_LO, Field.ND_SLL, Field.ND_TLL};

    /** {@code f} is matched (any bit) and the key's matched bits equal {@code value}'s. */
    private boolean says(FlowKey key, Field f, long value) {
        long m = get(f);
        return m != 0 && ((key.get(f) ^ value) & m) == 0;
    }

    /** {@code f} is matched exactly and the key holds {@code value}. */
    private boolean saysExact(FlowKey key, Field f, long value) {
        return isExact(f) && key.get(f) == value;
    }

    /** The key holds 0 in every matched bit of every field of {@code fs}. */
    private boolean zero(FlowKey key, Field[] fs) {
        for (Field f : fs) {
            if ((key.get(f) & get(f)) != 0) {
                return false;
            }
        }
        return true;
    }

    private boolean exactZero(Field f) {
        boolean changed = !isExact(f);
        setExact(f);
        return changed;
    }

    private boolean wildcardAll(Field[] fs) {
        boolean changed = false;
        for (Field f : fs) {
            changed |= !isWildcard(f);
            setWildcard(f);
        }
        return changed;
    }

    /** Wildcards {@code f} when the key holds 0 in its matched bits; true when that changed the mask. */
    private boolean wildcard(FlowKey key, Field f) {
        long m = get(f);
        if (m == 0 || (key.get(f) & m) != 0) {
            return false;
        }
        setWildcard(f);
        return true;
    }

    private boolean wildcardAll(FlowKey key, Field[] fs) {
        boolean changed = false;
        for (Field f : fs) {
            changed |= wildcard(key, f);
        }
        return changed;
    }

    /** Every bit of {@code f} matters. */
    public void setExact(Field f) {
        w[f.word()] |= f.wordMask();
        used |= 1L << f.word();
    }

    /** {@code f} is fully wildcarded again. */
    public void setWildcard(Field f) { w[f.word()] &= ~f.wordMask(); }

    /** Adds (ORs) the bits of {@code bits} (right-aligned) to {@code f}'s mask. */
    public void unwildcard(Field f, long bits) {
        w[f.word()] |= (bits & f.valueMask()) << f.shift();
        used |= 1L << f.word();
    }

    /** True when every bit of {@code f} matters. */
    public boolean isExact(Field f) { return (w[f.word()] & f.wordMask()) == f.wordMask(); }

    /** True when no bit of {@code f} matters. */
    public boolean isWildcard(Field f) { return (w[f.word()] & f.wordMask()) == 0; }

    /** Every bit of every field matters. */
    public void setAll() {
        java.util.Arrays.fill(w, -1L);
        used = (1L << Field.WORDS) - 1;
    }

    /** Un-wildcards every bit {@code other} un-wildcards (union of matched bits). */
    public void or(FlowMask other) {
        long[] o = other.w;
        for (int i = 0; i < Field.WORDS; i++) {
            w[i] |= o[i];
        }
        used |= other.used;
    }

    /** Keeps only bits both masks match on. */
    public void and(FlowMask other) {
        long[] o = other.w;
        for (int i = 0; i < Field.WORDS; i++) {
            w[i] &= o[i];
        }
        used &= other.used;
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
