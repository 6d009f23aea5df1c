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
 * @param deviceLost the filter still says {@code in_hw}, but the device no longer holds it: its
 *                  driver, which reported hardware counters for the filters of this device before,
 *                  had none to report on this dump (Linux gives a driver no way to clear one
 *                  filter's in_hw; a rule lost by the NIC shows only so). A skip_sw filter so
 *                  lost forwards nothing; a filter without skip_sw still forwards in software.
 */
public record TcFlow(Megaflow flow, TcFilterId id, boolean inHw, int inHwCount, boolean skipSw, boolean skipHw, TcStats stats,
                     boolean deviceLost) {

    public TcFlow(Megaflow flow, TcFilterId id, boolean inHw, int inHwCount, boolean skipSw, boolean skipHw, TcStats stats) {
        this(flow, id, inHw, inHwCount, skipSw, skipHw, stats, false);
    }

    /**
     * The dump line's data as OVS 3.1 prints a tc flow ({@code dpctl/dump-flows -m}):
     * {@code dp:tc} always; {@code offloaded:yes} only when the filter is {@code in_hw}, and no
     * {@code offloaded:} item at all otherwise — OVS's format_dpif_flow prints it only when the
     * flow's attrs say offloaded, and netdev-offload-tc sets that from the filter's in_hw state.
     * TCP flags 0: tc counts none, and OVS zeroes them for tc flows (so no {@code flags:} item).
     */
    public DpFlow toDpFlow() {
        return DpFlow.of(flow, stats.packets(), stats.bytes(), stats.usedMillisAgo(), 0, inHw ? "yes" : null, "tc");
    }
}
