package org.offloadbridge.tests.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        Path conf = dir.resolve("ob.conf");
        Files.writeString(conf, """
            hw-offload = true
            tc-policy = "none"
            max-idle = %d
            rules-file = "rules.of"
            n-handler-threads = 1
            n-revalidator-threads = 1
            stop-removes-flows = %s

            [[port]]
            name = "p1"

            [[port]]
            name = "p2"

            [dpdk]
            enabled = false

            [control]
            socket = "%s"
            group = "root"
            """.formatted(maxIdleMillis, stopRemovesFlows, dir.resolve("obctl.sock")));
        return conf;
    }

    /** Starts the daemon in {@code n}'s switch namespace (not waiting). */
    static Shell.Background launch(TwoHosts n, Path conf) {
        return Shell.start(n.sw().exec("env", JAVA_OPTS, launcher().toString(), "run", "-c", conf.toString()));
    }

    /** Starts it and waits for its "ready:" line (TCG: a JVM start takes 20-60 s). */
    static Shell.Background start(TwoHosts n, Path conf) {
        return launch(n, conf).awaitLine("ready:", Duration.ofSeconds(300));
    }
}
