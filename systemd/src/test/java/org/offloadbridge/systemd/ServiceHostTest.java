package org.offloadbridge.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;

/**
 * The service as an operator runs it: {@code bin/offload-bridge run --config FILE} as its own
 * process in a "switch" namespace (the socket slow path and DPDK off, so it runs on any kernel),
 * traffic between two netns hosts, {@code bin/obctl} against its control socket, then SIGTERM:
 * a clean exit.
 */
@Tag("host")
class ServiceHostTest {
    private static final int METRICS_PORT = 20000 + (int) (ProcessHandle.current().pid() % 20000);
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void runServeObctlAndStopCleanly(@TempDir Path dir) throws Exception {
        try (Topology t = Topology.create("svc")) {
            Topology.Host sw = t.host("sw");
            Topology.Host h1 = t.host("h1");
            Topology.Host h2 = t.host("h2");
            t.veth(sw, "p1", h1, "eth0");
            t.veth(sw, "p2", h2, "eth0");
            for (Topology.Host h : new Topology.Host[] {h1, h2}) {
                h.noIpv6();
            }
            h1.addr("eth0", "10.9.0.1/24");
            h2.addr("eth0", "10.9.0.2/24");
            Path sock = dir.resolve("obctl.sock");
            Files.writeString(dir.resolve("rules.of"), "priority=0,actions=NORMAL\n");
            Files.writeString(dir.resolve("ob.conf"), """
                hw-offload = false
                rules-file = "rules.of"
                n-handler-threads = 1
                n-revalidator-threads = 1

                [[port]]
                name = "p1"

                [[port]]
                name = "p2"

                [dpdk]
                enabled = false

                [control]
                socket = "%s"
                group = "root"

                [metrics]
                listen = "127.0.0.1:%d"
                """.formatted(sock, METRICS_PORT));
            assertEquals("", Shell.run(60, ROOT.resolve("bin/offload-bridge").toString(), "check", "-q", "-c",
                dir.resolve("ob.conf").toString()).err(), "the config checks clean");
            Shell.Background daemon = Shell.start(sw.exec(ROOT.resolve("bin/offload-bridge").toString(), "run", "-c",
                dir.resolve("ob.conf").toString()));
            try {
                for (int i = 0; i < 200 && !Files.exists(sock); i++) {
                    Thread.sleep(100);
                }
                assertTrue(Files.exists(sock), "control socket up: " + daemon.output());
                String ping = h1.sh("ping -c 5 -i 0.2 -W 2 10.9.0.2");
                assertTrue(ping.contains(" 0% packet loss"), ping);
                String obctl = ROOT.resolve("bin/obctl").toString();
                String dump = Shell.ok(60, obctl, "--socket", sock.toString(), "dump-flows", "type=all", "-m");
                assertTrue(dump.contains("ufid:") && dump.contains("dp:slow"), dump);
                String show = Shell.ok(60, obctl, "--socket", sock.toString(), "dpif/show");
                assertTrue(show.contains("software datapath: sockets") && show.contains("p1") && show.contains("p2"), show);
                String metrics = sw.sh("python3 -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:"
                    + METRICS_PORT + "/metrics').read().decode())\"");
                assertTrue(metrics.contains("jvm_memory_used_bytes"), metrics);
                assertTrue(metrics.contains("offload_bridge_flows{layer=\"slow\"}")
                    && metrics.contains("offload_bridge_upcalls_received_total"), "the daemon's metrics are bound: " + metrics);
                Shell.Result bad = Shell.run(60, obctl, "--socket", sock.toString(), "set", "tc-policy=hw");
                assertEquals(1, bad.exit(), bad.toString());
                assertTrue(bad.out().contains("tc-policy") || bad.err().contains("tc-policy"), bad.toString());
            } finally {
                assertTrue(daemon.stop(30), "stops on SIGTERM");
            }
            String log = daemon.finish(0);
            assertEquals(List.of(143, 0).contains(daemon.exit()), true, "clean exit, was " + daemon.exit() + ": " + log);
            assertTrue(log.contains("ready: 2 ports"), log);
        }
    }
}
