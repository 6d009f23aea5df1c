package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLA_F_NESTED;
import static org.offloadbridge.netlink.uapi.PktCls.*;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_KIND;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_OPTIONS;

import java.nio.ByteBuffer;
import java.util.List;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.TcCsum;
import org.offloadbridge.netlink.uapi.TcGact;
import org.offloadbridge.netlink.uapi.TcMirred;
import org.offloadbridge.netlink.uapi.TcPedit;
import org.offloadbridge.netlink.uapi.TcTunnelKey;
import org.offloadbridge.netlink.uapi.TcVlan;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.tc.TcPorts;

/**
 * Megaflow → one {@code RTM_NEWTFILTER} request for a flower filter on a port's ingress.
 *
 * <h2>Layout (what iproute2's {@code tc filter add ... flower ... action ...} sends)</h2>
 * <pre>
 * nlmsghdr | tcmsg{ifindex, handle, parent=ffff:fff2 (clsact ingress), info=prio&lt;&lt;16|htons(proto)}
 * TCA_KIND "flower"
 * TCA_OPTIONS
 *   keys, in iproute2's keyword order: vlan_id vlan_prio vlan_ethtype cvlan_id cvlan_prio cvlan_ethtype
 *     dst_mac src_mac ip_proto ip_tos ip_ttl src_ip dst_ip src_port dst_port tcp_flags type code
 *     arp_sip arp_tip arp_op arp_sha arp_tha enc_src_ip enc_dst_ip enc_key_id enc_dst_port enc_tos enc_ttl
 *   TCA_FLOWER_ACT { 1 {KIND, OPTIONS|NLA_F_NESTED {...}, COOKIE=ufid [, FLAGS]} 2 {...} ... }
 *   TCA_FLOWER_FLAGS (skip_sw / skip_hw)
 *   TCA_FLOWER_KEY_FLAGS, _MASK (ip_flags), when the flow matches nw_frag
 *   TCA_FLOWER_KEY_ETH_TYPE (= the protocol in tcm_info), unless protocol is all
 * </pre>
 * Matching iproute2's order byte for byte is what lets the golden tests compare whole messages.
 *
 * <h2>Protocol</h2>
 * flower dissects from the outermost ethertype: a tagged flow's filter protocol (and
 * {@code KEY_ETH_TYPE}) is the outer TPID, the inner ethertype goes to {@code VLAN_ETH_TYPE}
 * (or {@code CVLAN_ETH_TYPE} for QinQ). A flow that doesn't match eth_type gets protocol
 * {@code all} and may not match anything above L2.
 *
 * <p>Refusals: a {@link Refusal} names the field or action; the message under construction
 * must then be dropped by the caller (the encoder writes into a scratch writer first).
 * Reusable, not thread-safe; allocates nothing on the success path except the first decode of
 * an {@link org.offloadbridge.flow.Actions} list (cached by flow/).
 */
public final class FlowerEncoder {
    /** TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS): the ingress hook of a clsact (or ingress) qdisc. */
    public static final int PARENT_INGRESS = 0xfffffff2;
    /** OVS's TCA_ACT_MAX_NUM: hardware drivers take no more, and neither do we. */
    public static final int MAX_ACTIONS = 16;
    /** TCP_FLAGS_MAX_MASK of flower: the 12 flag bits. */
    static final int TCP_FLAGS_MASK = 0x0fff;

    // struct tc_gen: index, capab, action, refcnt, bindcnt (5 x u32)
    static final int TC_GEN_LEN = 20;
    static final int TC_GEN_ACTION = 8;

    private final TcPorts ports;
    private final boolean[] used = new boolean[Field.count()];
    private final byte[] cookie = new byte[16];
    private FlowKey key;
    private FlowMask mask;
    private int protocol;
    private int actionIndex;
    private int actFlags;
    // pending pedit keys of consecutive set actions: [htype, offset, val, mask] (val/mask as BE numbers)
    private int[] pedit = new int[4 * 32];
    private int peditKeys;
    private int csumFlags;

    public FlowerEncoder(TcPorts ports) {
        this.ports = ports;
    }

    /** The filter protocol (host order) the last successful {@link #encode} chose. */
    public int protocol() {
        return protocol;
    }

    /** Number of tc actions the last successful {@link #encode} wrote. */
    public int actionCount() {
        return actionIndex;
    }

    /**
     * Computes the filter protocol of {@code flow} without writing anything.
     *
     * @throws Refusal when the L2 match has no flower form
     */
    public int protocolOf(Megaflow flow) {
        FlowKey k = flow.key();
        FlowMask m = flow.mask();
        if (isVlanTagged(k, m)) {
            return vlanTpid(k, m, Field.VLAN0_TPID);
        }
        long etm = m.get(Field.ETH_TYPE);
        if (etm == 0) {
            return EthType.ALL;
        }
        if (etm != 0xffff) {
            throw new Refusal(Reason.UNSUPPORTED_MASK, "eth_type: partial mask 0x" + Long.toHexString(etm) + " (flower matches the ethertype exactly or not at all)");
        }
        return (int) k.get(Field.ETH_TYPE);
    }

    /**
     * Writes one whole RTM_NEWTFILTER message for {@code flow} into {@code w}.
     *
     * @param nlFlags  netlink flags (NLM_F_CREATE|NLM_F_EXCL|NLM_F_ECHO for an install, NLM_F_REPLACE for a replace)
     * @param ifindex  the in_port's device
     * @param prio     tc priority
     * @param handle   0 to let the kernel choose; the existing handle for a replace
     * @param clsFlags TCA_CLS_FLAGS_SKIP_SW / _SKIP_HW
     * @param actFlags TCA_ACT_FLAGS_SKIP_SW / _SKIP_HW for every action (0: no TCA_ACT_FLAGS)
     * @throws Refusal when the flow has no flower form (the writer then holds a partial message; discard it)
     */
    public void encode(NetlinkMessageWriter w, int nlFlags, Megaflow flow, int ifindex, int prio, int handle, int clsFlags, int actFlags) {
        this.key = flow.key();
        this.mask = flow.mask();
        this.actFlags = actFlags;
        java.util.Arrays.fill(used, false);
        int proto = protocolOf(flow);
        checkMetadata();

        w.beginMessage(RTM_NEWTFILTER, nlFlags);
        w.putTcMsg(0, ifindex, handle, PARENT_INGRESS, TcMsg.filterInfo(prio, proto));
        w.putString(TCA_KIND, "flower");
        int opts = w.beginNested(TCA_OPTIONS);
        int l3 = writeVlans(w, proto);
        writeEth(w);
        writeL3L4(w, l3);
        writeTunnelMatch(w);
        checkAllUsed();
        writeActions(w, flow);
        w.putU32(TCA_FLOWER_FLAGS, clsFlags);
        writeFragFlags(w, l3);
        if (proto != EthType.ALL) {
            w.putBe16(TCA_FLOWER_KEY_ETH_TYPE, proto);
        }
        w.endNested(opts);
        w.finish(0);
        this.protocol = proto;
    }

    // ------------------------------------------------------------------ keys

    private long k(Field f) {
        return key.get(f);
    }

    private long m(Field f) {
        return mask.get(f);
    }

    /** Marks {@code f} as expressed (or as harmless) so the final check doesn't refuse it. */
    private void use(Field f) {
        used[f.ordinal()] = true;
    }

    private static boolean isVlanTagged(FlowKey k, FlowMask m) {
        return m.get(Field.VLAN0_CFI) != 0 && k.get(Field.VLAN0_CFI) == FlowKey.VLAN_PRESENT;
    }

    private static int vlanTpid(FlowKey k, FlowMask m, Field tpid) {
        long tm = m.get(tpid);
        if (tm == 0) {
            return EthType.VLAN_8021Q;
        }
        long t = k.get(tpid);
        if (tm != 0xffff || (t != EthType.VLAN_8021Q && t != EthType.VLAN_8021AD)) {
            throw new Refusal(Reason.OUT_OF_RANGE, FieldNames.match(tpid, k, m) + " 0x" + Long.toHexString(t) + "/0x" + Long.toHexString(tm)
                    + ": flower takes an exact 802.1Q (0x8100) or 802.1ad (0x88a8) tag");
        }
        return (int) t;
    }

    private void checkMetadata() {
        use(Field.IN_PORT); // the device the filter sits on
        if (m(Field.IN_PORT) != 0 && m(Field.IN_PORT) != 0xffffffffL) {
            throw new Refusal(Reason.UNSUPPORTED_MASK, "in_port: partial mask (a filter sits on one device)");
        }
        // Chain 0 only: recirc_id(0) is what every packet entering tc ingress carries.
        if (m(Field.RECIRC_ID) != 0 && k(Field.RECIRC_ID) != 0) {
            throw new Refusal(Reason.UNSUPPORTED_KEY, "recirc_id=" + k(Field.RECIRC_ID) + ": recirculation (tc chains) is not offloaded yet");
        }
        use(Field.RECIRC_ID);
    }

    /** Writes VLAN keys; returns the innermost ethertype (0 when not matched). */
    private int writeVlans(NetlinkMessageWriter w, int proto) {
        long etm = m(Field.ETH_TYPE);
        if (etm != 0 && etm != 0xffff) {
            throw new Refusal(Reason.UNSUPPORTED_MASK, "eth_type: partial mask 0x" + Long.toHexString(etm));
        }
        int inner = etm == 0 ? 0 : (int) k(Field.ETH_TYPE);
        use(Field.ETH_TYPE);
        // Tag presence: the cfi bit, or (as OVS writes "no tag") an exact tpid of 0. The
        // datapath baseline has both; either alone is accepted.
        boolean cfiMasked = m(Field.VLAN0_CFI) != 0;
        boolean untagged = cfiMasked ? k(Field.VLAN0_CFI) != FlowKey.VLAN_PRESENT
                : m(Field.VLAN0_TPID) == 0xffff && k(Field.VLAN0_TPID) == 0;
        if (!cfiMasked && !untagged) {
            if (m(Field.VLAN0_VID) != 0 || m(Field.VLAN0_PCP) != 0 || m(Field.VLAN1_CFI) != 0 || m(Field.VLAN1_VID) != 0 || m(Field.VLAN1_PCP) != 0) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, "vlan(vid/pcp) matched without matching whether the tag is there (vlan(cfi) or the outer eth_type)");
            }
            if (m(Field.VLAN0_TPID) != 0 || m(Field.VLAN1_TPID) != 0) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, "eth_type before vlan() (vlan0_tpid) matched without matching whether the tag is there (vlan(cfi))");
            }
            use(Field.VLAN0_TPID);
            use(Field.VLAN1_TPID);
            return inner;
        }
        use(Field.VLAN0_CFI);
        use(Field.VLAN0_TPID);
        if (untagged) {
            // "no tag": a filter for an untagged ethertype only sees untagged packets already;
            // with no ethertype, say "no tags" with num_of_vlans 0.
            if (inner == 0) {
                w.putU8(TCA_FLOWER_KEY_NUM_OF_VLANS, 0);
            }
            for (Field f : new Field[] {Field.VLAN0_TPID, Field.VLAN0_VID, Field.VLAN0_PCP, Field.VLAN1_CFI, Field.VLAN1_VID, Field.VLAN1_PCP, Field.VLAN1_TPID}) {
                if (k(f) != 0) {
                    throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(f, key, mask) + " 0x" + Long.toHexString(k(f)) + " matched on an untagged flow");
                }
                use(f);
            }
            return inner;
        }
        vlanIdPrio(w, Field.VLAN0_VID, Field.VLAN0_PCP, TCA_FLOWER_KEY_VLAN_ID, TCA_FLOWER_KEY_VLAN_PRIO);
        boolean qinq = m(Field.VLAN1_CFI) != 0 && k(Field.VLAN1_CFI) == FlowKey.VLAN_PRESENT;
        use(Field.VLAN1_CFI);
        use(Field.VLAN1_TPID);
        if (qinq) {
            w.putBe16(TCA_FLOWER_KEY_VLAN_ETH_TYPE, vlanTpid(key, mask, Field.VLAN1_TPID));
            vlanIdPrio(w, Field.VLAN1_VID, Field.VLAN1_PCP, TCA_FLOWER_KEY_CVLAN_ID, TCA_FLOWER_KEY_CVLAN_PRIO);
            if (inner != 0) {
                w.putBe16(TCA_FLOWER_KEY_CVLAN_ETH_TYPE, inner);
            }
        } else {
            if (m(Field.VLAN1_VID) != 0 || m(Field.VLAN1_PCP) != 0) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, "encap(vlan(vid/pcp)) matched on a flow without an inner tag");
            }
            if (k(Field.VLAN1_TPID) != 0) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(Field.VLAN1_TPID, key, mask) + " 0x" + Long.toHexString(k(Field.VLAN1_TPID)) + " on a flow without an inner tag (encap(vlan(cfi=0)))");
            }
            // "No second tag" (the baseline's exact vlan1 tpid/cfi of 0) is what a non-TPID
            // vlan_ethtype says; the decoder gives it back from there.
            use(Field.VLAN1_VID);
            use(Field.VLAN1_PCP);
            if (inner != 0) {
                w.putBe16(TCA_FLOWER_KEY_VLAN_ETH_TYPE, inner);
            }
        }
        return inner;
    }

    private void vlanIdPrio(NetlinkMessageWriter w, Field vid, Field pcp, int vidAttr, int prioAttr) {
        long vm = m(vid);
        if (vm != 0 && vm != 0xfff) {
            throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(vid, key, mask) + ": partial mask 0x" + Long.toHexString(vm) + " (flower matches the VLAN id exactly or not at all)");
        }
        long pm = m(pcp);
        if (pm != 0 && pm != 7) {
            throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(pcp, key, mask) + ": partial mask (flower matches the priority exactly or not at all)");
        }
        if (vm != 0) {
            w.putU16(vidAttr, (int) k(vid));
        }
        if (pm != 0) {
            w.putU8(prioAttr, (int) k(pcp));
        }
        use(vid);
        use(pcp);
    }

    private void writeEth(NetlinkMessageWriter w) {
        if (m(Field.ETH_DST) != 0) {
            putMac(w, TCA_FLOWER_KEY_ETH_DST, k(Field.ETH_DST));
            putMac(w, TCA_FLOWER_KEY_ETH_DST_MASK, m(Field.ETH_DST));
        }
        if (m(Field.ETH_SRC) != 0) {
            putMac(w, TCA_FLOWER_KEY_ETH_SRC, k(Field.ETH_SRC));
            putMac(w, TCA_FLOWER_KEY_ETH_SRC_MASK, m(Field.ETH_SRC));
        }
        use(Field.ETH_DST);
        use(Field.ETH_SRC);
    }

    private void writeL3L4(NetlinkMessageWriter w, int ethType) {
        if (ethType == EthType.IP || ethType == EthType.IPV6) {
            long pm = m(Field.NW_PROTO);
            if (pm != 0 && pm != 0xff) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(Field.NW_PROTO, key, mask) + ": partial mask 0x" + Long.toHexString(pm) + " (flower matches ip_proto exactly or not at all)");
            }
            int proto = pm == 0 ? -1 : (int) k(Field.NW_PROTO);
            if (proto >= 0) {
                w.putU8(TCA_FLOWER_KEY_IP_PROTO, proto);
            }
            use(Field.NW_PROTO);
            u8KeyMask(w, Field.NW_TOS, TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK);
            u8KeyMask(w, Field.NW_TTL, TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK);
            if (ethType == EthType.IP) {
                be32KeyMask(w, Field.IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK);
                be32KeyMask(w, Field.IPV4_DST, TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK);
            } else {
                ipv6KeyMask(w, Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK);
                ipv6KeyMask(w, Field.IPV6_DST_HI, Field.IPV6_DST_LO, TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK);
            }
            use(Field.NW_FRAG); // written after the actions, as iproute2 does
            if ((m(Field.TP_SRC) != 0 || m(Field.TP_DST) != 0 || m(Field.TCP_FLAGS) != 0) && proto < 0) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, "L4 ports or tcp_flags matched without an exact " + FieldNames.match(Field.NW_PROTO, key, mask) + " (flower needs ip_proto for L4 keys)");
            }
            switch (proto) {
                case IpProto.TCP -> {
                    ports(w, TCA_FLOWER_KEY_TCP_SRC, TCA_FLOWER_KEY_TCP_SRC_MASK, TCA_FLOWER_KEY_TCP_DST, TCA_FLOWER_KEY_TCP_DST_MASK);
                    long fm = m(Field.TCP_FLAGS);
                    if (fm != 0) {
                        w.putBe16(TCA_FLOWER_KEY_TCP_FLAGS, (int) k(Field.TCP_FLAGS));
                        w.putBe16(TCA_FLOWER_KEY_TCP_FLAGS_MASK, (int) fm);
                    }
                    use(Field.TCP_FLAGS);
                }
                case IpProto.UDP -> ports(w, TCA_FLOWER_KEY_UDP_SRC, TCA_FLOWER_KEY_UDP_SRC_MASK, TCA_FLOWER_KEY_UDP_DST, TCA_FLOWER_KEY_UDP_DST_MASK);
                case IpProto.SCTP -> ports(w, TCA_FLOWER_KEY_SCTP_SRC, TCA_FLOWER_KEY_SCTP_SRC_MASK, TCA_FLOWER_KEY_SCTP_DST, TCA_FLOWER_KEY_SCTP_DST_MASK);
                case IpProto.ICMP -> {
                    if (ethType == EthType.IP) {
                        u8KeyMask(w, Field.ICMP_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE_MASK);
                        u8KeyMask(w, Field.ICMP_CODE, TCA_FLOWER_KEY_ICMPV4_CODE, TCA_FLOWER_KEY_ICMPV4_CODE_MASK);
                    }
                }
                case IpProto.ICMPV6 -> {
                    if (ethType == EthType.IPV6) {
                        u8KeyMask(w, Field.ICMP_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE_MASK);
                        u8KeyMask(w, Field.ICMP_CODE, TCA_FLOWER_KEY_ICMPV6_CODE, TCA_FLOWER_KEY_ICMPV6_CODE_MASK);
                    }
                }
                default -> { }
            }
        } else if (ethType == EthType.ARP) {
            be32KeyMask(w, Field.ARP_SPA, TCA_FLOWER_KEY_ARP_SIP, TCA_FLOWER_KEY_ARP_SIP_MASK);
            be32KeyMask(w, Field.ARP_TPA, TCA_FLOWER_KEY_ARP_TIP, TCA_FLOWER_KEY_ARP_TIP_MASK);
            long om = m(Field.ARP_OP);
            if (om != 0) {
                long op = k(Field.ARP_OP);
                if (op > 0xff || (om & 0xff00) != 0 && (om & 0xff00) != 0xff00) {
                    throw new Refusal(Reason.OUT_OF_RANGE, "arp(op=" + op + "): flower's ARP opcode key is 8 bits");
                }
                w.putU8(TCA_FLOWER_KEY_ARP_OP, (int) op);
                w.putU8(TCA_FLOWER_KEY_ARP_OP_MASK, (int) (om & 0xff));
            }
            use(Field.ARP_OP);
            if (m(Field.ARP_SHA) != 0) {
                putMac(w, TCA_FLOWER_KEY_ARP_SHA, k(Field.ARP_SHA));
                putMac(w, TCA_FLOWER_KEY_ARP_SHA_MASK, m(Field.ARP_SHA));
            }
            if (m(Field.ARP_THA) != 0) {
                putMac(w, TCA_FLOWER_KEY_ARP_THA, k(Field.ARP_THA));
                putMac(w, TCA_FLOWER_KEY_ARP_THA_MASK, m(Field.ARP_THA));
            }
            use(Field.ARP_SHA);
            use(Field.ARP_THA);
        }
    }

    private void ports(NetlinkMessageWriter w, int src, int srcMask, int dst, int dstMask) {
        if (m(Field.TP_SRC) != 0) {
            w.putBe16(src, (int) k(Field.TP_SRC));
            w.putBe16(srcMask, (int) m(Field.TP_SRC));
        }
        if (m(Field.TP_DST) != 0) {
            w.putBe16(dst, (int) k(Field.TP_DST));
            w.putBe16(dstMask, (int) m(Field.TP_DST));
        }
        use(Field.TP_SRC);
        use(Field.TP_DST);
    }

    private void writeTunnelMatch(NetlinkMessageWriter w) {
        be32KeyMask(w, Field.TUN_IPV4_SRC, TCA_FLOWER_KEY_ENC_IPV4_SRC, TCA_FLOWER_KEY_ENC_IPV4_SRC_MASK);
        be32KeyMask(w, Field.TUN_IPV4_DST, TCA_FLOWER_KEY_ENC_IPV4_DST, TCA_FLOWER_KEY_ENC_IPV4_DST_MASK);
        ipv6KeyMask(w, Field.TUN_IPV6_SRC_HI, Field.TUN_IPV6_SRC_LO, TCA_FLOWER_KEY_ENC_IPV6_SRC, TCA_FLOWER_KEY_ENC_IPV6_SRC_MASK);
        ipv6KeyMask(w, Field.TUN_IPV6_DST_HI, Field.TUN_IPV6_DST_LO, TCA_FLOWER_KEY_ENC_IPV6_DST, TCA_FLOWER_KEY_ENC_IPV6_DST_MASK);
        long idm = m(Field.TUN_ID);
        if (idm != 0) {
            long id = k(Field.TUN_ID);
            if (idm != -1L) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, "tunnel(tun_id=0x" + Long.toHexString(id) + "/0x" + Long.toHexString(idm) + "): partial mask" + Long.toHexString(idm) + " (flower's enc_key_id is exact)");
            }
            if ((id >>> 32) != 0) {
                throw new Refusal(Reason.OUT_OF_RANGE, "tunnel(tun_id=0x" + Long.toHexString(id) + "): flower's enc_key_id is 32 bits");
            }
            w.putBe32(TCA_FLOWER_KEY_ENC_KEY_ID, (int) id);
        }
        use(Field.TUN_ID);
        long dpm = m(Field.TUN_TP_DST);
        if (dpm != 0) {
            w.putBe16(TCA_FLOWER_KEY_ENC_UDP_DST_PORT, (int) k(Field.TUN_TP_DST));
            if (dpm != 0xffff) {
                w.putBe16(TCA_FLOWER_KEY_ENC_UDP_DST_PORT_MASK, (int) dpm);
            }
        }
        use(Field.TUN_TP_DST);
        u8KeyMask(w, Field.TUN_TOS, TCA_FLOWER_KEY_ENC_IP_TOS, TCA_FLOWER_KEY_ENC_IP_TOS_MASK);
        u8KeyMask(w, Field.TUN_TTL, TCA_FLOWER_KEY_ENC_IP_TTL, TCA_FLOWER_KEY_ENC_IP_TTL_MASK);
        if (m(Field.TUN_TP_SRC) != 0) {
            w.putBe16(TCA_FLOWER_KEY_ENC_UDP_SRC_PORT, (int) k(Field.TUN_TP_SRC));
            w.putBe16(TCA_FLOWER_KEY_ENC_UDP_SRC_PORT_MASK, (int) m(Field.TUN_TP_SRC));
        }
        use(Field.TUN_TP_SRC);
        // TUN_FLAGS stays unused: flower on 6.1 has no key for the tunnel's csum/df/oam flags.
    }

    private boolean tunnelMatched() {
        return m(Field.TUN_ID) != 0 || m(Field.TUN_IPV4_SRC) != 0 || m(Field.TUN_IPV4_DST) != 0
                || m(Field.TUN_IPV6_SRC_HI) != 0 || m(Field.TUN_IPV6_SRC_LO) != 0
                || m(Field.TUN_IPV6_DST_HI) != 0 || m(Field.TUN_IPV6_DST_LO) != 0
                || m(Field.TUN_TP_DST) != 0 || m(Field.TUN_TP_SRC) != 0 || m(Field.TUN_TOS) != 0 || m(Field.TUN_TTL) != 0;
    }

    private void writeFragFlags(NetlinkMessageWriter w, int ethType) {
        long fm = m(Field.NW_FRAG);
        if (fm == 0 || (ethType != EthType.IP && ethType != EthType.IPV6)) {
            return;
        }
        long fk = k(Field.NW_FRAG);
        int flags = 0;
        int flagsMask = 0;
        if ((fm & FlowKey.FRAG_ANY) != 0) {
            flagsMask |= TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT;
            if ((fk & FlowKey.FRAG_ANY) != 0) {
                flags |= TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT;
                // "first fragment" only means something for fragments (as OVS lib/tc.c does).
                if ((fm & FlowKey.FRAG_LATER) != 0) {
                    flagsMask |= TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST;
                    if ((fk & FlowKey.FRAG_LATER) == 0) {
                        flags |= TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST;
                    }
                }
            }
        } else {
            throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(Field.NW_FRAG, key, mask) + ": 'later' matched without 'any' (flower's firstfrag only means something for fragments)");
        }
        w.putBe32(TCA_FLOWER_KEY_FLAGS, flags);
        w.putBe32(TCA_FLOWER_KEY_FLAGS_MASK, flagsMask);
    }

    private void checkAllUsed() {
        for (int i = 0; i < used.length; i++) {
            if (!used[i]) {
                Field f = Field.of(i);
                if (mask.get(f) != 0) {
                    // Name the field as the flow text does, and the context only by what the flow
                    // matches (a wildcarded nw_proto is not "nw_proto 0").
                    throw new Refusal(Reason.UNSUPPORTED_KEY, FieldNames.match(f, key, mask) + ": no flower key for it"
                            + (f == Field.TUN_FLAGS ? " (tunnel flags need kernel 6.11's enc_flags)" : " in this flow (" + FieldNames.context(key, mask) + ")"));
                }
            }
        }
    }

    private void u8KeyMask(NetlinkMessageWriter w, Field f, int keyAttr, int maskAttr) {
        long fm = m(f);
        if (fm != 0) {
            w.putU8(keyAttr, (int) k(f));
            w.putU8(maskAttr, (int) fm);
        }
        use(f);
    }

    private void be32KeyMask(NetlinkMessageWriter w, Field f, int keyAttr, int maskAttr) {
        long fm = m(f);
        if (fm != 0) {
            w.putBe32(keyAttr, (int) k(f));
            w.putBe32(maskAttr, (int) fm);
        }
        use(f);
    }

    private void ipv6KeyMask(NetlinkMessageWriter w, Field hi, Field lo, int keyAttr, int maskAttr) {
        if (m(hi) != 0 || m(lo) != 0) {
            put128(w, keyAttr, k(hi), k(lo));
            put128(w, maskAttr, m(hi), m(lo));
        }
        use(hi);
        use(lo);
    }

    /**
     * An attribute holding a raw struct, payload zeroed. (NetlinkMessageWriter.putStruct leaves
     * old buffer bytes in the payload; a stale {@code tc_gen.index} there makes the kernel bind
     * the filter to some existing action with that index instead of creating one.)
     */
    static int struct(NetlinkMessageWriter w, int type, int length) {
        int p = w.putStruct(type, length);
        ByteBuffer b = w.buffer();
        for (int i = 0; i < length; i++) {
            b.put(p + i, (byte) 0);
        }
        return p;
    }

    static void putMac(NetlinkMessageWriter w, int type, long mac) {
        int p = struct(w, type, 6);
        ByteBuffer b = w.buffer();
        for (int i = 0; i < 6; i++) {
            b.put(p + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    static void put128(NetlinkMessageWriter w, int type, long hi, long lo) {
        int p = struct(w, type, 16);
        ByteBuffer b = w.buffer();
        for (int i = 0; i < 8; i++) {
            b.put(p + i, (byte) (hi >>> (56 - 8 * i)));
            b.put(p + 8 + i, (byte) (lo >>> (56 - 8 * i)));
        }
    }

    // ------------------------------------------------------------------ actions

    private void writeActions(NetlinkMessageWriter w, Megaflow flow) {
        ufidCookie(flow);
        actionIndex = 0;
        peditKeys = 0;
        csumFlags = 0;
        int acts = w.beginNested(TCA_FLOWER_ACT);
        if (tunnelMatched()) {
            // Decap: the datapath flow on a tunnel port sees the inner packet; tc must drop the
            // tunnel metadata explicitly (OVS does the same).
            tunnelRelease(w);
        }
        List<Action> list = flow.actions().toList();
        int lastOutput = -1;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof Action.Output) {
                lastOutput = i;
            }
        }
        Action.SetField pendingTunnel = null;
        for (int i = 0; i < list.size(); i++) {
            Action a = list.get(i);
            switch (a) {
                case Action.Output o -> {
                    flushPedit(w);
                    int ifindex = ports.ifindexOf(o.port());
                    if (ifindex <= 0) {
                        throw new Refusal(Reason.NO_DEVICE, "output(" + o.port() + "): no device for datapath port " + o.port());
                    }
                    if (pendingTunnel != null) {
                        tunnelSet(w, pendingTunnel);
                        pendingTunnel = null;
                    }
                    mirred(w, ifindex, i != lastOutput);
                }
                case Action.PushVlan v -> {
                    flushPedit(w);
                    vlan(w, TcVlan.TCA_VLAN_ACT_PUSH, v.vid(), v.tpid(), v.pcp());
                }
                case Action.PopVlan ignored -> {
                    flushPedit(w);
                    vlan(w, TcVlan.TCA_VLAN_ACT_POP, -1, -1, -1);
                }
                case Action.SetField s -> {
                    if (s.attr() == KeyAttr.TUNNEL) {
                        flushPedit(w);
                        if (pendingTunnel != null) {
                            throw new Refusal(Reason.UNSUPPORTED_ACTION, "set(tunnel(...)) twice without an output in between");
                        }
                        pendingTunnel = s;
                    } else if (s.attr() == KeyAttr.VLAN) {
                        flushPedit(w);
                        vlanModify(w, s);
                    } else {
                        addPedit(s);
                    }
                }
                case Action.Userspace u -> throw new Refusal(Reason.USERSPACE_ACTION,
                        "userspace(pid=" + u.pid() + (u.args().isEmpty() ? "" : "," + u.args()) + "): needs the daemon, never offloadable");
            }
        }
        flushPedit(w);
        if (pendingTunnel != null) {
            throw new Refusal(Reason.UNSUPPORTED_ACTION, "set(tunnel(...)) with no output after it");
        }
        if (lastOutput < 0) {
            // No output: the datapath drops the packet. tc would let it continue ("pipe"), so say it.
            gactDrop(w);
        }
        w.endNested(acts);
        if (actionIndex > MAX_ACTIONS) {
            throw new Refusal(Reason.TOO_MANY_ACTIONS, actionIndex + " tc actions for " + list.size() + " datapath actions: at most " + MAX_ACTIONS);
        }
    }

    private void ufidCookie(Megaflow flow) {
        long hi = flow.ufid().hi();
        long lo = flow.ufid().lo();
        // OVS's ovs_u128 in host (little-endian) order: u32[0..3] each little-endian.
        for (int i = 0; i < 4; i++) {
            int v = switch (i) {
                case 0 -> (int) (hi >>> 32);
                case 1 -> (int) hi;
                case 2 -> (int) (lo >>> 32);
                default -> (int) lo;
            };
            cookie[i * 4] = (byte) v;
            cookie[i * 4 + 1] = (byte) (v >>> 8);
            cookie[i * 4 + 2] = (byte) (v >>> 16);
            cookie[i * 4 + 3] = (byte) (v >>> 24);
        }
    }

    /** Opens action number {@code ++actionIndex}: its nest, kind and options nest; returns {nest, options}. */
    private int beginAction(NetlinkMessageWriter w, String kind) {
        int nest = w.beginNested(++actionIndex);
        w.putString(org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_KIND, kind);
        return nest;
    }

    private void endAction(NetlinkMessageWriter w, int nest) {
        w.putBytes(TCA_ACT_COOKIE, cookie);
        if (actFlags != 0) {
            int p = struct(w, TCA_ACT_FLAGS, 8); // struct nla_bitfield32 {value, selector}
            w.buffer().putInt(p, actFlags);
            w.buffer().putInt(p + 4, actFlags);
        }
        w.endNested(nest);
    }

    private static void tcGen(ByteBuffer b, int p, int action) {
        b.putInt(p + TC_GEN_ACTION, action);
    }

    private void mirred(NetlinkMessageWriter w, int ifindex, boolean mirror) {
        int nest = beginAction(w, "mirred");
        int opts = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
        int p = struct(w, TcMirred.TCA_MIRRED_PARMS, TC_GEN_LEN + 8); // struct tc_mirred: tc_gen, eaction, ifindex
        ByteBuffer b = w.buffer();
        tcGen(b, p, mirror ? TC_ACT_PIPE : TC_ACT_STOLEN);
        b.putInt(p + TC_GEN_LEN, mirror ? TcMirred.TCA_EGRESS_MIRROR : TcMirred.TCA_EGRESS_REDIR);
        b.putInt(p + TC_GEN_LEN + 4, ifindex);
        w.endNested(opts);
        endAction(w, nest);
    }

    private void gactDrop(NetlinkMessageWriter w) {
        int nest = beginAction(w, "gact");
        int opts = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
        int p = struct(w, TcGact.TCA_GACT_PARMS, TC_GEN_LEN);
        tcGen(w.buffer(), p, TC_ACT_SHOT);
        w.endNested(opts);
        endAction(w, nest);
    }

    private void vlan(NetlinkMessageWriter w, int vAction, int vid, int tpid, int pcp) {
        int nest = beginAction(w, "vlan");
        int opts = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
        int p = struct(w, TcVlan.TCA_VLAN_PARMS, TC_GEN_LEN + 4); // struct tc_vlan: tc_gen, v_action
        ByteBuffer b = w.buffer();
        tcGen(b, p, TC_ACT_PIPE);
        b.putInt(p + TC_GEN_LEN, vAction);
        if (vid >= 0) {
            w.putU16(TcVlan.TCA_VLAN_PUSH_VLAN_ID, vid);
        }
        if (tpid >= 0) {
            w.putBe16(TcVlan.TCA_VLAN_PUSH_VLAN_PROTOCOL, tpid);
        }
        if (pcp >= 0) {
            w.putU8(TcVlan.TCA_VLAN_PUSH_VLAN_PRIORITY, pcp);
        }
        w.endNested(opts);
        endAction(w, nest);
    }

    private void vlanModify(NetlinkMessageWriter w, Action.SetField s) {
        int vid = -1;
        int pcp = -1;
        for (Action.FieldValue fv : s.fields()) {
            if (fv.field() == Field.VLAN0_VID && fv.mask() == 0xfff) {
                vid = (int) fv.value();
            } else if (fv.field() == Field.VLAN0_PCP && fv.mask() == 7) {
                pcp = (int) fv.value();
            } else if (fv.mask() != 0) {
                throw new Refusal(Reason.UNSUPPORTED_ACTION, FieldNames.set(KeyAttr.VLAN, fv.field()) + ": act_vlan modify rewrites the whole outer vid and pcp only");
            }
        }
        if (vid < 0) {
            throw new Refusal(Reason.UNSUPPORTED_ACTION, "set(vlan(...)) without a vid: act_vlan modify needs the new id");
        }
        vlan(w, TcVlan.TCA_VLAN_ACT_MODIFY, vid, -1, pcp);
    }

    private void tunnelRelease(NetlinkMessageWriter w) {
        int nest = beginAction(w, "tunnel_key");
        int opts = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
        w.putU8(TcTunnelKey.TCA_TUNNEL_KEY_NO_CSUM, 0);
        int p = struct(w, TcTunnelKey.TCA_TUNNEL_KEY_PARMS, TC_GEN_LEN + 4);
        ByteBuffer b = w.buffer();
        tcGen(b, p, TC_ACT_PIPE);
        b.putInt(p + TC_GEN_LEN, TcTunnelKey.TCA_TUNNEL_KEY_ACT_RELEASE);
        w.endNested(opts);
        endAction(w, nest);
    }

    private void tunnelSet(NetlinkMessageWriter w, Action.SetField s) {
        long id = -1;
        long v4src = -1, v4dst = -1;
        long v6srcHi = 0, v6srcLo = 0, v6dstHi = 0, v6dstLo = 0;
        boolean v6 = false;
        int tos = 0, ttl = 0, tpDst = -1, flags = 0;
        for (Action.FieldValue fv : s.fields()) {
            long v = fv.value();
            switch (fv.field()) {
                case TUN_ID -> id = v;
                case TUN_IPV4_SRC -> v4src = v;
                case TUN_IPV4_DST -> v4dst = v;
                case TUN_IPV6_SRC_HI -> { v6srcHi = v; v6 = true; }
                case TUN_IPV6_SRC_LO -> { v6srcLo = v; v6 = true; }
                case TUN_IPV6_DST_HI -> { v6dstHi = v; v6 = true; }
                case TUN_IPV6_DST_LO -> { v6dstLo = v; v6 = true; }
                case TUN_TOS -> tos = (int) v;
                case TUN_TTL -> ttl = (int) v;
                case TUN_TP_DST -> tpDst = (int) v;
                case TUN_FLAGS -> flags = (int) v;
                case TUN_TP_SRC -> {
                    if (v != 0) {
                        throw new Refusal(Reason.UNSUPPORTED_ACTION, "set(tunnel(tp_src=" + v + ")): tunnel_key can't choose the UDP source port");
                    }
                }
                default -> throw new Refusal(Reason.UNSUPPORTED_ACTION, FieldNames.set(KeyAttr.TUNNEL, fv.field()) + ": no tunnel_key attribute for it");
            }
        }
        if ((id >>> 32) != 0 && id != -1) {
            throw new Refusal(Reason.OUT_OF_RANGE, "set(tunnel(tun_id=0x" + Long.toHexString(id) + ")): tunnel_key ids are 32 bits");
        }
        int unsupported = flags & (FlowKey.TUN_F_DONT_FRAGMENT | FlowKey.TUN_F_OAM);
        if (unsupported != 0) {
            // Not dropped silently (OVS does, on kernels without enc flags): the packet would leave
            // with other header bits than the flow asked for.
            throw new Refusal(Reason.UNSUPPORTED_ACTION, "set(tunnel(flags(" + ((unsupported & FlowKey.TUN_F_DONT_FRAGMENT) != 0 ? "df" : "oam")
                    + "))): tunnel_key (uapi up to TCA_TUNNEL_KEY_ENC_TTL) has no " + ((unsupported & FlowKey.TUN_F_DONT_FRAGMENT) != 0 ? "don't-fragment" : "OAM") + " flag");
        }
        if (!v6 && (v4src < 0 || v4dst < 0)) {
            throw new Refusal(Reason.UNSUPPORTED_ACTION, "set(tunnel(...)) without src and dst addresses");
        }
        int nest = beginAction(w, "tunnel_key");
        int opts = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
        if (v6) {
            put128(w, TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_SRC, v6srcHi, v6srcLo);
            put128(w, TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_DST, v6dstHi, v6dstLo);
        } else {
            w.putBe32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_SRC, (int) v4src);
            w.putBe32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_DST, (int) v4dst);
        }
        // The id is sent when the action names one (as OVS sends OVS_TUNNEL_KEY_ATTR_ID for a
        // listed tun_id, key flag or not) or when the key flag says there is one (then 0 if
        // unnamed). act_tunnel_key sets its TUNNEL_KEY flag exactly when ENC_KEY_ID is given and
        // dumps the id exactly then, so the decoder gives back tun_id and flags(key) together.
        if (id != -1 || (flags & FlowKey.TUN_F_KEY) != 0) {
            w.putBe32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_KEY_ID, id == -1 ? 0 : (int) id);
        }
        if (tpDst >= 0) {
            w.putBe16(TcTunnelKey.TCA_TUNNEL_KEY_ENC_DST_PORT, tpDst);
        }
        w.putU8(TcTunnelKey.TCA_TUNNEL_KEY_ENC_TOS, tos);
        w.putU8(TcTunnelKey.TCA_TUNNEL_KEY_ENC_TTL, ttl);
        w.putU8(TcTunnelKey.TCA_TUNNEL_KEY_NO_CSUM, (flags & FlowKey.TUN_F_CSUM) != 0 ? 0 : 1);
        int p = struct(w, TcTunnelKey.TCA_TUNNEL_KEY_PARMS, TC_GEN_LEN + 4);
        ByteBuffer b = w.buffer();
        tcGen(b, p, TC_ACT_PIPE);
        b.putInt(p + TC_GEN_LEN, TcTunnelKey.TCA_TUNNEL_KEY_ACT_SET);
        w.endNested(opts);
        endAction(w, nest);
    }

    /** Queues pedit keys for a set of eth/ipv4/ipv6/tcp/udp fields; consecutive sets share one pedit. */
    private void addPedit(Action.SetField s) {
        int nwProto = m(Field.NW_PROTO) == 0xff ? (int) k(Field.NW_PROTO) : -1;
        for (Action.FieldValue fv : s.fields()) {
            long setMask = fv.mask() & fv.field().valueMask();
            if (setMask == 0) {
                continue;
            }
            PeditField pf = PeditField.of(s.attr(), fv.field());
            if (pf == null) {
                throw new Refusal(Reason.UNSUPPORTED_ACTION, FieldNames.set(s.attr(), fv.field()) + ": pedit can't rewrite it");
            }
            peditField(pf, fv.value(), setMask);
            switch (s.attr()) {
                case IPV4 -> {
                    csumFlags |= TcCsum.TCA_CSUM_UPDATE_FLAG_IPV4HDR;
                    if (fv.field() == Field.IPV4_SRC || fv.field() == Field.IPV4_DST) {
                        csumFlags |= l4Csum(nwProto, FieldNames.set(KeyAttr.IPV4, fv.field()), false);
                    }
                }
                case IPV6 -> {
                    if (fv.field() != Field.NW_TOS && fv.field() != Field.NW_TTL) {
                        csumFlags |= l4Csum(nwProto, FieldNames.set(KeyAttr.IPV6, fv.field()), true);
                    }
                }
                case TCP -> csumFlags |= TcCsum.TCA_CSUM_UPDATE_FLAG_TCP;
                case UDP -> csumFlags |= TcCsum.TCA_CSUM_UPDATE_FLAG_UDP;
                default -> { }
            }
        }
    }

    /** Checksums an address rewrite invalidates: TCP/UDP's pseudo-header. */
    private static int l4Csum(int nwProto, String what, boolean v6) {
        return switch (nwProto) {
            case IpProto.TCP -> TcCsum.TCA_CSUM_UPDATE_FLAG_TCP;
            case IpProto.UDP -> TcCsum.TCA_CSUM_UPDATE_FLAG_UDP;
            case IpProto.ICMPV6 -> throw new Refusal(Reason.UNSUPPORTED_ACTION, what + " on ICMPv6: act_csum can't fix the ICMPv6 checksum");
            case -1 -> throw new Refusal(Reason.UNSUPPORTED_ACTION, what + " on a flow that doesn't match " + (v6 ? "ipv6" : "ipv4") + "(proto) exactly: can't tell which L4 checksum to fix");
            default -> 0; // SCTP's CRC32c and ICMPv4 do not cover the addresses
        };
    }

    private void peditField(PeditField pf, long value, long setMask) {
        int width = pf.width();
        int first = pf.bitOffset / 32;
        int last = (pf.bitOffset + width - 1) / 32;
        for (int word = first; word <= last; word++) {
            int wordStart = word * 32;
            int bits = 0;
            int val = 0;
            for (int b = 0; b < 32; b++) {
                int hdrBit = wordStart + b;
                int fieldBit = hdrBit - pf.bitOffset; // 0 = field's most significant bit
                if (fieldBit < 0 || fieldBit >= width) {
                    continue;
                }
                int shift = width - 1 - fieldBit;
                if (((setMask >>> shift) & 1) != 0) {
                    bits |= 1 << (31 - b);
                    if (((value >>> shift) & 1) != 0) {
                        val |= 1 << (31 - b);
                    }
                }
            }
            if (bits == 0) {
                continue;
            }
            if (peditKeys * 4 == pedit.length) {
                pedit = java.util.Arrays.copyOf(pedit, pedit.length * 2);
            }
            int o = peditKeys * 4;
            pedit[o] = pf.htype;
            pedit[o + 1] = word * 4;
            pedit[o + 2] = val;
            pedit[o + 3] = ~bits;
            peditKeys++;
        }
    }

    private void flushPedit(NetlinkMessageWriter w) {
        if (peditKeys == 0) {
            return;
        }
        if (peditKeys > 255) {
            throw new Refusal(Reason.TOO_MANY_ACTIONS, peditKeys + " pedit keys: at most 255");
        }
        int nest = beginAction(w, "pedit");
        int opts = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
        // struct tc_pedit_sel: tc_gen, nkeys u8, flags u8, pad; then struct tc_pedit_key[nkeys]:
        // mask, val, off, at, offmask, shift (u32 each). mask/val are raw header words.
        int p = struct(w, TcPedit.TCA_PEDIT_PARMS_EX, TC_GEN_LEN + 4 + 24 * peditKeys);
        ByteBuffer b = w.buffer();
        tcGen(b, p, TC_ACT_PIPE);
        b.put(p + TC_GEN_LEN, (byte) peditKeys);
        for (int i = 0; i < peditKeys; i++) {
            int k = p + TC_GEN_LEN + 4 + 24 * i;
            b.putInt(k, Integer.reverseBytes(pedit[i * 4 + 3]));
            b.putInt(k + 4, Integer.reverseBytes(pedit[i * 4 + 2]));
            b.putInt(k + 8, pedit[i * 4 + 1]);
        }
        int keysEx = w.beginNested(TcPedit.TCA_PEDIT_KEYS_EX | NLA_F_NESTED);
        for (int i = 0; i < peditKeys; i++) {
            int ke = w.beginNested(TcPedit.TCA_PEDIT_KEY_EX | NLA_F_NESTED);
            w.putU16(TcPedit.TCA_PEDIT_KEY_EX_HTYPE, pedit[i * 4]);
            w.putU16(TcPedit.TCA_PEDIT_KEY_EX_CMD, TcPedit.TCA_PEDIT_KEY_EX_CMD_SET);
            w.endNested(ke);
        }
        w.endNested(keysEx);
        w.endNested(opts);
        endAction(w, nest);
        peditKeys = 0;
        if (csumFlags != 0) {
            int cn = beginAction(w, "csum");
            int co = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
            int cp = struct(w, TcCsum.TCA_CSUM_PARMS, TC_GEN_LEN + 4);
            ByteBuffer cb = w.buffer();
            tcGen(cb, cp, TC_ACT_PIPE);
            cb.putInt(cp + TC_GEN_LEN, csumFlags);
            w.endNested(co);
            endAction(w, cn);
            csumFlags = 0;
        }
    }
}
