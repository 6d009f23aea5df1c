package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.tests.daemon.TwoHosts.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.control.ControlClient;
import org.offloadbridge.daemon.control.ControlProtocol;
import org.offloadbridge.testkit.Shell;

/**
 * kill -9 at a random point during each kind of work — a burst of installs, modifies of many
 * flows, the reconcile of a restart (adoption), a policy move — with a UDP stream on an
 * established tc flow throughout. After each restart: the stream lost and doubled nothing, the
 * daemon's own check ({@code obctl check}: ukeys against tc, by cookie) finds no flow missing or
 * extra, and no cookie is on two filters. The daemon runs as a process, as systemd runs it.
 * Seeded: {@code -Dob.seed=…} replays the kill points.
 */
@Tag("kernel-vm")
@Timeout(1800)
class KillMatrixVmTest {
    private static final String JAVA_OPTS = "OB_JAVA_OPTS=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
    private static final Pattern COOKIE = Pattern.compile("\"cookie\":\"([0-9a-f]{32})\"");
    /**
     * New flows go to these ports (each has its own rule in DaemonFaultVmTest.RULES, so each is a
     * megaflow); the modify rule's masked tp_dst (0x5000/0xf800: 20480–22527) covers them. A
     * thousand, so that each operation lasts longer than a look at tc takes under TCG and the kill
     * lands inside it.
     */
    private static final int FIRST_PORT = 21_000;
    private static final int BURST = 1_000;

    @BeforeAll
    static void clsU32() {
        Shell.ok("modprobe", "cls_u32");
    }

    private static Path launcher() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("bin/offload-bridge"))) {
                return p.resolve("bin/offload-bridge");
            }
        }
        throw new AssertionError("bin/offload-bridge not found above " + System.getProperty("user.dir"));
    }

    private static Path config(Path dir) throws Exception {
        Files.writeString(dir.resolve("rules.of"), DaemonFaultVmTest.RULES);
        Path conf = dir.resolve("ob.conf");
        Files.writeString(conf, """
            hw-offload = true
            tc-policy = "none"
            max-idle = 600000
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
            """.formatted(dir.resolve("obctl.sock")));
        return conf;
    }

    private record Running(Shell.Background process, long readyMillis) {
    }

    private static Running start(TwoHosts n, Path conf) {
        long t0 = System.nanoTime();
        Shell.Background p = Shell.start(n.sw().exec("env", JAVA_OPTS, launcher().toString(), "run", "-c", conf.toString()))
            .awaitLine("ready:", Duration.ofSeconds(300));
        return new Running(p, (System.nanoTime() - t0) / 1_000_000);
    }

    private static ControlProtocol.Reply obctl(Path dir, String command, String... args) throws Exception {
        return ControlClient.call(dir.resolve("obctl.sock"), command, List.of(args), 120_000);
    }

    /** Our filters' cookies on p1 and p2 as iproute2 shows them, with how many filters carry each. */
    private static Map<String, Integer> cookies(TwoHosts n) {
        Map<String, Integer> out = new TreeMap<>();
        for (String dev : new String[] {"p1", "p2"}) {
            Matcher m = COOKIE.matcher(n.sw().sh("tc -j filter show dev " + dev + " ingress"));
            while (m.find()) {
                out.merge(m.group(1), 1, Integer::sum);
            }
        }
        return out;
    }

    /** Filters on p1 whose actions include a pedit (the modify cell's new actions). */
    private static int pedits(TwoHosts n) {
        Matcher m = Pattern.compile("\"kind\":\"pedit\"").matcher(n.sw().sh("tc -j filter show dev p1 ingress"));
        int c = 0;
        while (m.find()) {
            c++;
        }
        return c;
    }

    /** Filters on p1 with skip_hw (the policy move's new flags). */
    private static int skipHw(TwoHosts n) {
        Matcher m = Pattern.compile("\"skip_hw\":true").matcher(n.sw().sh("tc -j filter show dev p1 ingress"));
        int c = 0;
        while (m.find()) {
            c++;
        }
        return c;
    }

    private static void burst(TwoHosts n, int from, int count) {
        Shell.start(n.h1().exec("python3", "-c", "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            + "for p in range(" + from + "," + (from + count) + "): s.sendto(b'x',('10.9.0.2',p))"));
    }

    @Test
    void killDashNineAtRandomPointsLosesNothingAndLeavesNothingStale(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("ob.seed", System.nanoTime());
        Random rnd = new Random(seed);
        System.out.println("KillMatrixVmTest: seed " + seed + " (replay: -Dob.seed=" + seed + ")");
        String[] cells = {"installs", "modifies", "reconcile", "policy-move"};
        try (TwoHosts n = TwoHosts.create("kill9", false)) {
            Path conf = config(dir);
            Running d = start(n, conf);
            try {
                // The established flow: udp to 10.9.0.2:5001 (its own megaflow: the rules look at tp_dst).
                TwoHosts.send(n.h1(), "10.9.0.2", 0, 3);
                assertTrue(await(30_000, () -> !n.flower("p1").isEmpty()) >= 0, "established in tc: " + n.filters("p1"));
                int seq = 100;
                for (String cell : cells) {
                    try (Shell.Background rx = TwoHosts.receiver(n.h2(), "10.9.0.2");
                         Shell.Background tx = TwoHosts.sendInBackground(n.h1(), "10.9.0.2", seq, seq + 1_500, 0.004)) {
                        Thread.sleep(500);
                        long delay;
                        switch (cell) {
                            case "installs" -> {
                                // Killed once the daemon is installing the burst's flows.
                                int before = cookies(n).size();
                                burst(n, FIRST_PORT, BURST);
                                assertTrue(await(120_000, () -> cookies(n).size() >= before + 20) >= 0, "installing: " + cookies(n).size());
                                delay = rnd.nextInt(300);
                            }
                            case "modifies" -> {
                                // Every flow of the burst in tc again (the dead daemon missed some), then a rule
                                // that changes their actions: killed once the revalidator is modifying them.
                                burst(n, FIRST_PORT, BURST);
                                assertTrue(await(180_000, () -> cookies(n).size() >= BURST) >= 0, "the burst's flows: " + cookies(n).size());
                                ControlProtocol.Reply r = obctl(dir, "add-flow", "priority=30,udp,tp_dst=0x5000/0xf800,actions=mod_dl_dst:"
                                    + n.h2().mac("eth0") + ",output:p2");
                                assertEquals(ControlProtocol.OK, r.status(), r.text());
                                assertTrue(await(120_000, () -> pedits(n) >= 1) >= 0, "modifying");
                                delay = rnd.nextInt(300);
                            }
                            case "reconcile" -> {
                                // Killed while the restarted daemon adopts what the last one left.
                                Shell.ok("kill", "-9", Long.toString(d.process().pid()));
                                assertTrue(d.process().awaitExit(30));
                                long ready = d.readyMillis();
                                d = new Running(Shell.start(n.sw().exec("env", JAVA_OPTS, launcher().toString(), "run", "-c",
                                    conf.toString())), ready);
                                delay = ready / 2 + rnd.nextInt((int) Math.max(1, ready / 2));
                            }
                            default -> {
                                // Every filter replaced in place with skip_hw: killed once some are.
                                ControlProtocol.Reply r = obctl(dir, "set", "tc-policy=skip_hw");
                                assertEquals(ControlProtocol.OK, r.status(), r.text());
                                assertTrue(await(120_000, () -> skipHw(n) >= 1) >= 0, "moving");
                                delay = rnd.nextInt(300);
                            }
                        }
                        Thread.sleep(delay);
                        Shell.ok("kill", "-9", Long.toString(d.process().pid()));
                        assertTrue(d.process().awaitExit(30), cell + ": killed");
                        Map<String, Integer> atKill = cookies(n);
                        System.out.println("KillMatrixVmTest." + cell + ": killed " + delay + " ms into it; " + atKill.size()
                            + " filters of ours, " + pedits(n) + " with the modify's pedit, " + skipHw(n) + " skip_hw");
                        d = start(n, conf);
                        assertTrue(tx.awaitExit(300), "the sender finished");
                        String got = rx.finish(60);
                        assertTrue(got.contains("count=1500 distinct=1500"), cell + ": the established flow lost or doubled nothing: " + got);
                        seq += 1_500;
                    }
                    // Settled: the daemon's check is clean, and no cookie sits on two filters.
                    String[] last = {""};
                    long clean = await(120_000, () -> {
                        try {
                            ControlProtocol.Reply r = obctl(dir, "check");
                            last[0] = r.text();
                            return r.status() == ControlProtocol.OK;
                        } catch (Exception e) {
                            last[0] = e.toString();
                            return false;
                        }
                    });
                    assertTrue(clean >= 0, cell + ": obctl check after the restart: " + last[0]);
                    Map<String, Integer> now = cookies(n);
                    assertTrue(now.values().stream().allMatch(c -> c == 1), cell + ": no cookie on two filters: " + now);
                    System.out.println("KillMatrixVmTest." + cell + ": clean after the restart, " + now.size() + " filters; "
                        + last[0].strip().lines().findFirst().orElse(""));
                }
            } finally {
                d.process().close();
            }
        }
    }
}
