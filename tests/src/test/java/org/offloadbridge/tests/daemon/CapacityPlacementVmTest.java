package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.tests.daemon.TwoHosts.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.DaemonSettings;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.revalidator.ConsistencyCheck;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.SimulatedEswitch;
import org.offloadbridge.testkit.Topology;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * Capacity-aware placement through the daemon, on the simulated e-switch (docs/hardware-table.md):
 * a NIC table of 100 flows, the daemon told so (hw-capacity 100, hw-watermark 80 %), 300 flows from
 * VF 0's representor to VF 1's — 30 critical, 270 best-effort — carrying real packets at set rates
 * (a netns host's veth wired into the representor's ingress, as the demo does). The NIC ends up
 * holding the critical flows and the 50 hottest best-effort ones; at steady rates nothing moves;
 * when a cold flow turns hot it is promoted and the coldest one in the NIC demoted within a few
 * rounds; no flow's counters ever go backwards.
 */
@Tag("kernel-vm")
@Timeout(400)
class CapacityPlacementVmTest {
    static final int FLOWS = 300;
    static final int CRITICAL = 30;
    static final int CAPACITY = 100;
    /** hw-watermark 80 %: 80 flows, so 50 best-effort ones after the 30 critical. */
    static final int HOT = 50;

    @Test
    void theNicHoldsCriticalThenHottestFlowsAndFollowsARateChange() throws Exception {
        Shell.ok("modprobe", "cls_u32");
        Topology topo = Topology.create("cap");
        Daemon d = null;
        List<String> missDevices = new ArrayList<>();
        Process sender = null;
        try (SimulatedEswitch sw = SimulatedEswitch.create(2)) {
            sw.capacity(CAPACITY);
            String rep0 = sw.representor(0);
            String rep1 = sw.representor(1);
            Topology.Host vm = topo.host("vm0");
            // the VF's stand-in: what vm0 sends enters rep0's ingress
            Shell.ok("ip", "link", "add", "capwire", "type", "veth", "peer", "name", "eth0", "netns", vm.name());
            Shell.ok("ip", "link", "set", "capwire", "up");
            // no IPv6 on the wire: its router solicitations and MLD reports would be flows too
            vm.ok("sysctl", "-q", "-w", "net.ipv6.conf.eth0.disable_ipv6=1");
            vm.ip("link", "set", "eth0", "up");
            vm.ip("addr", "add", "10.9.1.1/24", "dev", "eth0");
            vm.ip("neigh", "add", "10.9.1.2", "lladdr", "02:00:00:00:01:02", "dev", "eth0");
            Shell.ok("tc", "qdisc", "add", "dev", "capwire", "clsact");
            Shell.ok("tc", "filter", "add", "dev", "capwire", "ingress", "protocol", "all", "prio", "1", "flower",
                "action", "mirred", "ingress", "redirect", "dev", rep0);

            DatapathConfig dc = new DatapathConfig().hwOffload(true).tcPolicy(TcPolicy.NONE).maxIdleMillis(120_000)
                .handlerThreads(1).revalidatorThreads(1).hwCapacity(CAPACITY).hwWatermark(80);
            d = Daemon.start(new DaemonSettings(dc, List.of(), Map.of(), List.of(sw.devlink), "", false, List.of(), false, 1, false),
                MonotonicClock.SYSTEM);
            for (PortRegistry.Entry e : d.ports().snapshot().entries()) {
                missDevices.add(e.miss().kernelSide());
            }
            StringBuilder rules = new StringBuilder();
            for (int i = 0; i < FLOWS; i++) {
                rules.append("priority=10,in_port=").append(rep0).append(",udp,tp_dst=").append(5000 + i)
                    .append(i < CRITICAL ? ",offload_class=critical" : "").append(",actions=output:").append(rep1).append('\n');
            }
            d.pipeline().loadRulesFile(rules.toString());

            // rates, packets per 0.5 s tick: critical 1; the first HOT best-effort flows 8, the rest 1
            Path rates = Files.createTempFile("rates", ".txt");
            int[] rate = new int[FLOWS];
            for (int i = 0; i < FLOWS; i++) {
                rate[i] = i < CRITICAL ? 1 : i < CRITICAL + HOT ? 8 : 1;
            }
            writeRates(rates, rate);
            String py = """
                import socket, sys, time
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                end = time.time() + float(sys.argv[2])
                while time.time() < end:
                    t = time.time()
                    try:
                        r = [int(x) for x in open(sys.argv[1]).read().split()]
                    except Exception:
                        continue
                    for i, k in enumerate(r):
                        for _ in range(k):
                            s.sendto(b'x', ('10.9.1.2', 5000 + i))
                    time.sleep(max(0.0, 0.5 - (time.time() - t)))
                """;
            sender = new ProcessBuilder(Shell.inNetns(vm.name(), "python3", "-c", py, rates.toString(), "300"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Daemon daemon = d;
            assertTrue(await(120_000, () -> byPort(daemon).size() == FLOWS) >= 0, "every flow placed: " + byPort(d).size()
                + " of ours, " + flows(d).size() + " in all");

            Map<Integer, Long> lastPackets = new HashMap<>();
            // settle: the critical flows and the HOT hot best-effort ones in the NIC
            Set<Integer> want = new TreeSet<>();
            for (int i = 0; i < CRITICAL + HOT; i++) {
                want.add(i);
            }
            assertTrue(await(120_000, () -> {
                checkMonotonic(daemon, lastPackets);
                return inHw(daemon).equals(want);
            }) >= 0, "settled: " + inHw(d) + " " + d.revalidators().counters());
            Map<Integer, Ukey> byPort = byPort(d);
            // out of the NIC: held out by placement, or (offered while the planned demotions were
            // still being made) refused by the full table in the driver's words
            FlowResult.Reason why = byPort.get(FLOWS - 1).reason();
            assertTrue(why == FlowResult.Reason.HW_CAPACITY || why == FlowResult.Reason.DEVICE_REFUSED, byPort.get(FLOWS - 1).toString());
            assertEquals(CRITICAL + HOT, sw.count(), "the NIC's own table agrees");
            ConsistencyCheck.Report audit = ConsistencyCheck.run(d.ukeys(), d.layers());
            assertTrue(audit.clean() && audit.tcFlows() == FLOWS, "the kernel holds exactly the daemon's flows: " + audit.text());

            // steady rates: over 8 rounds (4 s) nothing moves
            long moves = moves(d);
            long end = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < end) {
                checkMonotonic(d, lastPackets);
                Thread.sleep(250);
            }
            assertEquals(moves, moves(d), "no flapping at steady rates: " + d.revalidators().counters());
            assertEquals(want, inHw(d));

            // flow 200 turns hot, flow CRITICAL (a hot one) goes quiet: 200 in, CRITICAL out, within a few rounds
            rate[200] = 12;
            rate[CRITICAL] = 0;
            writeRates(rates, rate);
            Set<Integer> next = new TreeSet<>(want);
            next.remove(CRITICAL);
            next.add(200);
            assertTrue(await(30_000, () -> {
                checkMonotonic(daemon, lastPackets);
                return inHw(daemon).equals(next);
            }) >= 0, "followed the rate change: " + inHw(d) + " " + d.revalidators().counters());
            assertEquals(CRITICAL + HOT, sw.count());
            checkMonotonic(d, lastPackets);
            audit = ConsistencyCheck.run(d.ukeys(), d.layers());
            assertTrue(audit.clean(), "after the moves too: " + audit.text());
        } finally {
            if (sender != null) {
                sender.destroy();
            }
            if (d != null) {
                d.close();
            }
            for (String m : missDevices) {
                Shell.run("ip", "link", "del", m);
            }
            Shell.run("ip", "link", "del", "capwire");
            topo.close();
        }
    }

    private static void writeRates(Path f, int[] rate) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int r : rate) {
            sb.append(r).append(' ');
        }
        Path tmp = f.resolveSibling(f.getFileName() + ".new");
        Files.writeString(tmp, sb.toString());
        Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<Ukey> flows(Daemon d) {
        return DaemonVmTest.all(d);
    }

    /** Flow i by its UDP destination port 5000 + i (other flows, if any, left out). */
    private static Map<Integer, Ukey> byPort(Daemon d) {
        Map<Integer, Ukey> m = new HashMap<>();
        for (Ukey u : flows(d)) {
            long port = u.megaflow().key().get(Field.TP_DST);
            if (u.megaflow().key().get(Field.NW_PROTO) == 17 && port >= 5000 && port < 5000 + FLOWS) {
                m.put((int) port - 5000, u);
            }
        }
        return m;
    }

    private static Set<Integer> inHw(Daemon d) {
        Set<Integer> s = new TreeSet<>();
        byPort(d).forEach((i, u) -> {
            if (u.layer() == FlowLayer.TC_HW) {
                s.add(i);
            }
        });
        return s;
    }

    private static long moves(Daemon d) {
        return d.revalidators().counters().capacityPromoted() + d.revalidators().counters().capacityDemoted();
    }

    /** No flow's counters go backwards, moves between hardware and software included. */
    private static void checkMonotonic(Daemon d, Map<Integer, Long> last) {
        byPort(d).forEach((i, u) -> {
            long p = u.stats().packets();
            Long before = last.put(i, p);
            if (before != null && p < before) {
                throw new AssertionError("flow " + i + "'s packets went from " + before + " to " + p + ": " + u);
            }
        });
    }
}
