package org.offloadbridge.upcall.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The match part of a rule: for each {@link MatchField}, a value and a mask (mask 0 = the
 * field is wildcarded). Immutable; built by {@link Builder}.
 *
 * <p>Values are stored already masked, so two matches with equal fields are equal.
 */
public final class Match {
    private static final MatchField[] FIELDS = MatchField.values();
    private static final int N = FIELDS.length;

    private final long[] value;
    private final long[] mask;
    private final long[] valueHi;
    private final long[] maskHi;

    private Match(long[] value, long[] mask, long[] valueHi, long[] maskHi) {
        this.value = value;
        this.mask = mask;
        this.valueHi = valueHi;
        this.maskHi = maskHi;
    }

    /** The match-everything match. */
    public static Match any() {
        return new Builder().build();
    }

    public boolean isSet(MatchField f) {
        return mask[f.ordinal()] != 0 || maskHi[f.ordinal()] != 0;
    }

    public long value(MatchField f) {
        return value[f.ordinal()];
    }

    public long mask(MatchField f) {
        return mask[f.ordinal()];
    }

    public long valueHi(MatchField f) {
        return valueHi[f.ordinal()];
    }

    public long maskHi(MatchField f) {
        return maskHi[f.ordinal()];
    }

    /** True if the field is matched exactly (all bits of its width). */
    public boolean isExact(MatchField f) {
        return mask[f.ordinal()] == f.fullMaskLo() && maskHi[f.ordinal()] == f.fullMaskHi();
    }

    /** The fields this match constrains, in declaration (stage) order. */
    public List<MatchField> fields() {
        List<MatchField> out = new ArrayList<>();
        for (MatchField f : FIELDS) {
            if (isSet(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * The prefix length of a prefix field's mask, or -1 when the mask is not a CIDR prefix
     * (e.g. 255.0.255.0). 0 when the field is wildcarded.
     */
    public int prefixLength(MatchField f) {
        long hi = maskHi[f.ordinal()];
        long lo = mask[f.ordinal()];
        int bits = f.bits();
        if (bits == 128) {
            int n = Long.numberOfLeadingZeros(~hi);
            if (n < 64) {
                return (hi << n) == 0 && lo == 0 ? n : -1;
            }
            int m = Long.numberOfLeadingZeros(~lo);
            return (m == 64 || (lo << m) == 0) ? 64 + m : -1;
        }
        long shifted = lo << (64 - bits);
        int n = Long.numberOfLeadingZeros(~shifted);
        if (n >= bits) {
            return bits;
        }
        return (shifted << n) == 0 ? n : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Match m && java.util.Arrays.equals(value, m.value) && java.util.Arrays.equals(mask, m.mask)
                && java.util.Arrays.equals(valueHi, m.valueHi) && java.util.Arrays.equals(maskHi, m.maskHi);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(value) * 31 + java.util.Arrays.hashCode(mask);
    }

    /** Prints the match in ovs-ofctl syntax (field=value/mask, no shorthands). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (MatchField f : fields()) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(f.ofName()).append('=');
            if (f == MatchField.NW_FRAG) {
                sb.append(fragKeyword(value(f), mask(f)));
                continue;
            }
            sb.append(Values.format(f, valueHi(f), value(f)));
            // nw_tos holds only the DSCP bits: its full mask is 0xfc.
            boolean exact = isExact(f) || (f == MatchField.NW_TOS && mask(f) == 0xfc);
            if (!exact) {
                sb.append('/').append(Values.isAddress(f) ? Values.format(f, maskHi(f), mask(f)) : "0x" + Long.toHexString(mask(f)));
            }
        }
        return sb.toString();
    }

    /** The ovs-ofctl keyword for an nw_frag value/mask (every combination the parser can make). */
    private static String fragKeyword(long v, long m) {
        if (m == 3) {
            return v == 0 ? "no" : v == 1 ? "first" : "later";
        }
        if (m == 1) {
            return v == 0 ? "no" : "yes";
        }
        return v == 0 ? "not_later" : "later";
    }

    /** Mutable builder; setting a field twice intersects nothing, the last call wins. */
    public static final class Builder {
        private final long[] value = new long[N];
        private final long[] mask = new long[N];
        private final long[] valueHi = new long[N];
        private final long[] maskHi = new long[N];

        public Builder set(MatchField f, long v) {
            return set(f, 0, v, f.fullMaskHi(), f.fullMaskLo());
        }

        public Builder set(MatchField f, long v, long m) {
            return set(f, 0, v, f.fullMaskHi(), m);
        }

        public Builder set(MatchField f, long vHi, long v, long mHi, long m) {
            int i = f.ordinal();
            mask[i] = m & f.fullMaskLo();
            maskHi[i] = mHi & f.fullMaskHi();
            value[i] = v & mask[i];
            valueHi[i] = vHi & maskHi[i];
            return this;
        }

        /** Ands more bits into a field, keeping bits set before (used for vlan_tci pieces). */
        public Builder merge(MatchField f, long v, long m) {
            int i = f.ordinal();
            long nm = (mask[i] | m) & f.fullMaskLo();
            value[i] = ((value[i] & ~m) | (v & m)) & nm;
            mask[i] = nm;
            return this;
        }

        public boolean isSet(MatchField f) {
            return mask[f.ordinal()] != 0 || maskHi[f.ordinal()] != 0;
        }

        public long value(MatchField f) {
            return value[f.ordinal()];
        }

        public long mask(MatchField f) {
            return mask[f.ordinal()];
        }

        public Match build() {
            return new Match(value.clone(), mask.clone(), valueHi.clone(), maskHi.clone());
        }
    }
}
