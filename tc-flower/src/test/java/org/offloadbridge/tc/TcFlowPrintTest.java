package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.DpFlow;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.tc.internal.Flows;

/** A tc flow's dump line as OVS prints tc flows, and tc's "ms ago" on the monotonic clock. */
class TcFlowPrintTest {
    private final Megaflow m = Flows.on(3).ipv4(17).actions(Actions.builder().output(4).build()).build();

    private String line(boolean inHw) {
        TcFlow f = new TcFlow(m, new TcFilterId(3, 1, 0x0800, 1), inHw, inHw ? 1 : 0, false, false, new TcStats(7, 700, 250, 0));
        return FlowFormat.formatFlow(f.toDpFlow(), PortNames.NONE, true);
    }

    @Test
    void offloadedYesOnlyInHardwareAndNoTcpFlags() {
        String hw = line(true);
        assertTrue(hw.contains(", offloaded:yes, dp:tc, actions:"), hw);
        String sw = line(false);
        assertFalse(sw.contains("offloaded:"), "OVS prints no offloaded: for a not_in_hw tc flow: " + sw);
        assertTrue(sw.contains("dp:tc"), sw);
        assertFalse(sw.contains("flags:"), "tc counts no TCP flags: " + sw);
        assertTrue(sw.contains("packets:7, bytes:700, used:0.250s"), sw);
        DpFlow d = new TcFlow(m, new TcFilterId(3, 1, 0x0800, 1), false, 0, false, true, TcStats.ZERO).toDpFlow();
        assertEquals(0, d.tcpFlags());
        assertEquals(-1, d.usedMillisAgo());
    }

    @Test
    void usedIsConvertedOnceToTheMonotonicClock() {
        FlowStats s = TcFlowTarget.stats(new TcStats(5, 500, 1_200, 5), 10_000);
        assertEquals(new FlowStats(5, 500, 8_800, 0), s);
        assertEquals(1_200, s.usedMillisAgo(10_000));
        FlowStats never = TcFlowTarget.stats(TcStats.ZERO, 10_000);
        assertFalse(never.everUsed());
        assertEquals(FlowStats.NEVER_USED, never.used());
    }
}
