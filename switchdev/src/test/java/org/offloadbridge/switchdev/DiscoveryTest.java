package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.switchdev.internal.Discovery;
import org.offloadbridge.switchdev.internal.KernelView;
import org.offloadbridge.switchdev.internal.LinkIdentity;
import org.offloadbridge.switchdev.internal.SysfsReader;

/**
 * Discovery's joins and its behaviour when the kernel changes between reads, on the recorded
 * mlx5 ConnectX sysfs tree with a scripted rtnetlink/devlink side.
 */
class DiscoveryTest {
    private static final SwitchId SID = SwitchId.parseHex("248a070300b3d112");
    private static final DevlinkHandle PF = new DevlinkHandle("pci", "0000:06:00.0");

    /** A kernel whose answers the test sets. */
    static class Scripted implements KernelView {
        List<LinkIdentity> links = new ArrayList<>();
        List<DevlinkPort> ports = new ArrayList<>();
        Map<DevlinkHandle, Object> eswitch = Map.of(); // EswitchState, or a RuntimeException to throw
        SysfsReader sysfs;
        Runnable afterLinkDump = () -> { };

        @Override
        public List<LinkIdentity> links() {
            final List<LinkIdentity> l = List.copyOf(links);
            afterLinkDump.run();
            return l;
        }

        @Override
        public List<DevlinkPort> devlinkPorts() {
            return ports;
        }

        @Override
        public EswitchState eswitch(DevlinkHandle h) {
            final Object o = eswitch.get(h);
            if (o instanceof RuntimeException e) {
                throw e;
            }
            return (EswitchState) o;
        }

        @Override
        public HwTcOffload hwTcOffload(String netdev) {
            return netdev.startsWith("ens2f0n") ? HwTcOffload.ON : HwTcOffload.FIXED_OFF;
        }

        @Override
        public SysfsReader sysfs() {
            return sysfs;
        }
    }

    private Scripted k;
    private Path root;

    @BeforeEach
    void setUp(@TempDir Path tmp) throws Exception {
        root = SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        k = new Scripted();
        k.sysfs = new SysfsReader(root);
        k.links.add(new LinkIdentity(4, "ens2f0np0", null, SID, "p0", "pci", "0000:06:00.0"));
        k.links.add(new LinkIdentity(10, "ens2f0npf0vf0", null, SID, "pf0vf0", "pci", "0000:06:00.0"));
        k.links.add(new LinkIdentity(11, "ens2f0npf0vf1", null, SID, "pf0vf1", "pci", "0000:06:00.0"));
        k.links.add(new LinkIdentity(20, "veth0", "veth", null, null, null, null));
        k.ports.add(port(65535, 4, "ens2f0np0", DevlinkPortFlavour.PHYSICAL, -1, -1));
        k.ports.add(port(1, 10, "ens2f0npf0vf0", DevlinkPortFlavour.PCI_VF, 0, 0));
        k.ports.add(port(2, 11, "ens2f0npf0vf1", DevlinkPortFlavour.PCI_VF, 0, 1));
        k.eswitch = Map.of(PF, new EswitchState(EswitchMode.SWITCHDEV, EswitchInlineMode.NONE, EswitchEncapMode.BASIC));
    }

    private static DevlinkPort port(long index, int ifindex, String name, DevlinkPortFlavour f, int pf, int vf) {
        return new DevlinkPort(PF, index, f.value(), f, ifindex, name, f == DevlinkPortFlavour.PHYSICAL ? 0 : -1, -1,
                f == DevlinkPortFlavour.PHYSICAL ? -1 : 0, false, pf, vf, -1);
    }

    @Test
    void joinsTheThreeSources() {
        final var s = Discovery.discover(k, true);
        assertEquals(List.of(), s.problems());
        final Eswitch e = s.eswitches().get(SID.toString());
        assertEquals(EswitchMode.SWITCHDEV, e.mode());
        assertEquals(EswitchEncapMode.BASIC, e.state().encapMode());
        assertEquals(List.of(PF), e.devlinks());
        assertEquals(2, e.vfRepresentors().size());
        assertEquals(65535, s.port("ens2f0np0").devlinkPort().index());
        assertEquals(HwTcOffload.ON, s.port("ens2f0npf0vf1").hwTcOffload());
        assertEquals(HwTcOffload.FIXED_OFF, s.port("veth0").hwTcOffload());
        assertEquals(PortRole.PLAIN, s.port("veth0").role());
        assertEquals("veth", s.port("veth0").linkKind());
        s.ports().values().forEach(p -> assertEquals(List.of(), p.problems(), p.name()));
    }

    @Test
    void devlinkInstanceGoneBeforeEswitchShow() {
        k.eswitch = Map.of(PF, new SwitchdevException("devlink dev eswitch show pci/0000:06:00.0: ENODEV", null, 19, null));
        final var s = Discovery.discover(k, false);
        assertEquals("pci/0000:06:00.0: went away during discovery (ENODEV on eswitch show)", s.problems().getFirst().toString());
        final Eswitch e = s.eswitches().get(SID.toString());
        assertNull(e.mode());
        // The ports the link dump had are all still there and classified.
        assertEquals(2, e.vfRepresentors().size());
        assertEquals("e-switch mode unknown (devlink did not answer)", e.problems().getFirst().what());
    }

    @Test
    void devlinkPortWhoseNetdevIsGone() {
        k.ports.add(port(3, 12, "ens2f0npf0vf2", DevlinkPortFlavour.PCI_VF, 0, 2));
        final var s = Discovery.discover(k, false);
        assertEquals("devlink port pci/0000:06:00.0/3: names netdev ifindex 12 (ens2f0npf0vf2) which the link dump did not have"
                + " (gone since?)", s.problems().getFirst().toString());
        assertEquals(2, s.eswitches().get(SID.toString()).vfRepresentors().size());
    }

    @Test
    void netdevRenamedBetweenLinkDumpAndSysfsLookup() throws Exception {
        // The link dump says ifindex 11 is "ens2f0npf0vf1"; before sysfs is read, udev renames it.
        k.afterLinkDump = () -> {
            try {
                Files.move(root.resolve("class/net/ens2f0npf0vf1"), root.resolve("class/net/vm7-eth0"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        final var s = Discovery.discover(k, false);
        final Port p = s.ports().get(11);
        assertEquals("ens2f0npf0vf1", p.name());
        // rtnetlink and devlink still say what it is: a VF 1 representor on the e-switch.
        assertEquals(PortRole.VF_REPRESENTOR, p.role());
        assertEquals(SID, p.switchId());
        assertTrue(p.problems().getFirst().what().startsWith("sysfs: netdev ens2f0npf0vf1 not found at "), p.problems().toString());
        assertTrue(s.problems().isEmpty());
    }

    @Test
    void nameTakenByAnotherNetdevBetweenDumpAndLookup() throws Exception {
        // Swap: sysfs "ens2f0npf0vf0" now is ifindex 11's directory.
        Files.writeString(root.resolve("devices/pci0000:00/0000:00:02.0/0000:06:00.0/net/ens2f0npf0vf0/ifindex"), "11\n");
        final var s = Discovery.discover(k, false);
        final Port p = s.ports().get(10);
        assertEquals("netdev ens2f0npf0vf0: sysfs now shows ifindex 11 under this name, the link dump had 10 (renamed since);"
                + " sysfs facts ignored", p.problems().getFirst().toString());
        assertEquals(PortRole.VF_REPRESENTOR, p.role());
    }

    @Test
    void devlinkNameDiffersFromLinkDump() {
        k.ports.set(1, port(1, 10, "eth5", DevlinkPortFlavour.PCI_VF, 0, 0));
        final var s = Discovery.discover(k, false);
        assertEquals("netdev ens2f0npf0vf0: devlink port pci/0000:06:00.0/1 named it eth5 (renamed since; using ens2f0npf0vf0)",
                s.ports().get(10).problems().getFirst().toString());
    }

    @Test
    void noDevlinkFamily() {
        final Scripted noDl = new Scripted() {
            @Override
            public List<DevlinkPort> devlinkPorts() {
                throw new UnsupportedOperationException("this kernel has no 'devlink' generic netlink family");
            }

            @Override
            public EswitchState eswitch(DevlinkHandle h) {
                throw new UnsupportedOperationException("this kernel has no 'devlink' generic netlink family");
            }
        };
        noDl.links = k.links;
        noDl.sysfs = k.sysfs;
        final var s = Discovery.discover(noDl, false);
        assertEquals(List.of(new Problem("devlink", "this kernel has no 'devlink' generic netlink family")), s.problems());
        // Still classified from phys_port_name and sysfs.
        assertEquals(2, s.eswitches().get(SID.toString()).vfRepresentors().size());
        assertEquals(PF, s.port("ens2f0npf0vf0").devlink());
    }
}
