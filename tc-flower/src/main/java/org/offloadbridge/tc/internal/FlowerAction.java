package org.offloadbridge.tc.internal;

import static org.offloadbridge.tc.internal.FlowerActionCodec.TC_GEN_LEN;

import java.util.Arrays;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.uapi.TcCsum;
import org.offloadbridge.netlink.uapi.TcGact;
import org.offloadbridge.netlink.uapi.TcMirred;
import org.offloadbridge.netlink.uapi.TcPedit;
import org.offloadbridge.netlink.uapi.TcTunnelKey;
import org.offloadbridge.netlink.uapi.TcVlan;

/**
 * One tc action of a {@link FlowerFilter}, in tc's own terms — OVS's {@code struct tc_action}:
 * the kind, the {@code tc_gen} control verdict, the flow's cookie and the kind's parameters
 * (one group of fields per kind, like the C union). A slot that a filter reuses: {@link #reset}
 * puts every field back to "absent", so what a dump leaves out reads as absent.
 *
 * <p>Counters ({@link #packets}, {@link #lastUseMillis}, ...) are only read from the kernel,
 * never written.
 */
final class FlowerAction {
    /** The action kinds we write and read; each names its parms attribute, its {@code tcf_t} attribute and the parms struct's length. */
    enum Kind {
        MIRRED("mirred", TcMirred.TCA_MIRRED_PARMS, TcMirred.TCA_MIRRED_TM, TC_GEN_LEN + 8), // struct tc_mirred: tc_gen, eaction, ifindex
        GACT("gact", TcGact.TCA_GACT_PARMS, TcGact.TCA_GACT_TM, TC_GEN_LEN),
        VLAN("vlan", TcVlan.TCA_VLAN_PARMS, TcVlan.TCA_VLAN_TM, TC_GEN_LEN + 4), // struct tc_vlan: tc_gen, v_action
        PEDIT("pedit", TcPedit.TCA_PEDIT_PARMS_EX, TcPedit.TCA_PEDIT_TM, TC_GEN_LEN + 4), // struct tc_pedit_sel without keys
        CSUM("csum", TcCsum.TCA_CSUM_PARMS, TcCsum.TCA_CSUM_TM, TC_GEN_LEN + 4), // struct tc_csum: tc_gen, update_flags
        TUNNEL_KEY("tunnel_key", TcTunnelKey.TCA_TUNNEL_KEY_PARMS, TcTunnelKey.TCA_TUNNEL_KEY_TM, TC_GEN_LEN + 4), // tc_gen, t_action
        /** Any other kind a dump holds ({@link #otherKind} says which); never written. */
        OTHER(null, -1, -1, 0);

        /** TCA_ACT_KIND. */
        final String tcName;
        final int parmsAttr;
        final int tmAttr;
        final int parmsLength;

        Kind(String tcName, int parmsAttr, int tmAttr, int parmsLength) {
            this.tcName = tcName;
            this.parmsAttr = parmsAttr;
            this.tmAttr = tmAttr;
            this.parmsLength = parmsLength;
        }

        /** Every kind ({@code values()} copies its array on each call). */
        static final Kind[] ALL = values();

        static Kind of(String tcName) {
            for (Kind k : ALL) {
                if (k.tcName != null && k.tcName.equals(tcName)) {
                    return k;
                }
            }
            return OTHER;
        }
    }

    Kind kind;
    /** TCA_ACT_KIND as dumped, for {@link Kind#OTHER} (null when there was none). */
    String otherKind;
    /** TCA_ACT_COOKIE: the flow's ufid in OVS's 16-byte layout; null when absent or of another length. */
    Ufid cookie;
    /** The kind's parms struct was there, and long enough (always so in what we write). */
    boolean parms;
    /** {@code tc_gen.action}: TC_ACT_PIPE (go on), TC_ACT_STOLEN (mirred redirect) or TC_ACT_SHOT (drop). */
    int control;

    /** TCA_STATS_BASIC packets (TCA_STATS_PKT64 when there); -1 without basic stats. */
    long packets;
    long bytes;
    /** TCA_STATS_BASIC_HW packets; -1 when absent. */
    long hwPackets;
    /** {@code tcf_t.lastuse} in ms; -1 when absent. */
    long lastUseMillis;

    // mirred: struct tc_mirred
    int eaction;
    int ifindex;

    // vlan: v_action, then TCA_VLAN_PUSH_VLAN_ID / _PROTOCOL / _PRIORITY (-1: absent)
    int vlanAction;
    int vlanId;
    int vlanProto;
    int vlanPrio;

    // tunnel_key: t_action (-1: no parms), then the encapsulation it sets
    int tunnelAction;
    /** 4 or 6: which pair of ENC_IPV*_SRC/DST addresses (IPv4 first when a dump holds both); 0: neither pair. */
    int tunnelFamily;
    long tunnelIpv4Src;
    long tunnelIpv4Dst;
    long tunnelIpv6SrcHi;
    long tunnelIpv6SrcLo;
    long tunnelIpv6DstHi;
    long tunnelIpv6DstLo;
    /** ENC_KEY_ID (u32); -1 when absent. */
    long tunnelKeyId;
    /** ENC_DST_PORT; -1 when absent. */
    int tunnelDstPort;
    int tunnelTos;
    int tunnelTtl;
    /** TCA_TUNNEL_KEY_NO_CSUM: 1 sends the outer UDP without a checksum. */
    int tunnelNoCsum;

    // pedit: struct tc_pedit_key[] with TCA_PEDIT_KEY_EX; -1: no parms or no extended keys
    int peditKeys;
    /** TCA_PEDIT_KEY_EX_HTYPE per key. */
    int[] peditHtype = new int[8];
    /** Byte offset of the 32-bit word in the header. */
    int[] peditOffset = new int[8];
    /** New bits, as the word's big-endian value: {@code word = (word & mask) ^ val}. */
    int[] peditVal = new int[8];
    /** Bits kept (not rewritten), as the word's big-endian value. */
    int[] peditMask = new int[8];
    /** TCA_PEDIT_KEY_EX_CMD (set when absent: the kernel's default). */
    int[] peditCmd = new int[8];

    // csum: update_flags
    int csumFlags;

    FlowerAction reset(Kind kind) {
        this.kind = kind;
        otherKind = null;
        cookie = null;
        parms = false;
        control = 0;
        packets = -1;
        bytes = 0;
        hwPackets = -1;
        lastUseMillis = -1;
        eaction = 0;
        ifindex = 0;
        vlanAction = -1;
        vlanId = -1;
        vlanProto = -1;
        vlanPrio = -1;
        tunnelAction = -1;
        tunnelFamily = 0;
        tunnelIpv4Src = 0;
        tunnelIpv4Dst = 0;
        tunnelIpv6SrcHi = 0;
        tunnelIpv6SrcLo = 0;
        tunnelIpv6DstHi = 0;
        tunnelIpv6DstLo = 0;
        tunnelKeyId = -1;
        tunnelDstPort = -1;
        tunnelTos = 0;
        tunnelTtl = 0;
        tunnelNoCsum = 0;
        peditKeys = -1;
        csumFlags = 0;
        return this;
    }

    /** Makes room for {@code n} pedit keys (growing only; steady state allocates nothing). */
    void peditCapacity(int n) {
        if (peditHtype.length < n) {
            int c = Math.max(n, 2 * peditHtype.length);
            peditHtype = Arrays.copyOf(peditHtype, c);
            peditOffset = Arrays.copyOf(peditOffset, c);
            peditVal = Arrays.copyOf(peditVal, c);
            peditMask = Arrays.copyOf(peditMask, c);
            peditCmd = Arrays.copyOf(peditCmd, c);
        }
    }
}
