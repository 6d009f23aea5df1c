package org.offloadbridge.flow;

import static org.offloadbridge.flow.Field.*;

import java.util.Locale;

/**
 * Prints datapath flows in the text form of {@code ovs-dpctl dump-flows} /
 * {@code ovs-appctl dpctl/dump-flows [-m]}; {@link FlowParser} reads it back.
 *
 * <p>Rules (learned from OVS {@code lib/odp-util.c} {@code odp_flow_format} and
 * {@code lib/dpctl.c} {@code format_dpif_flow}): a key is a list of attributes
 * {@code name(field=value[/mask],...)}; a field whose mask is all-ones prints without mask; a
 * field whose mask is zero is left out and an attribute whose mask is all zero is left out —
 * unless {@code verbose} ({@code -m}), which prints every field of every attribute the key
 * holds, zero masks as {@code /0}. Which attributes a key holds is {@link FlowKey#attrs()}.
 * Attributes print in the order OVS userspace builds keys ({@code odp_flow_key_from_flow}):
 * skb_priority, tunnel, skb_mark, ct_state, ct_zone, ct_mark, ct_label, recirc_id, dp_hash,
 * in_port, packet_type, eth, [eth_type(tpid),vlan(..),encap(..)], eth_type, ipv4|ipv6|arp,
 * tcp|udp|sctp|icmp|icmpv6, tcp_flags, nd.
 *
 * <p>Control-plane code: allocates freely.
 */
public final class FlowFormat {
    private FlowFormat() {}

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
    public static Field[] fieldsOf(KeyAttr a) {
        Field[] f = ATTR_FIELDS[a.id()];
        return f == null ? new Field[0] : f;
    }

    /** The key attribute a set action of {@code f} belongs to by default (L4 ports: TCP). */
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

    // ---------------------------------------------------------------- whole lines

    /**
     * One dump line: {@code [ufid:…, ]match, packets:…, bytes:…, used:…[, flags:…][,
     * offloaded:…][, dp:…], actions:…[, dp-extra-info:…]}. The ufid, offloaded, dp and
     * dp-extra-info parts print only when {@code verbose}, as in OVS.
     */
    public static String formatFlow(DpFlow f, PortNames names, boolean verbose) {
        StringBuilder sb = new StringBuilder(256);
        if (verbose && f.ufid() != null) {
            sb.append(f.ufid()).append(", ");
        }
        appendMatch(sb, f.key(), f.mask(), names, verbose);
        sb.append(", packets:").append(f.packets()).append(", bytes:").append(f.bytes()).append(", used:");
        if (f.usedMillisAgo() < 0) {
            sb.append("never");
        } else {
            sb.append(f.usedMillisAgo() / 1000).append('.').append(String.format(Locale.ROOT, "%03d", f.usedMillisAgo() % 1000)).append('s');
        }
        if (f.tcpFlags() != 0) {
            sb.append(", flags:");
            appendTcpFlagsStats(sb, f.tcpFlags());
        }
        if (verbose && f.offloaded() != null) {
            sb.append(", offloaded:").append(f.offloaded());
        }
        if (verbose && f.dp() != null) {
            sb.append(", dp:").append(f.dp());
        }
        sb.append(", actions:");
        appendActions(sb, f.actions(), names);
        if (verbose && f.dpExtraInfo() != null) {
            sb.append(", dp-extra-info:").append(f.dpExtraInfo());
        }
        return sb.toString();
    }

    /** The match part, e.g. {@code recirc_id(0),in_port(2),eth(...),eth_type(0x0800),ipv4(...)}. */
    public static String formatMatch(FlowKey key, FlowMask mask, PortNames names, boolean verbose) {
        StringBuilder sb = new StringBuilder(200);
        appendMatch(sb, key, mask, names, verbose);
        return sb.toString();
    }

    /** The actions part, e.g. {@code push_vlan(vid=10,pcp=0),3} or {@code drop}. */
    public static String formatActions(Actions actions, PortNames names) {
        StringBuilder sb = new StringBuilder(64);
        appendActions(sb, actions, names);
        return sb.toString();
    }

    // ---------------------------------------------------------------- match

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

    // ---------------------------------------------------------------- actions

    static void appendActions(StringBuilder sb, Actions actions, PortNames names) {
        if (actions.isDrop()) {
            sb.append("drop");
            return;
        }
        boolean first = true;
        for (int pc = 0; pc < actions.programLength(); pc += Actions.length(actions.word(pc))) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            long h = actions.word(pc);
            int arg = Actions.arg(h);
            switch (Actions.type(h)) {
                case Actions.OUTPUT -> appendPort(sb, arg, names);
                case Actions.PUSH_VLAN -> {
                    sb.append("push_vlan(");
                    int tpid = arg >>> 16;
                    if (tpid != 0x8100) {
                        sb.append("tpid=0x").append(String.format(Locale.ROOT, "%04x", tpid)).append(',');
                    }
                    appendVlanTci(sb, arg & 0xfff, (arg >>> 13) & 7, (arg >>> 12) & 1, 0xfff, 7, false);
                    sb.append(')');
                }
                case Actions.POP_VLAN -> sb.append("pop_vlan");
                case Actions.SET -> appendSet(sb, actions, pc, names);
                case Actions.USERSPACE -> {
                    sb.append("userspace(pid=").append(arg & 0xffffffffL);
                    String extra = actions.userspaceArgs((int) actions.word(pc + 1));
                    if (!extra.isEmpty()) {
                        sb.append(',').append(extra);
                    }
                    sb.append(')');
                }
                default -> throw new IllegalStateException("corrupt action program at word " + pc);
            }
        }
    }

    private static void appendSet(StringBuilder sb, Actions actions, int pc, PortNames names) {
        long h = actions.word(pc);
        int arg = Actions.arg(h);
        boolean masked = (arg & Actions.SET_MASKED_FLAG) != 0;
        KeyAttr attr = Actions.attrById(arg & 0xffff);
        FlowKey k = new FlowKey();
        FlowMask mk = new FlowMask();
        for (int i = pc + 1; i + 2 < pc + Actions.length(h); i += 3) {
            Field f = Field.of((int) actions.word(i));
            k.set(f, actions.word(i + 1));
            mk.unwildcard(f, actions.word(i + 2));
        }
        sb.append("set(");
        if (attr == KeyAttr.TUNNEL) {
            // OVS prints a tunnel set with verbose formatting and no mask: every listed sub-attribute.
            sb.append("tunnel(");
            int start = sb.length();
            FlowMask listed = mk.copy();
            appendTunnel(sb, k, masked ? mk : null, true, listed);
            if (sb.length() > start && sb.charAt(sb.length() - 1) == ',') {
                sb.setLength(sb.length() - 1);
            }
            sb.append(')');
        } else if (masked) {
            // OVS: SET_MASKED prints as a non-verbose masked key attribute.
            appendAttr(sb, attr, k, mk, names, false);
        } else {
            appendAttr(sb, attr, k, null, names, true);
        }
        sb.append(')');
    }

    // ---------------------------------------------------------------- field printers

    static void appendPort(StringBuilder sb, int port, PortNames names) {
        String n = names == null ? null : names.name(port);
        if (n != null) {
            sb.append(n);
        } else {
            sb.append(port & 0xffffffffL);
        }
    }

    /** C's {@code %#x}: {@code 0} for zero, else {@code 0x…}. */
    static void appendHashX(StringBuilder sb, long v) {
        if (v == 0) {
            sb.append('0');
        } else {
            sb.append("0x").append(Long.toHexString(v));
        }
    }

    static void appendHex04Masked(StringBuilder sb, long v, long mask, long full) {
        sb.append("0x").append(String.format(Locale.ROOT, "%04x", v));
        if (mask != full) {
            sb.append("/0x").append(String.format(Locale.ROOT, "%04x", mask));
        }
    }

    static void appendHex128(StringBuilder sb, long hi, long lo) {
        if (hi == 0 && lo == 0) {
            sb.append('0');
        } else if (hi == 0) {
            sb.append("0x").append(Long.toHexString(lo));
        } else {
            String l = Long.toHexString(lo);
            sb.append("0x").append(Long.toHexString(hi)).append("0".repeat(16 - l.length())).append(l);
        }
    }

    static void appendU8(StringBuilder sb, String name, long v, long mask, boolean verbose, boolean hex) {
        appendMasked(sb, name, v, mask, 0xff, verbose, hex);
    }

    static void appendBe16(StringBuilder sb, String name, long v, long mask, boolean verbose, boolean hex) {
        appendMasked(sb, name, v, mask, 0xffff, verbose, hex);
    }

    /** {@code name=v[/mask],} as odp-util prints a numeric field: the mask only when not exact. */
    private static void appendMasked(StringBuilder sb, String name, long v, long mask, long exact, boolean verbose, boolean hex) {
        if (verbose || mask != 0) {
            sb.append(name).append('=');
            if (hex) {
                appendHashX(sb, v);
            } else {
                sb.append(v);
            }
            if (mask != exact) {
                sb.append('/');
                appendHashX(sb, mask);
            }
            sb.append(',');
        }
    }

    static void appendFrag(StringBuilder sb, long v, long mask) {
        // ODP frag is an enumeration: printed only under a non-empty mask, never with one.
        if (mask != 0) {
            sb.append("frag=").append(fragName(v)).append(',');
        }
    }

    static String fragName(long v) {
        if ((v & FlowKey.FRAG_ANY) == 0) {
            return "no";
        }
        return (v & FlowKey.FRAG_LATER) != 0 ? "later" : "first";
    }

    static void appendEth(StringBuilder sb, String name, long v, long mask, boolean verbose) {
        if (verbose || mask != 0) {
            sb.append(name).append('=');
            appendMac(sb, v);
            if (mask != 0xffffffffffffL) {
                sb.append('/');
                appendMac(sb, mask);
            }
            sb.append(',');
        }
    }

    static void appendIpv4(StringBuilder sb, String name, long v, long mask, boolean verbose) {
        if (verbose || mask != 0) {
            sb.append(name).append('=');
            appendIpv4(sb, v);
            if (mask != 0xffffffffL) {
                sb.append('/');
                appendIpv4(sb, mask);
            }
            sb.append(',');
        }
    }

    static void appendIpv6(StringBuilder sb, String name, long hi, long lo, long mhi, long mlo, boolean verbose) {
        if (verbose || mhi != 0 || mlo != 0) {
            sb.append(name).append('=');
            appendIpv6(sb, hi, lo);
            if (mhi != -1L || mlo != -1L) {
                sb.append('/');
                appendIpv6(sb, mhi, mlo);
            }
            sb.append(',');
        }
    }

    /** {@code xx:xx:xx:xx:xx:xx}, lower case. */
    public static void appendMac(StringBuilder sb, long mac) {
        for (int i = 5; i >= 0; i--) {
            int b = (int) (mac >>> (i * 8)) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
    }

    /** Dotted quad. */
    public static void appendIpv4(StringBuilder sb, long addr) {
        sb.append((addr >>> 24) & 0xff).append('.').append((addr >>> 16) & 0xff).append('.')
                .append((addr >>> 8) & 0xff).append('.').append(addr & 0xff);
    }

    /**
     * IPv6 text as glibc {@code inet_ntop} writes it (what OVS prints): the longest run of two
     * or more zero groups becomes {@code ::} (first such run on ties), and {@code ::a.b.c.d} /
     * {@code ::ffff:a.b.c.d} for IPv4-compatible / -mapped addresses.
     */
    public static void appendIpv6(StringBuilder sb, long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLen) {
                if (i == bestStart) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            if (i == 6 && bestStart == 0 && (bestLen == 6 || (bestLen == 5 && g[5] == 0xffff))) {
                appendIpv4(sb, lo & 0xffffffffL);
                break;
            }
            sb.append(Integer.toHexString(g[i]));
        }
        if (bestStart >= 0 && bestStart + bestLen == 8) {
            sb.append(':');
        }
    }

    static final String[] TCP_FLAG_NAMES = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]"};
    static final String[] CT_STATE_NAMES = {"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"};
    static final String[] TUN_FLAG_NAMES = {"oam", "df", "csum", "key"};

    /** OVS format_flags: names joined by {@code del}, lowest bit first; {@code 0} when empty. */
    static void appendFlags(StringBuilder sb, long flags, String[] names, char del) {
        if (flags == 0) {
            sb.append('0');
            return;
        }
        long bad = 0;
        boolean first = true;
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) == 0) {
                continue;
            }
            if (bit < names.length) {
                if (!first) {
                    sb.append(del);
                }
                first = false;
                sb.append(names[bit]);
            } else {
                bad |= 1L << bit;
            }
        }
        if (bad != 0) {
            if (!first) {
                sb.append(del);
            }
            sb.append("0x").append(Long.toHexString(bad));
        }
    }

    /** OVS format_flags_masked: {@code +name-name} over the mask bits, or {@code 0/0}. */
    static void appendFlagsMasked(StringBuilder sb, long flags, long mask, long maxMask, String[] names) {
        if (mask == maxMask) {
            appendFlags(sb, flags, names, '|');
            return;
        }
        if (mask == 0) {
            sb.append("0/0");
            return;
        }
        for (int bit = 0; bit < 64; bit++) {
            if ((mask & (1L << bit)) != 0) {
                sb.append((flags & (1L << bit)) != 0 ? '+' : '-').append(bit < names.length ? names[bit] : "[Unknown]");
            }
        }
    }

    /**
     * The {@code flags:} statistic (OVS packet_format_tcp_flags): tcpdump style letters,
     * e.g. {@code S}, {@code F.}, {@code R.}; {@code none} when zero.
     */
    static void appendTcpFlagsStats(StringBuilder sb, int f) {
        if (f == 0) {
            sb.append("none");
            return;
        }
        if ((f & 0x002) != 0) sb.append('S');
        if ((f & 0x001) != 0) sb.append('F');
        if ((f & 0x008) != 0) sb.append('P');
        if ((f & 0x004) != 0) sb.append('R');
        if ((f & 0x020) != 0) sb.append('U');
        if ((f & 0x010) != 0) sb.append('.');
        if ((f & 0x040) != 0) sb.append('E');
        if ((f & 0x080) != 0) sb.append('C');
        if ((f & 0x100) != 0) sb.append('N');
        if ((f & 0x200) != 0) sb.append("[200]");
        if ((f & 0x400) != 0) sb.append("[400]");
        if ((f & 0x800) != 0) sb.append("[800]");
    }
}
