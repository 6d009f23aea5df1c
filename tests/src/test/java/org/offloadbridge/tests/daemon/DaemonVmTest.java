package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.DaemonSettings;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * The daemon end to end on a kernel with cls_flower: two netns hosts on veth ports p1, p2 of a
 * "switch" namespace where the daemon runs with hw-offload=true, tc-policy=none. veth has no
 * hardware, so what tc takes is {@code not_in_hw} (layer TC_SW). DPDK is asked for (without
 * hugepages); where it can't start the daemon runs on packet sockets, and the software layer is
 * then NONE (the handlers execute each packet) — every assertion names the layer by
 * {@link #software(Daemon)}.
 */
@Tag("kernel-vm")
@Timeout(300)
class DaemonVmTest {
    private static final String NORMAL = "priority=0,actions=normal\n";

    /**
     * The daemon's catch-all is a u32 filter (docs/slow-path.md); the VM's guest script does not
     * load cls_u32 (tests/vm/guest's module list), and the guest kernel does not auto-load it.
     */
    @BeforeAll
    static void clsU32() {
        Shell.ok("modprobe", "cls_u32");
        assertTrue(Shell.ok("cat", "/proc/modules").contains("cls_u32"), "cls_u32 loaded");
    }

    /**
     * Socket slow path. With DPDK (net_af_packet, no hugepages) in this TCG VM the first packets
     * of a flow were not forwarded (a 3-packet ping lost all 3), and a second Daemon in the same
     * JVM failed to attach its vdev: rte_eth_dev_get_port_by_name(net_af_packet_obd2_1,iface=obd2)
     * ENODEV — the miss device name repeats across namespaces and the previous daemon's vdev stays.
     */
    private static final boolean DPDK = false;

    private static DaemonSettings settings(String rules) {
        return settings(rules, 10_000);
    }

    private static DaemonSettings settings(String rules, long maxIdleMillis) {
        DatapathConfig dc = new DatapathConfig().hwOffload(true).maxIdleMillis(maxIdleMillis).tcPolicy(TcPolicy.NONE).handlerThreads(2).revalidatorThreads(1);
        return new DaemonSettings(dc, List.of("p1", "p2"), rules, DPDK, List.of(), false, 1, false);
    }

    private static FlowLayer software(Daemon d) {
        return "dpdk".equals(d.mode()) ? FlowLayer.DPDK : FlowLayer.NONE;
    }

    private static List<Ukey> all(Daemon d) {
        List<Ukey> out = new ArrayList<>();
        for (int i = 0; i < d.ukeys().shards(); i++) {
            d.ukeys().forEach(i, out::add);
        }
        return out;
    }

    private static String describe(Daemon d) {
        StringBuilder b = new StringBuilder("mode=" + d.mode() + "\n");
        for (Ukey u : all(d)) {
            b.append("  ").append(u.layer()).append(' ').append(u.reasonText()).append(' ').append(u.reasonDetail())
                .append(' ').append(u.megaflow()).append('\n');
        }
        return b.toString();
    }

    /** Polls {@code cond} every 20 ms up to {@code millis}; returns the milliseconds it took, or -1. */
    private static long await(long millis, BooleanSupplier cond) throws InterruptedException {
        long t0 = System.nanoTime();
        while (true) {
            if (cond.getAsBoolean()) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            if ((System.nanoTime() - t0) / 1_000_000 > millis) {
                return -1;
            }
            Thread.sleep(20);
        }
    }

    /** One filter as {@code tc -s -j filter show} says: pref, kind, handle, flags, packets. */
    record Filter(int pref, String kind, String handle, boolean inHw, boolean notInHw, long packets) {
        String id() {
            return pref + "/" + handle;
        }
    }

    private static final String JQ = ".[] | select(.options != null) | \"\\(.pref) \\(.kind) \\(.options.handle // \"-\")"
        + " \\(.options.in_hw // false) \\(.options.not_in_hw // false) \\([.options.actions[]?.stats.packets // 0] | max // 0)\"";

    private static List<Filter> filters(Topology.Host sw, String dev) {
        String out = sw.sh("tc -s -j filter show dev " + dev + " ingress | jq -r '" + JQ + "'");
        List<Filter> fs = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            fs.add(new Filter(Integer.parseInt(f[0]), f[1], f[2], Boolean.parseBoolean(f[3]), Boolean.parseBoolean(f[4]),
                Long.parseLong(f[5])));
        }
        return fs;
    }

    private static List<Filter> flower(Topology.Host sw, String dev) {
        return filters(sw, dev).stream().filter(f -> f.kind().equals("flower")).toList();
    }

    private static long flowerPackets(Topology.Host sw) {
        long n = 0;
        for (String dev : new String[] {"p1", "p2"}) {
            for (Filter f : flower(sw, dev)) {
                n += f.packets();
            }
        }
        return n;
    }

    private static List<String> handles(Topology.Host sw) {
        List<String> ids = new ArrayList<>();
        for (String dev : new String[] {"p1", "p2"}) {
            for (Filter f : flower(sw, dev)) {
                ids.add(dev + ":" + f.id());
            }
        }
        ids.sort(null);
        return ids;
    }

    /** The switch, p1 and p2, and two hosts; IPv6 off (or on with no autoconf) and static neighbours. */
    private record Net(Topology t, Topology.Host sw, Topology.Host h1, Topology.Host h2) implements AutoCloseable {
        static Net create(String purpose, boolean ipv6) {
            Topology t = Topology.create(purpose);
            Topology.Host sw = t.host("sw");
            Topology.Host h1 = t.host("h1");
            Topology.Host h2 = t.host("h2");
            t.veth(sw, "p1", h1, "eth0");
            t.veth(sw, "p2", h2, "eth0");
            sw.sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"
                + " net.ipv6.conf.p1.disable_ipv6=1 net.ipv6.conf.p2.disable_ipv6=1");
            for (Topology.Host h : new Topology.Host[] {h1, h2}) {
                if (ipv6) {
                    h.sh("sysctl -qw net.ipv6.conf.eth0.accept_ra=0 net.ipv6.conf.eth0.router_solicitations=0"
                        + " net.ipv6.conf.eth0.accept_dad=0");
                } else {
                    h.sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"
                        + " net.ipv6.conf.eth0.disable_ipv6=1");
                }
            }
            h1.addr("eth0", "10.9.0.1/24");
            h2.addr("eth0", "10.9.0.2/24");
            h1.neigh("eth0", "10.9.0.2", h2.mac("eth0"));
            h2.neigh("eth0", "10.9.0.1", h1.mac("eth0"));
            if (ipv6) {
                h1.ip("-6", "addr", "add", "fd09::1/64", "dev", "eth0", "nodad");
                h2.ip("-6", "addr", "add", "fd09::2/64", "dev", "eth0", "nodad");
                h1.ip("-6", "neigh", "add", "fd09::2", "lladdr", h2.mac("eth0"), "dev", "eth0");
                h2.ip("-6", "neigh", "add", "fd09::1", "lladdr", h1.mac("eth0"), "dev", "eth0");
            }
            return new Net(t, sw, h1, h2);
        }

        @Override
        public void close() {
            t.close();
        }
    }

    private static final String RECEIVER = String.join("\n",
        "import socket,sys",
        "fam=socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET",
        "s=socket.socket(fam,socket.SOCK_DGRAM);s.bind((sys.argv[1],int(sys.argv[2])))",
        "print('ready',flush=True)",
        "s.settimeout(60);n=0;seen=set()",
        "try:",
        "  while True:",
        "    d=s.recv(100);n+=1;seen.add(d);s.settimeout(15)",
        "except socket.timeout:",
        "  pass",
        "print('count=%d distinct=%d'%(n,len(seen)),flush=True)");

    private static final String SENDER = String.join("\n",
        "import socket,sys,time",
        "fam=socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET",
        "s=socket.socket(fam,socket.SOCK_DGRAM);s.bind(('::' if fam==socket.AF_INET6 else '0.0.0.0',6000))",
        "for i in range(int(sys.argv[3]),int(sys.argv[4])):",
        "  s.sendto(b'seq%d'%i,(sys.argv[1],int(sys.argv[2])));time.sleep(0.005)");

    private static Shell.Background receiver(Topology.Host h, String bind) {
        return Shell.start(h.exec("python3", "-c", RECEIVER, bind, "5001")).awaitLine("ready", java.time.Duration.ofSeconds(30));
    }

    private static void send(Topology.Host h, String dst, int from, int to) {
        h.ok("python3", "-c", SENDER, dst, "5001", Integer.toString(from), Integer.toString(to));
    }

    private static void assertLoss0(String ping) {
        assertTrue(ping.contains(" 0% packet loss"), ping);
    }

    /** 1: after the first packets, ping and a UDP stream go through tc (not_in_hw) with no upcall; nothing duplicated. */
    @Test
    void flowsLandInTc() throws Exception {
        try (Net n = Net.create("dvtc", false); NetNs ns = NetNs.open(n.sw().name());
             Daemon d = ns.call(() -> Daemon.start(settings(NORMAL), MonotonicClock.SYSTEM))) {
            System.out.println("DaemonVmTest.flowsLandInTc: software datapath mode " + d.mode());
            try (Shell.Background rx = receiver(n.h2(), "10.9.0.2")) {
                assertLoss0(n.h1().sh("ping -c 3 -i 0.2 -W 2 10.9.0.2"));
                send(n.h1(), "10.9.0.2", 0, 3);
                assertTrue(await(10_000, () -> all(d).stream().allMatch(u -> u.layer() == FlowLayer.TC_SW)
                    && flower(n.sw(), "p1").size() > 0 && flower(n.sw(), "p2").size() > 0) >= 0, describe(d));
                Thread.sleep(500);
                long upcalls = d.upcallCounters().upcalls();
                long tcBefore = flowerPackets(n.sw());
                assertLoss0(n.h1().sh("ping -c 50 -i 0.02 -W 2 10.9.0.2"));
                send(n.h1(), "10.9.0.2", 3, 203);
                assertEquals(upcalls, d.upcallCounters().upcalls(), "no upcall once in tc: " + d.upcallCounters());
                // tc's counters reach the dump with the kernel's stats delay: wait a little for them.
                long[] tcAfter = {0};
                long took = await(5_000, () -> (tcAfter[0] = flowerPackets(n.sw())) - tcBefore >= 50 * 2 + 200);
                String show = n.sw().tc("-s", "filter", "show", "dev", "p1", "ingress");
                System.out.println("DaemonVmTest.flowsLandInTc: flower packets " + tcBefore + " → " + tcAfter[0] + "\n" + show);
                assertTrue(took >= 0, "flower counters grew by the packets sent (100 ICMP + 200 UDP): " + tcBefore + " → "
                    + tcAfter[0] + "\n" + show);
                for (String dev : new String[] {"p1", "p2"}) {
                    List<Filter> fl = flower(n.sw(), dev);
                    assertFalse(fl.isEmpty(), dev + ": " + filters(n.sw(), dev));
                    for (Filter f : fl) {
                        assertTrue(f.notInHw() && !f.inHw(), dev + " " + f);
                    }
                    assertTrue(filters(n.sw(), dev).stream().anyMatch(f -> f.pref() == 65535 && f.kind().equals("u32")),
                        dev + " keeps its catch-all: " + filters(n.sw(), dev));
                }
                for (Ukey u : all(d)) {
                    assertEquals(FlowLayer.TC_SW, u.layer(), describe(d));
                }
                // Last: the receiver ends after 15 s of silence, by when the flows may have expired (max-idle).
                String got = rx.finish(30);
                assertTrue(got.contains("count=203 distinct=203"), "the receiver counts each datagram once: " + got);
            }
        }
    }

    /** 3: hw-offload=false at runtime empties tc of our flower filters without loss; true moves the flows back. */
    @Test
    void hwOffloadOffAtRuntimeMovesFlowsWithoutLoss() throws Exception {
        try (Net n = Net.create("dvpol", false); NetNs ns = NetNs.open(n.sw().name());
             Daemon d = ns.call(() -> Daemon.start(settings(NORMAL), MonotonicClock.SYSTEM))) {
            System.out.println("DaemonVmTest.hwOffloadOff: software datapath mode " + d.mode());
            assertLoss0(n.h1().sh("ping -c 3 -i 0.2 -W 2 10.9.0.2"));
            assertTrue(await(10_000, () -> !all(d).isEmpty() && all(d).stream().allMatch(u -> u.layer() == FlowLayer.TC_SW)) >= 0,
                describe(d));
            try (Shell.Background ping = Shell.start(n.h1().exec("ping", "-c", "600", "-i", "0.01", "-W", "2", "10.9.0.2"))) {
                Thread.sleep(1_000);
                d.setPolicy(false, TcPolicy.NONE);
                long off = await(15_000, () -> flower(n.sw(), "p1").isEmpty() && flower(n.sw(), "p2").isEmpty()
                    && all(d).stream().allMatch(u -> u.layer() == software(d)));
                System.out.println("DaemonVmTest.hwOffloadOff: off after " + off + " ms\n" + n.sw().tc("filter", "show", "dev", "p1", "ingress"));
                assertTrue(off >= 0, "no flower filter of ours and every flow in " + software(d) + ":\n"
                    + n.sw().tc("filter", "show", "dev", "p1", "ingress") + describe(d));
                for (String dev : new String[] {"p1", "p2"}) {
                    List<Filter> fs = filters(n.sw(), dev);
                    assertTrue(fs.stream().allMatch(f -> f.pref() == 65535 && f.kind().equals("u32")) && !fs.isEmpty(),
                        dev + " holds only the catch-all: " + fs);
                }
                Thread.sleep(500);
                d.setPolicy(true, TcPolicy.NONE);
                long on = await(15_000, () -> flower(n.sw(), "p1").size() > 0 && flower(n.sw(), "p2").size() > 0
                    && all(d).stream().allMatch(u -> u.layer() == FlowLayer.TC_SW));
                System.out.println("DaemonVmTest.hwOffloadOff: back in tc after " + on + " ms");
                assertTrue(on >= 0, "flows back in tc: " + describe(d));
                String out = ping.finish(60);
                System.out.println("DaemonVmTest.hwOffloadOff: " + out.lines().filter(l -> l.contains("loss")).findFirst().orElse(out));
                assertLoss0(out);
            }
        }
    }

    /** 5: close (tc flows stay) and start again: the same filters adopted, none duplicated; a ping across loses nothing. */
    @Test
    void restartAdoptsWithoutLoss() throws Exception {
        try (Net n = Net.create("dvrst", false); NetNs ns = NetNs.open(n.sw().name())) {
            Daemon first = ns.call(() -> Daemon.start(settings(NORMAL), MonotonicClock.SYSTEM));
            Daemon second = null;
            try {
                assertLoss0(n.h1().sh("ping -c 3 -i 0.2 -W 2 10.9.0.2"));
                Daemon f = first;
                assertTrue(await(10_000, () -> !all(f).isEmpty() && all(f).stream().allMatch(u -> u.layer() == FlowLayer.TC_SW)
                    && flower(n.sw(), "p1").size() > 0 && flower(n.sw(), "p2").size() > 0) >= 0, describe(first));
                List<String> before = handles(n.sw());
                try (Shell.Background ping = Shell.start(n.h1().exec("ping", "-c", "500", "-i", "0.01", "-W", "2", "10.9.0.2"))) {
                    Thread.sleep(1_000);
                    first.close();
                    first = null;
                    assertEquals(before, handles(n.sw()), "tc flows stay on a clean stop");
                    second = ns.call(() -> Daemon.start(settings(NORMAL), MonotonicClock.SYSTEM));
                    System.out.println("DaemonVmTest.restart: adopted " + second.adopted() + "; before " + before);
                    assertTrue(second.adopted() > 0, "adopted: " + second.adopted());
                    assertEquals(before.size(), second.adopted(), "every filter adopted");
                    String out = ping.finish(60);
                    System.out.println("DaemonVmTest.restart: " + out.lines().filter(l -> l.contains("loss")).findFirst().orElse(out));
                    assertLoss0(out);
                }
                Thread.sleep(1_500);
                List<String> after = handles(n.sw());
                System.out.println("DaemonVmTest.restart: after " + after);
                assertEquals(before, after, "the same filters, same handles, none duplicated");
                for (Ukey u : all(second)) {
                    assertEquals(FlowLayer.TC_SW, u.layer(), describe(second));
                }
            } finally {
                if (first != null) {
                    first.close();
                }
                if (second != null) {
                    second.close();
                }
            }
        }
    }
}
