package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.offloadbridge.daemon.control.ControlClient;
import org.offloadbridge.daemon.control.ControlProtocol;
import org.offloadbridge.testkit.Shell;

/**
 * The daemon as a process, as systemd runs it ({@code bin/offload-bridge run --config FILE}) in
 * a TwoHosts switch namespace: its config (ports p1 and p2, the socket slow path, a control
 * socket in the test's directory) and its start, shared by the tests that kill or stop it.
 */
final class ServiceProcess {
    /** C1 only and the serial collector: what the VM's JVMs run with (tests/vm/junit says why). */
    static final String JAVA_OPTS = "OB_JAVA_OPTS=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    private ServiceProcess() {
    }

    static Path launcher() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("bin/offload-bridge"))) {
                return p.resolve("bin/offload-bridge");
            }
        }
        throw new AssertionError("bin/offload-bridge not found above " + System.getProperty("user.dir"));
    }

    /** Writes {@code rules} to DIR/rules.of and the config to DIR/ob.conf (control socket DIR/obctl.sock); returns the config. */
    static Path config(Path dir, String rules, long maxIdleMillis, boolean stopRemovesFlows) throws Exception {
        Files.writeString(dir.resolve("rules.of"), rules);
        return new Conf(true, maxIdleMillis, 0, stopRemovesFlows, List.of("p1", "p2")).write(dir);
    }

    /**
     * The config file's keys the tests vary: ports p1/p2 of a TwoHosts switch, rules from
     * DIR/rules.of, the socket slow path, the control socket DIR/obctl.sock.
     *
     * @param maxRevalidatorMillis the revalidator's round interval, 0 for the default
     */
    record Conf(boolean hwOffload, long maxIdleMillis, long maxRevalidatorMillis, boolean stopRemovesFlows, List<String> ports) {
        Conf withHwOffload(boolean on) {
            return new Conf(on, maxIdleMillis, maxRevalidatorMillis, stopRemovesFlows, ports);
        }

        Conf withMaxIdle(long millis) {
            return new Conf(hwOffload, millis, maxRevalidatorMillis, stopRemovesFlows, ports);
        }

        Conf withPorts(List<String> names) {
            return new Conf(hwOffload, maxIdleMillis, maxRevalidatorMillis, stopRemovesFlows, List.copyOf(names));
        }

        /** Writes DIR/ob.conf and returns it. */
        Path write(Path dir) throws Exception {
            StringBuilder b = new StringBuilder();
            b.append("hw-offload = ").append(hwOffload).append('\n')
                .append("tc-policy = \"none\"\n")
                .append("max-idle = ").append(maxIdleMillis).append('\n');
            if (maxRevalidatorMillis > 0) {
                b.append("max-revalidator = ").append(maxRevalidatorMillis).append('\n');
            }
            b.append("rules-file = \"rules.of\"\n")
                .append("n-handler-threads = 1\n")
                .append("n-revalidator-threads = 1\n")
                .append("stop-removes-flows = ").append(stopRemovesFlows).append('\n');
            for (String p : ports) {
                b.append("\n[[port]]\nname = \"").append(p).append("\"\n");
            }
            b.append("""

                [dpdk]
                enabled = false

                [control]
                socket = "%s"
                group = "root"
                """.formatted(dir.resolve("obctl.sock")));
            Path conf = dir.resolve("ob.conf");
            Files.writeString(conf, b.toString());
            return conf;
        }
    }

    /** Starts the daemon in {@code n}'s switch namespace (not waiting). */
    static Shell.Background launch(TwoHosts n, Path conf) {
        return Shell.start(n.sw().exec("env", JAVA_OPTS, launcher().toString(), "run", "-c", conf.toString()));
    }

    /**
     * Starts {@link FaultyDaemonMain} — the daemon's main with random netlink faults drawn from
     * {@code seed} — in {@code n}'s switch namespace, on this JVM's java and class path (not waiting).
     */
    static Shell.Background launchFaulty(TwoHosts n, Path conf, long seed) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return Shell.start(n.sw().exec(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
            "-Dob.faults.seed=" + seed, "-cp", System.getProperty("java.class.path"), FaultyDaemonMain.class.getName(),
            "run", "-c", conf.toString()));
    }

    /** A control-socket command to the daemon whose config {@link Conf#write wrote} DIR. */
    static ControlProtocol.Reply obctl(Path dir, String command, String... args) throws Exception {
        return ControlClient.call(dir.resolve("obctl.sock"), command, List.of(args), 120_000);
    }

    /**
     * Settled: within {@code millis} the daemon's {@code check} finds nothing (it looks twice at
     * what it finds), and no cookie of ours sits on two filters. Returns the check's text.
     */
    static String assertSettled(TwoHosts n, Path dir, long millis, String step) throws Exception {
        String[] last = {""};
        long ms = TwoHosts.await(millis, () -> {
            try {
                ControlProtocol.Reply r = obctl(dir, "check");
                last[0] = r.text();
                return r.status() == ControlProtocol.OK;
            } catch (Exception e) {
                last[0] = e.toString();
                return false;
            }
        });
        assertTrue(ms >= 0, step + ": obctl check finds nothing:\n" + last[0]);
        Map<String, Integer> c = n.cookies();
        assertTrue(c.values().stream().allMatch(k -> k == 1), step + ": no cookie on two filters: " + c);
        return last[0];
    }

    /** Starts it and waits for its "ready:" line (TCG: a JVM start takes 20-60 s). */
    static Shell.Background start(TwoHosts n, Path conf) {
        return launch(n, conf).awaitLine("ready:", Duration.ofSeconds(300));
    }
}
