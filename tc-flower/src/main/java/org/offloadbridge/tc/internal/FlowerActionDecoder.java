package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.TC_ACT_SHOT;

import java.util.LinkedHashMap;
import java.util.Map;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.uapi.TcMirred;
import org.offloadbridge.netlink.uapi.TcPedit;
import org.offloadbridge.netlink.uapi.TcTunnelKey;
import org.offloadbridge.netlink.uapi.TcVlan;
import org.offloadbridge.tc.TcPorts;

/**
 * A {@link FlowerFilter}'s tc actions → datapath actions, the flow's ufid (the cookie every
 * action carries) and its counters. The inverse of {@link FlowerActionEncoder}; apart from the
 * match's decoding because this is where a filter shows whether it is ours (the cookie) and
 * where tc's many-to-many mapping is undone: pedit keys become masked sets grouped by key
 * attribute, csum and a decap's tunnel_key release are dropped as implied (by the rewrite, by
 * the tunnel match).
 *
 * <p>The ufid and counters come first, from every action ({@link #collect}): the packets, bytes
 * and hardware packets of the action that counted most, the youngest {@code lastuse}. Then the
 * actions are judged in order. Control plane only: allocates freely.
 */
final class FlowerActionDecoder {
    /** What the walk found: the ufid and counters, even when it stopped at an action it could not take. */
    static final class Result {
        Ufid ufid;
        long packets;
        long bytes;
        long hwPackets;
        long usedMillisAgo = -1;
        /** Some action carried TCA_ACT_USED_HW_STATS (set by {@link FlowerActionCodec#readCounters} only). */
        boolean usedHwStats;

        /** Adds one action's counters: those of the action that counted most, the youngest lastuse. */
        void count(FlowerAction a) {
            if (a.packets > packets) {
                packets = a.packets;
                bytes = a.bytes;
                if (a.hwPackets >= 0) {
                    hwPackets = a.hwPackets;
                }
            }
            if (a.lastUseMillis >= 0 && (usedMillisAgo < 0 || a.lastUseMillis < usedMillisAgo)) {
                usedMillisAgo = a.lastUseMillis;
            }
        }
    }

    private final TcPorts ports;

    FlowerActionDecoder(TcPorts ports) {
        this.ports = ports;
    }

    /**
     * The ufid and counters of {@code f} into {@code r}, without translating a single action: all
     * a dump needs of a filter it already knows. Returns null when every action carries the same
     * 16-byte cookie (the filter is ours), else why not ({@code r.ufid} then null).
     */
    static String collect(FlowerFilter f, Result r) {
        if (f.actionCount() == 0) {
            return "no actions";
        }
        for (int i = 0; i < f.actionCount(); i++) {
            FlowerAction a = f.action(i);
            if (a.cookie == null) {
                r.ufid = null;
                return "action " + (i + 1) + " has no 16-byte cookie";
            }
            if (r.ufid == null) {
                r.ufid = a.cookie;
            } else if (!r.ufid.equals(a.cookie)) {
                r.ufid = null;
                return "actions carry different cookies";
            }
            r.count(a);
        }
        return null;
    }

    /**
     * The datapath actions of {@code f}; the ufid and counters go to {@code r} ({@link #collect}).
     *
     * @throws FlowerDecoder.NotOurs for an action list we did not write or can't express
     */
    Actions decode(FlowerFilter f, Result r) {
        String notOurs = collect(f, r);
        if (notOurs != null) {
            throw new FlowerDecoder.NotOurs(notOurs);
        }
        Actions.Builder b = Actions.builder();
        boolean sawDrop = false;
        for (int i = 0; i < f.actionCount(); i++) {
            FlowerAction a = f.action(i);
            if (sawDrop) {
                throw new FlowerDecoder.NotOurs("action after a drop");
            }
            switch (a.kind) {
                case MIRRED -> {
                    if (!a.parms) {
                        throw new FlowerDecoder.NotOurs("mirred without parms");
                    }
                    if (a.eaction != TcMirred.TCA_EGRESS_REDIR && a.eaction != TcMirred.TCA_EGRESS_MIRROR) {
                        throw new FlowerDecoder.NotOurs("mirred eaction " + a.eaction);
                    }
                    int port = ports.portOf(a.ifindex);
                    if (port < 0) {
                        throw new FlowerDecoder.NotOurs("mirred to ifindex " + a.ifindex + " with no datapath port");
                    }
                    b.output(port);
                }
                case GACT -> {
                    if (!a.parms || a.control != TC_ACT_SHOT) {
                        throw new FlowerDecoder.NotOurs("gact other than drop");
                    }
                    sawDrop = true;
                }
                case VLAN -> {
                    int vid = a.vlanId >= 0 ? a.vlanId : 0;
                    int tpid = a.vlanProto >= 0 ? a.vlanProto : EthType.VLAN_8021Q;
                    int pcp = a.vlanPrio >= 0 ? a.vlanPrio : 0;
                    if (vid > 0xfff || pcp > 7 || tpid > 0xffff) {
                        // The kernel refuses these on the way in (vlan_policy): such a filter has no
                        // datapath form (found by fuzzing: it reached Actions as an IAE).
                        throw new FlowerDecoder.NotOurs("vlan action with vid " + vid + ", priority " + pcp
                            + ", protocol 0x" + Integer.toHexString(tpid) + ": out of range");
                    }
                    switch (a.vlanAction) {
                        case TcVlan.TCA_VLAN_ACT_POP -> b.popVlan();
                        case TcVlan.TCA_VLAN_ACT_PUSH -> b.pushVlan(tpid, vid, pcp);
                        case TcVlan.TCA_VLAN_ACT_MODIFY -> b.beginSet(KeyAttr.VLAN, true).field(Field.VLAN0_VID, vid, 0xfff).field(Field.VLAN0_PCP, pcp, 7).endSet();
                        default -> throw new FlowerDecoder.NotOurs("vlan action " + a.vlanAction);
                    }
                }
                case PEDIT -> pedit(a, b);
                case CSUM -> { } // implied by the rewrite before it
                case TUNNEL_KEY -> tunnelKey(a, b, i == 0 && f.matchesTunnel());
                case OTHER -> throw new FlowerDecoder.NotOurs("action kind " + a.otherKind + " has no datapath form");
            }
        }
        return b.build();
    }

    private static void pedit(FlowerAction a, Actions.Builder b) {
        int nkeys = a.peditKeys;
        if (nkeys < 0) {
            throw new FlowerDecoder.NotOurs("pedit without extended keys");
        }
        for (int i = 0; i < nkeys; i++) {
            if (a.peditCmd[i] != TcPedit.TCA_PEDIT_KEY_EX_CMD_SET) {
                throw new FlowerDecoder.NotOurs("pedit add (not set)");
            }
        }
        // field → {value, mask}, in order of first appearance; grouped by OVS key attribute.
        Map<PeditField, long[]> fields = new LinkedHashMap<>();
        for (int k = 0; k < nkeys; k++) {
            int val = a.peditVal[k];
            int off = a.peditOffset[k];
            int bits = ~a.peditMask[k];
            boolean matched = false;
            for (PeditField pf : PeditField.all()) {
                if (pf.htype != a.peditHtype[k]) {
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
                throw new FlowerDecoder.NotOurs("pedit key at " + a.peditHtype[k] + "/" + off + " rewrites no field we know");
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

    private static void tunnelKey(FlowerAction a, Actions.Builder b, boolean decapOfMatch) {
        if (a.tunnelAction == TcTunnelKey.TCA_TUNNEL_KEY_ACT_RELEASE) {
            if (!decapOfMatch) {
                throw new FlowerDecoder.NotOurs("tunnel_key unset that is not the decap of a tunnel match");
            }
            return;
        }
        if (a.tunnelAction != TcTunnelKey.TCA_TUNNEL_KEY_ACT_SET) {
            throw new FlowerDecoder.NotOurs("tunnel_key action " + a.tunnelAction);
        }
        // What the kernel holds: an id (and its TUNNEL_KEY flag) only when ENC_KEY_ID is there,
        // the csum flag from NO_CSUM; tos/ttl/port 0 when not dumped. Written the same way for
        // IPv4 and IPv6, in the order and with the sub-attributes Actions.Builder.setTunnelIpv4
        // lists (tos only when non-zero; ttl, tp_dst and flags always).
        boolean hasId = a.tunnelKeyId >= 0;
        int flags = (hasId ? FlowKey.TUN_F_KEY : 0) | (a.tunnelNoCsum == 0 ? FlowKey.TUN_F_CSUM : 0);
        if (a.tunnelFamily == 0) {
            throw new FlowerDecoder.NotOurs("tunnel_key set without source and destination addresses");
        }
        b.beginSet(KeyAttr.TUNNEL, false);
        if (hasId) {
            b.field(Field.TUN_ID, a.tunnelKeyId, -1L);
        }
        if (a.tunnelFamily == 4) {
            b.field(Field.TUN_IPV4_SRC, a.tunnelIpv4Src, -1L).field(Field.TUN_IPV4_DST, a.tunnelIpv4Dst, -1L);
        } else {
            b.field(Field.TUN_IPV6_SRC_HI, a.tunnelIpv6SrcHi, -1L).field(Field.TUN_IPV6_SRC_LO, a.tunnelIpv6SrcLo, -1L)
                    .field(Field.TUN_IPV6_DST_HI, a.tunnelIpv6DstHi, -1L).field(Field.TUN_IPV6_DST_LO, a.tunnelIpv6DstLo, -1L);
        }
        if (a.tunnelTos != 0) {
            b.field(Field.TUN_TOS, a.tunnelTos, -1L);
        }
        b.field(Field.TUN_TTL, a.tunnelTtl, -1L).field(Field.TUN_TP_DST, a.tunnelDstPort >= 0 ? a.tunnelDstPort : 0, -1L).field(Field.TUN_FLAGS, flags, -1L).endSet();
    }
}
