package org.offloadbridge.flow;

import static org.offloadbridge.flow.Field.*;

import java.util.Locale;

/**
 * Refuses a parsed match whose layers contradict each other ({@code ipv4(proto=17),tcp(dst=80)},
 * {@code eth_type(0x86dd),ipv4(…)}): no packet matches both, and the kernel's
 * {@code match_validate} (net/openvswitch/flow_netlink.c) refuses such keys ("Unexpected key"),
 * or a layer that does not look at the key would read it as the wrong protocol (a "TCP" filter
 * installed as UDP).
 *
 * <p>A layer contradicts another when the other matches (mask ≠ 0) a value the layer cannot
 * have, compared under the mask: eth_type for ipv4/ipv6/arp (and, with no L3 attribute, for
 * tcp/udp/…, which need IPv4 or IPv6), the IP protocol for tcp/udp/sctp/icmp/icmpv6/tcp_flags/nd,
 * frag=later for any L4 attribute, the ICMPv6 type and code for nd; and at most one network and
 * one transport attribute. A layer whose lower layer is simply not given is no contradiction:
 * partial matches stay readable.
 */
final class LayerCheck {
    private final TextCursor t;
    /** 1-based column of each attribute (by id) in the text, 0 = not given. */
    private final int[] column;

    LayerCheck(TextCursor t, int[] column) {
        this.t = t;
        this.column = column;
    }

    private boolean given(KeyAttr a) {
        return column[a.id()] != 0;
    }

    /** True when {@code f} is matched and its masked value is none of {@code allowed}. */
    private static boolean contradicts(FlowKey key, FlowMask mask, Field f, long... allowed) {
        long m = mask.get(f);
        if (m == 0) {
            return false;
        }
        long v = key.get(f) & m;
        for (long a : allowed) {
            if (v == (a & m)) {
                return false;
            }
        }
        return true;
    }

    private static final KeyAttr[] L3 = {KeyAttr.IPV4, KeyAttr.IPV6, KeyAttr.ARP};
    private static final KeyAttr[] L4 = {KeyAttr.TCP, KeyAttr.UDP, KeyAttr.SCTP, KeyAttr.ICMP, KeyAttr.ICMPV6};

    void check(FlowKey key, FlowMask mask) {
        KeyAttr l3 = null;
        for (KeyAttr a : L3) {
            if (given(a)) {
                if (l3 != null) {
                    throw layerError(a, a.ovsName() + "(..) and " + l3.ovsName() + "(..) in one match: a packet has one network header");
                }
                l3 = a;
            }
        }
        if (l3 != null) {
            long[] want = switch (l3) {
                case IPV4 -> new long[] {EthType.IP};
                case IPV6 -> new long[] {EthType.IPV6};
                default -> new long[] {EthType.ARP, EthType.RARP};
            };
            if (contradicts(key, mask, ETH_TYPE, want)) {
                throw layerError(l3, l3.ovsName() + "(..) contradicts " + ethType(key, mask) + ": " + l3.ovsName()
                        + "(..) needs eth_type(" + hex04(want[0]) + (want.length > 1 ? ") or eth_type(" + hex04(want[1]) : "") + ")");
            }
        }
        KeyAttr l4 = null;
        for (KeyAttr a : L4) {
            if (given(a)) {
                if (l4 != null) {
                    throw layerError(a, a.ovsName() + "(..) and " + l4.ovsName() + "(..) in one match: a packet has one transport header");
                }
                l4 = a;
            }
        }
        if (given(KeyAttr.TCP_FLAGS) && l4 != null && l4 != KeyAttr.TCP) {
            throw layerError(KeyAttr.TCP_FLAGS, "tcp_flags(..) with " + l4.ovsName() + "(..): TCP flags need tcp");
        }
        if (given(KeyAttr.ND) && given(KeyAttr.TCP_FLAGS)) {
            throw layerError(KeyAttr.ND, "nd(..) with tcp_flags(..): neighbour discovery is ICMPv6, not TCP");
        }
        if (given(KeyAttr.ND) && l4 != null && l4 != KeyAttr.ICMPV6) {
            throw layerError(KeyAttr.ND, "nd(..) with " + l4.ovsName() + "(..): neighbour discovery is ICMPv6");
        }
        KeyAttr upper = l4 != null ? l4 : given(KeyAttr.TCP_FLAGS) ? KeyAttr.TCP_FLAGS : given(KeyAttr.ND) ? KeyAttr.ND : null;
        if (upper == null) {
            return;
        }
        String what = upper.ovsName() + "(..)";
        long proto = switch (upper) {
            case TCP, TCP_FLAGS -> IpProto.TCP;
            case UDP -> IpProto.UDP;
            case SCTP -> IpProto.SCTP;
            case ICMP -> IpProto.ICMP;
            default -> IpProto.ICMPV6;
        };
        boolean v4Only = upper == KeyAttr.ICMP;
        boolean v6Only = upper == KeyAttr.ICMPV6 || upper == KeyAttr.ND;
        if (l3 == KeyAttr.ARP || (v4Only && l3 == KeyAttr.IPV6) || (v6Only && l3 == KeyAttr.IPV4)) {
            throw layerError(upper, what + " contradicts " + l3.ovsName() + "(..)"
                    + (l3 == KeyAttr.ARP ? ": ARP carries no transport header"
                            : v4Only ? ": ICMP over IPv6 is icmpv6(..)" : ": " + upper.ovsName() + "(..) needs ipv6(..)"));
        }
        long[] ethTypes = v4Only ? new long[] {EthType.IP} : v6Only ? new long[] {EthType.IPV6} : new long[] {EthType.IP, EthType.IPV6};
        if (l3 == null && contradicts(key, mask, ETH_TYPE, ethTypes)) {
            throw layerError(upper, what + " contradicts " + ethType(key, mask) + ": " + what + " needs "
                    + (ethTypes.length == 1 ? "eth_type(" + hex04(ethTypes[0]) + ")" : "IPv4 or IPv6"));
        }
        if (contradicts(key, mask, NW_PROTO, proto)) {
            throw layerError(upper, what + " contradicts proto=" + (key.get(NW_PROTO) & mask.get(NW_PROTO))
                    + (l3 != null ? " of " + l3.ovsName() + "(..)" : "") + ": " + what + " needs proto=" + proto);
        }
        if (mask.get(NW_FRAG) == NW_FRAG.valueMask() && key.get(NW_FRAG) == FlowKey.FRAG_LATER_FRAGMENT) {
            throw layerError(upper, what + " with frag=later: a later fragment carries no transport header");
        }
        if (given(KeyAttr.ND) && l4 == KeyAttr.ICMPV6) {
            // the kernel's match_validate: nd only for neighbour solicitation / advertisement, code 0
            if (contradicts(key, mask, ICMP_TYPE, 135, 136) || contradicts(key, mask, ICMP_CODE, 0)) {
                throw layerError(KeyAttr.ND, "nd(..) contradicts icmpv6(type=" + (key.get(ICMP_TYPE) & mask.get(ICMP_TYPE))
                        + ",code=" + (key.get(ICMP_CODE) & mask.get(ICMP_CODE)) + "): nd needs type=135 or 136, code=0");
            }
        }
    }

    private FlowParseException layerError(KeyAttr a, String message) {
        return t.error(column[a.id()], message);
    }

    private static String ethType(FlowKey key, FlowMask mask) {
        long m = mask.get(ETH_TYPE);
        return "eth_type(" + hex04(key.get(ETH_TYPE)) + (m == 0xffff ? "" : "/" + hex04(m)) + ")";
    }

    static String hex04(long v) {
        return String.format(Locale.ROOT, "0x%04x", v);
    }
}
