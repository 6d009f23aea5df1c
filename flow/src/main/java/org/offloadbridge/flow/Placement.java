package org.offloadbridge.flow;

import java.util.List;

/**
 * The one table of where a flow may go: its {@link OffloadPreference} crossed with the global
 * {@code hw-offload} and {@link TcPolicy} (docs/rules.md, "Where a flow goes"). It answers
 * which layers to try, in order; the install decision tries them and the first that accepts
 * the flow holds it. Pure: no I/O, so every cell is unit-tested.
 *
 * <p>Two independent rules make the table: {@code tc-policy} says which tc placements exist
 * ({@code skip_sw}: hardware only, {@code skip_hw}: software only, {@code none}: either) and
 * {@code hw-offload=false} removes tc altogether; the preference then removes hardware
 * ({@code never}) or software ({@code required}). The DPDK path is software.
 */
public final class Placement {
    private Placement() {}

    /** One layer to try. */
    public enum Attempt {
        /** tc with {@code skip_sw}: NIC hardware or refused. */
        TC_SKIP_SW,
        /** tc with no skip flag: the kernel puts it in hardware when it can, else in software. */
        TC_ANY,
        /** tc with {@code skip_hw}: kernel software only. */
        TC_SKIP_HW,
        /** The DPDK path (or, without DPDK, the slow path). */
        DPDK;

        public boolean isTc() {
            return this != DPDK;
        }
    }

    /**
     * The plan for one flow: the layers to try in order, and the reason to record when the plan
     * leaves tc out (or leaves nothing at all).
     *
     * @param attempts       in order; empty means the slow path (installed nowhere)
     * @param whyNotTc       {@link FlowResult.Reason#NONE} when tc is tried, else why not
     * @param whyNotTcDetail the detail of {@code whyNotTc} (the policy's name), or null
     */
    public record Plan(List<Attempt> attempts, FlowResult.Reason whyNotTc, String whyNotTcDetail) {
        public boolean triesTc() {
            return !attempts.isEmpty() && attempts.get(0).isTc();
        }
    }

    public static Plan plan(OffloadPreference pref, boolean hwOffload, TcPolicy policy) {
        if (!hwOffload) {
            return pref == OffloadPreference.REQUIRED
                ? new Plan(List.of(), FlowResult.Reason.HW_OFFLOAD_OFF, null)
                : new Plan(List.of(Attempt.DPDK), FlowResult.Reason.HW_OFFLOAD_OFF, null);
        }
        return switch (pref) {
            case REQUIRED -> policy == TcPolicy.SKIP_HW
                ? new Plan(List.of(), FlowResult.Reason.TC_POLICY, policy.ovsName())
                : new Plan(List.of(Attempt.TC_SKIP_SW), FlowResult.Reason.NONE, null);
            case PREFERRED -> switch (policy) {
                case NONE -> new Plan(List.of(Attempt.TC_ANY, Attempt.DPDK), FlowResult.Reason.NONE, null);
                case SKIP_SW -> new Plan(List.of(Attempt.TC_SKIP_SW, Attempt.DPDK), FlowResult.Reason.NONE, null);
                case SKIP_HW -> new Plan(List.of(Attempt.TC_SKIP_HW, Attempt.DPDK), FlowResult.Reason.NONE, null);
            };
            case NEVER -> policy == TcPolicy.SKIP_SW
                ? new Plan(List.of(Attempt.DPDK), FlowResult.Reason.TC_POLICY, policy.ovsName())
                : new Plan(List.of(Attempt.TC_SKIP_HW, Attempt.DPDK), FlowResult.Reason.NONE, null);
        };
    }
}
