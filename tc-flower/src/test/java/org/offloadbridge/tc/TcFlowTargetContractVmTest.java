package org.offloadbridge.tc;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.FlowTargetContractTest;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.tc.internal.Flows;

/**
 * The one {@link FlowTarget} contract against tc in the real kernel: a veth pair in a netns of
 * the kernel VM, tc-policy none, flows flower expresses (UDP to distinct ports, output to the
 * peer). veth has no hardware, so every accepted flow lands in software tc. The refused flow
 * matches ipv6_label, a field flower has no key for.
 */
@Tag("kernel-vm")
class TcFlowTargetContractVmTest extends FlowTargetContractTest {
    private static VmNet net;
    private static int p0;
    private static int p1;
    private TcFlowTarget tc;

    @BeforeAll
    static void topology() {
        net = new VmNet("contract");
        net.veth("p0", "p1");
        p0 = net.ifindex("p0");
        p1 = net.ifindex("p1");
    }

    @AfterAll
    static void teardown() {
        net.close();
    }

    @Override
    protected FlowTarget newTarget() {
        tc = net.ns.call(() -> TcFlowTarget.open(TcPolicy.NONE, TcPorts.IDENTITY, MonotonicClock.SYSTEM));
        tc.watch(p0);
        return tc;
    }

    @Override
    protected void closeTarget() {
        tc.close();
    }

    @Override
    protected Megaflow flow(int i) {
        return Flows.on(p0).ipv4(17).exact(Field.IPV4_DST, Flows.ip("10.0.0.2")).exact(Field.TP_DST, 2000 + i)
                .actions(Actions.builder().output(p1).build()).build();
    }

    @Override
    protected Actions otherActions(int i) {
        return Actions.DROP;
    }

    @Override
    protected Megaflow refusedFlow() {
        return Flows.on(p0).ipv6(17).exact(Field.IPV6_LABEL, 0x12345).actions(Actions.builder().output(p1).build()).build();
    }

    @Override
    protected Reason refusedReason() {
        return Reason.UNSUPPORTED_KEY;
    }

    @Override
    protected List<FlowLayer> acceptedLayers() {
        return List.of(FlowLayer.TC_SW);
    }
}
