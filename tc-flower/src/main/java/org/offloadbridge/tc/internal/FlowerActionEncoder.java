package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.TC_ACT_PIPE;
import static org.offloadbridge.netlink.uapi.PktCls.TC_ACT_SHOT;
import static org.offloadbridge.netlink.uapi.PktCls.TC_ACT_STOLEN;

import java.util.Arrays;
import java.util.List;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.uapi.TcCsum;
import org.offloadbridge.netlink.uapi.TcMirred;
import org.offloadbridge.netlink.uapi.TcPedit;
import org.offloadbridge.netlink.uapi.TcTunnelKey;
import org.offloadbridge.netlink.uapi.TcVlan;
import org.offloadbridge.tc.TcPorts;

/**
 * A megaflow's datapath actions → the tc actions of a {@link FlowerFilter}, or a
 * {@link Refusal} naming the action tc can't perform. Apart from the match because actions
 * fail for their own reasons (userspace, a port without a device, a rewrite pedit can't do)
 * and map many-to-many: consecutive sets share one pedit (and one csum after it), a tunnel
 * set waits for its output, a tunnel match adds a release first, no output adds a drop.
 *
 * <pre>
 *   output(p)            mirred egress redirect (the last output) or mirror (the others, pipe)
 *   push_vlan / pop_vlan vlan push / pop
 *   set(vlan(vid,pcp))   vlan modify
 *   set(tunnel(...))     tunnel_key set, just before the output it applies to
 *   set(eth|ipv4|ipv6|tcp|udp(...))  pedit (extended keys), then csum for what it invalidates
 *   (no output)          gact drop: the datapath drops, tc would let the packet go on
 *   (tunnel match)       tunnel_key release first: tc must drop the tunnel metadata itself
 * </pre>
 * Every action carries the flow's ufid as its cookie. At most
 * {@link FlowerEncoder#MAX_ACTIONS} tc actions (what hardware drivers take).
 *
 * <p>Reusable, not thread-safe; allocation-free on the success path (indexed loops, refusal texts
 * built only when refusing) except the first decode of an {@link org.offloadbridge.flow.Actions}
 * list (cached by flow/).
 */
final class FlowerActionEncoder {
    private final TcPorts ports;
    private FlowerFilter f;
    private Ufid ufid;
    // pending pedit keys of consecutive set actions: [htype, offset, val, mask] (val/mask as BE numbers)
    private int[] pedit = new int[4 * 32];
    private int peditKeys;
    private int csumFlags;

    FlowerActionEncoder(TcPorts ports) {
        this.ports = ports;
    }

    /**
     * Appends {@code flow}'s actions to {@code into}, whose match is filled already (whether it
     * matches a tunnel, and its exact ip_proto, decide the release and the checksums).
     *
     * @throws Refusal when an action has no tc form
     */
    void encode(Megaflow flow, FlowerFilter into) {
        this.f = into;
        this.ufid = flow.ufid();
        peditKeys = 0;
        csumFlags = 0;
        if (f.matchesTunnel()) {
            // Decap: the datapath flow on a tunnel port sees the inner packet; tc must drop the
            // tunnel metadata explicitly (OVS does the same).
            add(FlowerAction.Kind.TUNNEL_KEY, TC_ACT_PIPE).tunnelAction = TcTunnelKey.TCA_TUNNEL_KEY_ACT_RELEASE;
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
                    flushPedit();
                    int ifindex = ports.ifindexOf(o.port());
                    if (ifindex <= 0) {
                        throw new Refusal(Reason.NO_DEVICE, "output(" + o.port() + "): no device for datapath port " + o.port());
                    }
                    if (pendingTunnel != null) {
                        tunnelSet(pendingTunnel);
                        pendingTunnel = null;
                    }
                    boolean mirror = i != lastOutput;
                    FlowerAction m = add(FlowerAction.Kind.MIRRED, mirror ? TC_ACT_PIPE : TC_ACT_STOLEN);
                    m.eaction = mirror ? TcMirred.TCA_EGRESS_MIRROR : TcMirred.TCA_EGRESS_REDIR;
                    m.ifindex = ifindex;
                }
                case Action.PushVlan v -> {
                    flushPedit();
                    vlan(TcVlan.TCA_VLAN_ACT_PUSH, v.vid(), v.tpid(), v.pcp());
                }
                case Action.PopVlan ignored -> {
                    flushPedit();
                    vlan(TcVlan.TCA_VLAN_ACT_POP, -1, -1, -1);
                }
                case Action.SetField s -> {
                    if (s.attr() == KeyAttr.TUNNEL) {
                        flushPedit();
                        if (pendingTunnel != null) {
                            throw new Refusal(Reason.UNSUPPORTED_ACTION, "set(tunnel(...)) twice without an output in between");
                        }
                        pendingTunnel = s;
                    } else if (s.attr() == KeyAttr.VLAN) {
                        flushPedit();
                        vlanModify(s);
                    } else {
                        addPedit(s);
                    }
                }
                case Action.Userspace u -> throw new Refusal(Reason.USERSPACE_ACTION,
                        "userspace(pid=" + u.pid() + (u.args().isEmpty() ? "" : "," + u.args()) + "): needs the daemon, never offloadable");
            }
        }
        flushPedit();
        if (pendingTunnel != null) {
            throw new Refusal(Reason.UNSUPPORTED_ACTION, "set(tunnel(...)) with no output after it");
        }
        if (lastOutput < 0) {
            // No output: the datapath drops the packet. tc would let it continue ("pipe"), so say it.
            add(FlowerAction.Kind.GACT, TC_ACT_SHOT);
        }
        if (f.actionCount() > FlowerEncoder.MAX_ACTIONS) {
            throw new Refusal(Reason.TOO_MANY_ACTIONS, f.actionCount() + " tc actions for " + list.size() + " datapath actions: at most " + FlowerEncoder.MAX_ACTIONS);
        }
    }

    /** A new action slot with the flow's cookie and the {@code tc_gen} verdict {@code control}. */
    private FlowerAction add(FlowerAction.Kind kind, int control) {
        FlowerAction a = f.addAction(kind);
        a.cookie = ufid;
        a.parms = true;
        a.control = control;
        return a;
    }

    private void vlan(int vAction, int vid, int tpid, int pcp) {
        FlowerAction a = add(FlowerAction.Kind.VLAN, TC_ACT_PIPE);
        a.vlanAction = vAction;
        a.vlanId = vid;
        a.vlanProto = tpid;
        a.vlanPrio = pcp;
    }

    private void vlanModify(Action.SetField s) {
        int vid = -1;
        int pcp = -1;
        for (int j = 0; j < s.fields().size(); j++) {
            Action.FieldValue fv = s.fields().get(j);
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
        vlan(TcVlan.TCA_VLAN_ACT_MODIFY, vid, -1, pcp);
    }

    private void tunnelSet(Action.SetField s) {
        long id = -1;
        long v4src = -1, v4dst = -1;
        long v6srcHi = 0, v6srcLo = 0, v6dstHi = 0, v6dstLo = 0;
        boolean v6 = false;
        int tos = 0, ttl = 0, tpDst = -1, flags = 0;
        for (int j = 0; j < s.fields().size(); j++) {
            Action.FieldValue fv = s.fields().get(j);
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
        FlowerAction a = add(FlowerAction.Kind.TUNNEL_KEY, TC_ACT_PIPE);
        a.tunnelAction = TcTunnelKey.TCA_TUNNEL_KEY_ACT_SET;
        if (v6) {
            a.tunnelFamily = 6;
            a.tunnelIpv6SrcHi = v6srcHi;
            a.tunnelIpv6SrcLo = v6srcLo;
            a.tunnelIpv6DstHi = v6dstHi;
            a.tunnelIpv6DstLo = v6dstLo;
        } else {
            a.tunnelFamily = 4;
            a.tunnelIpv4Src = v4src;
            a.tunnelIpv4Dst = v4dst;
        }
        // The id is sent when the action names one (as OVS sends OVS_TUNNEL_KEY_ATTR_ID for a
        // listed tun_id, key flag or not) or when the key flag says there is one (then 0 if
        // unnamed). act_tunnel_key sets its TUNNEL_KEY flag exactly when ENC_KEY_ID is given and
        // dumps the id exactly then, so the decoder gives back tun_id and flags(key) together.
        if (id != -1 || (flags & FlowKey.TUN_F_KEY) != 0) {
            a.tunnelKeyId = id == -1 ? 0 : id;
        }
        a.tunnelDstPort = tpDst;
        a.tunnelTos = tos;
        a.tunnelTtl = ttl;
        a.tunnelNoCsum = (flags & FlowKey.TUN_F_CSUM) != 0 ? 0 : 1;
    }

    /** Queues pedit keys for a set of eth/ipv4/ipv6/tcp/udp fields; consecutive sets share one pedit. */
    private void addPedit(Action.SetField s) {
        int nwProto = f.has(FlowerKey.IP_PROTO) ? (int) f.key(FlowerKey.IP_PROTO) : -1;
        for (int j = 0; j < s.fields().size(); j++) {
            Action.FieldValue fv = s.fields().get(j);
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
                        csumFlags |= l4Csum(nwProto, KeyAttr.IPV4, fv.field());
                    }
                }
                case IPV6 -> {
                    if (fv.field() != Field.NW_TOS && fv.field() != Field.NW_TTL) {
                        csumFlags |= l4Csum(nwProto, KeyAttr.IPV6, fv.field());
                    }
                }
                case TCP -> csumFlags |= TcCsum.TCA_CSUM_UPDATE_FLAG_TCP;
                case UDP -> csumFlags |= TcCsum.TCA_CSUM_UPDATE_FLAG_UDP;
                default -> { }
            }
        }
    }

    /** Checksums an address rewrite ({@code attr}'s {@code field}) invalidates: TCP/UDP's pseudo-header. */
    private static int l4Csum(int nwProto, KeyAttr attr, Field field) {
        return switch (nwProto) {
            case IpProto.TCP -> TcCsum.TCA_CSUM_UPDATE_FLAG_TCP;
            case IpProto.UDP -> TcCsum.TCA_CSUM_UPDATE_FLAG_UDP;
            case IpProto.ICMPV6 -> throw new Refusal(Reason.UNSUPPORTED_ACTION, FieldNames.set(attr, field) + " on ICMPv6: act_csum can't fix the ICMPv6 checksum");
            case -1 -> throw new Refusal(Reason.UNSUPPORTED_ACTION, FieldNames.set(attr, field) + " on a flow that doesn't match "
                    + (attr == KeyAttr.IPV6 ? "ipv6" : "ipv4") + "(proto) exactly: can't tell which L4 checksum to fix");
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
                pedit = Arrays.copyOf(pedit, pedit.length * 2);
            }
            int o = peditKeys * 4;
            pedit[o] = pf.htype;
            pedit[o + 1] = word * 4;
            pedit[o + 2] = val;
            pedit[o + 3] = ~bits;
            peditKeys++;
        }
    }

    /** The queued pedit keys as one pedit action, then a csum action for what they invalidate. */
    private void flushPedit() {
        if (peditKeys == 0) {
            return;
        }
        if (peditKeys > 255) {
            throw new Refusal(Reason.TOO_MANY_ACTIONS, peditKeys + " pedit keys: at most 255");
        }
        FlowerAction a = add(FlowerAction.Kind.PEDIT, TC_ACT_PIPE);
        a.peditCapacity(peditKeys);
        a.peditKeys = peditKeys;
        for (int i = 0; i < peditKeys; i++) {
            a.peditHtype[i] = pedit[i * 4];
            a.peditOffset[i] = pedit[i * 4 + 1];
            a.peditVal[i] = pedit[i * 4 + 2];
            a.peditMask[i] = pedit[i * 4 + 3];
            a.peditCmd[i] = TcPedit.TCA_PEDIT_KEY_EX_CMD_SET;
        }
        peditKeys = 0;
        if (csumFlags != 0) {
            add(FlowerAction.Kind.CSUM, TC_ACT_PIPE).csumFlags = csumFlags;
            csumFlags = 0;
        }
    }
}
