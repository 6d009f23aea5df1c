package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.*;

/**
 * The flower match keys we write and read, named as {@code <linux/pkt_cls.h>} names them
 * ({@code TCA_FLOWER_KEY_} dropped): each one key attribute, its mask attribute (none: the
 * key is exact) and its wire form. A {@link FlowerFilter} holds a value and a mask per key.
 *
 * <p>Declared in the order iproute2's {@code tc filter add ... flower} writes them, which is
 * the order {@link FlowerMatchCodec} writes the present ones in; at most one of the
 * TCP/UDP/SCTP and ICMPv4/ICMPv6 groups is present in a filter:
 * <pre>
 *   [num_of_vlans] vlan_id vlan_prio vlan_ethtype cvlan_id cvlan_prio cvlan_ethtype dst_mac src_mac
 *   ip_proto ip_tos ip_ttl src_ip dst_ip src_port dst_port tcp_flags type code
 *   arp_sip arp_tip arp_op arp_sha arp_tha
 *   enc_src_ip enc_dst_ip enc_key_id enc_dst_port enc_tos enc_ttl enc_src_port
 *   TCA_FLOWER_ACT, TCA_FLOWER_FLAGS, then (after the actions) ip_flags and eth_type
 * </pre>
 */
public enum FlowerKey {
    NUM_OF_VLANS(TCA_FLOWER_KEY_NUM_OF_VLANS, 0, Wire.U8),
    VLAN_ID(TCA_FLOWER_KEY_VLAN_ID, 0, Wire.U16),
    VLAN_PRIO(TCA_FLOWER_KEY_VLAN_PRIO, 0, Wire.U8),
    VLAN_ETH_TYPE(TCA_FLOWER_KEY_VLAN_ETH_TYPE, 0, Wire.BE16),
    CVLAN_ID(TCA_FLOWER_KEY_CVLAN_ID, 0, Wire.U16),
    CVLAN_PRIO(TCA_FLOWER_KEY_CVLAN_PRIO, 0, Wire.U8),
    CVLAN_ETH_TYPE(TCA_FLOWER_KEY_CVLAN_ETH_TYPE, 0, Wire.BE16),
    ETH_DST(TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK, Wire.MAC),
    ETH_SRC(TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK, Wire.MAC),
    IP_PROTO(TCA_FLOWER_KEY_IP_PROTO, 0, Wire.U8),
    IP_TOS(TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK, Wire.U8),
    IP_TTL(TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK, Wire.U8),
    IPV4_SRC(TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK, Wire.BE32),
    IPV4_DST(TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK, Wire.BE32),
    IPV6_SRC(TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK, Wire.IN6),
    IPV6_DST(TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK, Wire.IN6),
    TCP_SRC(TCA_FLOWER_KEY_TCP_SRC, TCA_FLOWER_KEY_TCP_SRC_MASK, Wire.BE16),
    TCP_DST(TCA_FLOWER_KEY_TCP_DST, TCA_FLOWER_KEY_TCP_DST_MASK, Wire.BE16),
    TCP_FLAGS(TCA_FLOWER_KEY_TCP_FLAGS, TCA_FLOWER_KEY_TCP_FLAGS_MASK, Wire.BE16),
    UDP_SRC(TCA_FLOWER_KEY_UDP_SRC, TCA_FLOWER_KEY_UDP_SRC_MASK, Wire.BE16),
    UDP_DST(TCA_FLOWER_KEY_UDP_DST, TCA_FLOWER_KEY_UDP_DST_MASK, Wire.BE16),
    SCTP_SRC(TCA_FLOWER_KEY_SCTP_SRC, TCA_FLOWER_KEY_SCTP_SRC_MASK, Wire.BE16),
    SCTP_DST(TCA_FLOWER_KEY_SCTP_DST, TCA_FLOWER_KEY_SCTP_DST_MASK, Wire.BE16),
    ICMPV4_TYPE(TCA_FLOWER_KEY_ICMPV4_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE_MASK, Wire.U8),
    ICMPV4_CODE(TCA_FLOWER_KEY_ICMPV4_CODE, TCA_FLOWER_KEY_ICMPV4_CODE_MASK, Wire.U8),
    ICMPV6_TYPE(TCA_FLOWER_KEY_ICMPV6_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE_MASK, Wire.U8),
    ICMPV6_CODE(TCA_FLOWER_KEY_ICMPV6_CODE, TCA_FLOWER_KEY_ICMPV6_CODE_MASK, Wire.U8),
    ARP_SIP(TCA_FLOWER_KEY_ARP_SIP, TCA_FLOWER_KEY_ARP_SIP_MASK, Wire.BE32),
    ARP_TIP(TCA_FLOWER_KEY_ARP_TIP, TCA_FLOWER_KEY_ARP_TIP_MASK, Wire.BE32),
    ARP_OP(TCA_FLOWER_KEY_ARP_OP, TCA_FLOWER_KEY_ARP_OP_MASK, Wire.U8),
    ARP_SHA(TCA_FLOWER_KEY_ARP_SHA, TCA_FLOWER_KEY_ARP_SHA_MASK, Wire.MAC),
    ARP_THA(TCA_FLOWER_KEY_ARP_THA, TCA_FLOWER_KEY_ARP_THA_MASK, Wire.MAC),
    ENC_IPV4_SRC(TCA_FLOWER_KEY_ENC_IPV4_SRC, TCA_FLOWER_KEY_ENC_IPV4_SRC_MASK, Wire.BE32),
    ENC_IPV4_DST(TCA_FLOWER_KEY_ENC_IPV4_DST, TCA_FLOWER_KEY_ENC_IPV4_DST_MASK, Wire.BE32),
    ENC_IPV6_SRC(TCA_FLOWER_KEY_ENC_IPV6_SRC, TCA_FLOWER_KEY_ENC_IPV6_SRC_MASK, Wire.IN6),
    ENC_IPV6_DST(TCA_FLOWER_KEY_ENC_IPV6_DST, TCA_FLOWER_KEY_ENC_IPV6_DST_MASK, Wire.IN6),
    ENC_KEY_ID(TCA_FLOWER_KEY_ENC_KEY_ID, 0, Wire.BE32),
    /** iproute2 sends the mask only when it is not exact; absent, the kernel takes it as exact. */
    ENC_UDP_DST_PORT(TCA_FLOWER_KEY_ENC_UDP_DST_PORT, TCA_FLOWER_KEY_ENC_UDP_DST_PORT_MASK, Wire.BE16),
    ENC_IP_TOS(TCA_FLOWER_KEY_ENC_IP_TOS, TCA_FLOWER_KEY_ENC_IP_TOS_MASK, Wire.U8),
    ENC_IP_TTL(TCA_FLOWER_KEY_ENC_IP_TTL, TCA_FLOWER_KEY_ENC_IP_TTL_MASK, Wire.U8),
    ENC_UDP_SRC_PORT(TCA_FLOWER_KEY_ENC_UDP_SRC_PORT, TCA_FLOWER_KEY_ENC_UDP_SRC_PORT_MASK, Wire.BE16),
    /** ip_flags (frag, firstfrag): written after the actions, as iproute2 does. */
    FLAGS(TCA_FLOWER_KEY_FLAGS, TCA_FLOWER_KEY_FLAGS_MASK, Wire.BE32),
    /** The same ethertype as the filter protocol, unless that is all: written last. */
    ETH_TYPE(TCA_FLOWER_KEY_ETH_TYPE, 0, Wire.BE16);

    /** How a key's value (and mask) sits in its attribute; {@code full} is the exact mask. */
    enum Wire {
        U8(0xffL), U16(0xffffL), BE16(0xffffL), BE32(0xffffffffL), MAC(0xffffffffffffL), IN6(-1L);

        final long full;

        Wire(long full) {
            this.full = full;
        }
    }

    static final FlowerKey[] ALL = values();

    final int keyAttr;
    /** 0: flower has no mask for this key. */
    final int maskAttr;
    final Wire wire;

    FlowerKey(int keyAttr, int maskAttr, Wire wire) {
        this.keyAttr = keyAttr;
        this.maskAttr = maskAttr;
        this.wire = wire;
    }

    /** True for the keys iproute2 writes after {@code TCA_FLOWER_ACT} and {@code TCA_FLOWER_FLAGS}. */
    boolean afterActions() {
        return this == FLAGS || this == ETH_TYPE;
    }

    /** True when the mask attribute is left out for an exact mask (iproute2's enc_dst_port). */
    boolean omitsExactMask() {
        return this == ENC_UDP_DST_PORT;
    }

    /** True for the tunnel (enc_*) keys: a filter with one decapsulates (see {@link FlowerFilter#matchesTunnel}). */
    boolean isTunnel() {
        return ordinal() >= ENC_IPV4_SRC.ordinal() && ordinal() <= ENC_UDP_SRC_PORT.ordinal();
    }
}
