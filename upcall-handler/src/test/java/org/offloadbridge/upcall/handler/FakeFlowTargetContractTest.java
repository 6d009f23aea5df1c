package org.offloadbridge.upcall.handler;

import java.util.List;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.FlowTargetContractTest;
import org.offloadbridge.flow.Megaflow;

/** The tc-like fake keeps the same contract the real layers keep, so tests against it mean something. */
class FakeFlowTargetContractTest extends FlowTargetContractTest {
    @Override
    protected FlowTarget newTarget() {
        return FakeFlowTarget.tc();
    }

    @Override
    protected void closeTarget() {}

    @Override
    protected Megaflow flow(int i) {
        return TestPipelines.exact(1, i + 1, TestPipelines.output(2));
    }

    @Override
    protected Actions otherActions(int i) {
        return TestPipelines.output(3);
    }

    @Override
    protected Megaflow refusedFlow() {
        return TestPipelines.exact(1, 200, TestPipelines.output(FakeFlowTarget.REFUSED_PORT));
    }

    @Override
    protected Reason refusedReason() {
        return Reason.UNSUPPORTED_ACTION;
    }

    @Override
    protected List<FlowLayer> acceptedLayers() {
        return List.of(FlowLayer.TC_HW, FlowLayer.TC_SW);
    }
}
