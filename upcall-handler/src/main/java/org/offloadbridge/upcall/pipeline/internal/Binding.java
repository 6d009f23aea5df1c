package org.offloadbridge.upcall.pipeline.internal;

import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.upcall.pipeline.Match;
import org.offloadbridge.upcall.pipeline.MatchField;

/**
 * Binds the rule language's {@link MatchField}s to the datapath flow shape ({@link Field}).
 *
 * <p>Most fields are one {@link Field}. Three are not: {@code vlan_tci} spans VID, CFI and PCP
 * of the outer tag; {@code nw_tos} (DSCP, in place) and {@code nw_ecn} share the ToS byte; and
 * the 128-bit IPv6 addresses are a HI/LO pair. Writing is a merge (old bits outside the mask
 * kept), so fields sharing a flow field compose.
 */
public final class Binding {
    private Binding() {
    }

    /** The flow field a (single-field) match field is stored in; for VLAN_TCI the VID part. */
    public static Field primary(MatchField f) {
        return switch (f) {
            case IN_PORT -> Field.IN_PORT;
            case TUN_ID -> Field.TUN_ID;
            case TUN_SRC -> Field.TUN_IPV4_SRC;
            case TUN_DST -> Field.TUN_IPV4_DST;
            case TUN_TOS -> Field.TUN_TOS;
            case TUN_TTL -> Field.TUN_TTL;
            case TUN_FLAGS -> Field.TUN_FLAGS; // bit 0 in both: FlowKey.TUN_F_OAM is OVS's FLOW_TNL_F_OAM
            case DL_SRC -> Field.ETH_SRC;
            case DL_DST -> Field.ETH_DST;
            case DL_TYPE -> Field.ETH_TYPE;
            case VLAN_TCI -> Field.VLAN0_VID;
            case NW_SRC -> Field.IPV4_SRC;
            case NW_DST -> Field.IPV4_DST;
            case IPV6_SRC -> Field.IPV6_SRC_LO;
            case IPV6_DST -> Field.IPV6_DST_LO;
            case IPV6_LABEL -> Field.IPV6_LABEL;
            case NW_PROTO -> Field.NW_PROTO;
            case NW_TOS, NW_ECN -> Field.NW_TOS;
            case NW_TTL -> Field.NW_TTL;
            case NW_FRAG -> Field.NW_FRAG;
            case ARP_OP -> Field.ARP_OP;
            case ARP_SPA -> Field.ARP_SPA;
            case ARP_TPA -> Field.ARP_TPA;
            case ARP_SHA -> Field.ARP_SHA;
            case ARP_THA -> Field.ARP_THA;
            case TP_SRC -> Field.TP_SRC;
            case TP_DST -> Field.TP_DST;
            case TCP_FLAGS -> Field.TCP_FLAGS;
            case ICMP_TYPE -> Field.ICMP_TYPE;
            case ICMP_CODE -> Field.ICMP_CODE;
        };
    }

    /** The HI half of a 128-bit field, else null. */
    public static Field high(MatchField f) {
        return switch (f) {
            case IPV6_SRC -> Field.IPV6_SRC_HI;
            case IPV6_DST -> Field.IPV6_DST_HI;
            default -> null;
        };
    }

    /** Merges {@code (v, m)} of match field {@code f} into a flow value and mask (either may be null). */
    public static void write(MatchField f, long vHi, long v, long mHi, long m, FlowWordsSink key, FlowMask mask) {
        if (f == MatchField.VLAN_TCI) {
            merge(Field.VLAN0_VID, v, m, key, mask);
            merge(Field.VLAN0_CFI, v >>> 12, m >>> 12, key, mask);
            merge(Field.VLAN0_PCP, v >>> 13, m >>> 13, key, mask);
            return;
        }
        Field hi = high(f);
        if (hi != null) {
            merge(hi, vHi, mHi, key, mask);
        }
        merge(primary(f), v, m, key, mask);
    }

    private static void merge(Field fl, long v, long m, FlowWordsSink key, FlowMask mask) {
        m &= fl.valueMask();
        if (key != null) {
            key.merge(fl, v & m, m);
        }
        if (mask != null) {
            mask.unwildcard(fl, m);
        }
    }

    /** Reads match field {@code f} of a key as {hi, lo} (VLAN_TCI reassembled from its parts). */
    public static long read(MatchField f, FlowKey key) {
        if (f == MatchField.VLAN_TCI) {
            return key.get(Field.VLAN0_VID) | key.get(Field.VLAN0_CFI) << 12 | key.get(Field.VLAN0_PCP) << 13;
        }
        if (f == MatchField.NW_ECN) {
            return key.get(Field.NW_TOS) & 3;
        }
        if (f == MatchField.NW_TOS) {
            return key.get(Field.NW_TOS) & 0xfc;
        }
        return key.get(primary(f));
    }

    public static long readHi(MatchField f, FlowKey key) {
        Field hi = high(f);
        return hi == null ? 0 : key.get(hi);
    }

    /** Compiles a rule match into a flow value (masked) and mask. */
    public static void compile(Match match, FlowKey value, FlowMask mask) {
        value.clear();
        mask.clear();
        FlowWordsSink sink = new FlowWordsSink(value);
        for (MatchField f : match.fields()) {
            write(f, match.valueHi(f), match.value(f), match.maskHi(f), match.mask(f), sink, mask);
        }
    }

    /** A tiny adapter so merges can target a FlowKey without exposing its words. */
    public static final class FlowWordsSink {
        private final FlowKey key;

        public FlowWordsSink(FlowKey key) {
            this.key = key;
        }

        public void merge(Field f, long v, long m) {
            long old = key.get(f);
            key.set(f, (old & ~m) | (v & m));
        }
    }

    /** Which classifier stage a flow field belongs to (ordinal of {@link MatchField.Stage}). */
    public static int stageOf(Field f) {
        return switch (f) {
            case ETH_SRC, ETH_DST, ETH_TYPE, VLAN0_VID, VLAN0_CFI, VLAN0_PCP, VLAN0_TPID, VLAN1_VID, VLAN1_CFI, VLAN1_PCP, VLAN1_TPID -> 1;
            case NW_PROTO, NW_FRAG, IPV4_SRC, IPV4_DST, NW_TOS, NW_TTL, IPV6_LABEL, IPV6_SRC_HI, IPV6_SRC_LO, IPV6_DST_HI, IPV6_DST_LO,
                 ARP_OP, ARP_SPA, ARP_TPA, ARP_SHA, ARP_THA, ND_TARGET_HI, ND_TARGET_LO, ND_SLL, ND_TLL -> 2;
            case TP_SRC, TP_DST, TCP_FLAGS, ICMP_TYPE, ICMP_CODE -> 3;
            default -> 0;
        };
    }

    /** Masks selecting every flow field of each stage. */
    public static final FlowMask[] STAGE_FIELDS = new FlowMask[4];

    static {
        for (int s = 0; s < 4; s++) {
            STAGE_FIELDS[s] = new FlowMask();
        }
        for (int i = 0; i < Field.count(); i++) {
            Field f = Field.of(i);
            STAGE_FIELDS[stageOf(f)].setExact(f);
        }
    }
}
