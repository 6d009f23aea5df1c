package org.offloadbridge.switchdev.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.switchdev.Eswitch;
import org.offloadbridge.switchdev.EswitchInlineMode;
import org.offloadbridge.switchdev.EswitchMode;
import org.offloadbridge.switchdev.HotplugAgent;
import org.offloadbridge.switchdev.HwTcOffload;
import org.offloadbridge.switchdev.ModelChange;
import org.offloadbridge.switchdev.Port;
import org.offloadbridge.switchdev.PortRole;
import org.offloadbridge.switchdev.Switchdev;
import org.offloadbridge.switchdev.SwitchdevException;
import org.offloadbridge.switchdev.SwitchdevModel;

/**
 * switchdev against netdevsim in the kernel VM: every operation goes through our code, and
 * iproute2/ethtool/sysfs are the oracles.
 */
@Tag("kernel-vm")
class NetdevsimSwitchdevVmTest {
    private Netdevsim nsim;
    private Switchdev sd;
    private String uplink;
    private final List<String> veths = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        // A kernel-vm test: the VM kernel must have netdevsim; a missing prerequisite fails, never skips.
        assertTrue(Netdevsim.available(), "netdevsim not loaded: " + Netdevsim.BUS + "/new_device is not writable (run inside tests/vm)");
        nsim = Netdevsim.create(1);
        uplink = nsim.netdevs().getFirst();
        final String v = "sdv" + nsim.id;
        NetNs.ip("link", "add", v + "a", "type", "veth", "peer", "name", v + "b");
        veths.add(v + "a");
        sd = Switchdev.open();
        sd.setNumVfs(uplink, 2);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (sd != null) {
            sd.close();
        }
        for (String v : veths) {
            try {
                NetNs.ip("link", "del", v);
            } catch (RuntimeException ignored) {
                // already gone with its peer
            }
        }
        if (nsim != null) {
            nsim.close();
        }
    }

    private Eswitch myEswitch(SwitchdevModel.Snapshot s) {
        final Port up = s.port(uplink);
        assertNotNull(up, "uplink " + uplink + " not discovered; ports: " + s.ports().values());
        return s.eswitchOf(up);
    }

    private static Map<Integer, String> vfNames(Eswitch e) {
        final Map<Integer, String> m = new java.util.TreeMap<>();
        e.vfRepresentors().forEach((vf, p) -> m.put(vf, p.name()));
        return m;
    }

    @Test
    void switchToSwitchdevAndDiscover() throws Exception {
        SwitchdevModel.Snapshot s = sd.discover();
        Eswitch e = myEswitch(s);
        assertEquals(EswitchMode.LEGACY, e.mode());
        assertEquals(EswitchMode.LEGACY, sd.eswitch(nsim.devlink()).mode());
        assertTrue(e.vfRepresentors().isEmpty());

        sd.setEswitch(nsim.devlink(), EswitchMode.SWITCHDEV, null, null);
        assertTrue(NetNs.run("devlink", "dev", "eswitch", "show", nsim.devlink().toString()).contains("mode switchdev"));
        Netdevsim.waitFor(() -> nsim.netdevs().size() == 3, "2 VF representors");

        s = sd.discover();
        e = myEswitch(s);
        assertEquals(EswitchMode.SWITCHDEV, e.mode());
        assertEquals(List.of(uplink), e.uplinks().stream().map(Port::name).toList());
        assertEquals(PortRole.UPLINK, s.port(uplink).role());
        assertEquals(List.of(0, 1), List.copyOf(e.vfRepresentors().keySet()));
        final String rep0 = e.vfRepresentors().get(0).name();
        final String rep1 = e.vfRepresentors().get(1).name();
        assertEquals(nsim.devlink(), e.devlink());
        // devlink and sysfs agree with what we found
        final String dl = NetNs.run("devlink", "port", "show");
        assertTrue(dl.contains("netdev " + rep0 + " flavour pcivf controller 0 pfnum 0 vfnum 0"), dl);
        for (Port p : List.of(s.port(rep0), s.port(rep1), s.port(uplink))) {
            assertEquals(List.of(), p.problems(), p.name());
            assertNotNull(p.devlinkPort(), p.name());
        }
        for (String v : List.of(veths.getFirst(), veths.getFirst().replace("a", "b"))) {
            assertEquals(PortRole.PLAIN, s.port(v).role());
            assertEquals("veth", s.port(v).linkKind());
        }
        assertTrue(sd.model().sameSwitch(rep0, rep1));
        assertTrue(sd.model().sameSwitch(uplink, rep1));
        assertFalse(sd.model().sameSwitch(rep0, veths.getFirst()));
        assertFalse(sd.model().sameSwitch(veths.getFirst(), veths.getFirst().replace("a", "b")));
    }

    @Test
    void modelFollowsVfCountAndRenamesThroughEvents() throws Exception {
        sd.setEswitch(nsim.devlink(), EswitchMode.SWITCHDEV, null, null);
        sd.discover();
        final List<ModelChange> heard = new CopyOnWriteArrayList<>();
        sd.model().addListener((snap, changes) -> heard.addAll(changes));
        try (HotplugAgent agent = sd.hotplugAgent()) {
            assertTrue(agent.listensToDevlink());
            sd.setNumVfs(uplink, 4);
            Netdevsim.waitFor(() -> {
                agent.doWork();
                return !agent.passPending() && vfNames(myEswitch(sd.model().snapshot())).size() == 4;
            }, "4 VF representors in the model");
            assertTrue(heard.stream().anyMatch(c -> c instanceof ModelChange.PortAdded a && a.port().vf() == 3), heard.toString());

            sd.setNumVfs(uplink, 1);
            Netdevsim.waitFor(() -> {
                agent.doWork();
                return !agent.passPending() && vfNames(myEswitch(sd.model().snapshot())).size() == 1;
            }, "1 VF representor in the model");
            assertTrue(heard.stream().anyMatch(c -> c instanceof ModelChange.PortRemoved r && r.port().vf() == 3));

            final String rep0 = myEswitch(sd.model().snapshot()).vfRepresentors().get(0).name();
            final String renamed = "vm" + nsim.id + "r0";
            NetNs.ip("link", "set", "dev", rep0, "name", renamed);
            Netdevsim.waitFor(() -> {
                agent.doWork();
                return !agent.passPending() && renamed.equals(vfNames(myEswitch(sd.model().snapshot())).get(0));
            }, "the rename of " + rep0 + " to " + renamed);
            assertTrue(heard.stream().anyMatch(c -> c instanceof ModelChange.PortChanged ch
                    && ch.before().name().equals(rep0) && ch.after().name().equals(renamed)));
            assertTrue(agent.counters().rediscoveries() >= 3);
            assertEquals(0, agent.counters().failedRediscoveries(), String.valueOf(agent.lastFailure()));
        }
    }

    @Test
    void hwTcOffloadThroughEthtoolNetlink() throws Exception {
        sd.setEswitch(nsim.devlink(), EswitchMode.SWITCHDEV, null, null);
        Netdevsim.waitFor(() -> nsim.netdevs().size() == 3, "2 VF representors");
        final String rep = myEswitch(sd.discover()).vfRepresentors().get(0).name();
        for (String dev : List.of(rep, uplink)) {
            assertEquals(HwTcOffload.ON, sd.setHwTcOffload(dev, true), dev);
            assertTrue(NetNs.run("ethtool", "-k", dev).contains("hw-tc-offload: on\n"), dev);
            assertEquals(HwTcOffload.ON, sd.hwTcOffload(dev));
            assertEquals(HwTcOffload.OFF, sd.setHwTcOffload(dev, false), dev);
            assertTrue(NetNs.run("ethtool", "-k", dev).contains("hw-tc-offload: off\n"), dev);
            assertEquals(HwTcOffload.ON, sd.setHwTcOffload(dev, true), dev);
        }
        // veth has no NETIF_F_HW_TC in hw_features: reported fixed, as ethtool shows it.
        assertEquals(HwTcOffload.FIXED_OFF, sd.setHwTcOffload(veths.getFirst(), true));
        assertTrue(NetNs.run("ethtool", "-k", veths.getFirst()).contains("hw-tc-offload: off [fixed]"));
        assertEquals(HwTcOffload.ON, sd.discover().port(rep).hwTcOffload());
    }

    @Test
    void refusalCarriesTheKernelsAnswer() throws Exception {
        // netdevsim implements no inline mode: the kernel refuses, and we say so with errno and text.
        final SwitchdevException e = assertThrows(SwitchdevException.class,
                () -> sd.setEswitch(nsim.devlink(), null, EswitchInlineMode.LINK, null));
        assertEquals(95, e.errno());
        assertTrue(e.getMessage().startsWith("devlink dev eswitch set " + nsim.devlink() + " inline-mode link: EOPNOTSUPP"),
                e.getMessage());
        final SwitchdevException gone = assertThrows(SwitchdevException.class,
                () -> sd.eswitch(new org.offloadbridge.switchdev.DevlinkHandle("netdevsim", "netdevsim99999999")));
        assertEquals(19, gone.errno(), gone.getMessage());
    }

    @Test
    void kernelExtackTextReachesTheCaller() {
        try (var kv = org.offloadbridge.switchdev.internal.NetlinkKernelView.open(
                org.offloadbridge.switchdev.internal.SysfsReader.system())) {
            final SwitchdevException e = assertThrows(SwitchdevException.class,
                    () -> kv.setFeature(uplink, "no-such-feature", true));
            assertNotNull(e.kernelMessage(), e.getMessage());
            assertTrue(e.getMessage().startsWith("ethtool -K " + uplink + " no-such-feature on: "), e.getMessage());
            assertTrue(e.getMessage().endsWith(e.kernelMessage()) || e.getMessage().contains(e.kernelMessage() + " ["),
                    e.getMessage());
            System.out.println("kernel said: " + e.getMessage());
        }
    }

    @Test
    void devicesComingAndGoingDuringDiscoveryLeaveConsistentSnapshots() throws Exception {
        sd.setEswitch(nsim.devlink(), EswitchMode.SWITCHDEV, null, null);
        final AtomicReference<Throwable> churnFailure = new AtomicReference<>();
        final Thread churn = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 8; i++) {
                    try (Netdevsim other = Netdevsim.create(1)) {
                        java.nio.file.Files.writeString(other.dir.resolve("sriov_numvfs"), "2");
                        NetNs.run("devlink", "dev", "eswitch", "set", other.devlink().toString(), "mode", "switchdev");
                    }
                }
            } catch (Throwable t) {
                churnFailure.set(t);
            }
        });
        int passes = 0;
        final List<String> seenProblems = new ArrayList<>();
        while (churn.isAlive() && passes < 200) {
            final SwitchdevModel.Snapshot s = sd.discover();
            passes++;
            // Consistent: every port an e-switch lists is the port the snapshot has under that ifindex.
            for (Eswitch e : s.eswitches().values()) {
                for (Port p : e.uplinks()) {
                    assertEquals(p, s.ports().get(p.ifindex()));
                }
                for (Port p : e.representors()) {
                    assertEquals(p, s.ports().get(p.ifindex()));
                }
            }
            assertEquals(2, vfNames(myEswitch(s)).size());
            s.problems().forEach(p -> seenProblems.add(p.toString()));
        }
        churn.join(60_000);
        if (churnFailure.get() != null) {
            throw new AssertionError("churn thread failed", churnFailure.get());
        }
        assertTrue(passes > 0);
        System.out.println("discovery passes during churn: " + passes + ", problems reported: " + seenProblems.size()
                + (seenProblems.isEmpty() ? "" : " e.g. " + seenProblems.getFirst()));
    }

    @Test
    void lostEventsAreRecoveredByRediscovery() throws Exception {
        sd.setEswitch(nsim.devlink(), EswitchMode.SWITCHDEV, null, null);
        sd.discover();
        try (HotplugAgent agent = sd.hotplugAgent()) {
            // A tiny buffer and no draining while VFs churn: the kernel must drop events (ENOBUFS).
            agent.receiveBufferSize(1024);
            for (int i = 0; i < 6 && agent.counters().lostEvents() == 0; i++) {
                sd.setNumVfs(uplink, i % 2 == 0 ? 4 : 3);
                sd.setNumVfs(uplink, 4);
                agent.doWork();
            }
            assertTrue(agent.counters().lostEvents() > 0, "the kernel dropped no events; nothing was tested");
            Netdevsim.waitFor(() -> {
                agent.doWork();
                return vfNames(myEswitch(sd.model().snapshot())).size() == 4;
            }, "the model to show 4 VF representors after lost events");
            assertEquals(List.of(0, 1, 2, 3), List.copyOf(myEswitch(sd.model().snapshot()).vfRepresentors().keySet()));
        }
    }

    @Test
    void commandLineShowsWhatDevlinkShows() throws Exception {
        sd.setEswitch(nsim.devlink(), EswitchMode.SWITCHDEV, null, null);
        Netdevsim.waitFor(() -> nsim.netdevs().size() == 3, "2 VF representors");
        final java.io.StringWriter out = new java.io.StringWriter();
        final java.io.StringWriter err = new java.io.StringWriter();
        assertEquals(0, org.offloadbridge.switchdev.cli.SwitchdevCli.run(new String[] {"show"},
                new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true)), err.toString());
        final String text = out.toString();
        // every devlink port iproute2 lists for our device appears on the netdev's line, with role and mode
        for (String line : NetNs.run("devlink", "port", "show").split("\n")) {
            if (!line.startsWith(nsim.devlink() + "/")) {
                continue;
            }
            final String portId = line.substring(0, line.indexOf(':'));
            final String netdev = line.replaceAll(".* netdev (\\S+) .*", "$1");
            final String row = text.lines().filter(l -> l.startsWith(netdev + " ")).findFirst().orElseThrow(() ->
                    new AssertionError(netdev + " missing from:\n" + text));
            assertTrue(row.contains(" " + portId + " "), row);
            assertTrue(row.contains(" switchdev "), row);
            assertTrue(row.contains(line.contains("pcivf") ? " vf-rep " : " uplink "), row);
        }
        assertTrue(text.lines().anyMatch(l -> l.startsWith(veths.getFirst() + " ") && l.contains(" plain ")), text);

        final java.io.StringWriter json = new java.io.StringWriter();
        assertEquals(0, org.offloadbridge.switchdev.cli.SwitchdevCli.run(new String[] {"show", "--json"},
                new java.io.PrintWriter(json, true), new java.io.PrintWriter(err, true)), err.toString());
        assertTrue(json.toString().contains("\"netdev\":\"" + uplink + "\""), json.toString());

        final java.io.StringWriter o2 = new java.io.StringWriter();
        assertEquals(0, org.offloadbridge.switchdev.cli.SwitchdevCli.run(new String[] {"eswitch", nsim.devlink().toString()},
                new java.io.PrintWriter(o2, true), new java.io.PrintWriter(err, true)));
        assertEquals(nsim.devlink() + ": mode switchdev\n", o2.toString());
        final java.io.StringWriter e3 = new java.io.StringWriter();
        assertEquals(1, org.offloadbridge.switchdev.cli.SwitchdevCli.run(new String[] {"offload", veths.getFirst(), "on"},
                new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(e3, true)));
        assertTrue(e3.toString().contains("hw-tc-offload cannot be turned on (the driver marks it fixed)"), e3.toString());
    }
}
