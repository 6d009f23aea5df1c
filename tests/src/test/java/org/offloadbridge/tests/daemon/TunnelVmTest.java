package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.tests.daemon.TwoHosts.assertLoss0;
import static org.offloadbridge.tests.daemon.TwoHosts.await;
import static org.offloadbridge.tests.daemon.TwoHosts.receiver;
import static org.offloadbridge.tests.daemon.TwoHosts.send;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.DaemonSettings;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;
import org.offloadbridge.testkit.TunnelNet;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * VXLAN offloaded to tc on a kernel with cls_flower, as OVS's netdev-offload-tc puts it: two
 * "hypervisors" — sw runs the daemon with a VM (h1) behind port p1 and tunnel port vx1; hv2 is a
 * plain Linux VXLAN device (VNI 42) — over an underlay veth. After the first packets the encap
 * flow is a flower filter on p1's ingress ({@code tunnel_key set} + redirect to {@code obvx4789})
 * and the decap flow one on obvx4789's ingress ({@code enc_*} keys, {@code tunnel_key unset},
 * redirect to p1); ping and a UDP stream then pass with the daemon's upcall count flat and the
 * filters' counters growing, the underlay carrying VNI 42 between the right addresses.
 */
@Tag("kernel-vm")
@Timeout(300)
class TunnelVmTest {
    private static final String HV3_MAC = "02:00:00:00:43:03";

    static DaemonSettings settings() throws Exception {
        return settings(true, "priority=0,actions=normal\n", tunnel("vx1", "10.20.0.2", 42L));
    }

    static DaemonSettings settings(boolean hwOffload, String rules, Config.TunnelPort tunnel) {
        return settings(hwOffload, TcPolicy.NONE, false, rules, tunnel);
    }

    /** dpdk: the in-process DPDK datapath (net_af_packet ports, no hugepages) as the layer below tc. */
    static DaemonSettings settings(boolean hwOffload, TcPolicy policy, boolean dpdk, String rules, Config.TunnelPort tunnel) {
        DatapathConfig dc = new DatapathConfig().hwOffload(hwOffload).tcPolicy(policy).maxIdleMillis(60_000).handlerThreads(2)
            .revalidatorThreads(1);
        return new DaemonSettings(dc, List.of("p1"), Map.of(), List.of(), rules, dpdk, List.of(), false, 1, false, null, List.of(tunnel));
    }

    /** A tunnel port from 10.20.0.1; remote and key null: "flow". */
    static Config.TunnelPort tunnel(String name, String remote, Long key) throws Exception {
        return new Config.TunnelPort(name, Optional.of(10), InetAddress.getByName("10.20.0.1"),
            remote == null ? Optional.empty() : Optional.of(InetAddress.getByName(remote)),
            key == null ? OptionalLong.empty() : OptionalLong.of(key), 4789, OptionalInt.of(0), OptionalInt.of(64), false, Optional.empty());
    }

    /** The tunnel test topology ({@link TunnelNet}), with the guest's modules loaded. */
    static TunnelNet net(String purpose) {
        return net(purpose, false);
    }

    static TunnelNet net(String purpose, boolean ipv6Underlay) {
        Shell.ok("modprobe", "-a", "cls_u32", "cls_bpf", "cls_flower", "act_tunnel_key", "act_mirred", "vxlan", "bridge");
        return TunnelNet.create(purpose, ipv6Underlay);
    }

    /** One echo at a time, each waiting for its own answer (ping -c N waits only twice the round trip for the last ones). */
    static void pings(Topology.Host from, String to, int n) {
        for (int i = 0; i < n; i++) {
            assertLoss0(from.sh("ping -c 1 -W 10 " + to));
        }
    }

    static List<Ukey> all(Daemon d) {
        return DaemonVmTest.all(d);
    }

    static String describe(Daemon d) {
        return DaemonVmTest.describe(d);
    }

    static long flowerPackets(Topology.Host sw, String dev) {
        long n = 0;
        for (TwoHosts.Filter f : TwoHosts.filters(sw, dev)) {
            if (f.kind().equals("flower")) {
                n += f.packets();
            }
        }
        return n;
    }

    @Test
    void encapAndDecapFlowsLandInTcAndCarryTheTraffic() throws Exception {
        try (TunnelNet n = net("tnvm")) {
            Topology.Host sw = n.sw();
            Topology.Host h1 = n.h1();
            Topology.Host hv2 = n.hv2();
            Topology.Host vm2 = n.vm2();
            try (NetNs ns = NetNs.open(sw.name()); Daemon d = ns.call(() -> Daemon.start(settings(), MonotonicClock.SYSTEM))) {
                pings(h1, "192.168.42.2", 3);
                assertTrue(await(30_000, () -> {
                    List<Ukey> us = all(d);
                    return us.size() >= 2 && us.stream().allMatch(u -> u.layer() == FlowLayer.TC_SW);
                }) >= 0, "both directions' flows in tc:\n" + describe(d));

                String encap = sw.sh("tc filter show dev p1 ingress");
                assertTrue(encap.contains("tunnel_key") && encap.contains("set") && encap.contains("dst_ip 10.20.0.2")
                    && encap.contains("src_ip 10.20.0.1") && encap.contains("key_id 42") && encap.contains("dst_port 4789"),
                    "the encap flow sets the tunnel on p1's ingress:\n" + encap);
                assertTrue(encap.contains("Egress Redirect to device obvx4789"), encap);
                assertTrue(encap.contains("ip_tos 0/0x3"), "the encap flow matches the inner ECN, which it carries to the outer header:\n" + encap);
                String decap = sw.sh("tc filter show dev obvx4789 ingress");
                assertTrue(decap.contains("enc_key_id 42") && decap.contains("enc_src_ip 10.20.0.2") && decap.contains("enc_dst_ip 10.20.0.1")
                    && decap.contains("enc_dst_port 4789"), "the decap flow matches the tunnel (with the UDP port, as mlx5 needs) on obvx4789's ingress:\n" + decap);
                assertTrue(decap.contains("enc_tos 0/0x3"), "the decap flow matches the outer ECN (not CE: the inner packet as it came):\n" + decap);
                assertTrue(decap.contains("unset") && decap.contains("Egress Redirect to device p1"), decap);
                assertTrue(decap.contains("ob-tnl-miss"), "the tunnel slow path stays below the flows:\n" + decap);

                Thread.sleep(500);
                long upcalls = d.upcallCounters().upcalls();
                long encapBefore = flowerPackets(sw, "p1");
                long decapBefore = flowerPackets(sw, "obvx4789");
                Shell.Background wire = Shell.start(hv2.exec("timeout", "30", "tcpdump", "-l", "-n", "-c", "4", "-i", "u2", "udp", "port", "4789")).awaitLine("listening on", java.time.Duration.ofSeconds(30));
                assertLoss0(h1.sh("ping -c 50 -i 0.02 -W 2 192.168.42.2"));
                try (Shell.Background rx = receiver(vm2, "192.168.42.2")) {
                    send(h1, "192.168.42.2", 0, 200);
                    String got = rx.finish(60);
                    assertTrue(got.contains("count=200 distinct=200"), "vm2 receives each datagram once: " + got);
                }
                try (Shell.Background rx = receiver(h1, "192.168.42.1")) {
                    send(vm2, "192.168.42.1", 0, 200);
                    String got = rx.finish(60);
                    assertTrue(got.contains("count=200 distinct=200"), "h1 receives each of vm2's datagrams once: " + got);
                }
                assertEquals(upcalls, d.upcallCounters().upcalls(), "no upcall once in tc: " + d.upcallCounters() + "\n" + describe(d));
                // Each direction in its own filter: h1 → vm2 (50 echo requests, 200 datagrams)
                // through the encap filter on p1, vm2 → h1 (50 replies, 200 datagrams) through
                // the decap filter on obvx4789.
                long[] after = {0, 0};
                assertTrue(await(15_000, () -> (after[0] = flowerPackets(sw, "p1")) - encapBefore >= 250
                        && (after[1] = flowerPackets(sw, "obvx4789")) - decapBefore >= 250) >= 0,
                    "encap " + encapBefore + " → " + after[0] + ", decap " + decapBefore + " → " + after[1] + " (each ≥ +250)\n"
                        + sw.sh("tc -s filter show dev p1 ingress") + sw.sh("tc -s filter show dev obvx4789 ingress"));
                String seen = wire.finish(40);
                assertTrue(seen.contains("10.20.0.1") && seen.contains("10.20.0.2.4789: VXLAN") && seen.contains("vni 42"),
                    "the underlay carries VNI 42 from 10.20.0.1 to 10.20.0.2:4789:\n" + seen);
                assertTrue(seen.contains("192.168.42.1 > 192.168.42.2: ICMP echo request"), "the inner packet, as sent:\n" + seen);

                // The inner frame arrives unchanged: the echo request h1 sends, byte for byte as vm2 receives it.
                String filter = "icmp[icmptype] == icmp-echo";
                Shell.Background sent = Shell.start(h1.exec("timeout", "30", "tcpdump", "-l", "-n", "-xx", "-c", "1", "-i", "eth0", filter))
                    .awaitLine("listening on", java.time.Duration.ofSeconds(30));
                Shell.Background received = Shell.start(vm2.exec("timeout", "30", "tcpdump", "-l", "-n", "-xx", "-c", "1", "-i", "eth0", filter))
                    .awaitLine("listening on", java.time.Duration.ofSeconds(30));
                assertLoss0(h1.sh("ping -c 1 -W 5 -p 0b1ec7ed 192.168.42.2"));
                String out = frameHex(sent.finish(40));
                String in = frameHex(received.finish(40));
                assertTrue(out.length() >= 2 * 98, "a whole echo request captured on h1: " + out);
                assertEquals(out, in, "the frame vm2 receives is the frame h1 sent");
            }
        }
    }

    /** The bytes of the one frame a {@code tcpdump -xx} printed, as hex (its offset columns dropped). */
    static String frameHex(String tcpdump) {
        StringBuilder b = new StringBuilder();
        for (String line : tcpdump.split("\n")) {
            String t = line.strip();
            if (t.startsWith("0x") && t.indexOf(':') > 0) {
                b.append(t.substring(t.indexOf(':') + 1).replace(" ", ""));
            }
        }
        return b.toString();
    }

    /**
     * {@code remote_ip=flow} and {@code key=flow} with two remote hypervisors: the rules pick the
     * remote and the VNI per destination, and the flows to each carry their own in tc (encap on
     * p1: its own tunnel_key set; decap on obvx4789: its own enc_key_id and enc_src_ip).
     */
    @Test
    void flowRemoteAndKeyReachTwoHypervisorsEachWithItsOwnVni() throws Exception {
        try (TunnelNet n = net("tnv2")) {
            Topology.Host hv3 = n.t().host("hv3");
            n.t().veth(n.sw(), "u3", hv3, "u4");
            n.sw().addr("u3", "10.30.0.1/24");
            hv3.addr("u4", "10.30.0.3/24");
            hv3.sh("ip route add 10.20.0.1/32 dev u4"
                + " && ip link add vx43 address " + HV3_MAC + " type vxlan id 43 remote 10.20.0.1 local 10.30.0.3 dstport 4789"
                + " && ip link set vx43 addrgenmode none && ip addr add 192.168.43.3/24 dev vx43 && ip link set vx43 up");
            n.h1().addr("eth0", "192.168.43.1/24");
            n.h1().neigh("eth0", "192.168.43.3", HV3_MAC);
            hv3.neigh("vx43", "192.168.43.1", n.h1().mac("eth0"));
            String rules = """
                priority=10,in_port=p1,ip,nw_dst=192.168.42.2,actions=set_field:10.20.0.2->tun_dst,set_field:42->tun_id,output:vxf
                priority=10,in_port=p1,ip,nw_dst=192.168.43.3,actions=set_field:10.30.0.3->tun_dst,set_field:43->tun_id,output:vxf
                priority=10,in_port=vxf,actions=output:p1
                """;
            try (NetNs ns = NetNs.open(n.sw().name());
                 Daemon d = ns.call(() -> Daemon.start(settings(true, rules, tunnel("vxf", null, null)), MonotonicClock.SYSTEM))) {
                Shell.Background wire3 = Shell.start(hv3.exec("timeout", "30", "tcpdump", "-l", "-n", "-c", "1", "-i", "u4", "udp", "port", "4789")).awaitLine("listening on", java.time.Duration.ofSeconds(30));
                pings(n.h1(), "192.168.42.2", 2);
                pings(n.h1(), "192.168.43.3", 2);
                assertTrue(await(30_000, () -> {
                    List<Ukey> us = all(d);
                    return us.size() >= 4 && us.stream().allMatch(u -> u.layer() == FlowLayer.TC_SW);
                }) >= 0, "four flows in tc:\n" + describe(d));
                String encap = n.sw().sh("tc filter show dev p1 ingress");
                assertTrue(encap.contains("dst_ip 10.20.0.2") && encap.contains("key_id 42"), "to hv2 with VNI 42:\n" + encap);
                assertTrue(encap.contains("dst_ip 10.30.0.3") && encap.contains("key_id 43"), "to hv3 with VNI 43:\n" + encap);
                String decap = n.sw().sh("tc filter show dev obvx4789 ingress");
                assertTrue(decap.contains("enc_key_id 42") && decap.contains("enc_src_ip 10.20.0.2"), "from hv2:\n" + decap);
                assertTrue(decap.contains("enc_key_id 43") && decap.contains("enc_src_ip 10.30.0.3"), "from hv3:\n" + decap);
                long upcalls = d.upcallCounters().upcalls();
                pings(n.h1(), "192.168.42.2", 2);
                pings(n.h1(), "192.168.43.3", 2);
                assertEquals(upcalls, d.upcallCounters().upcalls(), "no upcall once in tc");
                String seen = wire3.finish(40);
                assertTrue(seen.contains("10.20.0.1") && seen.contains("10.30.0.3.4789: VXLAN") && seen.contains("vni 43"),
                    "hv3's underlay carries VNI 43 from 10.20.0.1:\n" + seen);
            }
        }
    }

    /**
     * tc refusing (hw-offload=false) without the DPDK datapath: the slow path carries the tunnel
     * both ways, each datagram once. (With it, the DPDK path does: the two tests below.)
     */
    @Test
    void withTcRefusingTheSlowPathCarriesTheTunnelNothingDuplicated() throws Exception {
        try (TunnelNet n = net("tnv3"); NetNs ns = NetNs.open(n.sw().name());
             Daemon d = ns.call(() -> Daemon.start(settings(false, "priority=0,actions=normal\n", tunnel("vx1", "10.20.0.2", 42L)),
                 MonotonicClock.SYSTEM))) {
            pings(n.h1(), "192.168.42.2", 2);
            try (Shell.Background rx = receiver(n.vm2(), "192.168.42.2")) {
                send(n.h1(), "192.168.42.2", 0, 200);
                String got = rx.finish(60);
                assertTrue(got.contains("count=200 distinct=200"), "hv2 receives each datagram once: " + got);
            }
            assertTrue(all(d).stream().allMatch(u -> u.layer() == FlowLayer.NONE), describe(d));
            assertTrue(TwoHosts.filters(n.sw(), "p1").stream().noneMatch(f -> f.kind().equals("flower")), "nothing in tc");
        }
    }

    /**
     * tc refusing by policy — hw-offload=false, or tc-policy=skip_sw on ports no NIC e-switch
     * holds — with the DPDK datapath running: it carries the tunnel both ways (encap out of and
     * decap into its VXLAN port), each datagram once, with the daemon's upcall count flat, no
     * flower filter of ours anywhere, and each flow's reason for not being in tc recorded.
     */
    @Test
    void withTcRefusingByHwOffloadFalseTheDpdkPathCarriesTheTunnel() throws Exception {
        dpdkCarriesTheTunnel("tnd1", false, TcPolicy.NONE, "hw-offload=false");
    }

    @Test
    void withTcRefusingBySkipSwPolicyTheDpdkPathCarriesTheTunnel() throws Exception {
        dpdkCarriesTheTunnel("tnd2", true, TcPolicy.SKIP_SW, "is on no e-switch"); // skip_sw: hardware or nothing, and no NIC holds a veth
    }

    private static void dpdkCarriesTheTunnel(String purpose, boolean hwOffload, TcPolicy policy, String reason) throws Exception {
        try (TunnelNet n = net(purpose); NetNs ns = NetNs.open(n.sw().name());
             Daemon d = ns.call(() -> Daemon.start(settings(hwOffload, policy, true, "priority=0,actions=normal\n",
                 tunnel("vx1", "10.20.0.2", 42L)), MonotonicClock.SYSTEM))) {
            assertEquals("dpdk", d.mode());
            pings(n.h1(), "192.168.42.2", 3);
            assertTrue(await(30_000, () -> {
                List<Ukey> us = all(d);
                return us.size() >= 2 && us.stream().allMatch(u -> u.layer() == FlowLayer.DPDK);
            }) >= 0, "both directions' flows in the DPDK datapath:\n" + describe(d));
            for (Ukey u : all(d)) {
                assertTrue(u.reasonText() != null && u.reasonText().contains(reason), "why not in tc, recorded: " + u + " " + u.reasonText());
            }
            Thread.sleep(300);
            long upcalls = d.upcallCounters().upcalls();
            assertLoss0(n.h1().sh("ping -c 20 -i 0.05 -W 2 192.168.42.2"));
            try (Shell.Background rx = receiver(n.vm2(), "192.168.42.2")) {
                send(n.h1(), "192.168.42.2", 0, 200);
                String got = rx.finish(60);
                assertTrue(got.contains("count=200 distinct=200"), "vm2 receives each datagram once: " + got);
            }
            try (Shell.Background rx = receiver(n.h1(), "192.168.42.1")) {
                send(n.vm2(), "192.168.42.1", 0, 200);
                String got = rx.finish(60);
                assertTrue(got.contains("count=200 distinct=200"), "h1 receives each of vm2's datagrams once: " + got);
            }
            assertEquals(upcalls, d.upcallCounters().upcalls(), "forwarded by DPDK, not upcalled: " + d.upcallCounters() + "\n" + describe(d));
            for (String dev : new String[] {"p1", "obvx4789"}) {
                assertTrue(TwoHosts.filters(n.sw(), dev).stream().noneMatch(f -> f.kind().equals("flower")),
                    "no flower filter on " + dev + ":\n" + n.sw().sh("tc filter show dev " + dev + " ingress"));
            }
        }
    }

    /**
     * The remote's underlay MAC changes under traffic (announced by a gratuitous ARP, as a
     * migrated VM's host would): the underlay watch sees the remote's neighbour change and starts
     * a revalidator round at once; the offloaded encap flow keeps carrying the stream — software
     * tc hands the frame to the VXLAN device, which resolves route and neighbour per packet — with
     * no flow re-placed and at most a handful of datagrams lost in the switch.
     */
    @Test
    void theRemotesNewUnderlayMacIsFollowedUnderTraffic() throws Exception {
        try (TunnelNet n = net("tnv4"); NetNs ns = NetNs.open(n.sw().name());
             Daemon d = ns.call(() -> Daemon.start(settings(), MonotonicClock.SYSTEM))) {
            pings(n.h1(), "192.168.42.2", 2);
            assertTrue(await(30_000, () -> {
                List<Ukey> us = all(d);
                return us.size() >= 2 && us.stream().allMatch(u -> u.layer() == FlowLayer.TC_SW);
            }) >= 0, describe(d));
            List<String> encapBefore = TwoHosts.filters(n.sw(), "p1").stream().filter(f -> f.kind().equals("flower"))
                .map(TwoHosts.Filter::id).toList();
            String newMac = "02:00:00:00:99:02";
            // The change and its announcement in one process: under TCG a second python start is a second of gap.
            String garp = "import socket,subprocess\n"
                + "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW);s.bind(('u2',0))\n"
                + "mac=bytes.fromhex('" + newMac.replace(":", "") + "');ip=socket.inet_aton('10.20.0.2')\n"
                + "subprocess.run(['ip','link','set','u2','address','" + newMac + "'],check=True)\n"
                + "s.send(b'\\xff'*6+mac+b'\\x08\\x06'+b'\\x00\\x01\\x08\\x00\\x06\\x04\\x00\\x02'+mac+ip+b'\\xff'*6+ip)\n";
            long neighbourSeen = d.underlayCounters().neighbourChanges();
            long resyncs = d.revalidators().counters().resyncs();
            try (Shell.Background rx = receiver(n.vm2(), "192.168.42.2");
                 Shell.Background tx = TwoHosts.sendInBackground(n.h1(), "192.168.42.2", 0, 300, 0.01)) {
                Thread.sleep(1_000);
                n.hv2().ok("python3", "-c", garp);
                tx.finish(120);
                String got = rx.finish(60);
                int distinct = Integer.parseInt(got.replaceAll("(?s).*distinct=(\\d+).*", "$1"));
                assertTrue(distinct >= 285, "the stream went on through the change (at most 15 of 300 lost): " + got);
            }
            assertTrue(n.sw().sh("ip neigh show 10.20.0.2").contains(newMac), n.sw().sh("ip neigh show"));
            assertTrue(d.underlayCounters().neighbourChanges() > neighbourSeen, "the underlay watch saw the remote's neighbour change: "
                + d.underlayCounters());
            assertTrue(d.revalidators().counters().resyncs() > resyncs, "and asked a revalidator round at once");
            pings(n.h1(), "192.168.42.2", 2);
            assertEquals(encapBefore, TwoHosts.filters(n.sw(), "p1").stream().filter(f -> f.kind().equals("flower"))
                .map(TwoHosts.Filter::id).toList(), "the same encap filter carried it: nothing re-placed");
        }
    }

    /**
     * An IPv6 underlay offloaded: the encap filter sets an IPv6 tunnel (with the UDP checksum an
     * IPv6 receiver wants), the decap filter matches the IPv6 outer addresses, and traffic then
     * passes with the upcall count flat.
     */
    @Test
    void anIpv6UnderlaysEncapAndDecapFlowsLandInTc() throws Exception {
        Config.TunnelPort vx6 = new Config.TunnelPort("vx1", Optional.of(10), InetAddress.getByName("fd00:20::1"),
            Optional.of(InetAddress.getByName("fd00:20::2")), OptionalLong.of(42), 4789, OptionalInt.of(0), OptionalInt.of(64), true,
            Optional.empty());
        try (TunnelNet n = net("tnv6", true); NetNs ns = NetNs.open(n.sw().name());
             Daemon d = ns.call(() -> Daemon.start(settings(true, "priority=0,actions=normal\n", vx6), MonotonicClock.SYSTEM))) {
            pings(n.h1(), "192.168.42.2", 3);
            assertTrue(await(30_000, () -> {
                List<Ukey> us = all(d);
                return us.size() >= 2 && us.stream().allMatch(u -> u.layer() == FlowLayer.TC_SW);
            }) >= 0, "both directions' flows in tc:\n" + describe(d));
            String encap = n.sw().sh("tc filter show dev p1 ingress");
            assertTrue(encap.contains("src_ip fd00:20::1") && encap.contains("dst_ip fd00:20::2") && encap.contains("key_id 42")
                && encap.contains("Egress Redirect to device obvx4789"), encap);
            String decap = n.sw().sh("tc filter show dev obvx4789 ingress");
            assertTrue(decap.contains("enc_src_ip fd00:20::2") && decap.contains("enc_dst_ip fd00:20::1") && decap.contains("enc_key_id 42"),
                decap);
            Thread.sleep(500);
            long upcalls = d.upcallCounters().upcalls();
            assertLoss0(n.h1().sh("ping -c 20 -i 0.05 -W 2 192.168.42.2"));
            assertEquals(upcalls, d.upcallCounters().upcalls(), "no upcall once in tc: " + d.upcallCounters());
        }
    }
}
