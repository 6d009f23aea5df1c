package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT;

import java.util.Arrays;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.Megaflow;

/**
 * A megaflow's match → the flower keys of a {@link FlowerFilter}, or a {@link Refusal} naming
 * the field flower can't express. Apart from the actions because the two fail for different
 * reasons (a key flower lacks vs an action tc lacks) and change with different kernels; apart
 * from the codec because this is where the decisions are: which keys, which protocol, what a
 * mask may look like.
 *
 * <h2>Protocol</h2>
 * flower dissects from the outermost ethertype: a tagged flow's filter protocol (and
 * {@code KEY_ETH_TYPE}) is the outer TPID, the inner ethertype goes to {@code VLAN_ETH_TYPE}
 * (or {@code CVLAN_ETH_TYPE} for QinQ). A flow that doesn't match eth_type gets protocol
 * {@code all} and may not match anything above L2. Computed once, here, with the keys.
 *
 * <h2>Every masked field is accounted for</h2>
 * Each field the translation expresses (or knows to be harmless) is marked used; a field left
 * with a non-zero mask at the end is refused ({@code UNSUPPORTED_KEY}), so nothing a flow
 * matches is dropped silently.
 *
 * <p>Reusable, not thread-safe; allocation-free unless it refuses.
 */
final class FlowerMatchEncoder {
    /** The tag fields an untagged flow may only match as 0. */
    private static final Field[] UNTAGGED_ZERO = {Field.VLAN0_TPID, Field.VLAN0_VID, Field.VLAN0_PCP, Field.VLAN1_CFI, Field.VLAN1_VID,
            Field.VLAN1_PCP, Field.VLAN1_TPID};

    private final boolean[] used = new boolean[Field.count()];
    private FlowKey key;
    private FlowMask mask;
    private FlowerFilter f;
    /** The innermost ethertype matched (0: none); chooses the L3/L4 keys and ip_flags. */
    private int l3;

    /**
     * Fills {@code into}'s protocol and keys from {@code flow}'s match, all but ip_flags
     * ({@link #encodeFragFlags}, which the caller runs after the actions).
     *
     * @throws Refusal when the match has no flower form
     */
    void encode(Megaflow flow, FlowerFilter into) {
        this.key = flow.key();
        this.mask = flow.mask();
        this.f = into;
        Arrays.fill(used, false);
        int proto = protocolOf(key, mask);
        checkMetadata();
        l3 = encodeVlans(proto);
        encodeEth();
        encodeL3L4(l3);
        encodeTunnel();
        checkAllUsed();
        if (proto != EthType.ALL) {
            f.exact(FlowerKey.ETH_TYPE, proto);
        }
        f.protocol(proto);
    }

    private long k(Field field) {
        return key.get(field);
    }

    private long m(Field field) {
        return mask.get(field);
    }

    /** Marks {@code field} as expressed (or as harmless) so the final check doesn't refuse it. */
    private void use(Field field) {
        used[field.ordinal()] = true;
    }

    /**
     * The filter protocol of a match.
     *
     * @throws Refusal when the L2 match has no flower form
     */
    private static int protocolOf(FlowKey k, FlowMask m) {
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

    /** The VLAN keys; returns the innermost ethertype (0 when not matched). */
    private int encodeVlans(int proto) {
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
                f.exact(FlowerKey.NUM_OF_VLANS, 0);
            }
            for (Field field : UNTAGGED_ZERO) {
                if (k(field) != 0) {
                    throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(field, key, mask) + " 0x" + Long.toHexString(k(field)) + " matched on an untagged flow");
                }
                use(field);
            }
            return inner;
        }
        vlanIdPrio(Field.VLAN0_VID, Field.VLAN0_PCP, FlowerKey.VLAN_ID, FlowerKey.VLAN_PRIO);
        boolean qinq = m(Field.VLAN1_CFI) != 0 && k(Field.VLAN1_CFI) == FlowKey.VLAN_PRESENT;
        use(Field.VLAN1_CFI);
        use(Field.VLAN1_TPID);
        if (qinq) {
            f.exact(FlowerKey.VLAN_ETH_TYPE, vlanTpid(key, mask, Field.VLAN1_TPID));
            vlanIdPrio(Field.VLAN1_VID, Field.VLAN1_PCP, FlowerKey.CVLAN_ID, FlowerKey.CVLAN_PRIO);
            if (inner != 0) {
                f.exact(FlowerKey.CVLAN_ETH_TYPE, inner);
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
                f.exact(FlowerKey.VLAN_ETH_TYPE, inner);
            }
        }
        return inner;
    }

    private void vlanIdPrio(Field vid, Field pcp, FlowerKey vidKey, FlowerKey prioKey) {
        long vm = m(vid);
        if (vm != 0 && vm != 0xfff) {
            throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(vid, key, mask) + ": partial mask 0x" + Long.toHexString(vm) + " (flower matches the VLAN id exactly or not at all)");
        }
        long pm = m(pcp);
        if (pm != 0 && pm != 7) {
            throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(pcp, key, mask) + ": partial mask (flower matches the priority exactly or not at all)");
        }
        if (vm != 0) {
            f.exact(vidKey, k(vid));
        }
        if (pm != 0) {
            f.exact(prioKey, k(pcp));
        }
        use(vid);
        use(pcp);
    }

    private void encodeEth() {
        keyMask(Field.ETH_DST, FlowerKey.ETH_DST);
        keyMask(Field.ETH_SRC, FlowerKey.ETH_SRC);
    }

    private void encodeL3L4(int ethType) {
        if (ethType == EthType.IP || ethType == EthType.IPV6) {
            long pm = m(Field.NW_PROTO);
            if (pm != 0 && pm != 0xff) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, FieldNames.match(Field.NW_PROTO, key, mask) + ": partial mask 0x" + Long.toHexString(pm) + " (flower matches ip_proto exactly or not at all)");
            }
            int proto = pm == 0 ? -1 : (int) k(Field.NW_PROTO);
            if (proto >= 0) {
                f.exact(FlowerKey.IP_PROTO, proto);
            }
            use(Field.NW_PROTO);
            keyMask(Field.NW_TOS, FlowerKey.IP_TOS);
            keyMask(Field.NW_TTL, FlowerKey.IP_TTL);
            if (ethType == EthType.IP) {
                keyMask(Field.IPV4_SRC, FlowerKey.IPV4_SRC);
                keyMask(Field.IPV4_DST, FlowerKey.IPV4_DST);
            } else {
                ipv6KeyMask(Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, FlowerKey.IPV6_SRC);
                ipv6KeyMask(Field.IPV6_DST_HI, Field.IPV6_DST_LO, FlowerKey.IPV6_DST);
            }
            use(Field.NW_FRAG); // ip_flags: encodeFragFlags
            if ((m(Field.TP_SRC) != 0 || m(Field.TP_DST) != 0 || m(Field.TCP_FLAGS) != 0) && proto < 0) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, "L4 ports or tcp_flags matched without an exact " + FieldNames.match(Field.NW_PROTO, key, mask) + " (flower needs ip_proto for L4 keys)");
            }
            switch (proto) {
                case IpProto.TCP -> {
                    ports(FlowerKey.TCP_SRC, FlowerKey.TCP_DST);
                    keyMask(Field.TCP_FLAGS, FlowerKey.TCP_FLAGS);
                }
                case IpProto.UDP -> ports(FlowerKey.UDP_SRC, FlowerKey.UDP_DST);
                case IpProto.SCTP -> ports(FlowerKey.SCTP_SRC, FlowerKey.SCTP_DST);
                case IpProto.ICMP -> {
                    if (ethType == EthType.IP) {
                        keyMask(Field.ICMP_TYPE, FlowerKey.ICMPV4_TYPE);
                        keyMask(Field.ICMP_CODE, FlowerKey.ICMPV4_CODE);
                    }
                }
                case IpProto.ICMPV6 -> {
                    if (ethType == EthType.IPV6) {
                        keyMask(Field.ICMP_TYPE, FlowerKey.ICMPV6_TYPE);
                        keyMask(Field.ICMP_CODE, FlowerKey.ICMPV6_CODE);
                    }
                }
                default -> { }
            }
        } else if (ethType == EthType.ARP) {
            keyMask(Field.ARP_SPA, FlowerKey.ARP_SIP);
            keyMask(Field.ARP_TPA, FlowerKey.ARP_TIP);
            long om = m(Field.ARP_OP);
            if (om != 0) {
                long op = k(Field.ARP_OP);
                if (op > 0xff || (om & 0xff00) != 0 && (om & 0xff00) != 0xff00) {
                    throw new Refusal(Reason.OUT_OF_RANGE, "arp(op=" + op + "): flower's ARP opcode key is 8 bits");
                }
                f.set(FlowerKey.ARP_OP, op, om & 0xff);
            }
            use(Field.ARP_OP);
            keyMask(Field.ARP_SHA, FlowerKey.ARP_SHA);
            keyMask(Field.ARP_THA, FlowerKey.ARP_THA);
        }
    }

    private void ports(FlowerKey src, FlowerKey dst) {
        keyMask(Field.TP_SRC, src);
        keyMask(Field.TP_DST, dst);
    }

    private void encodeTunnel() {
        keyMask(Field.TUN_IPV4_SRC, FlowerKey.ENC_IPV4_SRC);
        keyMask(Field.TUN_IPV4_DST, FlowerKey.ENC_IPV4_DST);
        ipv6KeyMask(Field.TUN_IPV6_SRC_HI, Field.TUN_IPV6_SRC_LO, FlowerKey.ENC_IPV6_SRC);
        ipv6KeyMask(Field.TUN_IPV6_DST_HI, Field.TUN_IPV6_DST_LO, FlowerKey.ENC_IPV6_DST);
        long idm = m(Field.TUN_ID);
        if (idm != 0) {
            long id = k(Field.TUN_ID);
            if (idm != -1L) {
                throw new Refusal(Reason.UNSUPPORTED_MASK, "tunnel(tun_id=0x" + Long.toHexString(id) + "/0x" + Long.toHexString(idm) + "): partial mask" + Long.toHexString(idm) + " (flower's enc_key_id is exact)");
            }
            if ((id >>> 32) != 0) {
                throw new Refusal(Reason.OUT_OF_RANGE, "tunnel(tun_id=0x" + Long.toHexString(id) + "): flower's enc_key_id is 32 bits");
            }
            f.exact(FlowerKey.ENC_KEY_ID, id);
        }
        use(Field.TUN_ID);
        keyMask(Field.TUN_TP_DST, FlowerKey.ENC_UDP_DST_PORT);
        keyMask(Field.TUN_TOS, FlowerKey.ENC_IP_TOS);
        keyMask(Field.TUN_TTL, FlowerKey.ENC_IP_TTL);
        keyMask(Field.TUN_TP_SRC, FlowerKey.ENC_UDP_SRC_PORT);
        // Flower on 6.1 has no key for the tunnel's csum/df/oam flags. The key flag alone, set,
        // is what enc_key_id already says (a VXLAN frame always has its VNI): OVS's tc dumps show
        // it as flags(+key) the same way. Any other flag bit stays unused (refused below).
        if (m(Field.TUN_FLAGS) == FlowKey.TUN_F_KEY && k(Field.TUN_FLAGS) == FlowKey.TUN_F_KEY && idm != 0) {
            use(Field.TUN_FLAGS);
        }
    }

    /**
     * ip_flags from nw_frag, for an IP flow that matches it. Run after the actions' translation
     * (its refusal came after theirs before the split, and a flow with several problems is
     * still refused for the same one).
     *
     * @throws Refusal for 'later' matched without 'any'
     */
    void encodeFragFlags() {
        long fm = m(Field.NW_FRAG);
        if (fm == 0 || (l3 != EthType.IP && l3 != EthType.IPV6)) {
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
        f.set(FlowerKey.FLAGS, flags, flagsMask);
    }

    private void checkAllUsed() {
        for (int i = 0; i < used.length; i++) {
            if (!used[i]) {
                Field field = Field.of(i);
                if (mask.get(field) != 0) {
                    // Name the field as the flow text does, and the context only by what the flow
                    // matches (a wildcarded nw_proto is not "nw_proto 0").
                    throw new Refusal(Reason.UNSUPPORTED_KEY, FieldNames.match(field, key, mask) + ": no flower key for it"
                            + (field == Field.TUN_FLAGS ? " (tunnel flags need kernel 6.11's enc_flags)" : " in this flow (" + FieldNames.context(key, mask) + ")"));
                }
            }
        }
    }

    /** {@code field} as flower key {@code fk} with its mask, when matched at all. */
    private void keyMask(Field field, FlowerKey fk) {
        long fm = m(field);
        if (fm != 0) {
            f.set(fk, k(field), fm);
        }
        use(field);
    }

    private void ipv6KeyMask(Field hi, Field lo, FlowerKey fk) {
        if (m(hi) != 0 || m(lo) != 0) {
            f.set(fk, k(hi), k(lo), m(hi), m(lo));
        }
        use(hi);
        use(lo);
    }
}
