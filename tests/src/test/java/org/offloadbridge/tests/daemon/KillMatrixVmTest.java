package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.tests.daemon.TwoHosts.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
    /**
     * New flows go to these ports (each has its own rule, so each is a megaflow). A thousand, so
     * that each operation lasts longer than a look at tc takes under TCG and the kill lands inside it.
     */
    private static final int FIRST_PORT = 21_000;
    private static final int BURST = 1_000;

    @BeforeAll
    static void clsU32() {
        Shell.ok("modprobe", "cls_u32");
    }

    private record Running(Shell.Background process, long readyMillis) {
    }

    private static Running start(TwoHosts n, Path conf) {
        long t0 = System.nanoTime();
        Shell.Background p = ServiceProcess.start(n, conf);
        return new Running(p, (System.nanoTime() - t0) / 1_000_000);
    }

    /** How many times {@code needle} occurs in p1's filters as {@code tc -j} shows them (e.g. a pedit action, a skip_hw flag). */
    private static int onP1(TwoHosts n, String needle) {
        String json = n.sw().sh("tc -j filter show dev p1 ingress");
        int c = 0;
        for (int i = json.indexOf(needle); i >= 0; i = json.indexOf(needle, i + 1)) {
            c++;
        }
        return c;
    }

    private static int drops(TwoHosts n) {
        return onP1(n, "\"kind\":\"gact\"");
    }

    /**
     * The rules: a flow of its own for each port of the burst (a rule each, actions {@code
     * portActions}), NORMAL for the rest (the established stream). Changing {@code portActions}
     * changes the burst flows' actions and nothing of their match: a modify in place.
     */
    static String rules(String portActions) {
        StringBuilder b = new StringBuilder();
        for (int p = FIRST_PORT; p < FIRST_PORT + BURST; p++) {
            b.append("priority=25,udp,tp_dst=").append(p).append(",actions=").append(portActions).append('\n');
        }
        return b.append("priority=0,actions=normal\n").toString();
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
            Path conf = ServiceProcess.config(dir, rules("output:p2"), 600_000, false);
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
                                int before = n.cookies().size();
                                burst(n, FIRST_PORT, BURST);
                                assertTrue(await(120_000, () -> n.cookies().size() >= before + 20) >= 0, "installing: " + n.cookies().size());
                                delay = rnd.nextInt(300);
                            }
                            case "modifies" -> {
                                // Every flow of the burst in tc again (the dead daemon missed some), then a rule
                                // that changes their actions: killed once the revalidator is modifying them.
                                burst(n, FIRST_PORT, BURST);
                                assertTrue(await(180_000, () -> n.cookies().size() >= BURST) >= 0, "the burst's flows: " + n.cookies().size());
                                ControlProtocol.Reply r = ControlClient.call(dir.resolve("obctl.sock"),
                                    new ControlProtocol.Request("replace-flows", List.of("rules.of"), rules("drop")), 120_000);
                                assertEquals(ControlProtocol.OK, r.status(), r.text());
                                assertTrue(await(120_000, () -> drops(n) >= 1) >= 0, "modifying");
                                delay = rnd.nextInt(300);
                            }
                            case "reconcile" -> {
                                // Killed while the restarted daemon adopts what the last one left.
                                Shell.ok("kill", "-9", Long.toString(d.process().pid()));
                                assertTrue(d.process().awaitExit(30));
                                long ready = d.readyMillis();
                                d = new Running(ServiceProcess.launch(n, conf), ready);
                                delay = ready / 2 + rnd.nextInt((int) Math.max(1, ready / 2));
                            }
                            default -> {
                                // hw-offload=false: every flow moves out of tc to the slow path (its
                                // filter deleted once the flow is there): killed once some have gone.
                                int before = n.cookies().size();
                                ControlProtocol.Reply r = ServiceProcess.obctl(dir, "set", "hw-offload=false");
                                assertEquals(ControlProtocol.OK, r.status(), r.text());
                                assertTrue(await(120_000, () -> n.cookies().size() <= before - 20) >= 0, "moving");
                                delay = rnd.nextInt(300);
                            }
                        }
                        Thread.sleep(delay);
                        Shell.ok("kill", "-9", Long.toString(d.process().pid()));
                        assertTrue(d.process().awaitExit(30), cell + ": killed");
                        Map<String, Integer> atKill = n.cookies();
                        System.out.println("KillMatrixVmTest." + cell + ": killed " + delay + " ms into it; " + atKill.size()
                            + " filters of ours, " + drops(n) + " of them already with the modify's drop");
                        d = start(n, conf);
                        assertTrue(tx.awaitExit(300), "the sender finished");
                        String got = rx.finish(60);
                        System.out.println("KillMatrixVmTest." + cell + ": the stream: " + got.strip().replace('\n', ' '));
                        if (cell.equals("policy-move")) {
                            // The established flow was moved out of tc with the rest: in the slow path
                            // when the daemon died, its datagrams wait for the restart (the config says
                            // hw-offload=true again). None may arrive twice.
                            Matcher c = Pattern.compile("count=(\\d+) distinct=(\\d+)").matcher(got);
                            assertTrue(c.find() && c.group(1).equals(c.group(2)), cell + ": nothing doubled: " + got);
                        } else {
                            assertTrue(got.contains("count=1500 distinct=1500"), cell + ": the established flow lost or doubled nothing: " + got);
                        }
                        seq += 1_500;
                    }
                    // Settled: the daemon's check is clean, and no cookie sits on two filters.
                    String checked = ServiceProcess.assertSettled(n, dir, 120_000, cell + ": after the restart");
                    Map<String, Integer> now = n.cookies();
                    System.out.println("KillMatrixVmTest." + cell + ": clean after the restart, " + now.size() + " filters; "
                        + checked.strip().lines().findFirst().orElse(""));
                }
            } finally {
                d.process().close();
            }
        }
    }
}
