package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.switchdev.internal.RoleClassifier;
import org.offloadbridge.switchdev.internal.LinkIdentity;
import org.offloadbridge.switchdev.internal.SysfsNetdev;
import org.offloadbridge.switchdev.internal.SysfsReader;

class SysfsReaderTest {

    private static final String PF = "devices/pci0000:00/0000:00:02.0/0000:06:00.0";

    @Test
    void unreadableSwitchIdIsReportedAndThePortIsNotGuessedOntoTheSwitch(@TempDir Path tmp) throws Exception {
        SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        // A directory where the attribute file should be: reading it fails with an I/O error
        // (we run as root, so permission bits would not stop us).
        final Path sid = tmp.resolve(PF + "/net/ens2f0npf0vf1/phys_switch_id");
        Files.delete(sid);
        Files.createDirectory(sid);
        final SysfsNetdev s = new SysfsReader(tmp).read("ens2f0npf0vf1");
        assertNull(s.switchId());
        assertEquals(1, s.problems().size());
        assertTrue(s.problems().getFirst().where().endsWith("ens2f0npf0vf1/phys_switch_id"), s.problems().toString());
        assertTrue(s.problems().getFirst().what().startsWith("unreadable: "), s.problems().toString());

        final SwitchdevModel m = Mlx5FixturesTest.modelFromSysfs(tmp);
        final Port p = m.snapshot().port("ens2f0npf0vf1");
        // Still a VF representor by its name, but with no switch id it is on no known e-switch:
        // sameSwitch must say no rather than guess.
        assertEquals(PortRole.VF_REPRESENTOR, p.role());
        assertEquals(false, m.sameSwitch("ens2f0npf0vf0", "ens2f0npf0vf1"));
        assertEquals(1, p.problems().size());
        final Eswitch e = m.snapshot().eswitches().get("248a070300b3d112");
        assertEquals(List.of(0), List.copyOf(e.vfRepresentors().keySet()));
    }

    @Test
    void garbageSwitchIdIsReported(@TempDir Path tmp) throws Exception {
        SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        Files.writeString(tmp.resolve(PF + "/net/ens2f0np0/phys_switch_id"), "zz12\n");
        final SysfsNetdev s = new SysfsReader(tmp).read("ens2f0np0");
        assertNull(s.switchId());
        assertTrue(s.problems().getFirst().what().contains("not a switch id: 'zz12'"), s.problems().toString());
    }

    @Test
    void unknownPortNameWithSwitchIdIsUnclassified(@TempDir Path tmp) throws Exception {
        SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        Files.writeString(tmp.resolve(PF + "/net/ens2f0npf0vf1/phys_port_name"), "pf0hpf\n");
        final SwitchdevModel m = Mlx5FixturesTest.modelFromSysfs(tmp);
        final Port p = m.snapshot().port("ens2f0npf0vf1");
        assertEquals(PortRole.UNCLASSIFIED, p.role());
        assertEquals(PhysPortName.Kind.UNKNOWN, p.physPortName().kind());
        assertEquals("netdev ens2f0npf0vf1: unknown phys_port_name 'pf0hpf'", p.problems().getFirst().toString());
        assertEquals(List.of(p), m.snapshot().eswitches().get("248a070300b3d112").others());
    }

    @Test
    void vanishedNetdevIsNamed(@TempDir Path tmp) throws Exception {
        SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        final var e = assertThrows(SysfsReader.NoSuchNetdevException.class, () -> new SysfsReader(tmp).read("ens2f0npf0vf7"));
        assertTrue(e.getMessage().startsWith("netdev ens2f0npf0vf7 not found at "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SysfsReader(tmp).read("../x"));
    }

    @Test
    void danglingDeviceLinkIsReported(@TempDir Path tmp) throws Exception {
        SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        final Path dev = tmp.resolve(PF + "/net/ens2f0np0/device");
        Files.delete(dev);
        Files.createSymbolicLink(dev, tmp.resolve("devices/gone"));
        final SysfsNetdev s = new SysfsReader(tmp).read("ens2f0np0");
        assertNull(s.deviceName());
        assertEquals("dangling device link", s.problems().getFirst().what());
    }

    @Test
    void setNumVfsGoesThroughZeroBetweenNonZeroCounts(@TempDir Path tmp) throws Exception {
        SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        final SysfsReader r = new SysfsReader(tmp);
        r.setNumVfs("ens2f0np0", 4);
        assertEquals("4", Files.readString(tmp.resolve(PF + "/sriov_numvfs")));
        final var e = assertThrows(java.io.IOException.class, () -> r.setNumVfs("veth0", 1));
        assertTrue(e.getMessage().contains("veth0 is not an SR-IOV PF"), e.getMessage());
    }

    @Test
    void classifierPrefersRtnetlinkAndReportsDisagreement(@TempDir Path tmp) throws Exception {
        SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        final SysfsNetdev s = new SysfsReader(tmp).read("ens2f0npf0vf0");
        final Port p = RoleClassifier.classify(new LinkIdentity(10, "ens2f0npf0vf0", null, SwitchId.parseHex("0102"), "pf0vf0", null, null),
                s, null, null);
        assertEquals("0102", p.switchId().toString());
        assertEquals("netdev ens2f0npf0vf0: switch id differs: rtnetlink 0102, sysfs 248a070300b3d112",
                p.problems().getFirst().toString());
    }
}
