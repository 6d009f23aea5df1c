package org.offloadbridge.flow;

/**
 * One flow as a layer really holds it (a dump or a get): the megaflow decoded back from the
 * layer's own state, where it is, and its counters.
 *
 * @param megaflow the flow as the layer holds it (for tc: decoded from the kernel's filter,
 *                 ufid from its action cookie)
 * @param layer    {@link FlowLayer#TC_HW}, {@link FlowLayer#TC_SW} or {@link FlowLayer#DPDK}
 * @param stats    counters, {@code used} on the {@link MonotonicClock}
 */
public record DumpedFlow(Megaflow megaflow, FlowLayer layer, FlowStats stats) {
    public Ufid ufid() {
        return megaflow.ufid();
    }

    /**
     * The dump line's data ({@code ovs-appctl dpctl/dump-flows -m}) at monotonic time {@code now}.
     * {@code offloaded:yes} only for a flow in NIC hardware and no {@code offloaded:} item
     * otherwise, as OVS's {@code format_dpif_flow} prints it.
     */
    public DpFlow toDpFlow(long now) {
        return DpFlow.of(megaflow, stats.packets(), stats.bytes(), stats.usedMillisAgo(now), stats.tcpFlags(),
            layer.offloaded() ? "yes" : null, layer.dp());
    }
}
