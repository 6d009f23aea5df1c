package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.offloadbridge.flow.Placement.Attempt.DPDK;
import static org.offloadbridge.flow.Placement.Attempt.TC_ANY;
import static org.offloadbridge.flow.Placement.Attempt.TC_SKIP_HW;
import static org.offloadbridge.flow.Placement.Attempt.TC_SKIP_SW;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.Placement.Attempt;

/** Every cell of docs/rules.md's "Where a flow goes" table. */
class PlacementTest {

    private static void cell(OffloadPreference pref, boolean hw, TcPolicy policy, List<Attempt> attempts, Reason why) {
        Placement.Plan p = Placement.plan(pref, hw, policy);
        assertEquals(attempts, p.attempts(), pref + " hw-offload=" + hw + " tc-policy=" + policy.ovsName());
        assertEquals(why, p.whyNotTc(), pref + " hw-offload=" + hw + " tc-policy=" + policy.ovsName());
    }

    @Test
    void hwOffloadOffKeepsEveryFlowOutOfTc() {
        for (TcPolicy policy : TcPolicy.values()) {
            cell(OffloadPreference.REQUIRED, false, policy, List.of(), Reason.HW_OFFLOAD_OFF);
            cell(OffloadPreference.PREFERRED, false, policy, List.of(DPDK), Reason.HW_OFFLOAD_OFF);
            cell(OffloadPreference.NEVER, false, policy, List.of(DPDK), Reason.HW_OFFLOAD_OFF);
        }
    }

    @Test
    void required() {
        cell(OffloadPreference.REQUIRED, true, TcPolicy.NONE, List.of(TC_SKIP_SW), Reason.NONE);
        cell(OffloadPreference.REQUIRED, true, TcPolicy.SKIP_SW, List.of(TC_SKIP_SW), Reason.NONE);
        cell(OffloadPreference.REQUIRED, true, TcPolicy.SKIP_HW, List.of(), Reason.TC_POLICY);
        assertEquals("skip_hw", Placement.plan(OffloadPreference.REQUIRED, true, TcPolicy.SKIP_HW).whyNotTcDetail());
    }

    @Test
    void preferred() {
        cell(OffloadPreference.PREFERRED, true, TcPolicy.NONE, List.of(TC_ANY, DPDK), Reason.NONE);
        cell(OffloadPreference.PREFERRED, true, TcPolicy.SKIP_SW, List.of(TC_SKIP_SW, DPDK), Reason.NONE);
        cell(OffloadPreference.PREFERRED, true, TcPolicy.SKIP_HW, List.of(TC_SKIP_HW, DPDK), Reason.NONE);
    }

    @Test
    void never() {
        cell(OffloadPreference.NEVER, true, TcPolicy.NONE, List.of(TC_SKIP_HW, DPDK), Reason.NONE);
        cell(OffloadPreference.NEVER, true, TcPolicy.SKIP_SW, List.of(DPDK), Reason.TC_POLICY);
        cell(OffloadPreference.NEVER, true, TcPolicy.SKIP_HW, List.of(TC_SKIP_HW, DPDK), Reason.NONE);
    }

    @Test
    void preferenceParsesOneSpellingAndCombinesByRestrictivenessNotOrder() {
        assertEquals(OffloadPreference.REQUIRED, OffloadPreference.parse("required"));
        assertEquals(OffloadPreference.PREFERRED, OffloadPreference.parse("preferred"));
        assertEquals(OffloadPreference.NEVER, OffloadPreference.parse("never"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OffloadPreference.parse("Never"));
        assertEquals("offload preference \"Never\": expected required, preferred or never", e.getMessage());
        assertEquals(OffloadPreference.NEVER, OffloadPreference.REQUIRED.combine(OffloadPreference.NEVER));
        assertEquals(OffloadPreference.NEVER, OffloadPreference.NEVER.combine(OffloadPreference.REQUIRED));
        assertEquals(OffloadPreference.REQUIRED, OffloadPreference.PREFERRED.combine(OffloadPreference.REQUIRED));
        assertEquals(OffloadPreference.REQUIRED, OffloadPreference.REQUIRED.combine(OffloadPreference.PREFERRED));
        assertEquals(OffloadPreference.PREFERRED, OffloadPreference.PREFERRED.combine(OffloadPreference.PREFERRED));
    }

    @Test
    void tcPolicyParsesOvsSpellings() {
        assertEquals(TcPolicy.SKIP_SW, TcPolicy.parse("skip_sw"));
        assertEquals(TcPolicy.SKIP_HW, TcPolicy.parse("skip-hw"));
        assertEquals(TcPolicy.NONE, TcPolicy.parse("none"));
        assertThrows(IllegalArgumentException.class, () -> TcPolicy.parse("hw"));
    }
}
