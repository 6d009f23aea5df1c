package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_FLAGS_SKIP_SW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_SW;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Placement;
import org.offloadbridge.flow.TcPolicy;

/**
 * Every cell of preference × tc-policy (hw-offload=true; docs/rules.md "Where a flow goes") →
 * the one set of skip flags tc is asked with, or the policy refusal. Two cells changed from
 * tc's old table: preferred × skip_sw is skip_sw only (no software retry), never × skip_sw is
 * refused (tc-policy).
 */
class SkipFlagsTest {
    private static final int NO_FLAG = 0;
    private static final int REFUSED = -1;

    private record Cell(OffloadPreference pref, TcPolicy policy, int flags, String refusedBy) {}

    private static final List<Cell> TABLE = List.of(
            new Cell(OffloadPreference.REQUIRED, TcPolicy.NONE, TCA_CLS_FLAGS_SKIP_SW, null),
            new Cell(OffloadPreference.REQUIRED, TcPolicy.SKIP_SW, TCA_CLS_FLAGS_SKIP_SW, null),
            new Cell(OffloadPreference.REQUIRED, TcPolicy.SKIP_HW, REFUSED, "skip_hw"),
            new Cell(OffloadPreference.PREFERRED, TcPolicy.NONE, NO_FLAG, null),
            new Cell(OffloadPreference.PREFERRED, TcPolicy.SKIP_SW, TCA_CLS_FLAGS_SKIP_SW, null),
            new Cell(OffloadPreference.PREFERRED, TcPolicy.SKIP_HW, TCA_CLS_FLAGS_SKIP_HW, null),
            new Cell(OffloadPreference.NEVER, TcPolicy.NONE, TCA_CLS_FLAGS_SKIP_HW, null),
            new Cell(OffloadPreference.NEVER, TcPolicy.SKIP_SW, REFUSED, "skip_sw"),
            new Cell(OffloadPreference.NEVER, TcPolicy.SKIP_HW, TCA_CLS_FLAGS_SKIP_HW, null));

    @Test
    void everyCell() {
        Set<String> seen = new HashSet<>();
        for (Cell c : TABLE) {
            SkipFlags.Decision d = SkipFlags.decide(c.pref(), c.policy());
            String where = c.pref() + " × " + c.policy().ovsName();
            seen.add(where);
            if (c.flags() == REFUSED) {
                assertEquals(false, d.triesTc(), where);
                assertEquals(Reason.TC_POLICY, d.whyNot(), where);
                assertEquals(c.refusedBy(), d.detail(), where);
            } else {
                assertEquals(true, d.triesTc(), where);
                assertEquals(c.flags(), d.clsFlags(), where);
                assertEquals(Reason.NONE, d.whyNot(), where);
            }
        }
        assertEquals(OffloadPreference.values().length * TcPolicy.values().length, seen.size(), "the table covers every cell");
    }

    @Test
    void attemptsToFilterFlagsAndActionFlags() {
        assertEquals(TCA_CLS_FLAGS_SKIP_SW, SkipFlags.clsFlags(Placement.Attempt.TC_SKIP_SW));
        assertEquals(NO_FLAG, SkipFlags.clsFlags(Placement.Attempt.TC_ANY));
        assertEquals(TCA_CLS_FLAGS_SKIP_HW, SkipFlags.clsFlags(Placement.Attempt.TC_SKIP_HW));
        assertThrows(IllegalArgumentException.class, () -> SkipFlags.clsFlags(Placement.Attempt.DPDK));
        assertEquals(TCA_ACT_FLAGS_SKIP_SW, SkipFlags.actFlags(TCA_CLS_FLAGS_SKIP_SW));
        assertEquals(TCA_ACT_FLAGS_SKIP_HW, SkipFlags.actFlags(TCA_CLS_FLAGS_SKIP_HW));
        assertEquals(0, SkipFlags.actFlags(NO_FLAG));
        // No skip flag goes out verbose (the driver's reason for not_in_hw comes back); skip flags as they are.
        assertEquals(org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_VERBOSE, SkipFlags.wireFlags(NO_FLAG));
        assertEquals(TCA_CLS_FLAGS_SKIP_SW, SkipFlags.wireFlags(TCA_CLS_FLAGS_SKIP_SW));
        assertEquals(TCA_CLS_FLAGS_SKIP_HW, SkipFlags.wireFlags(TCA_CLS_FLAGS_SKIP_HW));
        assertEquals(true, SkipFlags.hardwareOnly(TCA_CLS_FLAGS_SKIP_SW));
        assertEquals(false, SkipFlags.hardwareOnly(TCA_CLS_FLAGS_SKIP_HW));
    }
}
