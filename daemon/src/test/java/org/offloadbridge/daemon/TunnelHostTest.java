package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.TunnelNet;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * A VXLAN tunnel port end to end through the slow path on this machine's kernel (no cls_flower
 * here: hw-offload=false, every packet is an upcall): "hypervisor" sw runs the daemon with a VM
 * (h1) behind port p1 and tunnel port vx1 to hypervisor hv2, whose Linux bridge joins a VXLAN device (VNI 42) and its VM vm2,
 * over an underlay veth. Ping and UDP both ways; the underlay carries VXLAN with VNI 42 between
 * the right addresses; the flows read as OVS writes them.
 */
@Tag("host")
class TunnelHostTest {

    /** tcpdump of VXLAN on {@code dev}, listening when it returns (a fixed sleep loses the race on a loaded machine). */
    static Shell.Background capture(org.offloadbridge.testkit.Topology.Host h, String dev, int count) {
        return Shell.start(h.exec("timeout", "20", "tcpdump", "-l", "-n", "-c", Integer.toString(count), "-i", dev, "udp", "port", "4789"))
            .awaitLine("listening on", java.time.Duration.ofSeconds(30));
    }

    /** A UDP socket bound to {@code bind}:7001 (s), ready when this returns, then {@code then} (python). */
    static Shell.Background receiver(org.offloadbridge.testkit.Topology.Host h, String bind, String then) {
        return Shell.start(h.exec("python3", "-c", "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('" + bind
            + "', 7001))\nprint('ready', flush=True)\ns.settimeout(15)\n" + then + "\n")).awaitLine("ready", java.time.Duration.ofSeconds(30));
    }

    static DaemonSettings settings(boolean stopRemovesFlows) throws Exception {
        return settings(stopRemovesFlows, false);
    }

    /** dpdk: hw-offload=true on this kernel without cls_flower, so tc refuses and the DPDK path carries the flows. */
    static DaemonSettings settings(boolean stopRemovesFlows, boolean dpdk) throws Exception {
        DatapathConfig dc = new DatapathConfig().hwOffload(dpdk).handlerThreads(2).revalidatorThreads(1);
        Config.TunnelPort vx1 = new Config.TunnelPort("vx1", Optional.of(10), InetAddress.getByName("10.20.0.1"),
            Optional.of(InetAddress.getByName("10.20.0.2")), OptionalLong.of(42), 4789, OptionalInt.of(0), OptionalInt.of(64), false,
            Optional.empty());
        return new DaemonSettings(dc, List.of("p1"), Map.of(), List.of(), "priority=0,actions=normal\n", dpdk, List.of(), false, 1,
            stopRemovesFlows, null, List.of(vx1));
    }

    private static List<String> flows(Daemon d) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < d.ukeys().shards(); i++) {
            d.ukeys().forEach(i, (Ukey u) -> out.add(u.megaflow().toString()));
        }
        return out;
    }

    @Test
    void pingAndUdpCrossTheTunnelBothWaysThroughTheSlowPath() throws Exception {
        try (TunnelNet n = TunnelNet.create("dtnl"); NetNs sw = NetNs.open(n.sw().name());
             Daemon d = sw.call(() -> Daemon.start(settings(false), MonotonicClock.SYSTEM))) {
            assertEquals("sockets", d.mode());
            String dev = n.sw().sh("ip -d link show dev obvx4789");
            assertTrue(dev.contains("vxlan external") && dev.contains("dstport 4789"), dev);
            String filters = n.sw().sh("tc filter show dev obvx4789 ingress");
            assertTrue(filters.contains("ob-tnl-miss"), filters);

            Shell.Background wire = capture(n.hv2(), "u2", 2);
            String ping = n.h1().sh("ping -c 5 -i 0.2 -W 2 192.168.42.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            String seen = wire.finish(15);
            assertTrue(seen.contains("10.20.0.1") && seen.contains("10.20.0.2.4789: VXLAN") && seen.contains("vni 42"), seen);
            assertTrue(seen.contains("192.168.42.1 > 192.168.42.2: ICMP echo request"), "the inner packet: " + seen);

            String back = n.vm2().sh("ping -c 3 -i 0.2 -W 2 192.168.42.1");
            assertTrue(back.contains(" 0% packet loss"), back);

            Shell.Background got = receiver(n.h1(), "192.168.42.1", "d,a=s.recvfrom(2048); print(d.decode(), a[0])");
            n.vm2().sh("python3 -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " [s.sendto(b'through-the-tunnel', ('192.168.42.1', 7001)) for _ in range(3)]\"");
            assertTrue(got.finish(15).contains("through-the-tunnel 192.168.42.2"), "the inner datagram, unchanged: " + got.output());

            // The underlay watch: the remote's neighbour entry or a route covering it changing starts a
            // revalidator round at once; another address's does not.
            UnderlayAgent.Counters c0 = d.underlayCounters();
            n.sw().sh("ip neigh replace 10.20.0.99 lladdr 02:00:00:00:00:99 dev u1 nud permanent && ip route add 10.99.0.0/24 dev u1");
            Thread.sleep(500);
            assertEquals(c0, d.underlayCounters(), "10.20.0.99 and 10.99.0.0/24 are no remote of ours");
            long resyncs = d.revalidators().counters().resyncs();
            n.sw().sh("ip neigh replace 10.20.0.2 lladdr " + n.hv2().mac("u2") + " dev u1 nud permanent");
            n.sw().sh("ip route add 10.20.0.0/25 dev u1 src 10.20.0.1");
            assertTrue(DaemonHostTest.await(5_000, () -> d.underlayCounters().neighbourChanges() > c0.neighbourChanges()
                && d.underlayCounters().routeChanges() > c0.routeChanges()), "seen: " + d.underlayCounters());
            assertTrue(d.revalidators().counters().resyncs() > resyncs, "a revalidator round asked at once");
            String after = n.h1().sh("ping -c 3 -i 0.2 -W 2 192.168.42.2");
            assertTrue(after.contains(" 0% packet loss"), after);

            // The dump as an operator reads it, parsed by Open vSwitch's own flow parser (as OvsOdpParserTest):
            // the decap flow's tunnel match and the encap flow's set(tunnel) as OVS reads them.
            String dump = new DaemonCommands(d).dumpFlows(List.of("type=all", "-m")).text();
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tnl-odp");
            java.nio.file.Files.writeString(dir.resolve("dump.txt"), dump);
            java.nio.file.Files.writeString(dir.resolve("parse.py"), OvsOdpParserTest.SCRIPT);
            org.offloadbridge.testkit.Shell.Result parsed = org.offloadbridge.testkit.Shell.run(60, OvsOdpParserTest.PYTHON,
                dir.resolve("parse.py").toString(), dir.resolve("dump.txt").toString());
            assertTrue(parsed.ok(), "OVS's parser reads every line:\n" + parsed + "\n--- dump ---\n" + dump);
            assertEquals(dump.lines().count(), parsed.out().lines().count(), parsed.out());
            assertTrue(parsed.out().contains("[\"tunnel\", \"tun_id=0x2a,src=10.20.0.2,dst=10.20.0.1"),
                "the decap flow's tunnel(...) match, as OVS reads it:\n" + parsed.out());
            assertTrue(parsed.out().contains("set(tunnel(tun_id=0x2a,src=10.20.0.1,dst=10.20.0.2"),
                "the encap flow's set(tunnel(...)), as OVS reads it:\n" + parsed.out());

            List<String> flows = flows(d);
            assertTrue(flows.stream().anyMatch(f -> f.contains("tunnel(tun_id=0x2a,src=10.20.0.2,dst=10.20.0.1,tos=0/0x3,tp_dst=4789,flags(+key))")),
                "a decap flow matches the tunnel as OVS prints a tc decap flow (outer ECN, UDP port, key present): " + flows);
            assertTrue(flows.stream().anyMatch(f -> f.contains("ipv4(tos=0/0x3,") && f.contains("set(tunnel(tun_id=0x2a,src=10.20.0.1,dst=10.20.0.2,ttl=64,tp_dst=4789")),
                "an encap flow matches the inner ECN (it becomes the outer one) and sets the tunnel: " + flows);

            // explain, as an operator asks about tunnel flows: the decap flows by their tunnel
            // match (dpctl syntax, as dump-flows prints it), the encap flow by its ufid.
            DaemonCommands cmd = new DaemonCommands(d);
            String decap = cmd.explain(List.of("tunnel(tun_id=0x2a,src=10.20.0.2,dst=10.20.0.1)")).text();
            assertTrue(decap.contains("match: tunnel(tun_id=0x2a,src=10.20.0.2,dst=10.20.0.1") && decap.contains("in_port(obvx4789)")
                && decap.contains("actions: p1") && decap.contains("rules hit:\n    rules file line 1: priority=0,actions=normal")
                && decap.contains("where: no datapath layer"), "explain of the decap flows:\n" + decap);
            List<Ukey> encaps = new java.util.ArrayList<>();
            for (int i = 0; i < d.ukeys().shards(); i++) {
                d.ukeys().forEach(i, u -> {
                    if (u.megaflow().actions().toString().contains("set(tunnel(")) {
                        encaps.add(u);
                    }
                });
            }
            assertFalse(encaps.isEmpty(), "an encap flow: " + flows);
            String encap = cmd.explain(List.of(encaps.get(0).ufid().uuidString())).text();
            assertTrue(encap.contains("match: recirc_id(0),in_port(p1)") && encap.contains("actions: set(tunnel(tun_id=0x2a,src=10.20.0.1,dst=10.20.0.2,ttl=64,"
                + "tp_dst=4789,flags(key))),obvx4789") && encap.contains("why: "), "explain of the encap flow:\n" + encap);
        }
    }

    @Test
    void aRestartKeepsTheDeviceAndACleanupStopRemovesIt() throws Exception {
        try (TunnelNet n = TunnelNet.create("dtnr"); NetNs sw = NetNs.open(n.sw().name())) {
            int ifindex;
            try (Daemon d = sw.call(() -> Daemon.start(settings(false), MonotonicClock.SYSTEM))) {
                ifindex = n.sw().ifindex("obvx4789");
            }
            assertEquals(ifindex, n.sw().ifindex("obvx4789"), "a plain stop keeps the device (and its flows)");
            try (Daemon d = sw.call(() -> Daemon.start(settings(true), MonotonicClock.SYSTEM))) {
                assertEquals(ifindex, n.sw().ifindex("obvx4789"), "the next start finds it and keeps it");
                String ping = n.h1().sh("ping -c 2 -i 0.2 -W 2 192.168.42.2");
                assertTrue(ping.contains(" 0% packet loss"), ping);
            }
            assertFalse(n.sw().sh("ip link show").contains("obvx4789"), "stop-removes-flows: the device is gone too");
        }
    }

    /**
     * tc refusing (no cls_flower on this kernel, hw-offload=true): the DPDK path carries the
     * tunnel both ways — it reads the miss header on the VXLAN device's miss device and writes
     * the inject trailer on output — with no upcall once the flows are in, each datagram once.
     */
    @Test
    void whenTcRefusesTheDpdkPathCarriesTheTunnel() throws Exception {
        try (TunnelNet n = TunnelNet.create("dtnd"); NetNs sw = NetNs.open(n.sw().name());
             Daemon d = sw.call(() -> Daemon.start(settings(false, true), MonotonicClock.SYSTEM))) {
            assertEquals("dpdk", d.mode());
            for (int i = 0; i < 3; i++) {
                String ping = n.h1().sh("ping -c 1 -W 5 192.168.42.2");
                assertTrue(ping.contains(" 0% packet loss"), ping);
            }
            Thread.sleep(300);
            long before = d.upcallCounters().upcalls();
            String ping = n.h1().sh("ping -c 20 -i 0.05 -W 2 192.168.42.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            String back = n.vm2().sh("ping -c 5 -i 0.05 -W 2 192.168.42.1");
            assertTrue(back.contains(" 0% packet loss"), back);
            assertEquals(before, d.upcallCounters().upcalls(), "forwarded by DPDK, not upcalled: " + d.upcallCounters()
                + "\nflows: " + flows(d) + "\nrevalidators: " + d.revalidators().counters() + "\nunderlay: " + d.underlayCounters());

            Shell.Background got = receiver(n.vm2(), "192.168.42.2",
                "s.settimeout(3); n=[]\ntry:\n  while True: n.append(s.recv(100))\nexcept socket.timeout: pass\nprint('received', len(n), len(set(n)))");
            n.h1().sh("python3 -c \"import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " [ (s.sendto(b'seq%d' % i, ('192.168.42.2', 7001)), time.sleep(0.002)) for i in range(200) ]\"");
            assertTrue(got.finish(30).contains("received 200 200"), "each of 200 datagrams received once (count, distinct): " + got.output());

            List<Ukey> flows = new java.util.ArrayList<>();
            for (int i = 0; i < d.ukeys().shards(); i++) {
                d.ukeys().forEach(i, flows::add);
            }
            assertTrue(flows.size() >= 2, "flows: " + flows);
            for (Ukey u : flows) {
                assertEquals(org.offloadbridge.flow.FlowLayer.DPDK, u.layer(), u + " " + u.reasonText());
            }
        }
    }

    /**
     * Our VXLAN device deleted behind our back: it is created again at once and attached with
     * the tunnel slow path, its tunnel ports keep their OpenFlow numbers, and traffic passes again.
     */
    @Test
    void ourDeviceDeletedBehindOurBackIsCreatedAgain() throws Exception {
        try (TunnelNet n = TunnelNet.create("dtnx"); NetNs sw = NetNs.open(n.sw().name());
             Daemon d = sw.call(() -> Daemon.start(settings(false), MonotonicClock.SYSTEM))) {
            String ping = n.h1().sh("ping -c 2 -i 0.2 -W 2 192.168.42.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            int before = n.sw().ifindex("obvx4789");
            n.sw().sh("ip link del obvx4789");
            // The device's entry shows before the pipeline's port table has its tunnel ports back
            // (restoreTunnelDevice sets the table after attaching): wait for both.
            assertTrue(DaemonHostTest.await(10_000, () -> {
                var e = d.ports().snapshot().byName().get("obvx4789");
                return e != null && e.ifindex() != before && d.pipeline().ports().byName("vx1") != null;
            }), "created and attached again: " + d.ports().snapshot().byName().keySet());
            assertTrue(n.sw().sh("tc filter show dev obvx4789 ingress").contains("ob-tnl-miss"), "with its miss program");
            assertEquals(10, d.pipeline().ports().byName("vx1").ofPort(), "the tunnel port keeps its OpenFlow number");
            String again = n.h1().sh("ping -c 3 -i 0.2 -W 2 192.168.42.2");
            assertTrue(again.contains(" 0% packet loss"), again);
            String back = n.vm2().sh("ping -c 2 -i 0.2 -W 2 192.168.42.1");
            assertTrue(back.contains(" 0% packet loss"), back);
        }
    }

    /**
     * Tunnel ports change live on a reload, as OVS's add-port/del-port: a second port on another
     * UDP port comes with its own device, a port's key changes in place (its OpenFlow number
     * kept), and a device no port uses any more goes; a reload that names a local IP the host
     * lacks changes nothing and says why.
     */
    @Test
    void aReloadAddsChangesAndRemovesTunnelPortsLive() throws Exception {
        try (TunnelNet n = TunnelNet.create("dtnr2"); NetNs sw = NetNs.open(n.sw().name());
             Daemon d = sw.call(() -> Daemon.start(settings(false), MonotonicClock.SYSTEM))) {
            Config.TunnelPort vx1 = settings(false).tunnels().get(0);
            Config.TunnelPort vx2 = new Config.TunnelPort("vx2", Optional.empty(), InetAddress.getByName("10.20.0.1"),
                Optional.of(InetAddress.getByName("10.20.0.9")), OptionalLong.of(7), 4790, OptionalInt.of(0), OptionalInt.of(64), false,
                Optional.empty());
            // In the daemon's network namespace, as its control thread runs a reload.
            String added = sw.call(() -> d.setTunnelPorts(List.of(vx1, vx2)));
            assertTrue(added.contains("tunnel port vx2: added (OpenFlow port 2)") && added.contains("tunnel device obvx4790: attached"), added);
            assertTrue(n.sw().sh("ip -d link show dev obvx4790").contains("dstport 4790"));
            assertTrue(n.sw().sh("tc filter show dev obvx4790 ingress").contains("ob-tnl-miss"));
            assertEquals(2, d.pipeline().ports().byName("vx2").ofPort());
            assertTrue(d.pipeline().ports().byName("vx2").tunnel().key() == 7);

            Config.TunnelPort vx1Key43 = new Config.TunnelPort("vx1", Optional.of(10), vx1.localIp(), vx1.remoteIp(), OptionalLong.of(43),
                4789, vx1.tos(), vx1.ttl(), false, Optional.empty());
            String changed = sw.call(() -> d.setTunnelPorts(List.of(vx1Key43, vx2)));
            assertTrue(changed.contains("tunnel port vx1: changed"), changed);
            assertEquals(43, d.pipeline().ports().byName("vx1").tunnel().key());
            assertEquals(10, d.pipeline().ports().byName("vx1").ofPort());

            Config.TunnelPort bad = new Config.TunnelPort("vx3", Optional.empty(), InetAddress.getByName("10.20.0.77"),
                Optional.of(InetAddress.getByName("10.20.0.2")), OptionalLong.of(5), 4791, OptionalInt.of(0), OptionalInt.of(64), false,
                Optional.empty());
            IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sw.call(() -> d.setTunnelPorts(List.of(vx1Key43, vx2, bad))));
            assertTrue(refused.getMessage().contains("local-ip 10.20.0.77 is not an address of this host"), refused.getMessage());
            assertTrue(d.pipeline().ports().byName("vx3") == null && !n.sw().sh("ip link show").contains("obvx4791"), "nothing changed");

            String removed = sw.call(() -> d.setTunnelPorts(List.of(vx1)));
            assertTrue(removed.contains("tunnel port vx2: removed") && removed.contains("tunnel device obvx4790: removed"), removed);
            assertTrue(!n.sw().sh("ip link show").contains("obvx4790"), "our device for 4790 deleted");
            assertEquals(42, d.pipeline().ports().byName("vx1").tunnel().key(), "vx1 back to key 42");
            String ping = n.h1().sh("ping -c 3 -i 0.2 -W 2 192.168.42.2");
            assertTrue(ping.contains(" 0% packet loss"), "vx1 still carries traffic: " + ping);
        }
    }

    /** An IPv6 underlay through the slow path: ping both ways, the flows print ipv6_src/ipv6_dst as OVS does. */
    @Test
    void anIpv6UnderlayCarriesTheTunnel() throws Exception {
        DatapathConfig dc = new DatapathConfig().hwOffload(false).handlerThreads(2).revalidatorThreads(1);
        Config.TunnelPort vx6 = new Config.TunnelPort("vx1", Optional.of(10), InetAddress.getByName("fd00:20::1"),
            Optional.of(InetAddress.getByName("fd00:20::2")), OptionalLong.of(42), 4789, OptionalInt.of(0), OptionalInt.of(64), true,
            Optional.empty());
        DaemonSettings s = new DaemonSettings(dc, List.of("p1"), Map.of(), List.of(), "priority=0,actions=normal\n", false, List.of(),
            false, 1, false, null, List.of(vx6));
        try (TunnelNet n = TunnelNet.create("dtn6", true); NetNs sw = NetNs.open(n.sw().name());
             Daemon d = sw.call(() -> Daemon.start(s, MonotonicClock.SYSTEM))) {
            Shell.Background wire = capture(n.hv2(), "u2", 1);
            String ping = n.h1().sh("ping -c 3 -i 0.2 -W 2 192.168.42.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            String back = n.vm2().sh("ping -c 2 -i 0.2 -W 2 192.168.42.1");
            assertTrue(back.contains(" 0% packet loss"), back);
            String seen = wire.finish(15);
            assertTrue(seen.contains("fd00:20::1") && seen.contains("fd00:20::2.4789: VXLAN") && seen.contains("vni 42"), seen);
            List<String> flows = flows(d);
            assertTrue(flows.stream().anyMatch(f -> f.contains("tunnel(tun_id=0x2a,ipv6_src=fd00:20::2,ipv6_dst=fd00:20::1")),
                "the decap flow: " + flows);
            assertTrue(flows.stream().anyMatch(f -> f.contains("set(tunnel(tun_id=0x2a,ipv6_src=fd00:20::1,ipv6_dst=fd00:20::2")),
                "the encap flow: " + flows);
            assertTrue(new DaemonCommands(d).dpifShow().contains("vx1 10/2: (vxlan: key=42, local_ip=fd00:20::1, remote_ip=fd00:20::2"),
                new DaemonCommands(d).dpifShow());
        }
    }
}
