package org.offloadbridge.flow;

import static org.offloadbridge.flow.Field.*;
import static org.offloadbridge.flow.ValueFormat.*;

/**
 * Prints the match half of a datapath flow: the key attributes, in the order and with the
 * masking rules {@link FlowFormat} describes. {@link ActionsFormat} reuses {@link #appendAttr}
 * and {@link #appendTunnel} for set actions.
 */
final class MatchFormat {
    private MatchFormat() {}

    static final KeyAttr[] META_ORDER = {
        KeyAttr.PRIORITY, KeyAttr.TUNNEL, KeyAttr.SKB_MARK, KeyAttr.CT_STATE, KeyAttr.CT_ZONE, KeyAttr.CT_MARK,
        KeyAttr.CT_LABELS, KeyAttr.RECIRC_ID, KeyAttr.DP_HASH, KeyAttr.IN_PORT, KeyAttr.PACKET_TYPE,
    };
    static final KeyAttr[] L3_ORDER = {KeyAttr.IPV4, KeyAttr.IPV6, KeyAttr.ARP};
    static final KeyAttr[] L4_ORDER = {KeyAttr.TCP, KeyAttr.UDP, KeyAttr.SCTP, KeyAttr.ICMP, KeyAttr.ICMPV6, KeyAttr.TCP_FLAGS, KeyAttr.ND};

    static final Field[] TUNNEL_FIELDS = {
        TUN_ID, TUN_IPV4_SRC, TUN_IPV4_DST, TUN_IPV6_SRC_HI, TUN_IPV6_SRC_LO, TUN_IPV6_DST_HI, TUN_IPV6_DST_LO,
        TUN_TOS, TUN_TTL, TUN_TP_SRC, TUN_TP_DST, TUN_FLAGS,
    };
    private static final Field[][] ATTR_FIELDS = new Field[64][];

    static {
        ATTR_FIELDS[KeyAttr.PRIORITY.id()] = new Field[] {SKB_PRIORITY};
        ATTR_FIELDS[KeyAttr.SKB_MARK.id()] = new Field[] {SKB_MARK};
        ATTR_FIELDS[KeyAttr.CT_STATE.id()] = new Field[] {CT_STATE};
        ATTR_FIELDS[KeyAttr.CT_ZONE.id()] = new Field[] {CT_ZONE};
        ATTR_FIELDS[KeyAttr.CT_MARK.id()] = new Field[] {CT_MARK};
        ATTR_FIELDS[KeyAttr.CT_LABELS.id()] = new Field[] {CT_LABEL_HI, CT_LABEL_LO};
        ATTR_FIELDS[KeyAttr.RECIRC_ID.id()] = new Field[] {RECIRC_ID};
        ATTR_FIELDS[KeyAttr.DP_HASH.id()] = new Field[] {DP_HASH};
        ATTR_FIELDS[KeyAttr.IN_PORT.id()] = new Field[] {IN_PORT};
        ATTR_FIELDS[KeyAttr.PACKET_TYPE.id()] = new Field[] {PACKET_TYPE_NS, PACKET_TYPE_ID};
        ATTR_FIELDS[KeyAttr.ETHERNET.id()] = new Field[] {ETH_SRC, ETH_DST};
        ATTR_FIELDS[KeyAttr.ETHERTYPE.id()] = new Field[] {ETH_TYPE};
        ATTR_FIELDS[KeyAttr.TUNNEL.id()] = TUNNEL_FIELDS;
        ATTR_FIELDS[KeyAttr.IPV4.id()] = new Field[] {IPV4_SRC, IPV4_DST, NW_PROTO, NW_TOS, NW_TTL, NW_FRAG};
        ATTR_FIELDS[KeyAttr.IPV6.id()] = new Field[] {IPV6_SRC_HI, IPV6_SRC_LO, IPV6_DST_HI, IPV6_DST_LO, IPV6_LABEL, NW_PROTO, NW_TOS, NW_TTL, NW_FRAG};
        ATTR_FIELDS[KeyAttr.TCP.id()] = new Field[] {TP_SRC, TP_DST};
        ATTR_FIELDS[KeyAttr.UDP.id()] = ATTR_FIELDS[KeyAttr.TCP.id()];
        ATTR_FIELDS[KeyAttr.SCTP.id()] = ATTR_FIELDS[KeyAttr.TCP.id()];
        ATTR_FIELDS[KeyAttr.TCP_FLAGS.id()] = new Field[] {TCP_FLAGS};
        ATTR_FIELDS[KeyAttr.ICMP.id()] = new Field[] {ICMP_TYPE, ICMP_CODE};
        ATTR_FIELDS[KeyAttr.ICMPV6.id()] = ATTR_FIELDS[KeyAttr.ICMP.id()];
        ATTR_FIELDS[KeyAttr.ARP.id()] = new Field[] {ARP_SPA, ARP_TPA, ARP_OP, ARP_SHA, ARP_THA};
        ATTR_FIELDS[KeyAttr.ND.id()] = new Field[] {ND_TARGET_HI, ND_TARGET_LO, ND_SLL, ND_TLL};
    }

    /** The fields of the flat key that attribute {@code a} carries (shared array, do not modify). */
    static Field[] fieldsOf(KeyAttr a) {
        Field[] f = ATTR_FIELDS[a.id()];
        return f == null ? new Field[0] : f;
    }

    /** True when {@code mask} matches none of the fields of {@code a} (a null mask is exact). */
    static boolean isWildcard(FlowMask mask, KeyAttr a) {
        if (mask == null) {
            return false;
        }
        for (Field f : fieldsOf(a)) {
            if (mask.get(f) != 0) {
                return false;
            }
        }
        return true;
    }

    private static final class Out {
        final StringBuilder sb;
        boolean first = true;

        Out(StringBuilder sb) { this.sb = sb; }

        StringBuilder next() {
            if (!first) {
                sb.append(',');
            }
            first = false;
            return sb;
        }
    }

    static void appendMatch(StringBuilder sb, FlowKey key, FlowMask mask, PortNames names, boolean verbose) {
        int start = sb.length();
        Out out = new Out(sb);
        boolean hasPacketType = false;
        for (KeyAttr a : META_ORDER) {
            if (!key.hasAttr(a)) {
                continue;
            }
            boolean wild = isWildcard(mask, a);
            if (a == KeyAttr.PACKET_TYPE) {
                hasPacketType = !wild || verbose;
            }
            if (verbose || !wild) {
                appendAttr(out.next(), a, key, mask, names, verbose);
            }
        }
        if (key.hasAttr(KeyAttr.ETHERNET)) {
            if (verbose || !isWildcard(mask, KeyAttr.ETHERNET)) {
                appendAttr(out.next(), KeyAttr.ETHERNET, key, mask, names, verbose);
            } else if (!hasPacketType) {
                // OVS: an all-wildcard eth() still matters when no packet_type says "Ethernet".
                out.next().append("eth()");
            }
        }
        appendL2Rest(out, key, mask, names, verbose, 0);
        if (sb.length() == start) {
            sb.append("<empty>");
        }
    }

    /** From the VLAN tag {@code tag} (0 or 1) inward: tags as eth_type+vlan+encap(...), then L3/L4. */
    private static void appendL2Rest(Out out, FlowKey key, FlowMask mask, PortNames names, boolean verbose, int tag) {
        Field tpid = tag == 0 ? VLAN0_TPID : VLAN1_TPID;
        if (tag < 2 && key.get(tpid) != 0) {
            StringBuilder sb = out.next();
            sb.append("eth_type(");
            appendHex04Masked(sb, key.get(tpid), mask == null ? 0xffff : mask.get(tpid), 0xffff);
            sb.append(')');
            Field vid = tag == 0 ? VLAN0_VID : VLAN1_VID;
            Field pcp = tag == 0 ? VLAN0_PCP : VLAN1_PCP;
            Field cfi = tag == 0 ? VLAN0_CFI : VLAN1_CFI;
            long mv = mask == null ? 0xfff : mask.get(vid);
            long mp = mask == null ? 7 : mask.get(pcp);
            long mc = mask == null ? 1 : mask.get(cfi);
            if (verbose || mv != 0 || mp != 0 || mc != 0) {
                sb.append(",vlan(");
                appendVlanTci(sb, key.get(vid), key.get(pcp), key.get(cfi), mv, mp, verbose);
                sb.append(')');
            }
            sb.append(",encap(");
            Out inner = new Out(sb);
            appendL2Rest(inner, key, mask, names, verbose, tag + 1);
            sb.append(')');
            return;
        }
        if (key.hasAttr(KeyAttr.ETHERTYPE) && (verbose || !isWildcard(mask, KeyAttr.ETHERTYPE))) {
            appendAttr(out.next(), KeyAttr.ETHERTYPE, key, mask, names, verbose);
        }
        for (KeyAttr a : L3_ORDER) {
            if (key.hasAttr(a) && (verbose || !isWildcard(mask, a))) {
                appendAttr(out.next(), a, key, mask, names, verbose);
            }
        }
        for (KeyAttr a : L4_ORDER) {
            if (key.hasAttr(a) && (verbose || !isWildcard(mask, a))) {
                appendAttr(out.next(), a, key, mask, names, verbose);
            }
        }
    }

    /** VLAN TCI as OVS format_vlan_tci: vid, pcp, and cfi=0 when the CFI/present bit is clear. */
    static void appendVlanTci(StringBuilder sb, long vid, long pcp, long cfi, long maskVid, long maskPcp, boolean verbose) {
        int start = sb.length();
        if (verbose || vid != 0 || maskVid != 0) {
            sb.append("vid=").append(vid);
            if (maskVid != 0xfff) {
                sb.append("/0x").append(Long.toHexString(maskVid));
            }
            sb.append(',');
        }
        if (verbose || pcp != 0 || maskPcp != 0) {
            sb.append("pcp=").append(pcp);
            if (maskPcp != 7) {
                sb.append("/0x").append(Long.toHexString(maskPcp));
            }
            sb.append(',');
        }
        if (cfi == 0) {
            sb.append("cfi=0,");
        }
        if (sb.length() > start) {
            sb.setLength(sb.length() - 1);
        }
    }

    private static long m(FlowMask mask, Field f) {
        return mask == null ? f.valueMask() : mask.get(f);
    }

    /** Appends {@code name(...)} for attribute {@code a}; {@code mask == null} means exact. */
    static void appendAttr(StringBuilder sb, KeyAttr a, FlowKey key, FlowMask mask, PortNames names, boolean verbose) {
        sb.append(a.ovsName()).append('(');
        int start = sb.length();
        switch (a) {
            case PRIORITY, SKB_MARK, DP_HASH, RECIRC_ID -> {
                Field f = fieldsOf(a)[0];
                appendHashX(sb, key.get(f));
                if (m(mask, f) != f.valueMask()) {
                    sb.append('/');
                    appendHashX(sb, m(mask, f));
                }
            }
            case CT_MARK, CT_ZONE -> {
                Field f = fieldsOf(a)[0];
                if (verbose || m(mask, f) != 0) {
                    appendHashX(sb, key.get(f));
                    if (m(mask, f) != f.valueMask()) {
                        sb.append('/');
                        appendHashX(sb, m(mask, f));
                    }
                }
            }
            case CT_STATE -> {
                long v = key.get(CT_STATE);
                long mk = m(mask, CT_STATE);
                boolean exact = mk == CT_STATE.valueMask();
                if (verbose) {
                    appendHashX(sb, v);
                    if (!exact) {
                        sb.append('/');
                        appendHashX(sb, mk);
                    }
                } else if (!exact) {
                    appendFlagsMasked(sb, v, mk, 0xffffffffL, CT_STATE_NAMES);
                } else {
                    appendFlags(sb, v, CT_STATE_NAMES, '|');
                }
            }
            case CT_LABELS -> {
                long mh = m(mask, CT_LABEL_HI);
                long ml = m(mask, CT_LABEL_LO);
                if (verbose || mh != 0 || ml != 0) {
                    appendHex128(sb, key.get(CT_LABEL_HI), key.get(CT_LABEL_LO));
                    if (mh != -1L || ml != -1L) {
                        sb.append('/');
                        appendHex128(sb, mh, ml);
                    }
                }
            }
            case IN_PORT -> {
                long v = key.get(IN_PORT);
                long mk = m(mask, IN_PORT);
                if (mk == 0xffffffffL) {
                    appendPort(sb, (int) v, names);
                } else {
                    sb.append(v).append('/');
                    appendHashX(sb, mk);
                }
            }
            case PACKET_TYPE -> {
                appendBe16(sb, "ns", key.get(PACKET_TYPE_NS), m(mask, PACKET_TYPE_NS), verbose, false);
                appendBe16(sb, "id", key.get(PACKET_TYPE_ID), m(mask, PACKET_TYPE_ID), verbose, true);
            }
            case ETHERNET -> {
                appendEth(sb, "src", key.get(ETH_SRC), m(mask, ETH_SRC), verbose);
                appendEth(sb, "dst", key.get(ETH_DST), m(mask, ETH_DST), verbose);
            }
            case ETHERTYPE -> appendHex04Masked(sb, key.get(ETH_TYPE), m(mask, ETH_TYPE), 0xffff);
            case IPV4 -> {
                appendIpv4(sb, "src", key.get(IPV4_SRC), m(mask, IPV4_SRC), verbose);
                appendIpv4(sb, "dst", key.get(IPV4_DST), m(mask, IPV4_DST), verbose);
                appendU8(sb, "proto", key.get(NW_PROTO), m(mask, NW_PROTO), verbose, false);
                appendU8(sb, "tos", key.get(NW_TOS), m(mask, NW_TOS), verbose, true);
                appendU8(sb, "ttl", key.get(NW_TTL), m(mask, NW_TTL), verbose, false);
                appendFrag(sb, key.get(NW_FRAG), m(mask, NW_FRAG));
            }
            case IPV6 -> {
                appendIpv6(sb, "src", key.get(IPV6_SRC_HI), key.get(IPV6_SRC_LO), m(mask, IPV6_SRC_HI), m(mask, IPV6_SRC_LO), verbose);
                appendIpv6(sb, "dst", key.get(IPV6_DST_HI), key.get(IPV6_DST_LO), m(mask, IPV6_DST_HI), m(mask, IPV6_DST_LO), verbose);
                long ml = m(mask, IPV6_LABEL);
                if (verbose || ml != 0) {
                    sb.append("label=");
                    appendHashX(sb, key.get(IPV6_LABEL));
                    if (ml != 0xfffff) {
                        sb.append('/');
                        appendHashX(sb, ml);
                    }
                    sb.append(',');
                }
                appendU8(sb, "proto", key.get(NW_PROTO), m(mask, NW_PROTO), verbose, false);
                appendU8(sb, "tclass", key.get(NW_TOS), m(mask, NW_TOS), verbose, true);
                appendU8(sb, "hlimit", key.get(NW_TTL), m(mask, NW_TTL), verbose, false);
                appendFrag(sb, key.get(NW_FRAG), m(mask, NW_FRAG));
            }
            case TCP, UDP, SCTP -> {
                appendBe16(sb, "src", key.get(TP_SRC), m(mask, TP_SRC), verbose, false);
                appendBe16(sb, "dst", key.get(TP_DST), m(mask, TP_DST), verbose, false);
            }
            case TCP_FLAGS -> {
                long mk = m(mask, TCP_FLAGS);
                if (mk != 0xfff) {
                    appendFlagsMasked(sb, key.get(TCP_FLAGS), mk, 0xfff, TCP_FLAG_NAMES);
                } else {
                    appendFlags(sb, key.get(TCP_FLAGS), TCP_FLAG_NAMES, '|');
                }
            }
            case ICMP, ICMPV6 -> {
                appendU8(sb, "type", key.get(ICMP_TYPE), m(mask, ICMP_TYPE), verbose, false);
                appendU8(sb, "code", key.get(ICMP_CODE), m(mask, ICMP_CODE), verbose, false);
            }
            case ARP -> {
                appendIpv4(sb, "sip", key.get(ARP_SPA), m(mask, ARP_SPA), verbose);
                appendIpv4(sb, "tip", key.get(ARP_TPA), m(mask, ARP_TPA), verbose);
                appendBe16(sb, "op", key.get(ARP_OP), m(mask, ARP_OP), verbose, false);
                appendEth(sb, "sha", key.get(ARP_SHA), m(mask, ARP_SHA), verbose);
                appendEth(sb, "tha", key.get(ARP_THA), m(mask, ARP_THA), verbose);
            }
            case ND -> {
                appendIpv6(sb, "target", key.get(ND_TARGET_HI), key.get(ND_TARGET_LO), m(mask, ND_TARGET_HI), m(mask, ND_TARGET_LO), verbose);
                appendEth(sb, "sll", key.get(ND_SLL), m(mask, ND_SLL), verbose);
                appendEth(sb, "tll", key.get(ND_TLL), m(mask, ND_TLL), verbose);
            }
            case TUNNEL -> appendTunnel(sb, key, mask, verbose, null);
            default -> throw new IllegalArgumentException("cannot format attribute " + a);
        }
        if (sb.length() > start && sb.charAt(sb.length() - 1) == ',') {
            sb.setLength(sb.length() - 1);
        }
        sb.append(')');
    }

    /**
     * Tunnel sub-attributes. In a key, a sub-attribute is present when its key or mask value is
     * non-zero (ttl and flags always, as OVS {@code tun_key_to_attr}); in a set action
     * ({@code listed != null}) exactly the listed fields are.
     */
    static void appendTunnel(StringBuilder sb, FlowKey key, FlowMask mask, boolean verbose, FlowMask listed) {
        long flags = key.get(TUN_FLAGS);
        if (present(key, mask, listed, TUN_ID) || (flags & FlowKey.TUN_F_KEY) != 0) {
            long mk = m(mask, TUN_ID);
            if (verbose || mk != 0) {
                sb.append("tun_id=0x").append(Long.toHexString(key.get(TUN_ID)));
                if (mk != -1L) {
                    sb.append('/');
                    appendHashX(sb, mk);
                }
                sb.append(',');
            }
        }
        if (present(key, mask, listed, TUN_IPV4_SRC)) {
            appendIpv4(sb, "src", key.get(TUN_IPV4_SRC), m(mask, TUN_IPV4_SRC), verbose);
        }
        if (present(key, mask, listed, TUN_IPV4_DST)) {
            appendIpv4(sb, "dst", key.get(TUN_IPV4_DST), m(mask, TUN_IPV4_DST), verbose);
        }
        if (present(key, mask, listed, TUN_IPV6_SRC_HI) || present(key, mask, listed, TUN_IPV6_SRC_LO)) {
            appendIpv6(sb, "ipv6_src", key.get(TUN_IPV6_SRC_HI), key.get(TUN_IPV6_SRC_LO), m(mask, TUN_IPV6_SRC_HI), m(mask, TUN_IPV6_SRC_LO), verbose);
        }
        if (present(key, mask, listed, TUN_IPV6_DST_HI) || present(key, mask, listed, TUN_IPV6_DST_LO)) {
            appendIpv6(sb, "ipv6_dst", key.get(TUN_IPV6_DST_HI), key.get(TUN_IPV6_DST_LO), m(mask, TUN_IPV6_DST_HI), m(mask, TUN_IPV6_DST_LO), verbose);
        }
        if (present(key, mask, listed, TUN_TOS)) {
            appendU8(sb, "tos", key.get(TUN_TOS), m(mask, TUN_TOS), verbose, true);
        }
        if (listed == null || listed.get(TUN_TTL) != 0) {
            appendU8(sb, "ttl", key.get(TUN_TTL), m(mask, TUN_TTL), verbose, false);
        }
        if (present(key, mask, listed, TUN_TP_SRC)) {
            appendBe16(sb, "tp_src", key.get(TUN_TP_SRC), m(mask, TUN_TP_SRC), verbose, false);
        }
        if (present(key, mask, listed, TUN_TP_DST)) {
            appendBe16(sb, "tp_dst", key.get(TUN_TP_DST), m(mask, TUN_TP_DST), verbose, false);
        }
        long mf = mask == null ? -1 : mask.get(TUN_FLAGS);
        if (verbose || mf != 0) {
            sb.append("flags(");
            if (mask == null) {
                appendFlags(sb, flags, TUN_FLAG_NAMES, '|');
            } else {
                appendFlagsMasked(sb, flags, mf & 0xf, 0xf, TUN_FLAG_NAMES);
            }
            sb.append("),");
        }
    }

    private static boolean present(FlowKey key, FlowMask mask, FlowMask listed, Field f) {
        if (listed != null) {
            return listed.get(f) != 0;
        }
        return key.get(f) != 0 || (mask != null && mask.get(f) != 0);
    }
}
