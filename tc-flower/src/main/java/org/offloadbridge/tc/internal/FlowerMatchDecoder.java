package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT;

import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.IpProto;

/**
 * A {@link FlowerFilter}'s keys → a megaflow match, in the canonical form
 * {@link FlowerDecoder} describes (what the filter really matches, written the way
 * {@link FlowMask#setDatapathBaseline} writes it). The inverse of {@link FlowerMatchEncoder};
 * apart from the actions' decoding because the canonical-form rules (tag presence, "no second
 * tag", fragment states) are about the match alone.
 *
 * <p>Keys that don't belong to the filter's protocol (a TCP port under protocol arp) are not
 * looked at, as flower doesn't either. Control plane only; stateless.
 */
final class FlowerMatchDecoder {
    // Per tag (0 outer, 1 inner): its fields, and flower's keys for its id and priority.
    private static final Field[] TAG_CFI = {Field.VLAN0_CFI, Field.VLAN1_CFI};
    private static final Field[] TAG_TPID = {Field.VLAN0_TPID, Field.VLAN1_TPID};
    private static final Field[] TAG_VID = {Field.VLAN0_VID, Field.VLAN1_VID};
    private static final Field[] TAG_PCP = {Field.VLAN0_PCP, Field.VLAN1_PCP};
    private static final FlowerKey[] TAG_VID_KEY = {FlowerKey.VLAN_ID, FlowerKey.CVLAN_ID};
    private static final FlowerKey[] TAG_PRIO_KEY = {FlowerKey.VLAN_PRIO, FlowerKey.CVLAN_PRIO};

    private FlowerMatchDecoder() {}

    /**
     * Adds {@code f}'s match to {@code k}/{@code m} (which hold in_port and recirc_id already).
     *
     * @throws FlowerDecoder.NotOurs for a match with no megaflow form
     */
    static void decode(FlowerFilter f, FlowKey k, FlowMask m) {
        int protocol = f.protocol();
        int inner = 0;
        if (EthType.isVlan(protocol)) {
            tag(f, 0, protocol, k, m);
            int vet = (int) f.key(FlowerKey.VLAN_ETH_TYPE); // 0 when absent
            if (vet != 0 && !EthType.isVlan(vet)) {
                noTag(1, k, m); // one tag, then a non-TPID ethertype: there is no second tag
            }
            if (EthType.isVlan(vet)) {
                tag(f, 1, vet, k, m);
                inner = (int) f.key(FlowerKey.CVLAN_ETH_TYPE);
            } else {
                inner = vet;
            }
            int et = f.has(FlowerKey.ETH_TYPE) ? (int) f.key(FlowerKey.ETH_TYPE) : 0;
            if (inner == 0 && et != 0 && !EthType.isVlan(et)) {
                // The inner ethertype given as the filter's eth_type: still one tag, then no
                // second one — the same megaflow as with vlan_ethtype, which is how the encoder
                // writes it back (found by fuzzing: the decode was not a fixed point).
                inner = et;
                noTag(1, k, m);
            }
        } else if (protocol != EthType.ALL) {
            noTag(0, k, m);
            inner = protocol;
        } else if (f.has(FlowerKey.NUM_OF_VLANS)) {
            if (f.key(FlowerKey.NUM_OF_VLANS) != 0) {
                throw new FlowerDecoder.NotOurs("num_of_vlans " + f.key(FlowerKey.NUM_OF_VLANS) + " with protocol all");
            }
            noTag(0, k, m);
        }
        if (inner != 0) {
            set(k, m, Field.ETH_TYPE, inner, 0xffff);
        }
        keyMask(f, FlowerKey.ETH_DST, k, m, Field.ETH_DST);
        keyMask(f, FlowerKey.ETH_SRC, k, m, Field.ETH_SRC);
        if (inner == EthType.IP || inner == EthType.IPV6) {
            int proto = -1;
            if (f.has(FlowerKey.IP_PROTO)) {
                proto = (int) f.key(FlowerKey.IP_PROTO);
                set(k, m, Field.NW_PROTO, proto, 0xff);
            }
            keyMask(f, FlowerKey.IP_TOS, k, m, Field.NW_TOS);
            keyMask(f, FlowerKey.IP_TTL, k, m, Field.NW_TTL);
            if (inner == EthType.IP) {
                keyMask(f, FlowerKey.IPV4_SRC, k, m, Field.IPV4_SRC);
                keyMask(f, FlowerKey.IPV4_DST, k, m, Field.IPV4_DST);
            } else {
                ipv6(f, FlowerKey.IPV6_SRC, k, m, Field.IPV6_SRC_HI, Field.IPV6_SRC_LO);
                ipv6(f, FlowerKey.IPV6_DST, k, m, Field.IPV6_DST_HI, Field.IPV6_DST_LO);
            }
            switch (proto) {
                case IpProto.TCP -> {
                    pair(f, FlowerKey.TCP_SRC, FlowerKey.TCP_DST, k, m, Field.TP_SRC, Field.TP_DST);
                    keyMask(f, FlowerKey.TCP_FLAGS, k, m, Field.TCP_FLAGS);
                }
                case IpProto.UDP -> pair(f, FlowerKey.UDP_SRC, FlowerKey.UDP_DST, k, m, Field.TP_SRC, Field.TP_DST);
                case IpProto.SCTP -> pair(f, FlowerKey.SCTP_SRC, FlowerKey.SCTP_DST, k, m, Field.TP_SRC, Field.TP_DST);
                case IpProto.ICMP -> pair(f, FlowerKey.ICMPV4_TYPE, FlowerKey.ICMPV4_CODE, k, m, Field.ICMP_TYPE, Field.ICMP_CODE);
                case IpProto.ICMPV6 -> pair(f, FlowerKey.ICMPV6_TYPE, FlowerKey.ICMPV6_CODE, k, m, Field.ICMP_TYPE, Field.ICMP_CODE);
                default -> { }
            }
            if (f.has(FlowerKey.FLAGS)) {
                fragFlags((int) f.key(FlowerKey.FLAGS), (int) f.mask(FlowerKey.FLAGS), k, m);
            }
        } else if (inner == EthType.ARP) {
            keyMask(f, FlowerKey.ARP_SIP, k, m, Field.ARP_SPA);
            keyMask(f, FlowerKey.ARP_TIP, k, m, Field.ARP_TPA);
            if (f.has(FlowerKey.ARP_OP)) {
                long om = f.mask(FlowerKey.ARP_OP);
                // An 8-bit mask of 0xff means "the opcode is this byte": the upper byte is 0.
                set(k, m, Field.ARP_OP, f.key(FlowerKey.ARP_OP), om == 0xff ? 0xffff : om);
            }
            keyMask(f, FlowerKey.ARP_SHA, k, m, Field.ARP_SHA);
            keyMask(f, FlowerKey.ARP_THA, k, m, Field.ARP_THA);
        }
        keyMask(f, FlowerKey.ENC_IPV4_SRC, k, m, Field.TUN_IPV4_SRC);
        keyMask(f, FlowerKey.ENC_IPV4_DST, k, m, Field.TUN_IPV4_DST);
        ipv6(f, FlowerKey.ENC_IPV6_SRC, k, m, Field.TUN_IPV6_SRC_HI, Field.TUN_IPV6_SRC_LO);
        ipv6(f, FlowerKey.ENC_IPV6_DST, k, m, Field.TUN_IPV6_DST_HI, Field.TUN_IPV6_DST_LO);
        if (f.has(FlowerKey.ENC_KEY_ID)) {
            set(k, m, Field.TUN_ID, f.key(FlowerKey.ENC_KEY_ID), -1L);
            // A key matched means a key present: flags(+key), as the encoder takes it (and OVS reads its tc dumps).
            set(k, m, Field.TUN_FLAGS, FlowKey.TUN_F_KEY, FlowKey.TUN_F_KEY);
        }
        keyMask(f, FlowerKey.ENC_UDP_DST_PORT, k, m, Field.TUN_TP_DST);
        keyMask(f, FlowerKey.ENC_UDP_SRC_PORT, k, m, Field.TUN_TP_SRC);
        keyMask(f, FlowerKey.ENC_IP_TOS, k, m, Field.TUN_TOS);
        keyMask(f, FlowerKey.ENC_IP_TTL, k, m, Field.TUN_TTL);
    }

    /**
     * ip_flags → nw_frag: "not a fragment" as {@code no} with the baseline's exact mask 0x3;
     * first/later exact; "any fragment" (is_fragment alone) as {@code 0x1/0x1}.
     */
    private static void fragFlags(int fk, int fm, FlowKey k, FlowMask m) {
        if ((fm & ~(TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT | TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST)) != 0) {
            throw new FlowerDecoder.NotOurs("key flags 0x" + Integer.toHexString(fm) + " beyond frag/firstfrag");
        }
        if ((fm & TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT) != 0) {
            if ((fk & TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT) == 0) {
                set(k, m, Field.NW_FRAG, FlowKey.FRAG_NO, 3);
            } else if ((fm & TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST) != 0) {
                set(k, m, Field.NW_FRAG, (fk & TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST) != 0 ? FlowKey.FRAG_FIRST : FlowKey.FRAG_LATER_FRAGMENT, 3);
            } else {
                set(k, m, Field.NW_FRAG, FlowKey.FRAG_ANY, FlowKey.FRAG_ANY);
            }
        }
    }

    static void set(FlowKey k, FlowMask m, Field field, long value, long mask) {
        k.set(field, value & mask);
        m.unwildcard(field, mask);
    }

    /** Tag {@code i} (0 outer, 1 inner) present with {@code tpid}; its id and priority when the filter matches them. */
    private static void tag(FlowerFilter f, int i, int tpid, FlowKey k, FlowMask m) {
        set(k, m, TAG_CFI[i], 1, 1);
        set(k, m, TAG_TPID[i], tpid, 0xffff);
        if (f.has(TAG_VID_KEY[i])) {
            set(k, m, TAG_VID[i], f.key(TAG_VID_KEY[i]), 0xfff);
        }
        if (f.has(TAG_PRIO_KEY[i])) {
            set(k, m, TAG_PCP[i], f.key(TAG_PRIO_KEY[i]), 7);
        }
    }

    /** "No tag" {@code i}, as the baseline writes it for an untagged packet: tpid 0 and cfi 0, both exact. */
    private static void noTag(int i, FlowKey k, FlowMask m) {
        set(k, m, TAG_CFI[i], 0, 1);
        set(k, m, TAG_TPID[i], 0, 0xffff);
    }

    /** Flower key {@code fk} as {@code field}, when present with a non-zero mask. */
    private static void keyMask(FlowerFilter f, FlowerKey fk, FlowKey k, FlowMask m, Field field) {
        if (f.has(fk) && f.mask(fk) != 0) {
            set(k, m, field, f.key(fk), f.mask(fk));
        }
    }

    /** The L4 pair of flower keys (ports, ICMP type and code) as {@code first}, {@code second}. */
    private static void pair(FlowerFilter f, FlowerKey fk1, FlowerKey fk2, FlowKey k, FlowMask m, Field first, Field second) {
        keyMask(f, fk1, k, m, first);
        keyMask(f, fk2, k, m, second);
    }

    private static void ipv6(FlowerFilter f, FlowerKey fk, FlowKey k, FlowMask m, Field hi, Field lo) {
        if (f.has(fk) && (f.mask(fk) != 0 || f.maskLo(fk) != 0)) {
            set(k, m, hi, f.key(fk), f.mask(fk));
            set(k, m, lo, f.keyLo(fk), f.maskLo(fk));
        }
    }
}
