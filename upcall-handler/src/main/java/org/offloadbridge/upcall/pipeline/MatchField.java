package org.offloadbridge.upcall.pipeline;

/**
 * The OpenFlow match fields a rule can name, as {@code ovs-ofctl} spells them.
 *
 * <p>This is the rule language's vocabulary (what OVS calls {@code mf_field}), not a flow
 * key: each field is bound to the datapath flow key of {@code org.offloadbridge.flow} when a
 * rule is compiled. Values up to 64 bits are held in one long; the two 128-bit IPv6 address
 * fields use a second (high) long.
 *
 * <p>{@link Stage} orders fields the way the staged classifier consults them: a lookup that
 * misses at a stage never looks at (and so never un-wildcards) fields of later stages.
 */
public enum MatchField {
    IN_PORT("in_port", 32, Stage.METADATA, Prereq.NONE),
    TUN_ID("tun_id", 64, Stage.METADATA, Prereq.NONE),
    TUN_SRC("tun_src", 32, Stage.METADATA, Prereq.NONE),
    TUN_DST("tun_dst", 32, Stage.METADATA, Prereq.NONE),
    /** The outer IP header's ToS / traffic class of a packet that came through a tunnel; not maskable (as OVS's). */
    TUN_TOS("tun_tos", 8, Stage.METADATA, Prereq.NONE),
    /** The outer IP header's TTL / hop limit; not maskable (as OVS's). */
    TUN_TTL("tun_ttl", 8, Stage.METADATA, Prereq.NONE),
    /**
     * The tunnel's flags OpenFlow can see: OVS defines one, {@code oam} (bit 0, FLOW_TNL_F_OAM);
     * the others (key, csum, df) are the datapath's, not a rule's. One bit wide here, so a value
     * or mask naming any other bit is refused.
     */
    TUN_FLAGS("tun_flags", 1, Stage.METADATA, Prereq.NONE),
    DL_SRC("dl_src", 48, Stage.L2, Prereq.NONE),
    DL_DST("dl_dst", 48, Stage.L2, Prereq.NONE),
    DL_TYPE("dl_type", 16, Stage.L2, Prereq.NONE),
    /** The 802.1Q TCI of the outer tag as OVS models it: PCP(3) | present(1) | VID(12); 0 = no tag. */
    VLAN_TCI("vlan_tci", 16, Stage.L2, Prereq.NONE),
    NW_SRC("nw_src", 32, Stage.L3, Prereq.IPV4),
    NW_DST("nw_dst", 32, Stage.L3, Prereq.IPV4),
    IPV6_SRC("ipv6_src", 128, Stage.L3, Prereq.IPV6),
    IPV6_DST("ipv6_dst", 128, Stage.L3, Prereq.IPV6),
    IPV6_LABEL("ipv6_label", 20, Stage.L3, Prereq.IPV6),
    NW_PROTO("nw_proto", 8, Stage.L3, Prereq.IP_ANY),
    /** The DSCP bits of the ToS / traffic-class byte, kept in place (mask 0xfc) as OVS does. */
    NW_TOS("nw_tos", 8, Stage.L3, Prereq.IP_ANY),
    NW_ECN("nw_ecn", 2, Stage.L3, Prereq.IP_ANY),
    NW_TTL("nw_ttl", 8, Stage.L3, Prereq.IP_ANY),
    /** Bit 0 = is a fragment, bit 1 = is a later fragment (OVS's FLOW_NW_FRAG_ANY / _LATER). */
    NW_FRAG("nw_frag", 2, Stage.L3, Prereq.IP_ANY),
    ARP_OP("arp_op", 16, Stage.L3, Prereq.ARP),
    ARP_SPA("arp_spa", 32, Stage.L3, Prereq.ARP),
    ARP_TPA("arp_tpa", 32, Stage.L3, Prereq.ARP),
    ARP_SHA("arp_sha", 48, Stage.L3, Prereq.ARP),
    ARP_THA("arp_tha", 48, Stage.L3, Prereq.ARP),
    TP_SRC("tp_src", 16, Stage.L4, Prereq.TRANSPORT),
    TP_DST("tp_dst", 16, Stage.L4, Prereq.TRANSPORT),
    TCP_FLAGS("tcp_flags", 12, Stage.L4, Prereq.TCP),
    ICMP_TYPE("icmp_type", 8, Stage.L4, Prereq.ICMP_ANY),
    ICMP_CODE("icmp_code", 8, Stage.L4, Prereq.ICMP_ANY);

    /** Classifier stages, in lookup order. */
    public enum Stage { METADATA, L2, L3, L4 }

    /** What the rest of a match must pin down before a field may be matched (OVS's mf_prereqs). */
    public enum Prereq {
        NONE(""),
        IPV4("dl_type to be 0x0800 (add ip, or dl_type=0x0800)"),
        IPV6("dl_type to be 0x86dd (add ipv6, or dl_type=0x86dd)"),
        IP_ANY("dl_type to be IPv4 or IPv6 (add ip or ipv6)"),
        ARP("dl_type to be 0x0806 (add arp, or dl_type=0x0806)"),
        TRANSPORT("nw_proto to be tcp/udp/sctp (add tcp, udp or sctp)"),
        TCP("nw_proto to be tcp (add tcp or tcp6)"),
        ICMP_ANY("nw_proto to be icmp or icmp6 (add icmp or icmp6)");

        private final String requirement;

        Prereq(String requirement) {
            this.requirement = requirement;
        }

        /** The requirement as the tail of "FIELD requires ..." in an error message. */
        public String requirement() {
            return requirement;
        }
    }

    private final String ofName;
    private final int bits;
    private final Stage stage;
    private final Prereq prereq;

    MatchField(String ofName, int bits, Stage stage, Prereq prereq) {
        this.ofName = ofName;
        this.bits = bits;
        this.stage = stage;
        this.prereq = prereq;
    }

    /** The name ovs-ofctl uses. */
    public String ofName() {
        return ofName;
    }

    public int bits() {
        return bits;
    }

    public Stage stage() {
        return stage;
    }

    public Prereq prereq() {
        return prereq;
    }

    /** All-ones mask of the low 64 bits (for IPv6 fields, of the low half). */
    public long fullMaskLo() {
        return bits >= 64 ? -1L : (1L << bits) - 1;
    }

    /** All-ones mask of the high half (IPv6 only, else 0). */
    public long fullMaskHi() {
        return bits > 64 ? (bits >= 128 ? -1L : (1L << (bits - 64)) - 1) : 0L;
    }

    /** True for the address fields the classifier keeps a prefix trie for. */
    public boolean isPrefixField() {
        return this == NW_SRC || this == NW_DST || this == IPV6_SRC || this == IPV6_DST;
    }

    /** Looks a field up by its ovs-ofctl name (or one of the OXM-style aliases), or null. */
    public static MatchField byName(String name) {
        for (MatchField f : values()) {
            if (f.ofName.equals(name)) {
                return f;
            }
        }
        return switch (name) {
            case "eth_src" -> DL_SRC;
            case "eth_dst" -> DL_DST;
            case "eth_type" -> DL_TYPE;
            case "ip_src" -> NW_SRC;
            case "ip_dst" -> NW_DST;
            case "ip_proto" -> NW_PROTO;
            case "ip_ecn" -> NW_ECN;
            case "tunnel_id" -> TUN_ID;
            case "tcp_src", "udp_src", "sctp_src" -> TP_SRC;
            case "tcp_dst", "udp_dst", "sctp_dst" -> TP_DST;
            case "icmpv6_type" -> ICMP_TYPE;
            case "icmpv6_code" -> ICMP_CODE;
            default -> null;
        };
    }
}
