package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.upcall.handler.ManualClock;

/** Rule counters through rule changes (as ovs-ofctl add-flow / replace-flows keep them), offload-default, and trace. */
class PipelineRulesTest {
    final ManualClock clock = new ManualClock(1_000);
    final Pipeline p = new Pipeline(PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12)), clock, 300_000, 0);

    @Test
    void aReplacementKeepsTheCountersOfRulesThatStayTheSame() throws Exception {
        p.loadRulesFile("priority=10,in_port=p1,actions=output:p2\npriority=5,in_port=p2,actions=output:p1\n");
        Rule kept = p.rules().get(0);
        Rule changed = p.rules().get(1);
        kept.count(3, 300);
        changed.count(4, 400);
        assertEquals(1_000, kept.stats().addedMillis());
        clock.advance(500);
        // the same first rule on another line, with other spacing; the second with new actions
        p.loadRulesFile("# comment\npriority=10, in_port=p1, actions=output:p2\npriority=5,in_port=p2,actions=drop\n");
        Rule k2 = p.rules().get(0);
        Rule c2 = p.rules().get(1);
        assertSame(kept.stats(), k2.stats(), "unchanged: counters and age kept");
        assertEquals(2, k2.line(), "but the new line is what explain shows");
        assertNotSame(changed.stats(), c2.stats());
        assertEquals(0, c2.stats().packets());
        assertEquals(1_500, c2.stats().addedMillis());
    }

    @Test
    void addFlowStartsCountersAfresh() throws Exception {
        Rule a = p.addRule("priority=10,in_port=p1,actions=output:p2");
        a.count(1, 100);
        Rule b = p.addRule("priority=10,in_port=p1,actions=output:p2");
        assertEquals(1, p.rules().size(), "same identity replaces");
        assertEquals(0, b.stats().packets(), "an OpenFlow add clears the counters");
        assertEquals(a, b, "counters are not part of a rule's value");
    }

    @Test
    void offloadDefaultAppliesToRulesParsedAfter() throws Exception {
        p.setOffloadDefault(OffloadPreference.NEVER);
        assertEquals(OffloadPreference.NEVER, p.addRule("priority=1,actions=drop").offload());
        assertEquals(OffloadPreference.REQUIRED, p.addRule("priority=2,offload=required,actions=drop").offload());
    }

    @Test
    void traceRecordsEveryLookupAndChangesNothing() throws Exception {
        p.loadRulesFile("""
            table=0,priority=10,in_port=p1,udp,actions=resubmit(,1)
            table=1,priority=20,udp,tp_dst=53,actions=output:p2
            table=1,priority=1,actions=resubmit(,2)
            """);
        long seq = p.seq();
        FlowKey k = p.packetKey(p.parser().parseFlow("in_port=p1,udp,nw_dst=10.0.0.2,tp_dst=53"));
        Trace t = p.trace(k);
        assertEquals(2, t.steps().size(), t.steps().toString());
        assertEquals(new Trace.Step(0, 0, p.rules().get(0)), t.steps().get(0));
        assertEquals(new Trace.Step(1, 1, p.rules().get(1)), t.steps().get(1));
        assertEquals(List.of(p.rules().get(0), p.rules().get(1)), t.translation().rulesHit());
        assertTrue(t.translation().actions().toString().contains("12"), t.translation().actions().toString());
        FlowKey other = p.packetKey(p.parser().parseFlow("in_port=p1,udp,tp_dst=54"));
        Trace miss = p.trace(other);
        assertEquals(3, miss.steps().size(), miss.steps().toString());
        assertNull(miss.steps().get(2).rule(), "table 2 is empty: a miss, drop");
        assertEquals(2, miss.steps().get(2).table());
        assertEquals(seq, p.seq(), "tracing learns nothing");
    }
}
