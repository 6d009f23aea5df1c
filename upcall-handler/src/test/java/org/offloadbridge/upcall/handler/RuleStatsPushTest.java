package org.offloadbridge.upcall.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.Rule;

/** A flow's counter growth reaches the rules its translation hit, once, as OVS's revalidator pushes stats. */
class RuleStatsPushTest {
    final Pipeline p = TestPipelines.bridge(2, "priority=10,in_port=p1,actions=resubmit(,1)\ntable=1,priority=1,actions=output:p2\n",
        new ManualClock(0));

    private Ukey ukey(List<Rule> hit) {
        Megaflow m = TestPipelines.exact(1, 1, TestPipelines.output(2));
        return new Ukey(m, OffloadPreference.PREFERRED, 1, hit, 0);
    }

    @Test
    void deltasArePushedToEveryRuleHitOnce() {
        List<Rule> hit = p.rules();
        Ukey u = ukey(hit);
        u.dumped(new FlowStats(5, 500, 10, 0), FlowLayer.DPDK, 10);
        u.pushStatsToRules();
        u.pushStatsToRules();
        for (Rule r : hit) {
            assertEquals(5, r.stats().packets());
            assertEquals(500, r.stats().bytes());
        }
        u.dumped(new FlowStats(7, 700, 20, 0), FlowLayer.DPDK, 20);
        u.pushStatsToRules();
        assertEquals(7, hit.get(0).stats().packets());
        assertEquals(700, hit.get(1).stats().bytes());
    }

    @Test
    void aRetranslationPushesToTheOldRulesFirst() throws Exception {
        List<Rule> old = p.rules();
        Ukey u = ukey(old);
        u.dumped(new FlowStats(2, 200, 10, 0), FlowLayer.DPDK, 10);
        TestPipelines.load(p, "priority=10,in_port=p1,actions=output:p2\n");
        u.current(2, p.rules());
        u.dumped(new FlowStats(3, 300, 20, 0), FlowLayer.DPDK, 20);
        u.pushStatsToRules();
        assertEquals(2, old.get(0).stats().packets(), "packets counted under the old translation");
        assertEquals(1, p.rules().get(0).stats().packets(), "only the growth since");
    }

    @Test
    void countersFromBeforeARestartAreNotPushed() {
        List<Rule> hit = p.rules();
        Ukey u = ukey(hit);
        u.adopted(FlowLayer.TC_SW, new FlowStats(1_000, 100_000, 0, 0), 1);
        u.pushStatsToRules();
        assertEquals(0, hit.get(0).stats().packets());
        u.dumped(new FlowStats(1_004, 100_400, 5, 0), FlowLayer.TC_SW, 5);
        u.pushStatsToRules();
        assertEquals(4, hit.get(0).stats().packets());
    }

    @Test
    void packetsTheHandlersExecuteCountToTheirRules() {
        Rig rig = new Rig();
        var k = TestPipelines.udp(1, 1, 2, 53);
        rig.miss(0, k);
        rig.miss(1, k);
        rig.handler(0).doWork();
        rig.handler(1).doWork();
        Rule all = rig.pipeline.rules().get(3); // priority=1,actions=output:p2
        assertEquals(2, all.stats().packets(), "the installing upcall and the duplicate, each once");
        assertEquals(128, all.stats().bytes());
    }
}
