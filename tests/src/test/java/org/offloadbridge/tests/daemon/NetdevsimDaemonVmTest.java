package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.tests.daemon.TwoHosts.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.DaemonSettings;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.SimulatedEswitch;
import org.offloadbridge.testkit.Topology;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * The daemon on a real switchdev e-switch: netdevsim's, in the VM's root namespace (netdevsim
 * devices are born there, and sysfs shows that namespace). The config names no port, only the
 * e-switch; its uplink and VF representors must be found and attached, follow a VF count change,
 * and a flow between two representors must try the NIC first and record why it is not there in
 * the driver's own words; once the device takes it, it lands in_hw and its counters come from
 * the device (the simulated e-switch, tests/vm/netdevsim-flower-6.1.patch).
 */
@Tag("kernel-vm")
@Timeout(300)
class NetdevsimDaemonVmTest {
    private static final Path BUS = Path.of("/sys/bus/netdevsim");

    @BeforeAll
    static void clsU32() {
        Shell.ok("modprobe", "cls_u32");
    }

    /** The representors of VFs of netdevsim{@code id}: netdevs whose phys_port_name is pf0vfN. */
    private static Set<String> representors(int id) throws Exception {
        Set<String> reps = new TreeSet<>();
        String out = Shell.sh("for d in /sys/class/net/*; do n=$(cat $d/phys_port_name 2>/dev/null); "
            + "case \"$n\" in pf0vf*) echo $(basename $d) $(readlink -f $d/device 2>/dev/null);; esac; done; true");
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2 && f[1].endsWith("/netdevsim" + id)) {
                reps.add(f[0]);
            }
        }
        return reps;
    }

    private static List<PortRegistry.Entry> entries(Daemon d) {
        return d.ports().snapshot().entries();
    }

    @Test
    void eswitchPortsAreAttachedWithoutNamesFollowHotplugAndRefusalsKeepTheDriversText() throws Exception {
        int id = 300 + (int) (ProcessHandle.current().pid() % 500);
        String handle = "netdevsim/netdevsim" + id;
        Files.writeString(BUS.resolve("new_device"), id + " 1");
        Daemon d = null;
        List<String> missDevices = new ArrayList<>();
        Topology root = Topology.create("nsim");
        try {
            Files.writeString(BUS.resolve("devices/netdevsim" + id + "/sriov_numvfs"), "2");
            Shell.ok("devlink", "dev", "eswitch", "set", handle, "mode", "switchdev");
            assertTrue(await(10_000, () -> {
                try {
                    return representors(id).size() == 2;
                } catch (Exception e) {
                    return false;
                }
            }) >= 0, "two VF representors");
            Set<String> reps = representors(id);
            for (String r : reps) {
                Shell.sh("ip link set " + r + " up; ethtool -K " + r + " hw-tc-offload on 2>/dev/null; true");
            }

            DatapathConfig dc = new DatapathConfig().hwOffload(true).tcPolicy(TcPolicy.SKIP_SW).maxIdleMillis(120_000)
                .handlerThreads(1).revalidatorThreads(1);
            DaemonSettings s = new DaemonSettings(dc, List.of(), java.util.Map.of(), List.of(handle), "", false, List.of(), false, 1, false);
            d = Daemon.start(s, MonotonicClock.SYSTEM);
            Daemon daemon = d;
            for (PortRegistry.Entry e : entries(d)) {
                missDevices.add(e.miss().kernelSide());
            }
            System.out.println("NetdevsimDaemonVmTest: attached " + entries(d));
            Set<String> attached = entries(d).stream().map(PortRegistry.Entry::name).collect(Collectors.toCollection(TreeSet::new));
            assertTrue(attached.containsAll(reps), "every representor attached without being named: " + attached + " ⊇ " + reps);
            assertEquals(reps.size() + 1, attached.size(), "and the uplink: " + attached);
            for (PortRegistry.Entry e : entries(d)) {
                assertEquals(handle, e.eswitch(), e.toString());
            }

            // A flow from one representor to the other: same e-switch, so skip_sw is tried first.
            // The simulated e-switch (tests/vm/netdevsim-flower-6.1.patch) is told to refuse
            // redirects first, so the refusal comes in the driver's words.
            Path knobs = Path.of("/sys/kernel/debug/netdevsim/netdevsim" + id + "/tc");
            String defaultActions = Files.readString(knobs.resolve("unsupported_actions")).trim();
            Files.writeString(knobs.resolve("unsupported_actions"),
                "0x" + Long.toHexString(Long.parseUnsignedLong(defaultActions.substring(2), 16) | 1L << SimulatedEswitch.ACTION_REDIRECT));
            List<String> r = new ArrayList<>(reps);
            PortRegistry.Entry a = d.ports().snapshot().byName().get(r.get(0));
            PortRegistry.Entry b = d.ports().snapshot().byName().get(r.get(1));
            d.pipeline().loadRulesFile("priority=10,in_port=" + a.name() + ",actions=output:" + b.name() + "\n");
            // netdevsim ports carry no traffic on this kernel: the miss is injected where a miss
            // arrives, on the port's miss device (its kernel side transmits into the datapath side).
            String frame = "ffffffffffff" + "020000000001" + "0800"
                + "4500001c00000000401100000a0000010a000002" + "1f901f900008" + "0000";
            Shell.ok("python3", "-c", "import socket,sys\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
                + "s.bind((sys.argv[1],0))\ns.send(bytes.fromhex(sys.argv[2]))", a.miss().kernelSide(), frame);
            assertTrue(await(20_000, () -> !all(daemon).isEmpty()
                && all(daemon).get(0).state() == org.offloadbridge.upcall.handler.UkeyState.OPERATIONAL) >= 0,
                "the miss became a placed flow: " + daemon.upcallCounters() + " " + all(daemon));
            Ukey u = all(d).get(0);
            System.out.println("NetdevsimDaemonVmTest: skip_sw → " + u.layer() + " " + u.reasonText());
            assertEquals(FlowResult.Reason.DEVICE_REFUSED, u.reason(), u.toString());
            assertNotNull(u.kernelText(), u.toString());
            assertTrue(u.kernelText().contains("netdevsim"), "the driver's own text: " + u.kernelText());
            assertEquals(FlowLayer.NONE, u.layer(), "skip_sw allows no software tc; no DPDK here: the slow path");

            // tc-policy none: tc keeps it in software, not_in_hw, and says the device declined.
            d.setPolicy(true, TcPolicy.NONE);
            assertTrue(await(10_000, () -> all(daemon).stream().allMatch(k -> k.layer() == FlowLayer.TC_SW)) >= 0,
                "moved to software tc: " + all(d));
            Ukey moved = all(d).get(0);
            assertEquals(FlowResult.Reason.DEVICE_REFUSED, moved.reason(), moved.toString());
            assertTrue(moved.reasonText().contains("not_in_hw") || String.valueOf(moved.reasonDetail()).contains("not_in_hw"),
                moved.reasonText() + " / " + moved.reasonDetail());
            List<TwoHosts.Filter> fl = TwoHosts.filters(root.root(), a.name()).stream()
                .filter(f -> f.kind().equals("flower")).toList();
            assertEquals(1, fl.size(), fl.toString());
            assertTrue(fl.get(0).notInHw(), fl.toString());

            // The device takes redirects again and the policy is skip_sw: the flow moves into the
            // "hardware" (in_hw, one rule in its table), and its counters come from there.
            Files.writeString(knobs.resolve("unsupported_actions"), defaultActions);
            d.setPolicy(true, TcPolicy.SKIP_SW);
            assertTrue(await(10_000, () -> all(daemon).stream().allMatch(k -> k.layer() == FlowLayer.TC_HW)) >= 0,
                "moved into hardware: " + all(d));
            Ukey hw = all(d).get(0);
            assertEquals(FlowResult.Reason.NONE, hw.reason(), hw.toString());
            fl = TwoHosts.filters(root.root(), a.name()).stream().filter(f -> f.kind().equals("flower")).toList();
            assertEquals(1, fl.size(), fl.toString());
            assertFalse(fl.get(0).notInHw(), "in_hw: " + fl);
            String rules = Files.readString(knobs.resolve("rules")).trim();
            assertEquals(1, rules.lines().count(), rules);
            String rule = rules.substring(0, rules.indexOf(' '));
            long before = hw.stats().packets();
            long beforeBytes = hw.stats().bytes();
            Files.writeString(knobs.resolve("stats_add"), rule + " 7 700");
            assertTrue(await(20_000, () -> all(daemon).get(0).stats().packets() == before + 7) >= 0,
                "the revalidator read the hardware's counters: " + all(d) + " (" + rules + ")");
            assertEquals(beforeBytes + 700, all(d).get(0).stats().bytes(), all(d).toString());

            // The "hardware" drops the rule on its own: the next dump finds the filter in_hw but
            // without hardware counters, and the revalidator offers it to the device again.
            String evicted = rule;
            Files.writeString(knobs.resolve("evict"), evicted);
            assertTrue(await(20_000, () -> daemon.revalidators().counters().deviceLost() >= 1
                && knobRules(knobs).size() == 1 && !knobRules(knobs).get(0).startsWith(evicted + " ")) >= 0,
                "noticed and placed again: " + daemon.revalidators().counters() + " " + knobRules(knobs));
            assertEquals(FlowLayer.TC_HW, all(d).get(0).layer(), all(d).toString());
            assertTrue(all(d).get(0).stats().packets() >= before + 7, "counters kept: " + all(d));

            // Lost again while the table is full: skip_sw allows no software tc and there is no
            // DPDK here, so the slow path, no-space, in the driver's words. Room frees, the flow
            // still carries traffic (misses the daemon executes): promoted back into hardware.
            Files.writeString(knobs.resolve("capacity"), "0");
            Files.writeString(knobs.resolve("evict"), knobRules(knobs).get(0).split(" ")[0]);
            assertTrue(await(20_000, () -> all(daemon).get(0).layer() == FlowLayer.NONE) >= 0, "fell back: " + all(d));
            Ukey fell = all(d).get(0);
            assertEquals(FlowResult.Reason.NO_SPACE, fell.reason(), fell.toString());
            assertTrue(String.valueOf(fell.kernelText()).contains("netdevsim: hardware flow table is full"), fell.toString());
            Files.writeString(knobs.resolve("capacity"), "1024");
            long promotedBefore = daemon.revalidators().counters().promoted();
            assertTrue(await(30_000, () -> {
                Shell.ok("python3", "-c", "import socket,sys\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
                    + "s.bind((sys.argv[1],0))\ns.send(bytes.fromhex(sys.argv[2]))", a.miss().kernelSide(), frame);
                return all(daemon).get(0).layer() == FlowLayer.TC_HW;
            }) >= 0, "promoted once room freed: " + all(d) + " " + daemon.revalidators().counters());
            assertEquals(promotedBefore + 1, daemon.revalidators().counters().promoted());
            assertEquals(1, knobRules(knobs).size(), knobRules(knobs).toString());

            // Idle expiry reads the device's counters: with max-idle 2 s the flow stays for 8 s
            // while only the hardware counts (no packet reaches the daemon), and goes once the
            // hardware stops counting (after max-idle plus the grace for lagging hardware stats).
            d.setMaxIdleMillis(2_000);
            String live = knobRules(knobs).get(0).split(" ")[0];
            long end = System.nanoTime() + 8_000_000_000L;
            while (System.nanoTime() < end) {
                Files.writeString(knobs.resolve("stats_add"), live + " 10 1000");
                Thread.sleep(400);
            }
            assertEquals(1, all(d).size(), "alive while the hardware counts: " + all(d));
            assertEquals(FlowLayer.TC_HW, all(d).get(0).layer());
            assertTrue(await(30_000, () -> all(daemon).isEmpty() && knobRules(knobs).isEmpty()) >= 0,
                "expired once the hardware stopped counting: " + all(d) + " " + knobRules(knobs));
            d.setMaxIdleMillis(120_000);

            // Hotplug: VFs 2 → 3; the representors are re-created, and followed.
            Files.writeString(BUS.resolve("devices/netdevsim" + id + "/sriov_numvfs"), "0");
            Files.writeString(BUS.resolve("devices/netdevsim" + id + "/sriov_numvfs"), "3");
            Shell.run("devlink", "dev", "eswitch", "set", handle, "mode", "switchdev");
            assertTrue(await(20_000, () -> {
                try {
                    Set<String> now = representors(id);
                    Set<String> att = entries(daemon).stream().map(PortRegistry.Entry::name).collect(Collectors.toSet());
                    return now.size() == 3 && att.containsAll(now) && att.size() == 4;
                } catch (Exception e) {
                    return false;
                }
            }) >= 0, "the new representors attached, the old ones gone: " + entries(d) + " vs " + representors(id));
            for (PortRegistry.Entry e : entries(d)) {
                missDevices.add(e.miss().kernelSide());
            }
        } finally {
            if (d != null) {
                d.close();
            }
            for (String m : missDevices) {
                Shell.run("ip", "link", "del", m);
            }
            Files.writeString(BUS.resolve("del_device"), Integer.toString(id));
            root.close();
        }
    }

    /** The simulated e-switch's table, one line per rule. */
    private static List<String> knobRules(Path knobs) {
        try {
            return Files.readString(knobs.resolve("rules")).lines().filter(l -> !l.isBlank()).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Ukey> all(Daemon d) {
        return DaemonVmTest.all(d);
    }
}
