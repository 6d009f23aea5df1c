package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLA_F_NESTED;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_COOKIE;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_FLAGS;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_KIND;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_MAX;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_OPTIONS;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_STATS;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_ACT;

import java.nio.ByteBuffer;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.AttributeCursor;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkParseException;
import org.offloadbridge.netlink.uapi.GenStats;
import org.offloadbridge.netlink.uapi.TcPedit;
import org.offloadbridge.netlink.uapi.TcTunnelKey;
import org.offloadbridge.netlink.uapi.TcVlan;

/**
 * A {@link FlowerFilter}'s actions ↔ {@code TCA_FLOWER_ACT}. Apart from the match's codec
 * because each tc action module (act_mirred, act_gact, act_vlan, act_pedit, act_csum,
 * act_tunnel_key) has its own attributes and parms struct, and apart from the translation
 * because this part is pure layout: slot i is written as nest {@code i + 1}, as iproute2 does:
 * <pre>
 *   TCA_FLOWER_ACT
 *     1 { TCA_ACT_KIND "mirred", TCA_ACT_OPTIONS|NLA_F_NESTED { TCA_MIRRED_PARMS tc_mirred }, TCA_ACT_COOKIE ufid [, TCA_ACT_FLAGS] }
 *     2 { ... }
 *   struct tc_gen: index, capab, action (the control verdict), refcnt, bindcnt — u32 each;
 *   every parms struct starts with it, zeroed but for the verdict (a stale index would bind
 *   the filter to someone else's action)
 * </pre>
 * Reading fills the same slots, plus the counters the kernel adds ({@code TCA_ACT_STATS},
 * {@code tcf_t}); it never refuses: whatever a slot holds, the decoding translator judges.
 * Writing allocates nothing; reading is for dumps and echoes and allocates a little (the cookie).
 */
final class FlowerActionCodec {
    // struct tc_gen: index, capab, action, refcnt, bindcnt (5 x u32)
    static final int TC_GEN_LEN = 20;
    static final int TC_GEN_ACTION = 8;
    /** struct tc_pedit_key: mask, val, off, at, offmask, shift (u32 each). */
    private static final int PEDIT_KEY_LEN = 24;

    private final byte[] cookie = new byte[16];
    /** The action {@link #readCounters} reads into, reused. */
    private final FlowerAction counted = new FlowerAction();
    private final AttributeCursor actions = new AttributeCursor();
    private final AttributeTable act = new AttributeTable(TCA_ACT_MAX);
    private final AttributeTable actOpts = new AttributeTable(16);
    private final AttributeTable stats = new AttributeTable(GenStats.TCA_STATS_MAX);
    private final AttributeCursor keysEx = new AttributeCursor();
    private final AttributeTable keyEx = new AttributeTable(TcPedit.TCA_PEDIT_KEY_EX_MAX);

    // ------------------------------------------------------------------ write

    /** Writes {@code TCA_FLOWER_ACT} with every slot; {@code actFlags} (TCA_ACT_FLAGS_SKIP_*) go on each action, 0 for none. */
    void write(NetlinkMessageWriter w, FlowerFilter f, int actFlags) {
        int acts = w.beginNested(TCA_FLOWER_ACT);
        for (int i = 0; i < f.actionCount(); i++) {
            FlowerAction a = f.action(i);
            if (a.kind == FlowerAction.Kind.OTHER) {
                throw new IllegalArgumentException("action " + (i + 1) + ": kind " + a.otherKind + " is read, never written");
            }
            int nest = w.beginNested(i + 1);
            w.putString(TCA_ACT_KIND, a.kind.tcName);
            int opts = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
            switch (a.kind) {
                case MIRRED -> {
                    int p = parms(w, a, a.kind.parmsLength);
                    w.buffer().putInt(p + TC_GEN_LEN, a.eaction);
                    w.buffer().putInt(p + TC_GEN_LEN + 4, a.ifindex);
                }
                case GACT -> parms(w, a, a.kind.parmsLength);
                case VLAN -> writeVlan(w, a);
                case PEDIT -> writePedit(w, a);
                case CSUM -> {
                    int p = parms(w, a, a.kind.parmsLength); // before w.buffer(): writing may grow it
                    w.buffer().putInt(p + TC_GEN_LEN, a.csumFlags);
                }
                case TUNNEL_KEY -> writeTunnelKey(w, a);
                case OTHER -> { }
            }
            w.endNested(opts);
            if (a.cookie != null) {
                for (int j = 0; j < 4; j++) {
                    int v = a.cookie.u32(j); // OVS's ovs_u128 in host (little-endian) order
                    cookie[j * 4] = (byte) v;
                    cookie[j * 4 + 1] = (byte) (v >>> 8);
                    cookie[j * 4 + 2] = (byte) (v >>> 16);
                    cookie[j * 4 + 3] = (byte) (v >>> 24);
                }
                w.putBytes(TCA_ACT_COOKIE, cookie);
            }
            if (actFlags != 0) {
                int p = FlowerAttrs.struct(w, TCA_ACT_FLAGS, 8); // struct nla_bitfield32 {value, selector}
                w.buffer().putInt(p, actFlags);
                w.buffer().putInt(p + 4, actFlags);
            }
            w.endNested(nest);
        }
        w.endNested(acts);
    }

    /** The kind's parms struct of {@code length} bytes, zeroed but for tc_gen's verdict; returns its offset. */
    private static int parms(NetlinkMessageWriter w, FlowerAction a, int length) {
        int p = FlowerAttrs.struct(w, a.kind.parmsAttr, length);
        w.buffer().putInt(p + TC_GEN_ACTION, a.control);
        return p;
    }

    private static void writeVlan(NetlinkMessageWriter w, FlowerAction a) {
        int p = parms(w, a, a.kind.parmsLength);
        w.buffer().putInt(p + TC_GEN_LEN, a.vlanAction);
        if (a.vlanId >= 0) {
            w.putU16(TcVlan.TCA_VLAN_PUSH_VLAN_ID, a.vlanId);
        }
        if (a.vlanProto >= 0) {
            w.putBe16(TcVlan.TCA_VLAN_PUSH_VLAN_PROTOCOL, a.vlanProto);
        }
        if (a.vlanPrio >= 0) {
            w.putU8(TcVlan.TCA_VLAN_PUSH_VLAN_PRIORITY, a.vlanPrio);
        }
    }

    private static void writeTunnelKey(NetlinkMessageWriter w, FlowerAction a) {
        if (a.tunnelAction == TcTunnelKey.TCA_TUNNEL_KEY_ACT_SET) {
            if (a.tunnelFamily == 6) {
                FlowerAttrs.put128(w, TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_SRC, a.tunnelIpv6SrcHi, a.tunnelIpv6SrcLo);
                FlowerAttrs.put128(w, TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_DST, a.tunnelIpv6DstHi, a.tunnelIpv6DstLo);
            } else {
                w.putBe32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_SRC, (int) a.tunnelIpv4Src);
                w.putBe32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_DST, (int) a.tunnelIpv4Dst);
            }
            if (a.tunnelKeyId >= 0) {
                w.putBe32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_KEY_ID, (int) a.tunnelKeyId);
            }
            if (a.tunnelDstPort >= 0) {
                w.putBe16(TcTunnelKey.TCA_TUNNEL_KEY_ENC_DST_PORT, a.tunnelDstPort);
            }
            w.putU8(TcTunnelKey.TCA_TUNNEL_KEY_ENC_TOS, a.tunnelTos);
            w.putU8(TcTunnelKey.TCA_TUNNEL_KEY_ENC_TTL, a.tunnelTtl);
        }
        w.putU8(TcTunnelKey.TCA_TUNNEL_KEY_NO_CSUM, a.tunnelNoCsum);
        int p = parms(w, a, a.kind.parmsLength);
        w.buffer().putInt(p + TC_GEN_LEN, a.tunnelAction);
    }

    private static void writePedit(NetlinkMessageWriter w, FlowerAction a) {
        int n = a.peditKeys;
        // struct tc_pedit_sel: tc_gen, nkeys u8, flags u8, pad; then struct tc_pedit_key[nkeys].
        // mask/val are raw header words.
        int p = parms(w, a, a.kind.parmsLength + PEDIT_KEY_LEN * n);
        ByteBuffer b = w.buffer();
        b.put(p + TC_GEN_LEN, (byte) n);
        for (int i = 0; i < n; i++) {
            int k = p + TC_GEN_LEN + 4 + PEDIT_KEY_LEN * i;
            b.putInt(k, Integer.reverseBytes(a.peditMask[i]));
            b.putInt(k + 4, Integer.reverseBytes(a.peditVal[i]));
            b.putInt(k + 8, a.peditOffset[i]);
        }
        int keys = w.beginNested(TcPedit.TCA_PEDIT_KEYS_EX | NLA_F_NESTED);
        for (int i = 0; i < n; i++) {
            int ke = w.beginNested(TcPedit.TCA_PEDIT_KEY_EX | NLA_F_NESTED);
            w.putU16(TcPedit.TCA_PEDIT_KEY_EX_HTYPE, a.peditHtype[i]);
            w.putU16(TcPedit.TCA_PEDIT_KEY_EX_CMD, a.peditCmd[i]);
            w.endNested(ke);
        }
        w.endNested(keys);
    }

    // ------------------------------------------------------------------ read

    /** Reads every action of {@code opts} (a parsed TCA_OPTIONS) into new slots of {@code f}. */
    void parse(AttributeTable opts, FlowerFilter f) {
        if (!opts.has(TCA_FLOWER_ACT)) {
            return;
        }
        actions.reset(opts, TCA_FLOWER_ACT);
        while (actions.next()) {
            act.parse(actions.buffer(), actions.payloadOffset(), actions.payloadEnd());
            String kindName = act.string(TCA_ACT_KIND);
            FlowerAction a = f.addAction(FlowerAction.Kind.of(kindName));
            byte[] ck = act.bytes(TCA_ACT_COOKIE);
            a.cookie = ck != null && ck.length == 16 ? Ufid.fromCookieBytes(ck) : null;
            readStats(a);
            // flower asks the driver for counters on every dump; the attribute is there only
            // when the driver had the rule to report on (docs/kernel-vm.md, "The simulated e-switch")
            f.usedHwStats |= act.has(org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_USED_HW_STATS);
            act.nested(TCA_ACT_OPTIONS, actOpts);
            if (a.kind == FlowerAction.Kind.OTHER) {
                a.otherKind = kindName;
                continue;
            }
            int p = actOpts.offset(a.kind.parmsAttr);
            a.parms = p >= 0 && actOpts.length(a.kind.parmsAttr) >= a.kind.parmsLength;
            ByteBuffer b = actOpts.buffer();
            if (a.parms) {
                a.control = b.getInt(p + TC_GEN_ACTION);
            }
            int tm = a.kind.tmAttr; // struct tcf_t {install, lastuse, expires, firstuse}: ages in clock_t (USER_HZ = 100 per second)
            if (actOpts.has(tm) && actOpts.length(tm) >= 16) {
                a.lastUseMillis = b.getLong(actOpts.offset(tm) + 8) * 10;
            }
            switch (a.kind) {
                case MIRRED -> {
                    if (a.parms) {
                        a.eaction = b.getInt(p + TC_GEN_LEN);
                        a.ifindex = b.getInt(p + TC_GEN_LEN + 4);
                    }
                }
                case VLAN -> {
                    a.vlanAction = a.parms ? b.getInt(p + TC_GEN_LEN) : -1;
                    a.vlanId = actOpts.has(TcVlan.TCA_VLAN_PUSH_VLAN_ID) ? actOpts.u16(TcVlan.TCA_VLAN_PUSH_VLAN_ID) : -1;
                    a.vlanProto = actOpts.has(TcVlan.TCA_VLAN_PUSH_VLAN_PROTOCOL) ? actOpts.be16(TcVlan.TCA_VLAN_PUSH_VLAN_PROTOCOL) : -1;
                    a.vlanPrio = actOpts.has(TcVlan.TCA_VLAN_PUSH_VLAN_PRIORITY) ? actOpts.u8(TcVlan.TCA_VLAN_PUSH_VLAN_PRIORITY) : -1;
                }
                case PEDIT -> {
                    if (a.parms && actOpts.has(TcPedit.TCA_PEDIT_KEYS_EX)) {
                        readPedit(a, b, p);
                    }
                }
                case CSUM -> a.csumFlags = a.parms ? b.getInt(p + TC_GEN_LEN) : 0;
                case TUNNEL_KEY -> readTunnelKey(a, b, p);
                case GACT, OTHER -> { }
            }
        }
    }

    /**
     * A known filter's actions, for a dump ({@link FlowerDecoder.Known}): only each action's
     * kind, cookie and counters, into {@code r} as {@link FlowerActionDecoder#collect} would
     * leave them — no action slots filled, no kind or cookie copied, the ufid the only object
     * made. Returns false when the filter has no actions, an action has no 16-byte cookie, or
     * the cookies differ: not ours as such, so the caller decodes it in full.
     */
    boolean readCounters(AttributeTable opts, FlowerActionDecoder.Result r) {
        if (!opts.has(TCA_FLOWER_ACT)) {
            return false;
        }
        actions.reset(opts, TCA_FLOWER_ACT);
        long hi = 0;
        long lo = 0;
        int n = 0;
        while (actions.next()) {
            act.parse(actions.buffer(), actions.payloadOffset(), actions.payloadEnd());
            if (act.length(TCA_ACT_COOKIE) != 16) {
                return false;
            }
            ByteBuffer b = act.buffer();
            int o = act.offset(TCA_ACT_COOKIE);
            // OVS's 16-byte layout, as Ufid.fromCookieBytes reads it: four little-endian u32s
            long h = cookieWord(b, o) << 32 | cookieWord(b, o + 4);
            long l = cookieWord(b, o + 8) << 32 | cookieWord(b, o + 12);
            if (n == 0) {
                hi = h;
                lo = l;
            } else if (h != hi || l != lo) {
                return false;
            }
            n++;
            FlowerAction.Kind kind = FlowerAction.Kind.OTHER;
            for (FlowerAction.Kind k : FlowerAction.Kind.ALL) {
                if (k.tcName != null && act.isString(TCA_ACT_KIND, k.tcName)) {
                    kind = k;
                    break;
                }
            }
            FlowerAction a = counted.reset(kind);
            readStats(a);
            r.usedHwStats |= act.has(org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_USED_HW_STATS);
            if (kind != FlowerAction.Kind.OTHER && act.nested(TCA_ACT_OPTIONS, actOpts)) {
                int tm = kind.tmAttr;
                if (actOpts.has(tm) && actOpts.length(tm) >= 16) {
                    a.lastUseMillis = actOpts.buffer().getLong(actOpts.offset(tm) + 8) * 10;
                }
            }
            r.count(a);
        }
        if (n == 0) {
            return false;
        }
        r.ufid = new Ufid(hi, lo);
        return true;
    }

    private static long cookieWord(ByteBuffer b, int o) {
        return (b.get(o) & 0xffL) | (b.get(o + 1) & 0xffL) << 8 | (b.get(o + 2) & 0xffL) << 16 | (b.get(o + 3) & 0xffL) << 24;
    }

    private void readStats(FlowerAction a) {
        if (!act.nested(TCA_ACT_STATS, stats) || !stats.has(GenStats.TCA_STATS_BASIC) || stats.length(GenStats.TCA_STATS_BASIC) < 12) {
            return;
        }
        int o = stats.offset(GenStats.TCA_STATS_BASIC);
        a.bytes = stats.buffer().getLong(o + GenStats.GNET_STATS_BASIC_BYTES);
        a.packets = stats.buffer().getInt(o + GenStats.GNET_STATS_BASIC_PACKETS) & 0xffffffffL;
        if (stats.has(GenStats.TCA_STATS_PKT64)) {
            a.packets = stats.u64(GenStats.TCA_STATS_PKT64);
        }
        if (stats.has(GenStats.TCA_STATS_BASIC_HW) && stats.length(GenStats.TCA_STATS_BASIC_HW) >= 12) {
            a.hwPackets = stats.buffer().getInt(stats.offset(GenStats.TCA_STATS_BASIC_HW) + GenStats.GNET_STATS_BASIC_PACKETS) & 0xffffffffL;
        }
    }

    private void readPedit(FlowerAction a, ByteBuffer b, int p) {
        int n = b.get(p + TC_GEN_LEN) & 0xff;
        FlowerAttrs.need(actOpts, a.kind.parmsAttr, TC_GEN_LEN + 4 + PEDIT_KEY_LEN * n); // nkeys of them follow the header
        a.peditCapacity(n);
        a.peditKeys = n;
        for (int i = 0; i < n; i++) {
            a.peditHtype[i] = 0;
            a.peditCmd[i] = TcPedit.TCA_PEDIT_KEY_EX_CMD_SET;
        }
        keysEx.reset(actOpts, TcPedit.TCA_PEDIT_KEYS_EX);
        int i = 0;
        while (keysEx.next() && i < n) {
            keyEx.parse(keysEx.buffer(), keysEx.payloadOffset(), keysEx.payloadEnd());
            if (keyEx.has(TcPedit.TCA_PEDIT_KEY_EX_CMD)) {
                a.peditCmd[i] = keyEx.u16(TcPedit.TCA_PEDIT_KEY_EX_CMD);
            }
            if (!keyEx.has(TcPedit.TCA_PEDIT_KEY_EX_HTYPE)) { // the kernel always sends it
                throw new NetlinkParseException("pedit key " + i + " without TCA_PEDIT_KEY_EX_HTYPE", keysEx.attributeOffset());
            }
            a.peditHtype[i++] = keyEx.u16(TcPedit.TCA_PEDIT_KEY_EX_HTYPE);
        }
        for (int k = 0; k < n; k++) {
            int ko = p + TC_GEN_LEN + 4 + PEDIT_KEY_LEN * k;
            a.peditMask[k] = Integer.reverseBytes(b.getInt(ko));
            a.peditVal[k] = Integer.reverseBytes(b.getInt(ko + 4));
            a.peditOffset[k] = b.getInt(ko + 8);
        }
    }

    private void readTunnelKey(FlowerAction a, ByteBuffer b, int p) {
        a.tunnelAction = a.parms ? b.getInt(p + TC_GEN_LEN) : -1;
        if (actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_KEY_ID)) {
            a.tunnelKeyId = actOpts.be32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_KEY_ID) & 0xffffffffL;
        }
        a.tunnelTos = actOpts.u8(TcTunnelKey.TCA_TUNNEL_KEY_ENC_TOS, 0);
        a.tunnelTtl = actOpts.u8(TcTunnelKey.TCA_TUNNEL_KEY_ENC_TTL, 0);
        a.tunnelDstPort = actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_DST_PORT) ? actOpts.be16(TcTunnelKey.TCA_TUNNEL_KEY_ENC_DST_PORT) : -1;
        a.tunnelNoCsum = actOpts.u8(TcTunnelKey.TCA_TUNNEL_KEY_NO_CSUM, 0);
        if (actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_SRC) && actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_DST)) {
            a.tunnelFamily = 4;
            a.tunnelIpv4Src = actOpts.be32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_SRC) & 0xffffffffL;
            a.tunnelIpv4Dst = actOpts.be32(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV4_DST) & 0xffffffffL;
        } else if (actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_SRC) && actOpts.has(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_DST)) {
            a.tunnelFamily = 6;
            FlowerAttrs.need(actOpts, TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_SRC, 16);
            FlowerAttrs.need(actOpts, TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_DST, 16);
            int s = actOpts.offset(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_SRC);
            int d = actOpts.offset(TcTunnelKey.TCA_TUNNEL_KEY_ENC_IPV6_DST);
            a.tunnelIpv6SrcHi = FlowerAttrs.readBe(b, s, 8);
            a.tunnelIpv6SrcLo = FlowerAttrs.readBe(b, s + 8, 8);
            a.tunnelIpv6DstHi = FlowerAttrs.readBe(b, d, 8);
            a.tunnelIpv6DstLo = FlowerAttrs.readBe(b, d + 8, 8);
        }
    }
}
