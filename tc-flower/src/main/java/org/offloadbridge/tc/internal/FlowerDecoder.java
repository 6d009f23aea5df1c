package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.*;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.AttributeCursor;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.GenStats;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.netlink.uapi.TcCsum;
import org.offloadbridge.netlink.uapi.TcGact;
import org.offloadbridge.netlink.uapi.TcMirred;
import org.offloadbridge.netlink.uapi.TcPedit;
import org.offloadbridge.netlink.uapi.TcTunnelKey;
import org.offloadbridge.netlink.uapi.TcVlan;
import org.offloadbridge.tc.TcPorts;

/**
 * A flower filter as the kernel reports it (RTM_NEWTFILTER: echo, get reply, dump entry) →
 * {@link DecodedFilter}: identity, cookie → ufid, the megaflow it implements, flags, stats.
 * The inverse of {@link FlowerEncoder} on everything the encoder writes.
 *
 * <p>Canonical form: the match a filter decodes to is what the filter really matches, written
 * the way {@link FlowMask#setDatapathBaseline} writes it, so a megaflow whose mask includes
 * the datapath baseline decodes back to exactly itself (revalidators compare dumps with what
 * they installed):
 * <ul>
 *   <li>in_port exact (the filter's device) and {@code recirc_id(0)} exact (we only install in
 *       chain 0, which every packet enters with recirc_id 0);</li>
 *   <li>protocol {@code ip} (an untagged ethertype), or protocol all with {@code num_of_vlans 0},
 *       decodes as "no tag": vlan0 tpid 0 and cfi 0, both exact — flower only sees untagged
 *       packets there;</li>
 *   <li>protocol 802.1Q/802.1ad decodes as tag 0 present with that exact TPID; a
 *       {@code vlan_ethtype} that is not a TPID also says "no second tag" (vlan1 tpid 0,
 *       cfi 0, exact); with {@code vlan_ethtype} a TPID, tag 1 is present with that TPID;</li>
 *   <li>"not a fragment" decodes as nw_frag {@code no} with mask {@code 0x3} (the baseline's
 *       exact nw_frag; OVS's {@code frag=no}); first/later as exact values; "any fragment"
 *       (is_fragment alone) as {@code 0x1/0x1}.</li>
 * </ul>
 * On top of that, every {@link Megaflow} is in the one canonical form of its match
 * ({@link FlowMask#canonicalize}): mask bits of absent tags and headers (a vid pinned on an
 * untagged packet, a port on a later fragment) are gone on both sides, which is why a megaflow
 * the pipeline built from an untagged packet comes back equal although flower can't carry a
 * VLAN id mask without a tag.
 * A megaflow without the baseline still encodes (the filter then matches the baseline's
 * narrowing: chain 0, and an untagged ethertype only untagged packets), and decodes to that
 * megaflow plus those implied bits. An IP flow without nw_frag in its mask gets no ip_flags
 * and decodes with nw_frag wildcarded, as the filter matches every fragment state.
 * Rewrites decode as masked sets ({@code set_masked}), csum and tunnel_key unset as implied
 * (they follow from the rewrite and from the tunnel match).
 * Control plane only (dumps, echoes): allocates freely.
 */
public final class FlowerDecoder {
    private final TcPorts ports;
    private final TcMsg tcmsg = new TcMsg();
    private final AttributeTable top = new AttributeTable(Rtnetlink.TCA_MAX);
    private final AttributeTable opts = new AttributeTable(TCA_FLOWER_MAX);
    private final AttributeTable act = new AttributeTable(TCA_ACT_MAX);
    private final AttributeTable actOpts = new AttributeTable(16);
    private final AttributeTable stats = new AttributeTable(GenStats.TCA_STATS_MAX);
    private final AttributeCursor actions = new AttributeCursor();
    private final AttributeCursor keysEx = new AttributeCursor();
    private final AttributeTable keyEx = new AttributeTable(TcPedit.TCA_PEDIT_KEY_EX_MAX);

    public FlowerDecoder(TcPorts ports) {
        this.ports = ports;
    }

    /** Thrown (internally) for a filter we can't express as a megaflow. */
    private static final class NotOurs extends RuntimeException {
        NotOurs(String why) {
            super(why, null, false, false);
        }
    }

    public DecodedFilter decode(NetlinkMessage m) {
        ByteBuffer b = m.buffer();
        int hdr = m.fixedHeader(TcMsg.LENGTH);
        tcmsg.wrap(b, hdr);
        int ifindex = tcmsg.ifindex();
        int handle = tcmsg.handle();
        int info = tcmsg.info();
        int prio = info >>> 16;
        int protocol = Short.reverseBytes((short) info) & 0xffff;
        m.attributes(TcMsg.LENGTH, top);
        String kind = top.string(Rtnetlink.TCA_KIND);
        if (!"flower".equals(kind) || handle == 0 || !top.nested(Rtnetlink.TCA_OPTIONS, opts)) {
            return new DecodedFilter(ifindex, prio, protocol, handle, kind, null, null, "not a flower filter", 0, 0, 0, 0, 0, -1);
        }
        int flags = opts.u32(TCA_FLOWER_FLAGS, 0);
        int inHwCount = opts.u32(TCA_FLOWER_IN_HW_COUNT, 0);
        ActionsResult ar = new ActionsResult();
        String why = null;
        Megaflow flow = null;
        try {
            FlowKey key = new FlowKey();
            FlowMask mask = new FlowMask();
            int port = ports.portOf(ifindex);
            if (port < 0) {
                throw new NotOurs("no datapath port for ifindex " + ifindex);
            }
            set(key, mask, Field.IN_PORT, port & 0xffffffffL, 0xffffffffL);
            set(key, mask, Field.RECIRC_ID, 0, 0xffffffffL); // chain 0: see the class comment
            boolean tunnelMatch = decodeKeys(key, mask, protocol);
            decodeActions(ar, tunnelMatch, key, mask);
            if (ar.ufid != null) {
                key.deriveAttrs(mask); // which OVS key attributes to print, as the parser would set them
                flow = new Megaflow(key, mask, ar.actions, ar.ufid);
            }
        } catch (NotOurs e) {
            why = e.getMessage();
        }
        if (ar.ufid == null && why == null) {
            why = "no 16-byte action cookie (not installed by us)";
        }
        return new DecodedFilter(ifindex, prio, protocol, handle, kind, ar.ufid, flow, why, flags, inHwCount,
                ar.packets, ar.bytes, ar.hwPackets, ar.packets == 0 ? -1 : ar.usedMillisAgo);
    }

    // ------------------------------------------------------------------ keys

    private static void set(FlowKey k, FlowMask m, Field f, long value, long mask) {
        k.set(f, value & mask);
        m.unwildcard(f, mask);
    }

    /** "No tag", as the baseline writes it for an untagged packet: tpid 0 and cfi 0, both exact. */
    private static void untagged(FlowKey k, FlowMask m) {
        set(k, m, Field.VLAN0_CFI, 0, 1);
        set(k, m, Field.VLAN0_TPID, 0, 0xffff);
    }

    private static boolean isVlan(int t) {
        return EthType.isVlan(t);
    }

    private boolean decodeKeys(FlowKey k, FlowMask m, int protocol) {
        int inner = 0;
        if (isVlan(protocol)) {
            set(k, m, Field.VLAN0_CFI, 1, 1);
            set(k, m, Field.VLAN0_TPID, protocol, 0xffff);
            if (opts.has(TCA_FLOWER_KEY_VLAN_ID)) {
                set(k, m, Field.VLAN0_VID, opts.u16(TCA_FLOWER_KEY_VLAN_ID), 0xfff);
            }
            if (opts.has(TCA_FLOWER_KEY_VLAN_PRIO)) {
                set(k, m, Field.VLAN0_PCP, opts.u8(TCA_FLOWER_KEY_VLAN_PRIO), 7);
            }
            int vet = opts.has(TCA_FLOWER_KEY_VLAN_ETH_TYPE) ? opts.be16(TCA_FLOWER_KEY_VLAN_ETH_TYPE) : 0;
            if (vet != 0 && !isVlan(vet)) {
                // One tag, then a non-TPID ethertype: there is no second tag.
                set(k, m, Field.VLAN1_CFI, 0, 1);
                set(k, m, Field.VLAN1_TPID, 0, 0xffff);
            }
            if (isVlan(vet)) {
                set(k, m, Field.VLAN1_CFI, 1, 1);
                set(k, m, Field.VLAN1_TPID, vet, 0xffff);
                if (opts.has(TCA_FLOWER_KEY_CVLAN_ID)) {
                    set(k, m, Field.VLAN1_VID, opts.u16(TCA_FLOWER_KEY_CVLAN_ID), 0xfff);
                }
                if (opts.has(TCA_FLOWER_KEY_CVLAN_PRIO)) {
                    set(k, m, Field.VLAN1_PCP, opts.u8(TCA_FLOWER_KEY_CVLAN_PRIO), 7);
                }
                inner = opts.has(TCA_FLOWER_KEY_CVLAN_ETH_TYPE) ? opts.be16(TCA_FLOWER_KEY_CVLAN_ETH_TYPE) : 0;
            } else {
                inner = vet;
            }
            if (inner == 0 && opts.has(TCA_FLOWER_KEY_ETH_TYPE) && !isVlan(opts.be16(TCA_FLOWER_KEY_ETH_TYPE))) {
                inner = opts.be16(TCA_FLOWER_KEY_ETH_TYPE);
            }
        } else if (protocol != EthType.ALL) {
            untagged(k, m);
            inner = protocol;
        } else if (opts.has(TCA_FLOWER_KEY_NUM_OF_VLANS)) {
            if (opts.u8(TCA_FLOWER_KEY_NUM_OF_VLANS) != 0) {
                throw new NotOurs("num_of_vlans " + opts.u8(TCA_FLOWER_KEY_NUM_OF_VLANS) + " with protocol all");
            }
            untagged(k, m);
        }
        if (inner != 0) {
            set(k, m, Field.ETH_TYPE, inner, 0xffff);
        }
        mac(k, m, Field.ETH_DST, TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK);
        mac(k, m, Field.ETH_SRC, TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK);
        if (inner == EthType.IP || inner == EthType.IPV6) {
            int proto = -1;
            if (opts.has(TCA_FLOWER_KEY_IP_PROTO)) {
                proto = opts.u8(TCA_FLOWER_KEY_IP_PROTO);
                set(k, m, Field.NW_PROTO, proto, 0xff);
            }
            u8(k, m, Field.NW_TOS, TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK);
            u8(k, m, Field.NW_TTL, TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK);
            if (inner == EthType.IP) {
                be32(k, m, Field.IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK);
                be32(k, m, Field.IPV4_DST, TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK);
            } else {
                ip6(k, m, Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK);
                ip6(k, m, Field.IPV6_DST_HI, Field.IPV6_DST_LO, TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK);
            }
            switch (proto) {
                case IpProto.TCP -> {
                    be16(k, m, Field.TP_SRC, TCA_FLOWER_KEY_TCP_SRC, TCA_FLOWER_KEY_TCP_SRC_MASK);
                    be16(k, m, Field.TP_DST, TCA_FLOWER_KEY_TCP_DST, TCA_FLOWER_KEY_TCP_DST_MASK);
                    be16(k, m, Field.TCP_FLAGS, TCA_FLOWER_KEY_TCP_FLAGS, TCA_FLOWER_KEY_TCP_FLAGS_MASK);
                }
                case IpProto.UDP -> {
                    be16(k, m, Field.TP_SRC, TCA_FLOWER_KEY_UDP_SRC, TCA_FLOWER_KEY_UDP_SRC_MASK);
                    be16(k, m, Field.TP_DST, TCA_FLOWER_KEY_UDP_DST, TCA_FLOWER_KEY_UDP_DST_MASK);
                }
                case IpProto.SCTP -> {
                    be16(k, m, Field.TP_SRC, TCA_FLOWER_KEY_SCTP_SRC, TCA_FLOWER_KEY_SCTP_SRC_MASK);
                    be16(k, m, Field.TP_DST, TCA_FLOWER_KEY_SCTP_DST, TCA_FLOWER_KEY_SCTP_DST_MASK);
                }
                case IpProto.ICMP -> {
                    u8(k, m, Field.ICMP_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE_MASK);
                    u8(k, m, Field.ICMP_CODE, TCA_FLOWER_KEY_ICMPV4_CODE, TCA_FLOWER_KEY_ICMPV4_CODE_MASK);
                }
                case IpProto.ICMPV6 -> {
                    u8(k, m, Field.ICMP_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE_MASK);
                    u8(k, m, Field.ICMP_CODE, TCA_FLOWER_KEY_ICMPV6_CODE, TCA_FLOWER_KEY_ICMPV6_CODE_MASK);
                }
                default -> { }
            }
            if (opts.has(TCA_FLOWER_KEY_FLAGS_MASK)) {
                int fm = opts.be32(TCA_FLOWER_KEY_FLAGS_MASK);
                int fk = opts.has(TCA_FLOWER_KEY_FLAGS) ? opts.be32(TCA_FLOWER_KEY_FLAGS) : 0;
                if ((fm & ~(TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT | TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST)) != 0) {
                    throw new NotOurs("key flags 0x" + Integer.toHexString(fm) + " beyond frag/firstfrag");
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
        } else if (inner == EthType.ARP) {
            be32(k, m, Field.ARP_SPA, TCA_FLOWER_KEY_ARP_SIP, TCA_FLOWER_KEY_ARP_SIP_MASK);
            be32(k, m, Field.ARP_TPA, TCA_FLOWER_KEY_ARP_TIP, TCA_FLOWER_KEY_ARP_TIP_MASK);
            if (opts.has(TCA_FLOWER_KEY_ARP_OP)) {
                int om = opts.u8(TCA_FLOWER_KEY_ARP_OP_MASK, 0xff);
                // An 8-bit mask of 0xff means "the opcode is this byte": the upper byte is 0.
                set(k, m, Field.ARP_OP, opts.u8(TCA_FLOWER_KEY_ARP_OP), om == 0xff ? 0xffff : om);
            }
            mac(k, m, Field.ARP_SHA, TCA_FLOWER_KEY_ARP_SHA, TCA_FLOWER_KEY_ARP_SHA_MASK);
            mac(k, m, Field.ARP_THA, TCA_FLOWER_KEY_ARP_THA, TCA_FLOWER_KEY_ARP_THA_MASK);
        }
        boolean tun = false;
        tun |= be32(k, m, Field.TUN_IPV4_SRC, TCA_FLOWER_KEY_ENC_IPV4_SRC, TCA_FLOWER_KEY_ENC_IPV4_SRC_MASK);
        tun |= be32(k, m, Field.TUN_IPV4_DST, TCA_FLOWER_KEY_ENC_IPV4_DST, TCA_FLOWER_KEY_ENC_IPV4_DST_MASK);
        tun |= ip6(k, m, Field.TUN_IPV6_SRC_HI, Field.TUN_IPV6_SRC_LO, TCA_FLOWER_KEY_ENC_IPV6_SRC, TCA_FLOWER_KEY_ENC_IPV6_SRC_MASK);
        tun |= ip6(k, m, Field.TUN_IPV6_DST_HI, Field.TUN_IPV6_DST_LO, TCA_FLOWER_KEY_ENC_IPV6_DST, TCA_FLOWER_KEY_ENC_IPV6_DST_MASK);
        if (opts.has(TCA_FLOWER_KEY_ENC_KEY_ID)) {
            set(k, m, Field.TUN_ID, opts.be32(TCA_FLOWER_KEY_ENC_KEY_ID) & 0xffffffffL, -1L);
            tun = true;
        }
        tun |= be16(k, m, Field.TUN_TP_DST, TCA_FLOWER_KEY_ENC_UDP_DST_PORT, TCA_FLOWER_KEY_ENC_UDP_DST_PORT_MASK);
        tun |= be16(k, m, Field.TUN_TP_SRC, TCA_FLOWER_KEY_ENC_UDP_SRC_PORT, TCA_FLOWER_KEY_ENC_UDP_SRC_PORT_MASK);
        tun |= u8(k, m, Field.TUN_TOS, TCA_FLOWER_KEY_ENC_IP_TOS, TCA_FLOWER_KEY_ENC_IP_TOS_MASK);
        tun |= u8(k, m, Field.TUN_TTL, TCA_FLOWER_KEY_ENC_IP_TTL, TCA_FLOWER_KEY_ENC_IP_TTL_MASK);
        return tun;
    }

    private boolean mac(FlowKey k, FlowMask m, Field f, int keyAttr, int maskAttr) {
        if (!opts.has(keyAttr)) {
            return false;
        }
        long mask = opts.has(maskAttr) ? readMac(opts.offset(maskAttr)) : 0xffffffffffffL;
        if (mask == 0) {
            return false;
        }
        set(k, m, f, readMac(opts.offset(keyAttr)), mask);
        return true;
    }

    private long readMac(int off) {
        ByteBuffer b = opts.buffer();
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (b.get(off + i) & 0xff);
        }
        return v;
    }

    private boolean u8(FlowKey k, FlowMask m, Field f, int keyAttr, int maskAttr) {
        if (!opts.has(keyAttr)) {
            return false;
        }
        int mask = opts.u8(maskAttr, 0xff);
        if (mask == 0) {
            return false;
        }
        set(k, m, f, opts.u8(keyAttr), mask);
        return true;
    }

    private boolean be16(FlowKey k, FlowMask m, Field f, int keyAttr, int maskAttr) {
        if (!opts.has(keyAttr)) {
            return false;
        }
        int mask = opts.has(maskAttr) ? opts.be16(maskAttr) : 0xffff;
        if (mask == 0) {
            return false;
        }
        set(k, m, f, opts.be16(keyAttr), mask);
        return true;
    }

    private boolean be32(FlowKey k, FlowMask m, Field f, int keyAttr, int maskAttr) {
        if (!opts.has(keyAttr)) {
            return false;
        }
        long mask = (opts.has(maskAttr) ? opts.be32(maskAttr) : -1) & 0xffffffffL;
        if (mask == 0) {
            return false;
        }
        set(k, m, f, opts.be32(keyAttr) & 0xffffffffL, mask);
        return true;
    }

    private boolean ip6(FlowKey k, FlowMask m, Field hi, Field lo, int keyAttr, int maskAttr) {
        if (!opts.has(keyAttr)) {
            return false;
        }
        int ko = opts.offset(keyAttr);
        int mo = opts.has(maskAttr) ? opts.offset(maskAttr) : -1;
        long mh = mo < 0 ? -1L : readLong(mo);
        long ml = mo < 0 ? -1L : readLong(mo + 8);
        if (mh == 0 && ml == 0) {
            return false;
        }
        set(k, m, hi, readLong(ko), mh);
        set(k, m, lo, readLong(ko + 8), ml);
        return true;
    }

    private long readLong(int off) {
        ByteBuffer b = opts.buffer();
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b.get(off + i) & 0xff);
        }
        return v;
    }

    // ------------------------------------------------------------------ actions

    private static final class ActionsResult {
        Ufid ufid;
        Actions actions;
        long packets;
        long bytes;
        long hwPackets;
        long usedMillisAgo = -1;
    }

    private void decodeActions(ActionsResult r, boolean tunnelMatch, FlowKey key, FlowMask mask) {
        if (!opts.has(TCA_FLOWER_ACT)) {
            throw new NotOurs("no actions");
        }
        Actions.Builder b = Actions.builder();
        actions.reset(opts, TCA_FLOWER_ACT);
        int n = 0;
        boolean sawDrop = false;
        while (actions.next()) {
            n++;
            act.parse(actions.buffer(), actions.payloadOffset(), actions.payloadEnd());
            byte[] ck = act.bytes(TCA_ACT_COOKIE);
            if (ck == null || ck.length != 16) {
                r.ufid = null;
                throw new NotOurs("action " + n + " has no 16-byte cookie");
            }
            Ufid u = Ufid.fromCookieBytes(ck);
            if (r.ufid == null) {
                r.ufid = u;
            } else if (!r.ufid.equals(u)) {
                throw new NotOurs("actions carry different cookies");
            }
            actionStats(r);
            String kind = act.string(TCA_ACT_KIND);
            act.nested(TCA_ACT_OPTIONS, actOpts);
            if (sawDrop) {
                throw new NotOurs("action after a drop");
            }
            switch (kind == null ? "" : kind) {
                case "mirred" -> {
                    int p = actOpts.offset(TcMirred.TCA_MIRRED_PARMS);
                    if (p < 0 || actOpts.length(TcMirred.TCA_MIRRED_PARMS) < FlowerEncoder.TC_GEN_LEN + 8) {
                        throw new NotOurs("mirred without parms");
                    }
                    ByteBuffer bb = actOpts.buffer();
                    int eaction = bb.getInt(p + FlowerEncoder.TC_GEN_LEN);
                    int ifindex = bb.getInt(p + FlowerEncoder.TC_GEN_LEN + 4);
                    if (eaction != TcMirred.TCA_EGRESS_REDIR && eaction != TcMirred.TCA_EGRESS_MIRROR) {
                        throw new NotOurs("mirred eaction " + eaction);
                    }
                    int port = ports.portOf(ifindex);
                    if (port < 0) {
                        throw new NotOurs("mirred to ifindex " + ifindex + " with no datapath port");
                    }
                    b.output(port);
                    tm(r, TcMirred.TCA_MIRRED_TM);
                }
                case "gact" -> {
                    int p = actOpts.offset(TcGact.TCA_GACT_PARMS);
                    if (p < 0 || actOpts.buffer().getInt(p + FlowerEncoder.TC_GEN_ACTION) != TC_ACT_SHOT) {
                        throw new NotOurs("gact other than drop");
                    }
                    sawDrop = true;
                    tm(r, TcGact.TCA_GACT_TM);
                }
                case "vlan" -> {
                    int p = actOpts.offset(TcVlan.TCA_VLAN_PARMS);
                    int va = p < 0 ? -1 : actOpts.buffer().getInt(p + FlowerEncoder.TC_GEN_LEN);
                    int vid = actOpts.has(TcVlan.TCA_VLAN_PUSH_VLAN_ID) ? actOpts.u16(TcVlan.TCA_VLAN_PUSH_VLAN_ID) : 0;
                    int tpid = actOpts.has(TcVlan.TCA_VLAN_PUSH_VLAN_PROTOCOL) ? actOpts.be16(TcVlan.TCA_VLAN_PUSH_VLAN_PROTOCOL) : EthType.VLAN_8021Q;
                    int pcp = actOpts.has(TcVlan.TCA_VLAN_PUSH_VLAN_PRIORITY) ? actOpts.u8(TcVlan.TCA_VLAN_PUSH_VLAN_PRIORITY) : 0;
                    switch (va) {
                        case TcVlan.TCA_VLAN_ACT_POP -> b.popVlan();
                        case TcVlan.TCA_VLAN_ACT_PUSH -> b.pushVlan(tpid, vid, pcp);
                        case TcVlan.TCA_VLAN_ACT_MODIFY -> b.beginSet(KeyAttr.VLAN, true).field(Field.VLAN0_VID, vid, 0xfff).field(Field.VLAN0_PCP, pcp, 7).endSet();
                        default -> throw new NotOurs("vlan action " + va);
                    }
                    tm(r, TcVlan.TCA_VLAN_TM);
                }
                case "pedit" -> {
                    pedit(b);
                    tm(r, TcPedit.TCA_PEDIT_TM);
                }
                case "csum" -> tm(r, TcCsum.TCA_CSUM_TM); // implied by the rewrite before it
                case "tunnel_key" -> {
                    tunnelKey(b, n == 1 && tunnelMatch);
                    tm(r, TcTunnelKey.TCA_TUNNEL_KEY_TM);
                }
                default -> throw new NotOurs("action kind " + kind + " has no datapath form");
            }
        }
        r.actions = b.build();
    }

    private void actionStats(ActionsResult r) {
        if (!act.nested(TCA_ACT_STATS, stats)) {
            return;
        }
        if (stats.has(GenStats.TCA_STATS_BASIC) && stats.length(GenStats.TCA_STATS_BASIC) >= 12) {
            int o = stats.offset(GenStats.TCA_STATS_BASIC);
            long bytes = stats.buffer().getLong(o + GenStats.GNET_STATS_BASIC_BYTES);
            long packets = stats.buffer().getInt(o + GenStats.GNET_STATS_BASIC_PACKETS) & 0xffffffffL;
            if (stats.has(GenStats.TCA_STATS_PKT64)) {
                packets = stats.u64(GenStats.TCA_STATS_PKT64);
            }
            if (packets > r.packets) {
                r.packets = packets;
                r.bytes = bytes;
                if (stats.has(GenStats.TCA_STATS_BASIC_HW) && stats.length(GenStats.TCA_STATS_BASIC_HW) >= 12) {
                    r.hwPackets = stats.buffer().getInt(stats.offset(GenStats.TCA_STATS_BASIC_HW) + GenStats.GNET_STATS_BASIC_PACKETS) & 0xffffffffL;
                }
            }
        }
    }

    /** struct tcf_t {install, lastuse, expires, firstuse}: ages in clock_t (USER_HZ = 100 per second). */
    private void tm(ActionsResult r, int tmAttr) {
        if (actOpts.has(tmAttr) && actOpts.length(tmAttr) >= 16) {
            long lastuse = actOpts.buffer().getLong(actOpts.offset(tmAttr) + 8) * 10;
            if (r.usedMillisAgo < 0 || lastuse < r.usedMillisAgo) {
                r.usedMillisAgo = lastuse;
            }
        }
    }

    private void pedit(Actions.Builder b) {
        int p = actOpts.offset(TcPedit.TCA_PEDIT_PARMS_EX);
        if (p < 0 || !actOpts.has(TcPedit.TCA_PEDIT_KEYS_EX)) {
            throw new NotOurs("pedit without extended keys");
        }
        ByteBuffer bb = actOpts.buffer();
        int nkeys = bb.get(p + FlowerEncoder.TC_GEN_LEN) & 0xff;
        int[] htypes = new int[nkeys];
        keysEx.reset(actOpts, TcPedit.TCA_PEDIT_KEYS_EX);
        int i = 0;
        while (keysEx.next() && i < nkeys) {
            keyEx.parse(keysEx.buffer(), keysEx.payloadOffset(), keysEx.payloadEnd());
            if (keyEx.has(TcPedit.TCA_PEDIT_KEY_EX_CMD) && keyEx.u16(TcPedit.TCA_PEDIT_KEY_EX_CMD) != TcPedit.TCA_PEDIT_KEY_EX_CMD_SET) {
                throw new NotOurs("pedit add (not set)");
            }
            htypes[i++] = keyEx.u16(TcPedit.TCA_PEDIT_KEY_EX_HTYPE);
        }
        // field → {value, mask}, in order of first appearance; grouped by OVS key attribute.
        Map<PeditField, long[]> fields = new LinkedHashMap<>();
        for (int k = 0; k < nkeys; k++) {
            int ko = p + FlowerEncoder.TC_GEN_LEN + 4 + 24 * k;
            int keep = Integer.reverseBytes(bb.getInt(ko));
            int val = Integer.reverseBytes(bb.getInt(ko + 4));
            int off = bb.getInt(ko + 8);
            int bits = ~keep;
            boolean matched = false;
            for (PeditField pf : PeditField.all()) {
                if (pf.htype != htypes[k]) {
                    continue;
                }
                for (int bit = 0; bit < 32; bit++) {
                    if (((bits >>> (31 - bit)) & 1) == 0) {
                        continue;
                    }
                    int fieldBit = off * 8 + bit - pf.bitOffset;
                    if (fieldBit < 0 || fieldBit >= pf.width()) {
                        continue;
                    }
                    int shift = pf.width() - 1 - fieldBit;
                    long[] vm = fields.computeIfAbsent(pf, x -> new long[2]);
                    vm[1] |= 1L << shift;
                    if (((val >>> (31 - bit)) & 1) != 0) {
                        vm[0] |= 1L << shift;
                    }
                    matched = true;
                }
            }
            if (!matched && bits != 0) {
                throw new NotOurs("pedit key at " + htypes[k] + "/" + off + " rewrites no field we know");
            }
        }
        KeyAttr open = null;
        for (Map.Entry<PeditField, long[]> e : fields.entrySet()) {
            PeditField pf = e.getKey();
            if (pf.attr != open) {
                if (open != null) {
                    b.endSet();
                }
                b.beginSet(pf.attr, true);
                open = pf.attr;
            }
            b.field(pf.field, e.getValue()[0], e.getValue()[1]);
        }
        if (open != null) {
            b.endSet();
        }
    }

    private void tunnelKey(Actions.Builder b, boolean decapOfMatch) {
        int p = actOpts.offset(TcTunnelKey.TCA_TUNNEL_KEY_PARMS);
        int ta = p < 0 ? -1 : actOpts.buffer().getInt(p + FlowerEncoder.TC_GEN_LEN);
        if (ta == TcTunnelKey.TCA_TUNNEL_KEY_ACT_RELEASE) {
            if (!decapOfMatch) {
                throw new NotOurs("tunnel_key unset that is not the decap of a tunnel match");
            }
            return;
        }
        if (ta != TcTunnelKey.TCA_TUNNEL_KEY_ACT_SET) {
            throw new NotOurs("tunnel_key action " + ta);
        }
        // What the kernel holds: an id (and its TUNNEL_KEY flag) only when ENC_KEY_ID is there,
        // the csum flag from NO_CSUM; tos/ttl/port 0 when not dumped. Written the same way for
        // IPv4 and IPv6, in the order and with the sub-attributes Actions.Builder.setTunnelIpv4
        // lists (tos only when non-zero; ttl, tp_dst and flags always).
        boolean hasId = actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_KEY_ID);
        long id = hasId ? actOpts.be32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_KEY_ID) & 0xffffffffL : 0;
        int tos = actOpts.u8(TcTunnelKey.TCA_TUNNEL_KEY_ENC_TOS, 0);
        int ttl = actOpts.u8(TcTunnelKey.TCA_TUNNEL_KEY_ENC_TTL, 0);
        int tpDst = actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_DST_PORT) ? actOpts.be16(TcTunnelKey.TCA_TUNNEL_KEY_ENC_DST_PORT) : 0;
        boolean csum = actOpts.u8(TcTunnelKey.TCA_TUNNEL_KEY_NO_CSUM, 0) == 0;
        int flags = (hasId ? FlowKey.TUN_F_KEY : 0) | (csum ? FlowKey.TUN_F_CSUM : 0);
        boolean v4 = actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_SRC) && actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_DST);
        boolean v6 = actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_SRC) && actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_DST);
        if (!v4 && !v6) {
            throw new NotOurs("tunnel_key set without source and destination addresses");
        }
        b.beginSet(KeyAttr.TUNNEL, false);
        if (hasId) {
            b.field(Field.TUN_ID, id, -1L);
        }
        if (v4) {
            b.field(Field.TUN_IPV4_SRC, actOpts.be32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_SRC) & 0xffffffffL, -1L)
                    .field(Field.TUN_IPV4_DST, actOpts.be32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_DST) & 0xffffffffL, -1L);
        } else {
            ByteBuffer bb = actOpts.buffer();
            int s = actOpts.offset(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_SRC);
            int d = actOpts.offset(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_DST);
            b.field(Field.TUN_IPV6_SRC_HI, be64(bb, s), -1L).field(Field.TUN_IPV6_SRC_LO, be64(bb, s + 8), -1L)
                    .field(Field.TUN_IPV6_DST_HI, be64(bb, d), -1L).field(Field.TUN_IPV6_DST_LO, be64(bb, d + 8), -1L);
        }
        if (tos != 0) {
            b.field(Field.TUN_TOS, tos, -1L);
        }
        b.field(Field.TUN_TTL, ttl, -1L).field(Field.TUN_TP_DST, tpDst, -1L).field(Field.TUN_FLAGS, flags, -1L).endSet();
    }

    private static long be64(ByteBuffer b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b.get(off + i) & 0xff);
        }
        return v;
    }
}
