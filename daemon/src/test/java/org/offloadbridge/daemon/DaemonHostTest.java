package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.SwitchNet;
import org.offloadbridge.testkit.Topology;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * The daemon end to end on this machine's kernel (no cls_flower here, so with hw-offload=false
 * every flow belongs to the software layers): two netns hosts on veth ports of a "switch"
 * namespace where the daemon runs, rules {@code actions=normal}.
 */
@Tag("host")
class DaemonHostTest {

    static DaemonSettings settings(boolean dpdk) {
        DatapathConfig dc = new DatapathConfig().hwOffload(false).handlerThreads(2).revalidatorThreads(1);
        return new DaemonSettings(dc, List.of("p1", "p2"), "priority=0,actions=normal\n", dpdk, List.of(), false, 1, false);
    }

    private static List<Ukey> all(Daemon d) {
        List<Ukey> out = new java.util.ArrayList<>();
        for (int i = 0; i < d.ukeys().shards(); i++) {
            d.ukeys().forEach(i, out::add);
        }
        return out;
    }

    /** A switch namespace with ports p1, p2 and two hosts behind them (testkit's {@link SwitchNet}; the metrics host test uses it too). */
    record Net(Topology t, Topology.Host sw, Topology.Host h1, Topology.Host h2) implements AutoCloseable {
        static Net create(String purpose) {
            SwitchNet n = SwitchNet.create(purpose);
            return new Net(n.topology(), n.sw(), n.h1(), n.h2());
        }

        @Override
        public void close() {
            t.close();
        }
    }

    /** Without DPDK: misses come up through the packet sockets and every packet is executed by a handler. */
    @Test
    void socketModeForwardsThroughTheSlowPath() throws Exception {
        try (Net t = Net.create("dsock"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(settings(false), MonotonicClock.SYSTEM))) {
            assertEquals("sockets", d.mode());
            String ping = t.h1().sh("ping -c 5 -i 0.2 -W 2 10.9.0.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            List<Ukey> flows = all(d);
            assertTrue(!flows.isEmpty(), "ukeys for the flows");
            for (Ukey u : flows) {
                assertEquals(FlowLayer.NONE, u.layer(), u.toString());
                assertEquals(FlowResult.Reason.HW_OFFLOAD_OFF, u.reason(), u.toString());
            }
            assertTrue(d.upcallCounters().upcalls() >= 10, "every packet of the slow path is an upcall: " + d.upcallCounters());
        }
    }

    /**
     * Ports follow the kernel: a named port that vanishes is detached (off the pipeline, its miss
     * device gone) and when it comes back it is attached again and forwards.
     */
    @Test
    void aPortThatVanishesIsDetachedAndAttachedAgainWhenItReturns() throws Exception {
        try (Net t = Net.create("dhot"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(settings(false), MonotonicClock.SYSTEM))) {
            String ping = t.h1().sh("ping -c 2 -i 0.2 -W 2 10.9.0.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            int oldIfindex = t.sw().ifindex("p2");
            t.sw().ip("link", "del", "p2");
            assertTrue(await(5_000, () -> d.ports().snapshot().byName().get("p2") == null), "p2 detached");
            assertTrue(await(5_000, () -> !t.sw().ip("-o", "link").contains("obk" + oldIfindex + "@")),
                "its miss device removed: " + t.sw().ip("-o", "link"));
            assertEquals(List.of("p1"), d.pipeline().ports().ports().stream().map(p -> p.name()).toList(),
                "the pipeline floods to the ports that are left");

            t.t().veth(t.sw(), "p2", t.h2(), "eth0");
            t.h2().noIpv6();
            t.h2().addr("eth0", "10.9.0.2/24");
            t.h2().neigh("eth0", "10.9.0.1", t.h1().mac("eth0"));
            t.h1().sh("ip neigh replace 10.9.0.2 lladdr " + t.h2().mac("eth0") + " dev eth0 nud permanent");
            assertTrue(await(5_000, () -> d.ports().snapshot().byName().get("p2") != null), "p2 attached again");
            assertEquals(t.sw().ifindex("p2"), d.ports().snapshot().byName().get("p2").ifindex());
            String again = t.h1().sh("ping -c 3 -i 0.2 -W 2 10.9.0.2");
            assertTrue(again.contains(" 0% packet loss"), "forwards through the returned port: " + again);
        }
    }

    /**
     * IPv6 UDP whose megaflow consults ipv6_label (no layer here takes it): every datagram executed
     * by a handler, once — and whole: the sender's veth leaves the UDP checksum to "hardware"
     * (CHECKSUM_PARTIAL), so this fails unless the miss device completes it.
     */
    @Test
    void ipv6ThroughTheSlowPathArrivesOnce() throws Exception {
        DatapathConfig dc = new DatapathConfig().hwOffload(false).handlerThreads(2).revalidatorThreads(1);
        DaemonSettings s = new DaemonSettings(dc, List.of("p1", "p2"), "priority=10,udp6,ipv6_label=0x1,actions=drop\n"
            + "priority=0,actions=normal\n", false, List.of(), false, 1, false);
        try (Net t = Net.create("dsix"); NetNs sw = NetNs.open(t.sw().name())) {
            for (Topology.Host h : new Topology.Host[] {t.h1(), t.h2()}) {
                h.sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0"
                    + " net.ipv6.conf.eth0.disable_ipv6=0 net.ipv6.conf.eth0.accept_ra=0"
                    + " net.ipv6.conf.eth0.router_solicitations=0 net.ipv6.conf.eth0.accept_dad=0");
            }
            t.h1().ip("-6", "addr", "add", "fd09::1/64", "dev", "eth0", "nodad");
            t.h2().ip("-6", "addr", "add", "fd09::2/64", "dev", "eth0", "nodad");
            t.h1().ip("-6", "neigh", "add", "fd09::2", "lladdr", t.h2().mac("eth0"), "dev", "eth0");
            t.h2().ip("-6", "neigh", "add", "fd09::1", "lladdr", t.h1().mac("eth0"), "dev", "eth0");
            try (Daemon d = sw.call(() -> Daemon.start(s, MonotonicClock.SYSTEM))) {
                String rx = "import socket\ns=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.bind(('fd09::2',5001))\n"
                    + "print('ready',flush=True);s.settimeout(10);n=0\ntry:\n  while True:\n    s.recv(100);n+=1;s.settimeout(3)\n"
                    + "except socket.timeout:\n  pass\nprint('count=%d'%n,flush=True)";
                try (org.offloadbridge.testkit.Shell.Background r = org.offloadbridge.testkit.Shell.start(
                        t.h2().exec("python3", "-c", rx)).awaitLine("ready")) {
                    t.h1().ok("python3", "-c", "import socket,time\ns=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\n"
                        + "for i in range(50):\n  s.sendto(b'x%d'%i,('fd09::2',5001));time.sleep(0.005)");
                    String got = r.finish(30);
                    assertTrue(got.contains("count=50"), got + "\n" + d.upcallCounters() + "\n" + all(d).stream().map(u -> u.megaflow().toString()).toList());
                }
                for (Ukey u : all(d)) {
                    assertEquals(FlowLayer.NONE, u.layer(), u.toString());
                }
            }
        }
    }

    /**
     * hw-offload=true on a kernel without cls_flower: tc refuses every flow, so each falls back to
     * the DPDK path with the kernel's refusal as its reason — and forwards there without upcalls.
     */
    @Test
    void whatTcRefusesFallsToDpdkWithTheKernelsReason() throws Exception {
        DatapathConfig dc = new DatapathConfig().hwOffload(true).handlerThreads(2).revalidatorThreads(1);
        DaemonSettings s = new DaemonSettings(dc, List.of("p1", "p2"), "priority=0,actions=normal\n", true, List.of(), false, 1,
            false);
        try (Net t = Net.create("dfall"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(s, MonotonicClock.SYSTEM))) {
            assertEquals("dpdk", d.mode());
            String warm = t.h1().sh("ping -c 3 -i 0.2 -W 5 10.9.0.2");
            assertTrue(warm.contains(" 0% packet loss"), warm);
            Thread.sleep(300);
            long before = d.upcallCounters().upcalls();
            String ping = t.h1().sh("ping -c 20 -i 0.05 -W 2 10.9.0.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            assertEquals(before, d.upcallCounters().upcalls(), "forwarded by DPDK, not upcalled: " + d.upcallCounters());
            List<Ukey> flows = all(d);
            assertTrue(!flows.isEmpty(), "flows");
            for (Ukey u : flows) {
                assertEquals(FlowLayer.DPDK, u.layer(), u.toString());
                assertTrue(u.reason() != FlowResult.Reason.NONE && u.reason() != FlowResult.Reason.HW_OFFLOAD_OFF,
                    "tc's refusal is the reason: " + u.reasonText());
                System.out.println("DaemonHostTest.fallback: " + u.reasonText());
            }
            assertEquals("", new DaemonCommands(d).dumpFlows(List.of("type=tc")).text(), "nothing of ours in tc");
        }
    }

    /** OpenFlow numbers from the config are the ones rules use; the datapath numbers stay the daemon's. */
    @Test
    void configuredOfportsAreWhatRulesSee() throws Exception {
        DatapathConfig dc = new DatapathConfig().hwOffload(false).handlerThreads(1).revalidatorThreads(1);
        DaemonSettings s = new DaemonSettings(dc, List.of("p1", "p2"), java.util.Map.of("p1", 7, "p2", 9), List.of(),
            "priority=10,in_port=7,actions=output:9\npriority=10,in_port=9,actions=output:7\n", false, List.of(), false, 1, false);
        try (Net t = Net.create("dofp"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(s, MonotonicClock.SYSTEM))) {
            assertEquals(7, d.ports().snapshot().byName().get("p1").ofPort());
            assertEquals(9, d.ports().snapshot().byName().get("p2").ofPort());
            String ping = t.h1().sh("ping -c 3 -i 0.2 -W 2 10.9.0.2");
            assertTrue(ping.contains(" 0% packet loss"), "in_port=7 → output:9 forwards p1 → p2: " + ping);
        }
    }

    static boolean await(long millis, java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return cond.getAsBoolean();
    }

    /** With DPDK: the first packets of a flow go up; after that the DPDK path forwards and the upcall count stays flat. */
    @Test
    void dpdkModeInstallsFlowsAndStopsUpcalling() throws Exception {
        try (Net t = Net.create("ddpdk"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(settings(true), MonotonicClock.SYSTEM))) {
            assertEquals("dpdk", d.mode());
            String warm = t.h1().sh("ping -c 3 -i 0.2 -W 2 10.9.0.2");
            assertTrue(warm.contains(" 0% packet loss"), warm);
            Thread.sleep(300);
            long before = d.upcallCounters().upcalls();
            String ping = t.h1().sh("ping -c 20 -i 0.05 -W 2 10.9.0.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            long after = d.upcallCounters().upcalls();
            assertEquals(before, after, "installed flows forward without upcalls: " + before + " → " + after);
            boolean inDpdk = false;
            for (Ukey u : all(d)) {
                inDpdk |= u.layer() == FlowLayer.DPDK;
            }
            assertTrue(inDpdk, "flows in the DPDK layer: " + all(d));

            // The operator's view of the same flows (obctl dump-flows -m, explain).
            DaemonCommands c = new DaemonCommands(d);
            String dump = c.dumpFlows(List.of("-m")).text();
            assertTrue(dump.contains("dp:dpdk"), dump);
            assertTrue(dump.contains("in_port(p1)") || dump.contains("in_port(p2)"), "ports by name: " + dump);
            for (String line : dump.split("\n")) {
                org.offloadbridge.flow.DpFlow parsed = org.offloadbridge.flow.FlowParser.parseFlow(line,
                    org.offloadbridge.flow.PortNames.of(java.util.Map.of(1, "p1", 2, "p2")));
                assertTrue(parsed.packets() >= 0 && parsed.ufid() != null, line);
            }
            assertEquals("", c.dumpFlows(List.of("type=tc")).text(), "nothing in tc with hw-offload=false");
            Ukey any = all(d).get(0);
            String why = c.explain(List.of("ufid:" + any.ufid())).text();
            assertTrue(why.contains("where: the DPDK datapath") && why.contains("why: hw-offload=false"), why);
            assertTrue(why.contains("priority=0") || why.contains("actions=NORMAL") || why.contains("normal"), why);
            assertTrue(c.upcallShow().contains("dpdk " + all(d).size()), c.upcallShow());
        }
    }

    /**
     * A rule loop for ICMP on the real kernel and the DPDK layer: the first echo request's failed
     * translation is installed as a drop flow (as OVS installs one), so the other 19 are dropped by
     * the datapath instead of each coming up for 64 nested lookups; ARP still goes NORMAL.
     */
    @Test
    void aRuleLoopBecomesADropFlowAndItsPacketsStopComingUp() throws Exception {
        DatapathConfig dc = new DatapathConfig().hwOffload(false).handlerThreads(2).revalidatorThreads(1);
        DaemonSettings s = new DaemonSettings(dc, List.of("p1", "p2"), """
            table=0,priority=10,icmp,actions=resubmit(,1)
            table=0,priority=0,actions=normal
            table=1,actions=resubmit(,0)
            """, true, List.of(), false, 1, false);
        try (Net t = Net.create("dloop"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(s, MonotonicClock.SYSTEM))) {
            String ping = t.h1().sh("ping -c 20 -i 0.05 -W 1 10.9.0.2 || true");
            assertTrue(ping.contains("20 packets transmitted, 0 received"), ping);
            long errors = d.upcallCounters().translateErrors();
            assertTrue(errors >= 1 && errors <= 3, "one failed translation (a racing duplicate or two at most), not one per packet: "
                + errors + "; " + new DaemonCommands(d).upcallShow());
            Ukey loop = null;
            for (Ukey u : all(d)) {
                if (u.megaflow().actions().isDrop()) {
                    loop = u;
                }
            }
            assertTrue(loop != null && loop.layer() == FlowLayer.DPDK, "the loop's drop flow, in the DPDK layer: " + all(d));
            long deadline = System.nanoTime() + 5_000_000_000L; // the counters come with a revalidator round
            while (loop.stats().packets() < 15 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(loop.stats().packets() >= 15, "the datapath dropped the rest: " + loop.stats());
            String why = new DaemonCommands(d).explain(List.of("ufid:" + loop.ufid())).text();
            assertTrue(why.contains("drops because translation failed: over 64 nested resubmit/goto_table (a rule loop?)"), why);
        }
    }

    /**
     * obctl reload on a running daemon: a port added to the file is attached (and the rules,
     * reloaded at once, may name it), max-idle reaches the revalidators, a thread count is only
     * reported, and a bad file changes nothing.
     */
    @Test
    void reloadAppliesTheLiveKeysToARunningDaemon(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("ob.conf");
        java.nio.file.Path rules = dir.resolve("rules.of");
        String start = """
            hw-offload = false
            n-handler-threads = 1
            n-revalidator-threads = 1
            rules-file = "rules.of"

            [[port]]
            name = "p1"

            [[port]]
            name = "p2"
            """;
        java.nio.file.Files.writeString(conf, start);
        java.nio.file.Files.writeString(rules, "priority=0,actions=normal\n");
        org.offloadbridge.daemon.config.ConfigParser parser = new org.offloadbridge.daemon.config.ConfigParser();
        org.offloadbridge.daemon.config.Config cfg = parser.parse(conf);
        DatapathConfig dc = new DatapathConfig().hwOffload(false).handlerThreads(1).revalidatorThreads(1);
        DaemonSettings s = new DaemonSettings(dc, List.of("p1", "p2"), "priority=0,actions=normal\n", false, List.of(), false, 1,
            false);
        try (Net t = Net.create("drel"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(s, MonotonicClock.SYSTEM))) {
            Topology.Host h3 = t.t().host("h3");
            t.t().veth(t.sw(), "p3", h3, "eth0");
            Reloader r = new Reloader(conf, cfg, parser, d);
            java.nio.file.Files.writeString(conf, start.replace("n-handler-threads = 1", "n-handler-threads = 2")
                .replace("hw-offload = false", "hw-offload = false\nmax-idle = 20000") + "\n[[port]]\nname = \"p3\"\nofport = 9\n");
            java.nio.file.Files.writeString(rules, "priority=10,in_port=p3,actions=drop\npriority=0,actions=normal\n");
            Reloader.Result res = sw.call(r::reload);
            assertTrue(res.ok(), res.text());
            assertTrue(res.text().contains("max-idle: 10000 -> 20000 (applied live)"), res.text());
            assertTrue(res.text().contains("n-handler-threads: 1 -> 2 (needs a restart)"), res.text());
            assertTrue(res.text().contains("  port p3: attached"), res.text());
            assertEquals(9, d.ports().snapshot().byName().get("p3").ofPort(), "the configured OpenFlow number");
            assertEquals(20_000, d.revalidators().maxIdleMillis());
            assertEquals(2, d.pipeline().rules().size());
            assertEquals(9, d.pipeline().rules().get(0).match().value(org.offloadbridge.upcall.pipeline.MatchField.IN_PORT));

            java.nio.file.Files.writeString(conf, start.replace("[[port]]\nname = \"p2\"", "[[port]]\nname = \"p9\"\nofport = 70000"));
            Reloader.Result bad = sw.call(r::reload);
            assertFalse(bad.ok());
            assertTrue(bad.text().contains(conf + ":"), bad.text());
            assertTrue(bad.text().contains("nothing changed"), bad.text());
            assertEquals(3, d.ports().snapshot().entries().size(), "nothing changed");
            assertEquals(20_000, d.revalidators().maxIdleMillis());

            java.nio.file.Files.writeString(conf, start);
            java.nio.file.Files.writeString(rules, "priority=0,actions=normal\n");
            Reloader.Result back = sw.call(r::reload);
            assertTrue(back.ok(), back.text());
            assertTrue(back.text().contains("  port p3: detached"), back.text());
            assertNull(d.ports().snapshot().byName().get("p3"));
            String ping = t.h1().sh("ping -c 2 -i 0.2 -W 2 10.9.0.2");
            assertTrue(ping.contains(" 0% packet loss"), "still forwards: " + ping);
        }
    }
}
