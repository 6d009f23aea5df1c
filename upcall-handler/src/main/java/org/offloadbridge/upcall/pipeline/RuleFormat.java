package org.offloadbridge.upcall.pipeline;

import java.util.List;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.IpProto;

/**
 * Rules printed as {@code ovs-ofctl --names dump-flows} prints flows (Open vSwitch 3.1's
 * {@code ofputil_flow_stats_format}, {@code match_format} and {@code ofpacts_format}), so that
 * scripts reading OVS's output read ours:
 *
 * <pre>
 *  cookie=0x0, duration=12.345s, table=0, n_packets=3, n_bytes=294, priority=10,in_port=p1 actions=output:p2
 * </pre>
 *
 * <p>The match part follows OVS's field order: the protocol shorthand ({@code ip}, {@code tcp},
 * {@code udp6}, {@code arp}, ...) first, then tunnel fields, {@code in_port}, VLAN, Ethernet
 * addresses, {@code dl_type} (when no shorthand said it), L3 addresses, {@code nw_proto},
 * ToS/ECN/TTL, {@code nw_frag}, L4 ports or ICMP type and code, {@code tcp_flags}; priority
 * first unless it is the default 32768. Values as OVS writes them: ports by name, CIDR masks as
 * {@code /24}, other masks spelled out, IPv6 compressed.
 *
 * <p>Actions: output to a port is {@code output:NAME}; reserved ports in capitals
 * ({@code NORMAL}, {@code FLOOD}, {@code ALL}, {@code IN_PORT}, {@code CONTROLLER:65535}); no
 * action is {@code drop}. A field set prints as OVS's OpenFlow 1.0 dump prints it, whichever way
 * it was written: {@code mod_nw_dst:}, {@code mod_dl_src:}, {@code mod_tp_dst:} where OpenFlow 1.0
 * has the action, {@code set_field:VALUE->FIELD} otherwise; {@code goto_table:N} prints as
 * {@code resubmit(,N)}, as OVS's does.
 * Not printed, because rules here have none: {@code idle_age}, {@code hard_age}, timeouts,
 * flags, importance. Ours: {@code offload=required|never} (not the default {@code preferred})
 * after {@code n_bytes}, where OVS prints a flow's {@code importance=}.
 */
public final class RuleFormat {
    private RuleFormat() {
    }

    /**
     * The whole dump-flows line of {@code r}, with its counters and age at {@code nowMillis}
     * (the pipeline's clock); a leading blank, as ovs-ofctl prints it.
     */
    public static String dumpLine(Rule r, PortTable ports, long nowMillis) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(" cookie=0x").append(Long.toHexString(r.cookie())).append(", duration=");
        appendDuration(sb, Math.max(0, nowMillis - r.stats().addedMillis()));
        sb.append(", table=").append(r.table()).append(", n_packets=").append(r.stats().packets()).append(", n_bytes=")
            .append(r.stats().bytes()).append(", ");
        appendOffload(sb, r);
        appendMatchAndActions(sb, r, ports);
        return sb.toString();
    }

    /** The rule without counters, as {@code ovs-ofctl --names --no-stats dump-flows} prints it (a leading blank too). */
    public static String noStats(Rule r, PortTable ports) {
        StringBuilder sb = new StringBuilder(96).append(' ');
        if (r.cookie() != 0) {
            sb.append("cookie=0x").append(Long.toHexString(r.cookie())).append(", ");
        }
        if (r.table() != 0) {
            sb.append("table=").append(r.table()).append(", ");
        }
        appendOffload(sb, r);
        appendMatchAndActions(sb, r, ports);
        return sb.toString();
    }

    /** OVS's {@code ofp_print_duration} for a millisecond clock: {@code 12.345s}, {@code 5s}. */
    static void appendDuration(StringBuilder sb, long millis) {
        sb.append(millis / 1000);
        if (millis % 1000 != 0) {
            sb.append('.').append(String.format(java.util.Locale.ROOT, "%03d", millis % 1000));
        }
        sb.append('s');
    }

    private static void appendMatchAndActions(StringBuilder sb, Rule r, PortTable ports) {
        int start = sb.length();
        appendMatch(sb, r.match(), r.priority(), ports);
        if (sb.length() != start) {
            sb.append(' ');
        }
        sb.append("actions=");
        appendActions(sb, r.actions(), ports);
    }

    /**
     * Ours, not OVS's: {@code offload=} other than preferred, in the slot OVS gives a flow's
     * own attributes ({@code importance=}), before the match, so "actions=" stays last.
     */
    private static void appendOffload(StringBuilder sb, Rule r) {
        if (r.offload() != org.offloadbridge.flow.OffloadPreference.PREFERRED) {
            sb.append("offload=").append(r.offload().text()).append(", ");
        }
        if (r.critical()) {
            sb.append("offload_class=critical, ");
        }
    }

    /** OVS's {@code match_format}: the match with the priority first unless it is 32768. */
    public static String match(Match m, int priority, PortTable ports) {
        StringBuilder sb = new StringBuilder(64);
        appendMatch(sb, m, priority, ports);
        return sb.toString();
    }

    static void appendMatch(StringBuilder sb, Match m, int priority, PortTable ports) {
        int start = sb.length();
        if (priority != Rule.DEFAULT_PRIORITY) {
            sb.append("priority=").append(priority).append(',');
        }
        long dlType = m.isExact(MatchField.DL_TYPE) ? m.value(MatchField.DL_TYPE) : -1;
        boolean protoExact = m.isExact(MatchField.NW_PROTO);
        long proto = m.value(MatchField.NW_PROTO);
        boolean skipType = false;
        boolean skipProto = false;
        if (m.isSet(MatchField.DL_TYPE)) {
            skipType = true;
            if (dlType == EthType.IP || dlType == EthType.IPV6) {
                boolean v6 = dlType == EthType.IPV6;
                String s = protoExact ? shorthand(v6, (int) proto) : null;
                skipProto = s != null;
                sb.append(s != null ? s : v6 ? "ipv6" : "ip").append(',');
            } else if (dlType == EthType.ARP) {
                sb.append("arp,");
            } else if (dlType == EthType.RARP) {
                sb.append("rarp,");
            } else {
                skipType = false;
            }
        }
        if (m.isSet(MatchField.TUN_ID)) {
            sb.append("tun_id=").append(hash0x(m.value(MatchField.TUN_ID)));
            if (!m.isExact(MatchField.TUN_ID)) {
                sb.append('/').append(hash0x(m.mask(MatchField.TUN_ID)));
            }
            sb.append(',');
        }
        ipv4(sb, "tun_src", m, MatchField.TUN_SRC);
        ipv4(sb, "tun_dst", m, MatchField.TUN_DST);
        if (m.isSet(MatchField.TUN_TOS)) {
            sb.append("tun_tos=").append(m.value(MatchField.TUN_TOS)).append(',');
        }
        if (m.isSet(MatchField.TUN_TTL)) {
            sb.append("tun_ttl=").append(m.value(MatchField.TUN_TTL)).append(',');
        }
        if (m.isSet(MatchField.TUN_FLAGS)) {
            sb.append(m.value(MatchField.TUN_FLAGS) != 0 ? "tun_flags=+oam," : "tun_flags=-oam,"); // as ovs-ofctl prints it
        }
        if (m.isSet(MatchField.IN_PORT)) {
            sb.append("in_port=").append(port(ports, (int) m.value(MatchField.IN_PORT))).append(',');
        }
        if (m.isSet(MatchField.VLAN_TCI)) {
            long tci = m.value(MatchField.VLAN_TCI);
            long mask = m.mask(MatchField.VLAN_TCI);
            long vid = mask & 0x0fff;
            long pcp = mask & 0xe000;
            boolean cfi = (mask & 0x1000) != 0;
            if (cfi && (tci & 0x1000) != 0 && (vid == 0 || vid == 0x0fff) && (pcp == 0 || pcp == 0xe000) && (vid != 0 || pcp != 0)) {
                if (vid != 0) {
                    sb.append("dl_vlan=").append(tci & 0x0fff).append(',');
                }
                if (pcp != 0) {
                    sb.append("dl_vlan_pcp=").append(tci >>> 13).append(',');
                }
            } else if (mask == 0xffff) {
                sb.append("vlan_tci=").append(String.format("0x%04x", tci)).append(',');
            } else {
                sb.append("vlan_tci=").append(String.format("0x%04x/0x%04x", tci, mask)).append(',');
            }
        }
        eth(sb, "dl_src", m, MatchField.DL_SRC);
        eth(sb, "dl_dst", m, MatchField.DL_DST);
        if (!skipType && m.isSet(MatchField.DL_TYPE)) {
            sb.append("dl_type=").append(String.format("0x%04x", m.value(MatchField.DL_TYPE))).append(',');
        }
        if (dlType == EthType.IPV6) {
            ipv6(sb, "ipv6_src", m, MatchField.IPV6_SRC);
            ipv6(sb, "ipv6_dst", m, MatchField.IPV6_DST);
            if (m.isSet(MatchField.IPV6_LABEL)) {
                sb.append("ipv6_label=").append(String.format("0x%05x", m.value(MatchField.IPV6_LABEL)));
                if (!m.isExact(MatchField.IPV6_LABEL)) {
                    sb.append(String.format("/0x%05x", m.mask(MatchField.IPV6_LABEL)));
                }
                sb.append(',');
            }
        } else if (dlType == EthType.ARP || dlType == EthType.RARP) {
            ipv4(sb, "arp_spa", m, MatchField.ARP_SPA);
            ipv4(sb, "arp_tpa", m, MatchField.ARP_TPA);
        } else {
            ipv4(sb, "nw_src", m, MatchField.NW_SRC);
            ipv4(sb, "nw_dst", m, MatchField.NW_DST);
        }
        if (!skipProto && m.isSet(MatchField.NW_PROTO)) {
            sb.append("nw_proto=").append(proto).append(',');
        }
        if (m.isSet(MatchField.ARP_OP)) {
            sb.append("arp_op=").append(m.value(MatchField.ARP_OP)).append(',');
        }
        eth(sb, "arp_sha", m, MatchField.ARP_SHA);
        eth(sb, "arp_tha", m, MatchField.ARP_THA);
        if (m.isSet(MatchField.NW_TOS)) {
            sb.append("nw_tos=").append(m.value(MatchField.NW_TOS)).append(',');
        }
        if (m.isSet(MatchField.NW_ECN)) {
            sb.append("nw_ecn=").append(m.value(MatchField.NW_ECN)).append(',');
        }
        if (m.isSet(MatchField.NW_TTL)) {
            sb.append("nw_ttl=").append(m.value(MatchField.NW_TTL)).append(',');
        }
        if (m.isSet(MatchField.NW_FRAG)) {
            long v = m.value(MatchField.NW_FRAG);
            String frag = switch ((int) m.mask(MatchField.NW_FRAG)) {
                case 3 -> (v & 1) != 0 ? ((v & 2) != 0 ? "later" : "first") : ((v & 2) != 0 ? "<error>" : "no");
                case 1 -> (v & 1) != 0 ? "yes" : "no";
                default -> (v & 2) != 0 ? "later" : "not_later";
            };
            sb.append("nw_frag=").append(frag).append(',');
        }
        be16(sb, "icmp_type", m, MatchField.ICMP_TYPE);
        be16(sb, "icmp_code", m, MatchField.ICMP_CODE);
        be16(sb, "tp_src", m, MatchField.TP_SRC);
        be16(sb, "tp_dst", m, MatchField.TP_DST);
        if (m.isSet(MatchField.TCP_FLAGS)) {
            sb.append("tcp_flags=");
            tcpFlags(sb, m.value(MatchField.TCP_FLAGS), m.mask(MatchField.TCP_FLAGS));
            sb.append(',');
        }
        if (sb.length() > start && sb.charAt(sb.length() - 1) == ',') {
            sb.setLength(sb.length() - 1);
        }
    }

    /** OVS's name for IP protocol {@code proto} over IPv4 or IPv6 ({@code tcp}, {@code udp6}, ...), or null. */
    private static String shorthand(boolean v6, int proto) {
        String base = switch (proto) {
            case IpProto.TCP -> "tcp";
            case IpProto.UDP -> "udp";
            case IpProto.SCTP -> "sctp";
            case IpProto.ICMP -> v6 ? null : "icmp";
            case IpProto.ICMPV6 -> v6 ? "icmp" : null;
            default -> null;
        };
        return base == null ? null : v6 ? base + "6" : base;
    }

    /** C's {@code %#x}: {@code 0x}-prefixed hex, except zero, which is {@code 0}. */
    private static String hash0x(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    private static String port(PortTable ports, int ofPort) {
        BridgePort p = ports == null ? null : ports.byOfPort(ofPort);
        return p != null ? p.name() : Integer.toString(ofPort);
    }

    private static void ipv4(StringBuilder sb, String name, Match m, MatchField f) {
        if (!m.isSet(f)) {
            return;
        }
        sb.append(name).append('=').append(Values.formatIpv4(m.value(f)));
        if (!m.isExact(f)) {
            int plen = m.prefixLength(f);
            sb.append('/').append(plen >= 0 ? Integer.toString(plen) : Values.formatIpv4(m.mask(f)));
        }
        sb.append(',');
    }

    private static void ipv6(StringBuilder sb, String name, Match m, MatchField f) {
        if (!m.isSet(f)) {
            return;
        }
        sb.append(name).append('=').append(ipv6Text(m.valueHi(f), m.value(f)));
        if (!m.isExact(f)) {
            int plen = m.prefixLength(f);
            sb.append('/').append(plen >= 0 ? Integer.toString(plen) : ipv6Text(m.maskHi(f), m.mask(f)));
        }
        sb.append(',');
    }

    private static void eth(StringBuilder sb, String name, Match m, MatchField f) {
        if (!m.isSet(f)) {
            return;
        }
        sb.append(name).append('=').append(Values.formatMac(m.value(f)));
        if (!m.isExact(f)) {
            sb.append('/').append(Values.formatMac(m.mask(f)));
        }
        sb.append(',');
    }

    private static void be16(StringBuilder sb, String name, Match m, MatchField f) {
        if (!m.isSet(f)) {
            return;
        }
        sb.append(name).append('=');
        if (m.mask(f) == 0xffff || m.isExact(f)) {
            sb.append(m.value(f));
        } else {
            sb.append("0x").append(Long.toHexString(m.value(f))).append("/0x").append(Long.toHexString(m.mask(f)));
        }
        sb.append(',');
    }

    /** OVS's {@code format_flags_masked} over {@code packet_tcp_flag_to_string}. */
    private static void tcpFlags(StringBuilder sb, long flags, long mask) {
        if (mask == 0xfff) {
            if (flags == 0) {
                sb.append('0');
                return;
            }
            boolean first = true;
            for (int bit = 0; bit < 12; bit++) {
                if ((flags & (1L << bit)) != 0) {
                    sb.append(first ? "" : "|").append(Values.TCP_FLAG_NAMES[bit]);
                    first = false;
                }
            }
            return;
        }
        for (int bit = 0; bit < 12; bit++) {
            if ((mask & (1L << bit)) != 0) {
                sb.append((flags & (1L << bit)) != 0 ? '+' : '-').append(Values.TCP_FLAG_NAMES[bit]);
            }
        }
    }

    /** An IPv6 address as OVS prints it (inet_ntop: RFC 5952 with the IPv4 forms), the flow library's formatter. */
    static String ipv6Text(long hi, long lo) {
        StringBuilder sb = new StringBuilder(39);
        FlowFormat.appendIpv6(sb, hi, lo);
        return sb.toString();
    }

    /**
     * A field set as OVS's OpenFlow 1.0 dump prints it: the OpenFlow 1.0 action where the field
     * has one ({@code mod_dl_dst:}, {@code mod_nw_src:}, {@code mod_tp_dst:}, {@code mod_nw_tos:}),
     * the tunnel id as an NXM load, anything else as {@code set_field:V[/M]->F}.
     */
    private static void setField(StringBuilder sb, OfAction.SetField s) {
        MatchField f = s.field();
        boolean exact = s.mask() == f.fullMaskLo() && s.maskHi() == f.fullMaskHi();
        if (exact) {
            switch (f) {
                case DL_SRC, DL_DST -> {
                    sb.append(f == MatchField.DL_SRC ? "mod_dl_src:" : "mod_dl_dst:").append(Values.formatMac(s.value()));
                    return;
                }
                case NW_SRC, NW_DST -> {
                    sb.append(f == MatchField.NW_SRC ? "mod_nw_src:" : "mod_nw_dst:").append(Values.formatIpv4(s.value()));
                    return;
                }
                case TUN_ID -> {
                    sb.append("load:").append(hash0x(s.value())).append("->NXM_NX_TUN_ID[]");
                    return;
                }
                default -> { }
            }
        }
        sb.append(s); // mod_tp_*, mod_nw_tos, set_field:V->F, as the rule model prints them
    }

    /** The actions as OVS's {@code ofpacts_format} prints them; none is {@code drop}. */
    public static String actions(List<OfAction> actions, PortTable ports) {
        StringBuilder sb = new StringBuilder(32);
        appendActions(sb, actions, ports);
        return sb.toString();
    }

    static void appendActions(StringBuilder sb, List<OfAction> actions, PortTable ports) {
        if (actions.isEmpty()) {
            sb.append("drop");
            return;
        }
        for (int i = 0; i < actions.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            switch (actions.get(i)) {
                case OfAction.Output o -> sb.append("output:").append(port(ports, o.ofPort()));
                case OfAction.InPort p -> sb.append("IN_PORT");
                case OfAction.Normal n -> sb.append("NORMAL");
                case OfAction.Flood f -> sb.append("FLOOD");
                case OfAction.All a -> sb.append("ALL");
                case OfAction.Controller c -> sb.append("CONTROLLER:").append(c.maxLen());
                case OfAction.Resubmit r -> {
                    if (r.ofPort() >= 0 && r.table() < 0) {
                        sb.append("resubmit:").append(port(ports, r.ofPort()));
                    } else {
                        sb.append("resubmit(").append(r.ofPort() < 0 ? "" : port(ports, r.ofPort())).append(',')
                            .append(r.table() < 0 ? "" : Integer.toString(r.table())).append(')');
                    }
                }
                case OfAction.SetTunnel t -> sb.append(t.wide() || t.tunId() > 0xffffffffL ? "set_tunnel64:" : "set_tunnel:")
                    .append(hash0x(t.tunId()));
                case OfAction.SetField s -> setField(sb, s);
                case OfAction.GotoTable g -> sb.append("resubmit(,").append(g.table()).append(')'); // OVS's OpenFlow 1.0 dump
                default -> sb.append(actions.get(i)); // mod_vlan_vid:, mod_vlan_pcp:, strip_vlan, push_vlan:, dec_ttl
            }
        }
    }
}
