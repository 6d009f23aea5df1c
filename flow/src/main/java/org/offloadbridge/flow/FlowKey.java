package org.offloadbridge.flow;

/**
 * A flow key: the header fields of one packet (or, with a {@link FlowMask}, of a class of
 * packets). See {@link Field} for the layout.
 *
 * <p>Besides the words, a key carries {@link #attrs()}: the set of OVS key attributes
 * ({@link KeyAttr}) it holds. Attrs play no part in matching, equality or hashing; they say
 * which protocol headers were present (the parser sets them as it goes) and which
 * attributes a flow dump line carried, so the text format prints exactly what OVS would.
 */
public final class FlowKey extends FlowWords implements Comparable<FlowKey> {
    /** {@link Field#NW_FRAG}: not a fragment. */
    public static final int FRAG_NO = 0;
    /** {@link Field#NW_FRAG} bit: the packet is a fragment (first or later). */
    public static final int FRAG_ANY = 1;
    /** {@link Field#NW_FRAG} bit: the packet is a non-first fragment. */
    public static final int FRAG_LATER = 2;
    /** {@link Field#NW_FRAG}: first fragment. */
    public static final int FRAG_FIRST = FRAG_ANY;
    /** {@link Field#NW_FRAG}: later fragment. */
    public static final int FRAG_LATER_FRAGMENT = FRAG_ANY | FRAG_LATER;

    /** {@link Field#TUN_FLAGS} bits, values as OVS FLOW_TNL_F_* (include/openvswitch/packets.h). */
    public static final int TUN_F_OAM = 1 << 0;
    public static final int TUN_F_DONT_FRAGMENT = 1 << 1;
    public static final int TUN_F_CSUM = 1 << 2;
    public static final int TUN_F_KEY = 1 << 3;

    /** {@link Field#VLAN0_CFI}/{@link Field#VLAN1_CFI} value 1: the tag is present (OVS VLAN_CFI). */
    public static final int VLAN_PRESENT = 1;

    private long attrs;

    public FlowKey() {}

    /** Orders keys by their words (unsigned, word 0 first), consistent with {@link #equals}; attrs are ignored. */
    @Override
    public int compareTo(FlowKey o) { return compareWords(o); }

    /** A new key with the same words and attrs. */
    public FlowKey copy() {
        FlowKey k = new FlowKey();
        k.copyFrom(this);
        return k;
    }

    /** Makes this key equal to {@code other} (words and attrs). */
    public void copyFrom(FlowKey other) {
        copyWords(other);
        attrs = other.attrs;
    }

    @Override
    public void clear() {
        super.clear();
        attrs = 0;
    }

    /** Writes {@code this AND mask} into {@code out} (which may be {@code this}); attrs are copied. */
    public void and(FlowMask mask, FlowKey out) {
        long[] o = out.w;
        long[] m = mask.w;
        for (int i = 0; i < Field.WORDS; i++) {
            o[i] = w[i] & m[i];
        }
        out.used = used & mask.used; // a word of the result is non-zero only where both are
        out.attrs = attrs;
    }

    /** True when {@code this AND mask == other AND mask}. */
    public boolean maskedEquals(FlowMask mask, FlowKey other) {
        long[] m = mask.w;
        long[] ow = other.w;
        for (int i = 0; i < Field.WORDS; i++) {
            if (((w[i] ^ ow[i]) & m[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Static form of {@link #maskedEquals(FlowMask, FlowKey)}. */
    public static boolean maskedEquals(FlowKey key, FlowMask mask, FlowKey other) {
        return key.maskedEquals(mask, other);
    }

    /**
     * Hash of {@code this AND mask}, consistent with {@link #maskedEquals}: keys that are
     * masked-equal hash alike. Only the words the mask touches are visited.
     */
    public int maskedHash(FlowMask mask) {
        long[] m = mask.w;
        long h = 0x9e3779b97f4a7c15L;
        for (int i = 0; i < Field.WORDS; i++) {
            long mi = m[i];
            if (mi != 0) {
                h = mix(h ^ (w[i] & mi) ^ ((long) i << 58));
            }
        }
        return (int) (h ^ (h >>> 32));
    }

    /**
     * {@link #maskedEquals(FlowMask, FlowKey)} visiting only the words in {@code wordBitmap}
     * ({@link FlowMask#wordBitmap()}, computed once per classifier subtable).
     */
    public boolean maskedEquals(FlowMask mask, FlowKey other, long wordBitmap) {
        long[] m = mask.w;
        long[] ow = other.w;
        for (long b = wordBitmap; b != 0; b &= b - 1) {
            int i = Long.numberOfTrailingZeros(b);
            if (((w[i] ^ ow[i]) & m[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #maskedHash(FlowMask)} visiting only the words in {@code wordBitmap}; equal to it
     * when {@code wordBitmap == mask.wordBitmap()}.
     */
    public int maskedHash(FlowMask mask, long wordBitmap) {
        long[] m = mask.w;
        long h = 0x9e3779b97f4a7c15L;
        for (long b = wordBitmap; b != 0; b &= b - 1) {
            int i = Long.numberOfTrailingZeros(b);
            h = mix(h ^ (w[i] & m[i]) ^ ((long) i << 58));
        }
        return (int) (h ^ (h >>> 32));
    }

    /** The OVS key attributes this key holds, as a bitset of {@code 1L << KeyAttr.id()}. */
    public long attrs() { return attrs; }
    public void setAttrs(long attrs) { this.attrs = attrs; }
    public boolean hasAttr(KeyAttr a) { return (attrs & (1L << a.id())) != 0; }
    public void addAttr(KeyAttr a) { attrs |= 1L << a.id(); }
    public void removeAttr(KeyAttr a) { attrs &= ~(1L << a.id()); }

    /**
     * Sets {@link #attrs()} from the fields, for keys built without the packet parser (e.g.
     * from a tc flower dump), the way {@link PacketParser} and OVS's
     * {@code odp_flow_key_from_flow} decide them: recirc_id, in_port, eth, eth_type always;
     * vlan when tag 0 has a TPID; ipv4/ipv6/arp by eth_type; tcp (+tcp_flags)/udp/sctp/icmp/
     * icmpv6 (+nd for neighbour solicitation/advertisement) by nw_proto unless a later
     * fragment; tunnel and the metadata attributes when their key or mask bits are non-zero.
     *
     * @param mask the flow's mask, or null for an exact key
     */
    public void deriveAttrs(FlowMask mask) {
        long a = KeyAttr.RECIRC_ID.bit() | KeyAttr.IN_PORT.bit() | KeyAttr.ETHERNET.bit() | KeyAttr.ETHERTYPE.bit();
        if (get(Field.VLAN0_TPID) != 0) {
            a |= KeyAttr.VLAN.bit();
        }
        int type = ethType();
        boolean later = (get(Field.NW_FRAG) & FRAG_LATER) != 0;
        if (type == EthType.IP || type == EthType.IPV6) {
            boolean v6 = type == EthType.IPV6;
            a |= v6 ? KeyAttr.IPV6.bit() : KeyAttr.IPV4.bit();
            if (!later) {
                switch (nwProto()) {
                    case IpProto.TCP -> a |= KeyAttr.TCP.bit() | KeyAttr.TCP_FLAGS.bit();
                    case IpProto.UDP -> a |= KeyAttr.UDP.bit();
                    case IpProto.SCTP -> a |= KeyAttr.SCTP.bit();
                    case IpProto.ICMP -> a |= v6 ? 0 : KeyAttr.ICMP.bit();
                    case IpProto.ICMPV6 -> {
                        if (v6) {
                            a |= KeyAttr.ICMPV6.bit();
                            long t = get(Field.ICMP_TYPE);
                            if (get(Field.ICMP_CODE) == 0 && (t == 135 || t == 136)) {
                                a |= KeyAttr.ND.bit();
                            }
                        }
                    }
                    default -> { }
                }
            }
        } else if (type == EthType.ARP || type == EthType.RARP) {
            a |= KeyAttr.ARP.bit();
        }
        for (KeyAttr m : new KeyAttr[] {KeyAttr.TUNNEL, KeyAttr.PRIORITY, KeyAttr.SKB_MARK, KeyAttr.CT_STATE, KeyAttr.CT_ZONE,
                KeyAttr.CT_MARK, KeyAttr.CT_LABELS, KeyAttr.DP_HASH, KeyAttr.PACKET_TYPE}) {
            for (Field f : FlowFormat.fieldsOf(m)) {
                if (get(f) != 0 || (mask != null && mask.get(f) != 0)) {
                    a |= m.bit();
                    break;
                }
            }
        }
        attrs = a;
    }

    // Typed accessors for the fields hot paths touch most.
    public int inPort() { return (int) w[0]; }
    public void setInPort(int port) { set(Field.IN_PORT, port & 0xffffffffL); }
    public int ethType() { return (int) (w[1] >>> 48); }
    public int nwProto() { return (int) (w[2] >>> 48) & 0xff; }
    public long ethSrc() { return w[1] & 0xffffffffffffL; }
    public long ethDst() { return w[2] & 0xffffffffffffL; }
    public int ipv4Src() { return (int) w[4]; }
    public int ipv4Dst() { return (int) (w[4] >>> 32); }
    public int tpSrc() { return (int) (w[5] >>> 16) & 0xffff; }
    public int tpDst() { return (int) (w[5] >>> 32) & 0xffff; }
    public boolean hasVlan() { return (w[3] & (1L << 12)) != 0; }
    public boolean hasTwoVlans() { return (w[3] & (1L << 44)) != 0; }
}
