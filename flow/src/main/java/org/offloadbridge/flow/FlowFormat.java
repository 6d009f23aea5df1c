package org.offloadbridge.flow;

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
 * <p>This class is the public face; the work is split by concern: {@link MatchFormat} (key
 * attributes), {@link ActionsFormat} (action lists) and {@link ValueFormat} (numbers,
 * addresses, flag names).
 *
 * <p>Control-plane code: allocates freely.
 */
public final class FlowFormat {
    private FlowFormat() {}

    /** The fields of the flat key that attribute {@code a} carries (shared array, do not modify). */
    public static Field[] fieldsOf(KeyAttr a) { return MatchFormat.fieldsOf(a); }

    // ---------------------------------------------------------------- whole lines

    /**
     * One dump line: {@code [ufid:…, ]match, packets:…, bytes:…, used:…[, flags:…][,
     * offloaded:…][, dp:…], actions:…[, dp-extra-info:…]}. The ufid, offloaded, dp and
     * dp-extra-info parts print only when {@code verbose}, as in OVS.
     */
    public static String formatFlow(DpFlow f, PortNames names, boolean verbose) {
        StringBuilder sb = new StringBuilder(256);
        appendFlow(sb, f, names, verbose);
        return sb.toString();
    }

    /**
     * {@link #formatFlow}, appended to {@code sb} (no newline): how a dump of many flows writes
     * them, with nothing allocated per line but what the match and actions need.
     */
    public static void appendFlow(StringBuilder sb, DpFlow f, PortNames names, boolean verbose) {
        if (verbose && f.ufid() != null) {
            f.ufid().appendTo(sb).append(", ");
        }
        MatchFormat.appendMatch(sb, f.key(), f.mask(), names, verbose);
        sb.append(", packets:").append(f.packets()).append(", bytes:").append(f.bytes()).append(", used:");
        if (f.usedMillisAgo() < 0) {
            sb.append("never");
        } else {
            long ms = f.usedMillisAgo() % 1000;
            sb.append(f.usedMillisAgo() / 1000).append('.').append(ms < 100 ? ms < 10 ? "00" : "0" : "").append(ms).append('s');
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
        ActionsFormat.appendActions(sb, f.actions(), names);
        if (verbose && f.dpExtraInfo() != null) {
            sb.append(", dp-extra-info:").append(f.dpExtraInfo());
        }
    }

    /** The match part, e.g. {@code recirc_id(0),in_port(2),eth(...),eth_type(0x0800),ipv4(...)}. */
    public static String formatMatch(FlowKey key, FlowMask mask, PortNames names, boolean verbose) {
        StringBuilder sb = new StringBuilder(200);
        MatchFormat.appendMatch(sb, key, mask, names, verbose);
        return sb.toString();
    }

    /** {@link #formatMatch}, appended to {@code sb}. */
    public static void appendMatch(StringBuilder sb, FlowKey key, FlowMask mask, PortNames names, boolean verbose) {
        MatchFormat.appendMatch(sb, key, mask, names, verbose);
    }

    /** {@link #formatActions}, appended to {@code sb}. */
    public static void appendActions(StringBuilder sb, Actions actions, PortNames names) {
        ActionsFormat.appendActions(sb, actions, names);
    }

    /** An IPv4 address (host order, low 32 bits) as a dotted quad. */
    public static String formatIpv4(long addr) {
        StringBuilder sb = new StringBuilder();
        ValueFormat.appendIpv4(sb, addr);
        return sb.toString();
    }

    /** An IPv6 address (two longs, network order) as OVS and inet_ntop write it ({@code fd00:20::1}). */
    public static String formatIpv6(long hi, long lo) {
        StringBuilder sb = new StringBuilder();
        ValueFormat.appendIpv6(sb, hi, lo);
        return sb.toString();
    }

    /** The actions part, e.g. {@code push_vlan(vid=10,pcp=0),3} or {@code drop}. */
    public static String formatActions(Actions actions, PortNames names) {
        StringBuilder sb = new StringBuilder(64);
        ActionsFormat.appendActions(sb, actions, names);
        return sb.toString();
    }

    /** {@code xx:xx:xx:xx:xx:xx}, lower case. */
    public static void appendMac(StringBuilder sb, long mac) { ValueFormat.appendMac(sb, mac); }

    /** Dotted quad. */
    public static void appendIpv4(StringBuilder sb, long addr) { ValueFormat.appendIpv4(sb, addr); }

    /** IPv6 text as glibc {@code inet_ntop} writes it (what OVS prints). */
    public static void appendIpv6(StringBuilder sb, long hi, long lo) { ValueFormat.appendIpv6(sb, hi, lo); }

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
