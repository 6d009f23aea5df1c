package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;

/**
 * PMD threads as agents under their AgentRunners: with the default busy-spin and with the
 * park-based idle strategy they forward what arrives, a stopped runner leaves the PMD to be
 * driven by hand again, and a restarted one forwards again (onStart/onClose register and
 * unregister the thread with EAL each time). net_ring in (the test is its only producer), net_null out.
 */
@Tag("host")
class PmdRunnerTest {

    static final int IN = 1;
    static final int OUT = 2;
    static int seq;

    @Test
    void busySpinRunnerForwards() throws Exception {
        forwardWithRunner(new DpdkDatapath.Config(), "b");
    }

    @Test
    void parkingRunnerForwards() throws Exception {
        forwardWithRunner(new DpdkDatapath.Config().idleParkNanos(50_000), "p");
    }

    @Test
    void badIdleConfigurationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DpdkDatapath.Config().idleParkNanos(-1));
        Eal eal = TestEal.get();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> DpdkDatapath.create(eal, new DpdkDatapath.Config().idleStrategy(null)));
        assertTrue(e.getMessage().contains("idleStrategy"), e.getMessage());
    }

    private static void forwardWithRunner(DpdkDatapath.Config config, String tag) throws Exception {
        Eal eal = TestEal.get();
        seq++;
        DpdkDatapath dp = DpdkDatapath.create(eal, config.mbufs(2047).descriptors(256, 256));
        try (Arena arena = Arena.ofConfined()) {
            EthdevPort in = dp.addPort(IN, "net_ring_pr" + tag + seq);
            EthdevPort out = dp.addPort(OUT, "net_null_pr" + tag + seq + ",no-rx=1");
            FlowKey k = new FlowKey();
            FlowMask m = new FlowMask();
            k.setInPort(IN);
            m.setExact(Field.IN_PORT);
            Megaflow f = Megaflow.of(k, m, Actions.builder().output(OUT).build());
            dp.flows().install(f);
            RingIo ring = new RingIo(arena, dp.pool());
            byte[] frame = Frames.udp(0x0a000001, 0x0a000002, 1, 2);

            for (int run = 1; run <= 2; run++) {
                dp.start();
                for (int i = 0; i < 5; i++) {
                    ring.inject(in, frame, frame, frame, frame, frame, frame, frame, frame, frame, frame);
                }
                long want = 50L * run + 5L * (run - 1);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (out.stats().opackets() < want && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                dp.stopRunners();
                assertEquals(want, out.stats().opackets(), "run " + run + ": the runner forwarded everything");
                // stopped: nobody polls, the test drives the PMD by hand
                ring.inject(in, frame, frame, frame, frame, frame);
                assertEquals(5, dp.pmds().get(0).doWork(), "run " + run + ": by hand after the runner stopped");
            }
            assertEquals(110, dp.flows().stats(f.ufid()).packets());
            PmdTime t0 = dp.pmdTimes().get(0);
            assertTrue(t0.busyNanos() > 0, "passes that received packets count as busy: " + t0);
            assertTrue(t0.idleNanos() > 0, "the runners' empty polls count as idle: " + t0);
            dp.pmds().get(0).doWork(); // nothing queued: an idle pass
            PmdTime t1 = dp.pmdTimes().get(0);
            assertEquals(t0.busyNanos(), t1.busyNanos(), "an empty pass adds nothing to busy");
            assertTrue(t1.idleNanos() > t0.idleNanos(), "and its time to idle");
            ring.inject(in, frame);
            assertEquals(1, dp.pmds().get(0).doWork());
            PmdTime t2 = dp.pmdTimes().get(0);
            assertTrue(t2.busyNanos() > t1.busyNanos(), "a pass with a packet adds to busy");
            assertEquals(t1.idleNanos(), t2.idleNanos());
            assertEquals(0, dp.counters().pmdErrors(), "no exception escaped doWork");
            assertNull(dp.lastPmdError());
        } finally {
            dp.close();
        }
    }
}
