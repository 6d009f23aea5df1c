package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.tests.daemon.TwoHosts.assertLoss0;
import static org.offloadbridge.tests.daemon.TwoHosts.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.DaemonCommands;
import org.offloadbridge.daemon.control.ControlClient;
import org.offloadbridge.daemon.control.ControlProtocol;
import org.offloadbridge.daemon.control.ControlServer;
import org.offloadbridge.daemon.control.PeerPolicy;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Shell;

/**
 * What a client of the control socket can and cannot make the daemon do: every command that
 * changes flows or policy leaves filters that are not ours (no cookie, another tool's cookie,
 * other classifiers) exactly as they were, and no request makes the daemon read a file it names.
 */
@Tag("kernel-vm")
@Timeout(600)
class ControlSocketVmTest {
    @BeforeAll
    static void clsU32() {
        Shell.ok("modprobe", "cls_u32");
    }

    private static ControlProtocol.Reply call(Path sock, String command, String input, String... args) throws Exception {
        return ControlClient.call(sock, new ControlProtocol.Request(command, List.of(args), input), 60_000);
    }

    @Test
    void noRequestTouchesFiltersThatAreNotOursOrReadsAFile(@TempDir Path dir) throws Exception {
        try (TwoHosts n = TwoHosts.create("ctlpriv", false); NetNs ns = NetNs.open(n.sw().name());
             Daemon d = ns.call(() -> Daemon.start(DaemonVmTest.settings(DaemonVmTest.NORMAL), MonotonicClock.SYSTEM));
             ControlServer control = new ControlServer(new ControlServer.Context(dir.resolve("obctl.sock"), null,
                 new PeerPolicy("root", "root", java.util.Set.of()), MonotonicClock.SYSTEM, 5_000, 60_000, 4))) {
            DaemonCommands.register(control, d);
            control.open();
            org.agrona.concurrent.AgentRunner runner = new org.agrona.concurrent.AgentRunner(
                new org.agrona.concurrent.SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, control);
            org.agrona.concurrent.AgentRunner.startOnThread(runner);
            Path sock = dir.resolve("obctl.sock");
            // Other tools' filters: flower without a cookie, flower whose actions carry a 4-byte cookie, a u32.
            n.sw().sh("tc filter add dev p1 ingress pref 7 protocol ip flower dst_ip 10.9.0.99 action drop"
                + " && tc filter add dev p1 ingress pref 8 protocol ip flower dst_ip 10.9.0.98 action drop cookie a1b2c3d4"
                + " && tc filter add dev p2 ingress pref 9 protocol ip u32 match ip dst 10.9.0.97/32 action pass");
            String foreign = foreign(n);
            assertLoss0(n.h1().sh("ping -c 3 -i 0.2 -W 10 10.9.0.2"));
            assertTrue(await(20_000, () -> DaemonVmTest.allIn(d, FlowLayer.TC_SW)) >= 0, DaemonVmTest.describe(d));

            // Every command that changes flows, rules or policy, each way.
            for (String[] c : new String[][] {{"set", "hw-offload=false"}, {"set", "hw-offload=true"}, {"set", "tc-policy=skip_hw"},
                    {"set", "tc-policy=none"}, {"del-flows"}, {"add-flow", "priority=0,actions=normal"}, {"check"}, {"dump-flows", "-m"}}) {
                ControlProtocol.Reply r = call(sock, c[0], null, java.util.Arrays.copyOfRange(c, 1, c.length));
                assertEquals(ControlProtocol.OK, r.status(), String.join(" ", c) + ": " + r.text());
                Thread.sleep(1_500); // flows move within a few revalidator rounds
                assertEquals(foreign, foreign(n), "after " + String.join(" ", c) + ": other tools' filters untouched");
            }
            ControlProtocol.Reply r = call(sock, "replace-flows", "priority=0,actions=normal\n", "rules.of");
            assertEquals(ControlProtocol.OK, r.status(), r.text());
            assertEquals(foreign, foreign(n), "after replace-flows");

            // A request naming a file without sending its text: refused, and nothing read.
            Path secret = dir.resolve("secret.of");
            Files.writeString(secret, "priority=1,this is not a rule but a secret\n");
            r = call(sock, "replace-flows", null, secret.toString());
            assertEquals(ControlProtocol.USAGE, r.status(), r.text());
            assertTrue(r.text().contains("the daemon does not read"), r.text());
            assertFalse(r.text().contains("this is not a rule"), "nothing of the file comes back: " + r.text());
            r = call(sock, "replace-flows", null, "/etc/shadow");
            assertEquals(ControlProtocol.USAGE, r.status(), r.text());
            assertFalse(r.text().contains("root:"), r.text());
            assertLoss0(n.h1().sh("ping -c 3 -i 0.2 -W 10 10.9.0.2"));
            assertEquals(foreign, foreign(n), "at the end");
        }
    }

    /** The filters of p1 and p2 that are not the daemon's (no 16-byte cookie, not our catch-all), with pref, handle and actions. */
    private static String foreign(TwoHosts n) {
        StringBuilder b = new StringBuilder();
        for (String dev : new String[] {"p1", "p2"}) {
            b.append(n.sw().sh("tc -j filter show dev " + dev + " ingress | jq -c '[.[] | select(.options != null)"
                + " | select(.pref != 65535) | select([.options.actions[]?.cookie // \"\" | length == 32] | any | not)"
                + " | {pref, kind, h: .options.handle, a: [.options.actions[]? | {order, kind: .kind, cookie}]}]'"));
        }
        return b.toString();
    }
}
