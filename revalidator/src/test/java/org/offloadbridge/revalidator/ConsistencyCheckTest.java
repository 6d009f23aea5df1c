package org.offloadbridge.revalidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.handler.Rig;
import org.offloadbridge.upcall.handler.TestPipelines;
import org.offloadbridge.upcall.handler.Ukey;

/** The consistency checker against fake layers put out of step on purpose, one way at a time. */
class ConsistencyCheckTest {
    final Rig rig = new Rig(true, TcPolicy.NONE, 200_000);

    ConsistencyCheck.Report check() {
        return ConsistencyCheck.run(rig.ukeys, rig.layers);
    }

    static List<ConsistencyCheck.Kind> kinds(ConsistencyCheck.Report r) {
        return r.findings().stream().map(ConsistencyCheck.Finding::kind).toList();
    }

    @Test
    void aTableInStepIsConsistent() {
        rig.send(TestPipelines.distinct(1));
        rig.tc.hardware(false);
        rig.send(TestPipelines.distinct(2));
        ConsistencyCheck.Report r = check();
        assertTrue(r.clean(), r.text());
        assertEquals(2, r.flows());
        assertEquals(2, r.tcFlows());
        assertTrue(r.text().startsWith("consistent: 2 flows, tc 2 filters, dpdk 0 flows"), r.text());
    }

    @Test
    void everyWayOutOfStepIsFoundAndNamed() {
        Ukey gone = rig.send(TestPipelines.distinct(1));
        Ukey twice = rig.send(TestPipelines.distinct(2));
        Ukey other = rig.send(TestPipelines.distinct(3));
        Ukey lost = rig.send(TestPipelines.distinct(4));
        rig.tc.removeBehindBack(gone.ufid());                                       // tc filter deleted by hand
        rig.dpdk.plant(twice.megaflow(), FlowLayer.DPDK, FlowStats.ZERO);           // a second copy in DPDK
        Megaflow changed = other.megaflow().withActions(TestPipelines.output(5));
        rig.tc.removeBehindBack(other.ufid());
        rig.tc.plant(changed, FlowLayer.TC_HW, FlowStats.ZERO);                      // other actions in the kernel
        rig.tc.loseInHardware(lost.ufid());                                          // the NIC dropped it
        Megaflow stray = TestPipelines.exact(1, 77, TestPipelines.output(2));
        rig.tc.plant(stray, FlowLayer.TC_SW, FlowStats.ZERO);                       // ours, but no flow in the daemon
        ConsistencyCheck.Report r = check();
        assertEquals(List.of(ConsistencyCheck.Kind.MISSING, ConsistencyCheck.Kind.TWO_LAYERS, ConsistencyCheck.Kind.DIFFERENT_ACTIONS,
            ConsistencyCheck.Kind.WRONG_LAYER, ConsistencyCheck.Kind.EXTRA).stream().sorted().toList(), kinds(r).stream().sorted().toList(),
            r.text());
        assertTrue(r.text().contains("missing " + gone.ufid() + ": the daemon has it in tc-hw; tc has no filter with its cookie"), r.text());
        assertTrue(r.text().contains("extra " + stray.ufid() + ": in tc-sw with no flow in the daemon"), r.text());
        assertTrue(r.text().contains("the NIC lost it"), r.text());
    }

    @Test
    void aFlowPlacedOrRemovedWhileTheCheckRunsIsNotAFinding() {
        Ukey u = rig.send(TestPipelines.distinct(1));
        rig.tc.onDump(() -> {
            rig.send(TestPipelines.distinct(2)); // a handler installs during the dump
        });
        ConsistencyCheck.Report r = check();
        assertTrue(r.clean(), r.text());
        // deleted from the layer and the daemon between the dump and the second look: gone from both, not reported
        rig.tc.onDump(() -> {
            rig.tc.removeBehindBack(u.ufid());
            u.transition(org.offloadbridge.upcall.handler.UkeyState.EVICTING); // as a revalidator expires it
            u.transition(org.offloadbridge.upcall.handler.UkeyState.EVICTED);
            rig.ukeys.remove(u);
        });
        assertTrue(check().clean());
    }
}
