package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.tests.daemon.TwoHosts.assertLoss0;
import static org.offloadbridge.tests.daemon.TwoHosts.await;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.testkit.Shell;

/**
 * The daemon as a process, as systemd runs it ({@code bin/offload-bridge run --config FILE}), in
 * the switch namespace: killed with SIGKILL under a UDP stream through tc and started again, the
 * stream loses nothing and the same filters are adopted; SIGTERM with {@code stop-removes-flows}
 * leaves none of our flow filters.
 */
@Tag("kernel-vm")
@Timeout(600)
class ServiceVmTest {
    @BeforeAll
    static void clsU32() {
        Shell.ok("modprobe", "cls_u32");
    }

    private static Path config(Path dir, boolean stopRemovesFlows) throws Exception {
        return ServiceProcess.config(dir, DaemonVmTest.NORMAL, 60_000, stopRemovesFlows);
    }

    private static Shell.Background start(TwoHosts n, Path conf) {
        return ServiceProcess.start(n, conf);
    }

    @Test
    void killDashNineAndRestartLoseNothingOfFlowsInTc(@TempDir Path dir) throws Exception {
        try (TwoHosts n = TwoHosts.create("svkill", false)) {
            Path conf = config(dir, false);
            Shell.Background first = start(n, conf);
            Shell.Background second = null;
            try {
                assertLoss0(n.h1().sh("ping -c 3 -i 0.2 -W 10 10.9.0.2"));
                TwoHosts.send(n.h1(), "10.9.0.2", 0, 3);
                // NORMAL megaflows match L2: ICMP and UDP from h1 to h2 share one flow on p1.
                assertTrue(await(20_000, () -> !n.flower("p1").isEmpty() && !n.flower("p2").isEmpty()) >= 0,
                    "flows both ways in tc: " + n.filters("p1") + n.filters("p2") + first.output());
                Thread.sleep(1_000);
                List<String> before = n.handles();
                try (Shell.Background rx = TwoHosts.receiver(n.h2(), "10.9.0.2");
                     Shell.Background tx = TwoHosts.sendInBackground(n.h1(), "10.9.0.2", 1_000, 4_000, 0.005)) {
                    Thread.sleep(1_500);
                    Shell.ok("kill", "-9", Long.toString(first.pid()));
                    assertTrue(first.awaitExit(30), "killed");
                    assertEquals(before, n.handles(), "the filters stay when the daemon dies");
                    second = start(n, conf);
                    String log = second.output();
                    System.out.println("ServiceVmTest.kill: restarted; " + log.lines().filter(l -> l.contains("adopted")).toList());
                    assertTrue(log.contains("adopted " + before.size() + " flows"), "every filter adopted: " + before + "\n" + log);
                    assertTrue(tx.awaitExit(240), "the sender finished");
                    String got = rx.finish(60);
                    System.out.println("ServiceVmTest.kill: " + got.strip().replace('\n', ' '));
                    assertTrue(got.contains("count=3000 distinct=3000"), "not one datagram lost or doubled across kill -9 and restart: " + got);
                }
                assertEquals(before, n.handles(), "the same filters, same handles, none duplicated, none stale");
                assertTrue(second.stop(60), "stops on SIGTERM");
                assertEquals(before, n.handles(), "a clean stop keeps the flows by default (stop-removes-flows=false)");
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    @Test
    void sigtermWithStopRemovesFlowsLeavesOnlyTheCatchAlls(@TempDir Path dir) throws Exception {
        try (TwoHosts n = TwoHosts.create("svterm", false)) {
            Shell.Background d = start(n, config(dir, true));
            try {
                assertLoss0(n.h1().sh("ping -c 3 -i 0.2 -W 10 10.9.0.2"));
                assertTrue(await(20_000, () -> !n.flower("p1").isEmpty() && !n.flower("p2").isEmpty()) >= 0,
                    "flows in tc: " + n.filters("p1") + d.output());
                assertTrue(d.stop(60), "stops on SIGTERM within the grace");
                String log = d.finish(0);
                assertTrue(log.contains("removed 2 tc flows on stop") || log.matches("(?s).*removed [1-9][0-9]* tc flows on stop.*"), log);
                assertTrue(log.contains("stopped"), "the clean stop ran to its end before the JVM left: " + log);
                assertTrue(n.onlyCatchAlls(), "no flow filter of ours left: " + n.filters("p1") + n.filters("p2"));
                assertFalse(n.filters("p1").isEmpty(), "the catch-all stays (the slow path of a restart)");
            } finally {
                d.close();
            }
        }
    }
}
