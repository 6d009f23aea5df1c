package org.offloadbridge.revalidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.LayerCounters;
import org.offloadbridge.upcall.handler.LayerCounters.Op;
import org.offloadbridge.upcall.handler.LayerTotals;
import org.offloadbridge.upcall.handler.Rig;
import org.offloadbridge.upcall.handler.TestPipelines;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * What the revalidators feed the metrics: each port's traffic per layer from what the dumps and
 * deletes say, every delete and modify by layer, moves as placements, round durations.
 */
class RevalidatorTotalsTest {
    final Rig rig = new Rig();
    final Revalidators revs = new Revalidators(new DatapathConfig().hwOffload(true).revalidatorThreads(1).handlerThreads(1)
        .maxIdleMillis(10_000).maxRevalidatorMillis(500), rig.ukeys, rig.pipeline, rig.layers, rig.ports, rig.policy,
        rig.flowLimit, rig.clock);

    void round(long millis) {
        long before = revs.counters().rounds();
        rig.clock.advance(millis);
        for (int i = 0; i < 3 && revs.counters().rounds() == before; i++) {
            for (Revalidator r : revs.agents()) {
                r.doWork();
            }
        }
        assertEquals(before + 1, revs.counters().rounds(), "a round ran");
    }

    @Test
    void portTrafficGrowsByWhatEachDumpAndTheFinalDeleteSay() {
        Ukey hw = rig.send(TestPipelines.distinct(1));
        rig.tc.hardware(false);
        Ukey sw = rig.send(TestPipelines.distinct(2));
        assertEquals(FlowLayer.TC_HW, hw.layer());
        assertEquals(FlowLayer.TC_SW, sw.layer());
        LayerTotals t = rig.ukeys.totals();
        round(0);
        rig.tc.hit(hw.ufid(), 10, 100, rig.clock.millis());
        rig.tc.hit(sw.ufid(), 3, 60, rig.clock.millis());
        round(500);
        assertEquals(10, t.packets(1, FlowLayer.TC_HW));
        assertEquals(1000, t.bytes(1, FlowLayer.TC_HW));
        assertEquals(3, t.packets(1, FlowLayer.TC_SW));
        assertEquals(180, t.bytes(1, FlowLayer.TC_SW));
        round(500);
        assertEquals(10, t.packets(1, FlowLayer.TC_HW), "no growth, nothing added");

        // hw-offload off: both move to DPDK; what tc counted since the last dump comes with the delete
        rig.tc.hit(hw.ufid(), 5, 100, rig.clock.millis());
        revs.repolicy(false, TcPolicy.NONE);
        for (Revalidator r : revs.agents()) {
            r.doWork();
        }
        assertEquals(FlowLayer.DPDK, hw.layer());
        assertEquals(15, t.packets(1, FlowLayer.TC_HW), "the final counters of the delete");
        rig.dpdk.hit(hw.ufid(), 2, 100, rig.clock.millis());
        round(500);
        assertEquals(2, t.packets(1, FlowLayer.DPDK));
        assertEquals(15, t.packets(1, FlowLayer.TC_HW), "what tc counted is kept");
        assertEquals(2, t.flows(FlowLayer.DPDK));
        assertEquals(0, t.flows(FlowLayer.TC_HW) + t.flows(FlowLayer.TC_SW));

        LayerCounters c = rig.layers.counters();
        assertEquals(1, c.done(Op.DELETE, FlowLayer.TC_HW));
        assertEquals(1, c.done(Op.DELETE, FlowLayer.TC_SW));
        assertEquals(2, c.done(Op.INSTALL, FlowLayer.DPDK));
        assertEquals(2, c.placements(FlowLayer.DPDK, Reason.HW_OFFLOAD_OFF), "moves are placements, with their reason");
    }

    @Test
    void idleExpiryIsADeleteAndAFlowGoneFromItsLayerCountsNoMore() {
        rig.tc.hardware(false);
        Ukey u = rig.send(TestPipelines.distinct(1));
        round(0);
        round(10_000);
        round(500);
        assertEquals(null, rig.ukeys.get(u.ufid()), "expired");
        assertEquals(0, rig.ukeys.totals().flows(FlowLayer.TC_SW));
        assertEquals(1, rig.layers.counters().done(Op.DELETE, FlowLayer.TC_SW));
    }

    @Test
    void aModifyThatTheLayerRefusesIsAFailureOfThatLayer() {
        rig.send(TestPipelines.distinct(1));
        round(0);
        TestPipelines.load(rig.pipeline, Rig.RULES.replace("priority=1,actions=output:p2", "priority=1,actions=output:p5"));
        round(500);
        assertEquals(1, rig.layers.counters().done(Op.MODIFY, FlowLayer.TC_HW));
        rig.tc.breakIt(new IllegalStateException("socket closed"));
        TestPipelines.load(rig.pipeline, Rig.RULES.replace("priority=1,actions=output:p2", "priority=1,actions=output:p6"));
        round(500);
        rig.tc.breakIt(null);
        assertTrue(rig.layers.counters().failed(Op.MODIFY, FlowLayer.TC_HW, Reason.LAYER_UNAVAILABLE) >= 1,
            "a layer that throws is unavailable");
    }

    @Test
    void everyRoundIsTimed() {
        round(0);
        round(500);
        round(500);
        assertEquals(3, revs.roundDurations().snapshot().count());
        assertEquals(500, revs.config().maxRevalidatorMillis());
    }
}
