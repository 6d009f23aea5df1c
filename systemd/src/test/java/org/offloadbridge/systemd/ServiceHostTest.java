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
import org.offloadbridge.testkit.SwitchNet;
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

    /**
     * The service's world: switch namespace {@code sw} with hosts h1 (10.9.0.1) and h2 (10.9.0.2)
     * behind its ports p1 and p2 (no IPv6), and in {@code dir} a rules file (NORMAL) and
     * {@code ob.conf} ({@link #config}) with the control socket at {@code dir/obctl.sock}.
     */
    private record Service(Topology.Host sw, Topology.Host h1, Path sock, Path conf, Path rules) {
        static Service create(SwitchNet net, Path dir, String metrics) throws java.io.IOException {
            Service s = new Service(net.sw(), net.h1(), dir.resolve("obctl.sock"), dir.resolve("ob.conf"), dir.resolve("rules.of"));
            Files.writeString(s.rules, "priority=0,actions=NORMAL\n");
            Files.writeString(s.conf, config(s.sock, metrics));
            return s;
        }
    }

    /** The test service's config: p1 and p2, sockets slow path, rules.of beside it; metrics on {@code metrics} ("" = off). */
    private static String config(Path sock, String metrics) {
        return """
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
            listen = "%s"
            """.formatted(sock, metrics);
    }

    @Test
    void runServeObctlAndStopCleanly(@TempDir Path dir) throws Exception {
        try (SwitchNet net = SwitchNet.create("svc")) {
            Service svc = Service.create(net, dir, "127.0.0.1:" + METRICS_PORT);
            Topology.Host sw = svc.sw();
            Topology.Host h1 = svc.h1();
            Path sock = svc.sock();
            assertEquals("", Shell.run(60, ROOT.resolve("bin/offload-bridge").toString(), "check", "-q", "-c",
                svc.conf().toString()).err(), "the config checks clean");
            Shell.Background daemon = Shell.start(sw.exec(ROOT.resolve("bin/offload-bridge").toString(), "run", "-c",
                svc.conf().toString()));
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

    /**
     * Reload as an operator does it, on the real process: {@code obctl reload} (what the unit's
     * ExecReload runs) answers what it applied and what needs a restart, a bad file changes
     * nothing and exits 1 naming file:line:column, and SIGHUP reloads too without stopping the
     * daemon. Rules added with obctl at runtime are replaced by the file's on reload.
     */
    @Test
    void reloadByObctlAndBySighup(@TempDir Path dir) throws Exception {
        try (SwitchNet net = SwitchNet.create("svr")) {
            Service svc = Service.create(net, dir, "");
            Topology.Host sw = svc.sw();
            Topology.Host h1 = svc.h1();
            Path sock = svc.sock();
            Path conf = svc.conf();
            Path rules = svc.rules();
            String start = Files.readString(conf);
            // SIGHUP at its default, as a service manager starts a daemon: a test run under nohup
            // would otherwise pass its ignored SIGHUP on (the next test covers that case)
            Shell.Background daemon = Shell.start(sw.exec("env", "--default-signal=HUP",
                ROOT.resolve("bin/offload-bridge").toString(), "run", "-c", conf.toString()));
            String obctl = ROOT.resolve("bin/obctl").toString();
            try {
                for (int i = 0; i < 200 && !Files.exists(sock); i++) {
                    Thread.sleep(100);
                }
                assertTrue(Files.exists(sock), "control socket up: " + daemon.output());
                Shell.ok(60, obctl, "-s", sock.toString(), "add-flow", "priority=50,in_port=p2,actions=drop");
                assertTrue(Shell.ok(60, obctl, "-s", sock.toString(), "dump-rules").contains("priority=50,in_port=p2 actions=drop"));

                // obctl reload: live keys applied, a thread count reported, the runtime rule replaced
                Files.writeString(conf, start.replace("n-handler-threads = 1", "n-handler-threads = 2\nmax-idle = 20000"));
                Files.writeString(rules, "priority=10,in_port=p1,actions=output:p2\npriority=0,actions=NORMAL\n");
                Shell.Result r = Shell.run(60, obctl, "-s", sock.toString(), "reload");
                assertEquals(0, r.exit(), r.toString());
                assertTrue(r.out().contains("max-idle: 10000 -> 20000 (applied live)"), r.out());
                assertTrue(r.out().contains("n-handler-threads: 1 -> 2 (needs a restart)"), r.out());
                assertTrue(r.out().contains("rules: 2 rules from " + rules), r.out());
                String dump = Shell.ok(60, obctl, "-s", sock.toString(), "dump-rules", "--no-stats");
                assertEquals(" priority=10,in_port=p1 actions=output:p2\n priority=0 actions=NORMAL\n", dump);

                // a bad file: exit 1, every error with its position, nothing changed
                Files.writeString(conf, start.replace("hw-offload = false", "hw-offload = \"false\"\nmax-idle = 5"));
                Shell.Result bad = Shell.run(60, obctl, "-s", sock.toString(), "reload");
                assertEquals(1, bad.exit(), bad.toString());
                assertTrue(bad.err().contains(conf + ":1:"), bad.err());
                assertTrue(bad.err().contains(conf + ":2:"), bad.err());
                assertTrue(bad.err().contains("nothing changed"), bad.err());
                assertEquals(dump, Shell.ok(60, obctl, "-s", sock.toString(), "dump-rules", "--no-stats"));

                // SIGHUP: the same reload, logged; the daemon keeps running
                Files.writeString(conf, start);
                Files.writeString(rules, "priority=20,in_port=p2,actions=output:p1\npriority=0,actions=NORMAL\n");
                assertTrue(Files.readString(Path.of("/proc/" + daemon.pid() + "/cmdline")).contains("OffloadBridgeMain"),
                    "the process is the JVM itself (ip netns exec and the launcher exec into it)");
                Shell.ok(10, "kill", "-HUP", Long.toString(daemon.pid()));
                // bounded by time, not by polls: each obctl run is a JVM start, slow on a loaded host
                String after = "";
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!after.contains("priority=20") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    after = Shell.ok(60, obctl, "-s", sock.toString(), "dump-rules", "--no-stats");
                }
                // the daemon's log says whether the signal arrived and what the reload did
                assertEquals(" priority=20,in_port=p2 actions=output:p1\n priority=0 actions=NORMAL\n", after,
                    "rules 30 s after SIGHUP; daemon log:\n" + daemon.output());
                assertTrue(daemon.output().contains("reload: max-idle: 20000 -> 10000 (applied live)"), daemon.output());
                String ping = h1.sh("ping -c 2 -i 0.2 -W 2 10.9.0.2 || true");
                assertTrue(Shell.run(60, obctl, "-s", sock.toString(), "dpif/show").ok(), "alive after SIGHUP: " + ping);
            } finally {
                assertTrue(daemon.stop(30), "stops on SIGTERM");
            }
            String log = daemon.finish(0);
            assertTrue(List.of(143, 0).contains(daemon.exit()), "clean exit, was " + daemon.exit() + ": " + log);
        }
    }

    /**
     * Started with SIGHUP ignored (nohup): the JVM keeps it ignored, so the daemon says at start
     * that SIGHUP will not reload, and runs; obctl reload still works.
     */
    @Test
    void startedWithSighupIgnoredItSaysSighupWillNotReload(@TempDir Path dir) throws Exception {
        try (SwitchNet net = SwitchNet.create("svh")) {
            Service svc = Service.create(net, dir, "");
            Path sock = svc.sock();
            Path conf = svc.conf();
            Shell.Background daemon = Shell.start(svc.sw().exec("env", "--ignore-signal=HUP",
                ROOT.resolve("bin/offload-bridge").toString(), "run", "-c", conf.toString()));
            try {
                daemon.awaitLine("ready", java.time.Duration.ofSeconds(60));
                assertTrue(daemon.output().contains("SIGHUP was ignored when this process started"), daemon.output());
                Shell.Result r = Shell.run(60, ROOT.resolve("bin/obctl").toString(), "-s", sock.toString(), "reload");
                assertEquals(0, r.exit(), r.toString());
            } finally {
                assertTrue(daemon.stop(30), "stops on SIGTERM");
            }
        }
    }

    /**
     * Least privilege: started without CAP_NET_ADMIN (dropped from the bounding set, as a unit
     * without it would), the daemon stops at once with one line naming the capability and what it
     * is for — before it touches a port.
     */
    @Test
    void withoutCapNetAdminItStopsAtStartNamingTheCapability(@TempDir Path dir) throws Exception {
        try (SwitchNet net = SwitchNet.create("svcap")) {
            Service svc = Service.create(net, dir, "");
            Topology.Host sw = svc.sw();
            Path conf = svc.conf();
            Shell.Result r = Shell.run(120, sw.exec("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin",
                ROOT.resolve("bin/offload-bridge").toString(), "run", "-c", conf.toString()));
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("missing capability CAP_NET_ADMIN (tc qdiscs, filters and actions"), r.err());
            assertTrue(r.err().lines().count() <= 2, "one line, no stack trace: " + r.err());
            assertEquals("", sw.sh("tc qdisc show dev p1 | grep clsact || true").strip(), "nothing touched: no clsact on p1");
            assertTrue(Files.notExists(dir.resolve("obctl.sock")), "no control socket was made");
        }
    }
}
