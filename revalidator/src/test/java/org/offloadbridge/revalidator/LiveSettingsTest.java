package org.offloadbridge.revalidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.FlowLimit;
import org.offloadbridge.upcall.handler.Rig;
import org.offloadbridge.upcall.handler.TestPipelines;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.pipeline.Rule;

/**
 * What a reload changes in running revalidators (max-idle, max-revalidator, flow-limit), and
 * the rule counters the rounds push (dump-rules' n_packets / n_bytes).
 */
class LiveSettingsTest {
    final Rig rig = new Rig(false, TcPolicy.NONE, 200_000);
    final Revalidators revs = new Revalidators(new DatapathConfig().hwOffload(false).revalidatorThreads(1).handlerThreads(1)
        .maxIdleMillis(10_000).maxRevalidatorMillis(500), rig.ukeys, rig.pipeline, rig.layers, rig.ports, rig.policy,
        rig.flowLimit, rig.clock);

    /** Time passes by {@code millis}; every revalidator does its work; returns the rounds completed. */
    long step(long millis) {
        rig.clock.advance(millis);
        for (int i = 0; i < 3; i++) {
            for (Revalidator r : revs.agents()) {
                r.doWork();
            }
        }
        return revs.counters().rounds();
    }

    @Test
    void aShorterMaxIdleExpiresFlowsAtTheNextRound() {
        Ukey u = rig.send(TestPipelines.distinct(1));
        step(0);
        step(2_000);
        assertTrue(rig.dpdk.holds(u.ufid()), "2 s of 10 s max-idle");
        revs.setMaxIdleMillis(1_000);
        assertEquals(1_000, revs.maxIdleMillis());
        step(500);
        assertFalse(rig.dpdk.holds(u.ufid()), "over the new max-idle");
        assertThrows(IllegalArgumentException.class, () -> revs.setMaxIdleMillis(99));
    }

    @Test
    void maxRevalidatorSetsTheRoundIntervalAtOnce() {
        long r0 = step(0);
        assertEquals(r0, step(400), "500 ms between rounds");
        revs.setMaxRevalidatorMillis(60_000);
        assertEquals(r0, step(30_000), "the longer interval holds off the next round");
        revs.setMaxRevalidatorMillis(100);
        assertEquals(r0 + 1, step(0), "the shorter interval applies at once");
        assertEquals(r0 + 1, step(50));
        assertEquals(r0 + 2, step(50));
        assertThrows(IllegalArgumentException.class, () -> revs.setMaxRevalidatorMillis(9));
    }

    @Test
    void aLowerFlowLimitCapsAtOnceAHigherOneGrowsByRounds() {
        FlowLimit l = new FlowLimit(200_000);
        assertEquals(10_000, l.current());
        l.setConfigured(2_000);
        assertEquals(2_000, l.current());
        assertEquals(2_000, l.configured());
        l.setConfigured(50_000);
        assertEquals(2_000, l.current(), "no jump: rounds raise it");
        l.afterRound(10, 1_900);
        assertEquals(3_000, l.current());
        assertThrows(IllegalArgumentException.class, () -> l.setConfigured(0));
    }

    @Test
    void roundsPushEachFlowsPacketsToTheRulesItHit() {
        Ukey u = rig.send(TestPipelines.distinct(1));
        assertEquals(FlowLayer.DPDK, u.layer());
        Rule hit = u.rulesHit().get(0);
        long credited = hit.stats().packets(); // the upcalled packet, counted by the handler
        step(0);
        rig.dpdk.hit(u.ufid(), 9, 100, rig.clock.millis()); // 9 packets of 100 bytes
        step(500);
        assertEquals(credited + 9, hit.stats().packets());
        assertEquals(9 * 100 + 64 * credited, hit.stats().bytes());
        step(500);
        assertEquals(credited + 9, hit.stats().packets(), "pushed once");
    }
}
