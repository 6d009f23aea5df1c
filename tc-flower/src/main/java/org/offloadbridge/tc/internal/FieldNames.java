package org.offloadbridge.tc.internal;

import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.KeyAttr;

/**
 * Fields named the way a user wrote them in the datapath flow text ({@code ovs-dpctl} format),
 * for refusal texts: {@code ipv4(dst)} in a match, {@code set(ipv4(dst))} in an action,
 * {@code tunnel(flags)} — not the flat key's internal names ({@code ipv4_dst}, {@code tun_flags}).
 */
final class FieldNames {
    private FieldNames() {}

    /** {@code f} inside a set action of {@code attr}: {@code dst} for {@code set(ipv4(dst=...))}. */
    static String sub(KeyAttr attr, Field f) {
        return switch (f) {
            case ETH_SRC, IPV4_SRC, IPV6_SRC_HI, IPV6_SRC_LO, TP_SRC, TUN_IPV4_SRC -> "src";
            case ETH_DST, IPV4_DST, IPV6_DST_HI, IPV6_DST_LO, TP_DST, TUN_IPV4_DST -> "dst";
            case NW_TOS -> attr == KeyAttr.IPV6 ? "tclass" : "tos";
            case NW_TTL -> attr == KeyAttr.IPV6 ? "hlimit" : "ttl";
            case NW_PROTO -> "proto";
            case NW_FRAG -> "frag";
            case IPV6_LABEL -> "label";
            case VLAN0_VID, VLAN1_VID -> "vid";
            case VLAN0_PCP, VLAN1_PCP -> "pcp";
            case VLAN0_CFI, VLAN1_CFI -> "cfi";
            case VLAN0_TPID, VLAN1_TPID -> "tpid";
            case ICMP_TYPE -> "type";
            case ICMP_CODE -> "code";
            case ARP_SPA -> "sip";
            case ARP_TPA -> "tip";
            case ARP_OP -> "op";
            case ARP_SHA -> "sha";
            case ARP_THA -> "tha";
            case ND_TARGET_HI, ND_TARGET_LO -> "target";
            case ND_SLL -> "sll";
            case ND_TLL -> "tll";
            case TUN_ID -> "tun_id";
            case TUN_IPV6_SRC_HI, TUN_IPV6_SRC_LO -> "ipv6_src";
            case TUN_IPV6_DST_HI, TUN_IPV6_DST_LO -> "ipv6_dst";
            case TUN_TOS -> "tos";
            case TUN_TTL -> "ttl";
            case TUN_TP_SRC -> "tp_src";
            case TUN_TP_DST -> "tp_dst";
            case TUN_FLAGS -> "flags";
            default -> f.ovsName();
        };
    }

    /** {@code set(ipv4(dst))}. */
    static String set(KeyAttr attr, Field f) {
        return "set(" + attr.ovsName() + "(" + sub(attr, f) + "))";
    }

    /**
     * {@code f} as a match attribute: {@code ipv4(dst)}, {@code udp(dst)} (by the flow's
     * nw_proto), {@code vlan(vid)} for the outer tag and {@code encap(vlan(vid))} for the inner
     * one, {@code tunnel(flags)}; metadata fields by their own name ({@code recirc_id}).
     */
    static String match(Field f, FlowKey k, FlowMask m) {
        String l4 = l4Name(k, m);
        return switch (f) {
            case ETH_SRC, ETH_DST -> "eth(" + sub(KeyAttr.ETHERNET, f) + ")";
            case VLAN0_VID, VLAN0_PCP, VLAN0_CFI -> "vlan(" + sub(KeyAttr.VLAN, f) + ")";
            case VLAN1_VID, VLAN1_PCP, VLAN1_CFI -> "encap(vlan(" + sub(KeyAttr.VLAN, f) + "))";
            case VLAN0_TPID -> "eth_type before vlan() (vlan0_tpid, the outer tag's TPID)";
            case VLAN1_TPID -> "eth_type before encap(vlan()) (vlan1_tpid, the inner tag's TPID)";
            case IPV4_SRC, IPV4_DST -> "ipv4(" + sub(KeyAttr.IPV4, f) + ")";
            case IPV6_SRC_HI, IPV6_SRC_LO, IPV6_DST_HI, IPV6_DST_LO, IPV6_LABEL -> "ipv6(" + sub(KeyAttr.IPV6, f) + ")";
            case NW_PROTO, NW_TOS, NW_TTL, NW_FRAG -> {
                KeyAttr a = k.ethType() == EthType.IPV6 && m.get(Field.ETH_TYPE) != 0 ? KeyAttr.IPV6 : KeyAttr.IPV4;
                yield a.ovsName() + "(" + sub(a, f) + ")";
            }
            case TP_SRC, TP_DST -> (l4 == null ? "tcp/udp/sctp" : l4) + "(" + sub(KeyAttr.TCP, f) + ")";
            case TCP_FLAGS -> "tcp_flags";
            case ICMP_TYPE, ICMP_CODE -> ("icmpv6".equals(l4) ? "icmpv6" : "icmp") + "(" + sub(KeyAttr.ICMP, f) + ")";
            case ARP_SPA, ARP_TPA, ARP_OP, ARP_SHA, ARP_THA -> "arp(" + sub(KeyAttr.ARP, f) + ")";
            case ND_TARGET_HI, ND_TARGET_LO, ND_SLL, ND_TLL -> "nd(" + sub(KeyAttr.ND, f) + ")";
            case TUN_ID, TUN_IPV4_SRC, TUN_IPV4_DST, TUN_IPV6_SRC_HI, TUN_IPV6_SRC_LO, TUN_IPV6_DST_HI, TUN_IPV6_DST_LO,
                    TUN_TOS, TUN_TTL, TUN_TP_SRC, TUN_TP_DST, TUN_FLAGS -> "tunnel(" + sub(KeyAttr.TUNNEL, f) + ")";
            default -> f.ovsName();
        };
    }

    /** The L4 attribute name the flow's exact nw_proto selects, or null. */
    private static String l4Name(FlowKey k, FlowMask m) {
        if (m.get(Field.NW_PROTO) != 0xff) {
            return null;
        }
        return switch (k.nwProto()) {
            case IpProto.TCP -> "tcp";
            case IpProto.UDP -> "udp";
            case IpProto.SCTP -> "sctp";
            case IpProto.ICMP -> "icmp";
            case IpProto.ICMPV6 -> "icmpv6";
            default -> null;
        };
    }

    /**
     * What the flow says about the headers a field depends on, only what it matches:
     * {@code eth_type(0x0800),ipv4(proto=6)}, {@code eth_type(0x86dd)} when nw_proto is
     * wildcarded, {@code no eth_type} when that is wildcarded too.
     */
    static String context(FlowKey k, FlowMask m) {
        if (m.get(Field.ETH_TYPE) == 0) {
            return "eth_type wildcarded";
        }
        String s = "eth_type(0x" + String.format("%04x", k.ethType()) + ")";
        if (m.get(Field.NW_PROTO) == 0xff && (k.ethType() == EthType.IP || k.ethType() == EthType.IPV6)) {
            s += "," + (k.ethType() == EthType.IPV6 ? "ipv6" : "ipv4") + "(proto=" + k.nwProto() + ")";
        }
        return s;
    }
}
