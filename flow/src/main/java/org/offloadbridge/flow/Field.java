package org.offloadbridge.flow;

/**
 * Every field of the flat flow shape shared by {@link FlowKey} and {@link FlowMask}: which
 * 64-bit word it lives in, at which bit shift, and how wide it is.
 *
 * <p>Fields never straddle a word and are at most 64 bits wide, so a field read is one
 * array load, a shift and an and. 128-bit addresses (IPv6, ND target, tunnel IPv6, ct_label)
 * are two fields, {@code *_HI} (bytes 0..7 of the address, network order, as a big-endian
 * long) and {@code *_LO} (bytes 8..15); {@link #ovsName()} gives both the OVS name.
 *
 * <p>Values are host-order integers: an IPv4 address {@code 10.0.0.1} is {@code 0x0a000001},
 * a MAC {@code 00:11:22:33:44:55} is {@code 0x001122334455L}, ports and ethertypes as numbers.
 *
 * <pre>
 * word  bits 0..63 (low to high)
 *  0    in_port:32          recirc_id:32
 *  1    eth_src:48                                 eth_type:16 (innermost, after VLAN tags)
 *  2    eth_dst:48                                 nw_proto:8  nw_frag:2
 *  3    vlan0_tci:16 vlan0_tpid:16 vlan1_tci:16 vlan1_tpid:16   (tci = pcp:3 cfi:1 vid:12; cfi=1 means "tag present", as in OVS)
 *  4    ipv4_src:32         ipv4_dst:32
 *  5    nw_tos:8 nw_ttl:8 tp_src:16 tp_dst:16 tcp_flags:12
 *  6    icmp_type:8 icmp_code:8 arp_op:16 ipv6_label:20
 *  7,8  ipv6_src hi, lo     9,10 ipv6_dst hi, lo
 * 11    arp_spa:32          arp_tpa:32
 * 12    arp_sha:48          13 arp_tha:48
 * 14,15 nd_target hi, lo    16 nd_sll:48   17 nd_tll:48
 * 18    tun_id:64
 * 19    tun_ipv4_src:32     tun_ipv4_dst:32
 * 20,21 tun_ipv6_src hi,lo  22,23 tun_ipv6_dst hi,lo
 * 24    tun_tos:8 tun_ttl:8 tun_tp_src:16 tun_tp_dst:16 tun_flags:16
 * 25    skb_priority:32     skb_mark:32             (metadata OVS prints; we only carry it)
 * 26    ct_state:32         ct_zone:16  packet_type_ns:16
 * 27    ct_mark:32          dp_hash:32
 * 28,29 ct_label hi, lo     30 packet_type_id:16
 * </pre>
 *
 * <p>The hot fields (what a packet parse fills) sit in words 0..17, so classifiers that hash
 * only the words a mask touches ({@link FlowMask#wordBitmap()}) rarely look past word 6.
 *
 * <p>New fields are appended (new words at the end); existing constants never move.
 */
public enum Field {
    IN_PORT("in_port", 0, 0, 32),
    RECIRC_ID("recirc_id", 0, 32, 32),
    ETH_SRC("eth_src", 1, 0, 48),
    ETH_TYPE("eth_type", 1, 48, 16),
    ETH_DST("eth_dst", 2, 0, 48),
    NW_PROTO("nw_proto", 2, 48, 8),
    /** {@link FlowKey#FRAG_ANY} | {@link FlowKey#FRAG_LATER}: no=0, first=1, later=3 (as OVS struct flow). */
    NW_FRAG("nw_frag", 2, 56, 2),
    VLAN0_VID("vlan0_vid", 3, 0, 12),
    VLAN0_CFI("vlan0_cfi", 3, 12, 1),
    VLAN0_PCP("vlan0_pcp", 3, 13, 3),
    VLAN0_TPID("vlan0_tpid", 3, 16, 16),
    VLAN1_VID("vlan1_vid", 3, 32, 12),
    VLAN1_CFI("vlan1_cfi", 3, 44, 1),
    VLAN1_PCP("vlan1_pcp", 3, 45, 3),
    VLAN1_TPID("vlan1_tpid", 3, 48, 16),
    IPV4_SRC("ipv4_src", 4, 0, 32),
    IPV4_DST("ipv4_dst", 4, 32, 32),
    /** IPv4 TOS / IPv6 traffic class byte: DSCP in the upper 6 bits, ECN in the lower 2. */
    NW_TOS("nw_tos", 5, 0, 8),
    /** IPv4 TTL / IPv6 hop limit. */
    NW_TTL("nw_ttl", 5, 8, 8),
    /** TCP/UDP/SCTP source port. */
    TP_SRC("tp_src", 5, 16, 16),
    TP_DST("tp_dst", 5, 32, 16),
    /** TCP flags, 12 bits (FIN=0x001 .. NS=0x100), as OVS tcp_flags. */
    TCP_FLAGS("tcp_flags", 5, 48, 12),
    /** ICMP or ICMPv6 type (by eth_type / nw_proto). */
    ICMP_TYPE("icmp_type", 6, 0, 8),
    ICMP_CODE("icmp_code", 6, 8, 8),
    ARP_OP("arp_op", 6, 16, 16),
    IPV6_LABEL("ipv6_label", 6, 32, 20),
    IPV6_SRC_HI("ipv6_src", 7, 0, 64),
    IPV6_SRC_LO("ipv6_src", 8, 0, 64),
    IPV6_DST_HI("ipv6_dst", 9, 0, 64),
    IPV6_DST_LO("ipv6_dst", 10, 0, 64),
    ARP_SPA("arp_spa", 11, 0, 32),
    ARP_TPA("arp_tpa", 11, 32, 32),
    ARP_SHA("arp_sha", 12, 0, 48),
    ARP_THA("arp_tha", 13, 0, 48),
    ND_TARGET_HI("nd_target", 14, 0, 64),
    ND_TARGET_LO("nd_target", 15, 0, 64),
    ND_SLL("nd_sll", 16, 0, 48),
    ND_TLL("nd_tll", 17, 0, 48),
    TUN_ID("tun_id", 18, 0, 64),
    TUN_IPV4_SRC("tun_src", 19, 0, 32),
    TUN_IPV4_DST("tun_dst", 19, 32, 32),
    TUN_IPV6_SRC_HI("tun_ipv6_src", 20, 0, 64),
    TUN_IPV6_SRC_LO("tun_ipv6_src", 21, 0, 64),
    TUN_IPV6_DST_HI("tun_ipv6_dst", 22, 0, 64),
    TUN_IPV6_DST_LO("tun_ipv6_dst", 23, 0, 64),
    TUN_TOS("tun_tos", 24, 0, 8),
    TUN_TTL("tun_ttl", 24, 8, 8),
    TUN_TP_SRC("tun_tp_src", 24, 16, 16),
    TUN_TP_DST("tun_tp_dst", 24, 32, 16),
    /** {@link FlowKey#TUN_F_DONT_FRAGMENT} | {@link FlowKey#TUN_F_CSUM} | {@link FlowKey#TUN_F_KEY} | {@link FlowKey#TUN_F_OAM}. */
    TUN_FLAGS("tun_flags", 24, 48, 16),
    SKB_PRIORITY("skb_priority", 25, 0, 32),
    SKB_MARK("skb_mark", 25, 32, 32),
    CT_STATE("ct_state", 26, 0, 32),
    CT_ZONE("ct_zone", 26, 32, 16),
    PACKET_TYPE_NS("packet_type_ns", 26, 48, 16),
    CT_MARK("ct_mark", 27, 0, 32),
    DP_HASH("dp_hash", 27, 32, 32),
    CT_LABEL_HI("ct_label", 28, 0, 64),
    CT_LABEL_LO("ct_label", 29, 0, 64),
    PACKET_TYPE_ID("packet_type_id", 30, 0, 16);

    /** Number of 64-bit words in a {@link FlowKey} / {@link FlowMask}. */
    public static final int WORDS = 31;

    private static final Field[] VALUES = values();

    private final String ovsName;
    private final int word;
    private final int shift;
    private final int width;
    private final long valueMask;

    Field(String ovsName, int word, int shift, int width) {
        this.ovsName = ovsName;
        this.word = word;
        this.shift = shift;
        this.width = width;
        this.valueMask = width == 64 ? -1L : (1L << width) - 1;
    }

    /** The field's name as OVS and this project's docs spell it (both halves of a 128-bit field share it). */
    public String ovsName() { return ovsName; }
    /** Index of the 64-bit word holding the field. */
    public int word() { return word; }
    /** Bit position of the field's least significant bit inside {@link #word()}. */
    public int shift() { return shift; }
    /** Width in bits (1..64). */
    public int width() { return width; }
    /** All-ones value of the field's width, unshifted. */
    public long valueMask() { return valueMask; }
    /** All-ones value of the field's width, shifted into place inside its word. */
    public long wordMask() { return valueMask << shift; }

    /** The field with this ordinal, without the array copy {@code values()} makes. */
    public static Field of(int ordinal) { return VALUES[ordinal]; }
    /** Number of fields. */
    public static int count() { return VALUES.length; }
}
