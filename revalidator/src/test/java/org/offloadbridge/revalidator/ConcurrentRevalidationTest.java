package org.offloadbridge.revalidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.Rig;
import org.offloadbridge.upcall.handler.TestPipelines;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.handler.UkeyState;
import org.offloadbridge.upcall.handler.UpcallHandler;

/**
 * Handlers and revalidators on real threads at once, with policy flips and rule changes under
 * them; afterwards, once everything is quiet, every ukey's flow is in exactly the layer the ukey
 * says and nothing of ours is anywhere without a ukey.
 */
class ConcurrentRevalidationTest {
    @Test
    void theTableAndTheLayersAgreeAfterAStorm() throws Exception {
        Rig rig = new Rig();
        Revalidators revs = new Revalidators(new DatapathConfig().hwOffload(true).revalidatorThreads(2).handlerThreads(2)
            .maxIdleMillis(60_000).maxRevalidatorMillis(100), rig.ukeys, rig.pipeline, rig.layers, rig.ports, rig.policy,
            rig.flowLimit, rig.clock);
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> errors = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int h = 0; h < 2; h++) {
            UpcallHandler handler = rig.handler(h);
            int id = h;
            threads.add(new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    for (int k = 0; k < 32; k++) {
                        rig.miss(id, TestPipelines.udp(1 + (i % 3), 1, 2, 100 + (i * 7 + k) % 300));
                    }
                    handler.doWork();
                    i++;
                }
            }));
        }
        for (Revalidator r : revs.agents()) {
            threads.add(new Thread(() -> {
                while (!stop.get()) {
                    r.doWork();
                }
            }));
        }
        threads.add(new Thread(() -> {
            boolean hw = true;
            for (int i = 0; i < 40 && !stop.get(); i++) {
                rig.clock.advance(50);
                if (i % 5 == 0) {
                    hw = !hw;
                    revs.repolicy(hw, i % 10 == 0 ? TcPolicy.SKIP_HW : TcPolicy.NONE);
                }
                if (i % 7 == 0) {
                    TestPipelines.load(rig.pipeline, i % 14 == 0 ? Rig.RULES
                        : Rig.RULES.replace("priority=1,actions=output:p2", "priority=1,actions=output:p5"));
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }));
        for (Thread t : threads) {
            t.setUncaughtExceptionHandler((th, e) -> {
                synchronized (errors) {
                    errors.add(e);
                }
            });
            t.start();
        }
        threads.get(threads.size() - 1).join(20_000);
        stop.set(true);
        for (Thread t : threads) {
            t.join(20_000);
        }
        assertTrue(errors.isEmpty(), errors.toString());

        // quiet now: the final policy is hw-offload=false; let the revalidators settle on one thread
        revs.repolicy(false, TcPolicy.NONE);
        for (int i = 0; i < 4; i++) {
            rig.clock.advance(100);
            for (Revalidator r : revs.agents()) {
                r.doWork();
            }
            for (Revalidator r : revs.agents()) {
                r.doWork();
            }
        }
        assertTrue(revs.policyApplied());
        assertEquals(0, rig.tc.size(), "hw-offload=false: nothing of ours in tc");
        int inDpdk = 0;
        for (int s = 0; s < rig.ukeys.shards(); s++) {
            List<Ukey> shard = new ArrayList<>();
            rig.ukeys.forEach(s, shard::add);
            for (Ukey u : shard) {
                assertEquals(UkeyState.OPERATIONAL, u.state(), u.toString());
                assertEquals(FlowLayer.DPDK, u.layer(), u.toString());
                assertTrue(rig.dpdk.holds(u.ufid()), "the ukey's layer holds it: " + u);
                assertEquals(u.megaflow(), rig.dpdk.megaflowOf(u.ufid()), "with the ukey's actions: " + u);
                assertEquals(rig.pipeline.seq(), u.seq(), "re-translated at the last rules: " + u);
                assertEquals(rig.pipeline.translate(u.megaflow().key(), false).actions(), u.megaflow().actions());
                inDpdk++;
            }
        }
        assertEquals(inDpdk, rig.dpdk.size(), "nothing in DPDK without a ukey");
        assertTrue(inDpdk > 0);
    }
}
