package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_FLAGS_SKIP_SW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_SW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_VERBOSE;

import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Placement;
import org.offloadbridge.flow.TcPolicy;

/**
 * Where tc puts one flow: {@link Placement} (the one table, docs/rules.md "Where a flow goes")
 * read for tc's part. tc is only ever asked with {@code hw-offload=true} — with it off the
 * caller never reaches tc — and takes the plan's one tc attempt; the DPDK attempt after it is
 * the caller's fallback, never tc's. There is no second tc attempt in any cell: under
 * {@code tc-policy=skip_sw} a {@code preferred} flow the device refuses must not land in
 * software tc (the policy forbids software filters), so it fails and the caller moves on.
 */
public final class SkipFlags {
    private SkipFlags() {}

    /**
     * What tc does with a flow of one preference under one policy.
     *
     * @param clsFlags {@code TCA_CLS_FLAGS_SKIP_*} for the filter, when {@link #triesTc()}
     * @param whyNot   {@link Reason#NONE}, or why tc is not tried ({@link Reason#TC_POLICY})
     * @param detail   the policy's OVS name when refused, else null
     */
    public record Decision(int clsFlags, Reason whyNot, String detail) {
        public boolean triesTc() {
            return whyNot == Reason.NONE;
        }

        /** The same skip flags for every action ({@code TCA_ACT_FLAGS_SKIP_*}). */
        public int actFlags() {
            return SkipFlags.actFlags(clsFlags);
        }
    }

    public static Decision decide(OffloadPreference pref, TcPolicy policy) {
        Placement.Plan plan = Placement.plan(pref, true, policy);
        for (Placement.Attempt a : plan.attempts()) {
            if (a.isTc()) {
                return new Decision(clsFlags(a), Reason.NONE, null);
            }
        }
        return new Decision(0, plan.whyNotTc() == Reason.NONE ? Reason.TC_POLICY : plan.whyNotTc(), plan.whyNotTcDetail());
    }

    /** The filter flags for a tc attempt. */
    public static int clsFlags(Placement.Attempt a) {
        return switch (a) {
            case TC_SKIP_SW -> TCA_CLS_FLAGS_SKIP_SW;
            case TC_ANY -> 0;
            case TC_SKIP_HW -> TCA_CLS_FLAGS_SKIP_HW;
            case DPDK -> throw new IllegalArgumentException("DPDK is not a tc placement");
        };
    }

    /**
     * The filter flags as sent: {@code clsFlags}, plus {@code TCA_CLS_FLAGS_VERBOSE} when there
     * is no skip flag. The kernel hands a driver the request's extended ack only under skip_sw
     * or verbose (tc_cls_common_offload_init); with it, a driver that declines a no-flag filter
     * says why in the ack's warning, and that is the reason a flow is not_in_hw ("netdevsim:
     * hardware flow table is full") instead of a bare not_in_hw. The kernel keeps the bit in
     * the filter's flags; everything here reads only the skip and in_hw bits.
     */
    public static int wireFlags(int clsFlags) {
        return (clsFlags & (TCA_CLS_FLAGS_SKIP_HW | TCA_CLS_FLAGS_SKIP_SW)) == 0 ? clsFlags | TCA_CLS_FLAGS_VERBOSE : clsFlags;
    }

    /** The action flags that go with filter flags {@code clsFlags} (same meaning, other bit values). */
    public static int actFlags(int clsFlags) {
        return ((clsFlags & TCA_CLS_FLAGS_SKIP_HW) != 0 ? TCA_ACT_FLAGS_SKIP_HW : 0)
                | ((clsFlags & TCA_CLS_FLAGS_SKIP_SW) != 0 ? TCA_ACT_FLAGS_SKIP_SW : 0);
    }

    /** The filter asks for hardware only. */
    public static boolean hardwareOnly(int clsFlags) {
        return (clsFlags & TCA_CLS_FLAGS_SKIP_SW) != 0;
    }
}
