package org.offloadbridge.tc;

import org.offloadbridge.flow.DpFlow;
import org.offloadbridge.flow.Megaflow;

/**
 * One of our filters as the kernel holds it: the megaflow it implements (decoded back from
 * the filter, ufid from its action cookie), where it sits, where it landed, and its counters.
 *
 * @param flow      the megaflow, decoded from the kernel's view of the filter
 * @param id        device, prio, protocol, handle
 * @param inHw      the device holds it ({@code in_hw})
 * @param inHwCount number of devices holding it
 * @param skipSw    installed {@code skip_sw}
 * @param skipHw    installed {@code skip_hw}
 * @param stats     counters (continued across {@link TcOffload#replace})
 */
public record TcFlow(Megaflow flow, TcFilterId id, boolean inHw, int inHwCount, boolean skipSw, boolean skipHw, TcStats stats) {

    /** The OVS dump line's data: {@code offloaded:yes} when in hardware, {@code dp:tc}. */
    public DpFlow toDpFlow() {
        return DpFlow.of(flow, stats.packets(), stats.bytes(), stats.usedMillisAgo(), 0, inHw ? "yes" : "no", "tc");
    }
}
