package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.switchdev.internal.RoleClassifier;
import org.offloadbridge.switchdev.internal.LinkIdentity;
import org.offloadbridge.switchdev.internal.SysfsNetdev;
import org.offloadbridge.switchdev.internal.SysfsReader;

/** What mlx5 hosts show, from public documentation (src/test/resources/fixtures), through our parsers. */
class Mlx5FixturesTest {

    private static Port classify(DevlinkPort dp, String physPortName) {
        return RoleClassifier.classify(new LinkIdentity(1, dp.netdevName(), null, null, physPortName, null, null), null, dp, null);
    }

    @Test
    void devlinkPortShowTextFromDocs() throws Exception {
        final List<DevlinkShowText.Recorded> rec = DevlinkShowText.parse(SysfsTree.resource("mlx5-devlink-port-show.txt"));
        assertEquals(9, rec.size());
        final Map<String, DevlinkPort> byId = new HashMap<>();
        rec.forEach(r -> byId.put(r.port().id(), r.port()));

        // The names the kernel builds for these attributes must parse back to the same numbers,
        // and must not contradict the flavour: the classifier reports any disagreement as a problem.
        final Port sf = classify(byId.get("pci/0000:06:00.0/32768"), "pf0sf88");
        assertEquals(PortRole.SF_REPRESENTOR, sf.role());
        assertEquals(88, sf.sf());
        assertEquals(0, sf.pf());
        assertEquals(0, sf.controller());
        assertFalse(sf.external());
        assertEquals(List.of(), sf.problems());
        assertEquals(new DevlinkHandle("pci", "0000:06:00.0"), sf.devlink());

        final Port uplink = classify(byId.get("pci/0000:06:00.0/65535"), "p0");
        assertEquals(PortRole.UPLINK, uplink.role());
        assertEquals(List.of(), uplink.problems());

        final Port extVf = classify(byId.get("pci/0000:06:00.0/2"), "c1pf0vf1");
        assertEquals(PortRole.VF_REPRESENTOR, extVf.role());
        assertEquals(1, extVf.vf());
        assertEquals(1, extVf.controller());
        assertTrue(extVf.external());
        assertEquals(List.of(), extVf.problems());

        final Port hostPf = classify(byId.get("pci/0033:01:00.0/131072"), "c1pf0");
        assertEquals(PortRole.HOST_PF_REPRESENTOR, hostPf.role());
        assertTrue(hostPf.external());
        assertEquals(List.of(), hostPf.problems());

        final Port extSf = classify(byId.get("pci/0033:01:00.0/163840"), "c1pf0sf77");
        assertEquals(PortRole.SF_REPRESENTOR, extSf.role());
        assertEquals(77, extSf.sf());
        assertEquals(List.of(), extSf.problems());

        assertEquals(PortRole.HOST_PF_REPRESENTOR, classify(byId.get("pci/0000:05:00.0/0"), "pf0").role());
        final Port vf0 = classify(byId.get("pci/0000:05:00.0/1"), "pf0vf0");
        final Port vf1 = classify(byId.get("pci/0000:05:00.0/2"), "pf0vf1");
        assertEquals(List.of(0, 1), List.of(vf0.vf(), vf1.vf()));
        assertEquals(List.of(), vf1.problems());
    }

    @Test
    void aContradictingNameIsReportedAndDevlinkWins() throws Exception {
        final DevlinkPort dp = DevlinkShowText.parse(SysfsTree.resource("mlx5-devlink-port-show.txt")).stream()
                .map(DevlinkShowText.Recorded::port).filter(p -> p.id().equals("pci/0000:05:00.0/2")).findFirst().orElseThrow();
        final Port p = classify(dp, "p1");
        assertEquals(PortRole.VF_REPRESENTOR, p.role());
        assertEquals(1, p.problems().size());
        assertTrue(p.problems().getFirst().what().contains("'p1' says uplink but devlink flavour pcivf says vf-rep"),
                p.problems().toString());
    }

    @Test
    void devlinkPortShowJsonFromIproute2Patch() throws Exception {
        @SuppressWarnings("unchecked")
        final Map<String, Object> root = (Map<String, Object>) TinyJson.parse(SysfsTree.resource("mlx5-devlink-port-show.json"));
        @SuppressWarnings("unchecked")
        final Map<String, Map<String, Object>> ports = (Map<String, Map<String, Object>>) root.get("port");
        final List<DevlinkPort> parsed = new ArrayList<>();
        for (var e : ports.entrySet()) {
            final String id = e.getKey();
            final Map<String, String> kv = new HashMap<>();
            e.getValue().forEach((k, v) -> kv.put(k, String.valueOf(v)));
            final int slash = id.lastIndexOf('/');
            parsed.add(DevlinkShowText.toPort(DevlinkHandle.parse(id.substring(0, slash)), Long.parseLong(id.substring(slash + 1)), kv));
        }
        assertEquals(1, parsed.size());
        final DevlinkPort dp = parsed.getFirst();
        assertEquals(DevlinkPortFlavour.PCI_VF, dp.flavour());
        // The driver named the netdev <slot>+<phys_port_name>: the name carries "c1pf0vf1".
        final String ppn = dp.netdevName().substring("ens2f0".length());
        final PhysPortName n = PhysPortName.parse(ppn);
        assertEquals(PhysPortName.Kind.PCI_VF, n.kind());
        assertEquals(dp.controller(), n.controller());
        assertEquals(dp.pf(), n.pf());
        assertEquals(dp.vf(), n.vf());
        assertEquals(List.of(), classify(dp, ppn).problems());
    }

    static SwitchdevModel modelFromSysfs(Path root) throws Exception {
        final SysfsReader r = new SysfsReader(root);
        final List<Port> ports = new ArrayList<>();
        for (String name : r.netdevNames()) {
            final SysfsNetdev s = r.read(name);
            ports.add(RoleClassifier.classify(new LinkIdentity(s.ifindex(), name, null, null, null, null, null), s, null, null));
        }
        final SwitchdevModel m = new SwitchdevModel();
        m.update(SwitchdevModel.Snapshot.of(ports, Map.of(), List.of()));
        return m;
    }

    @Test
    void connectxHostInSwitchdevMode(@TempDir Path tmp) throws Exception {
        final SwitchdevModel m = modelFromSysfs(SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp));
        final var s = m.snapshot();
        assertEquals(7, s.ports().size());
        assertEquals(1, s.eswitches().size());
        final Eswitch e = s.eswitches().get("248a070300b3d112");
        assertEquals(List.of("ens2f0np0"), e.uplinks().stream().map(Port::name).toList());
        assertEquals(Map.of(0, "ens2f0npf0vf0", 1, "ens2f0npf0vf1"),
                Map.of(0, e.vfRepresentors().get(0).name(), 1, e.vfRepresentors().get(1).name()));
        assertEquals(2, e.vfRepresentors().size());
        assertEquals(List.of("ens2f0npf0vf0", "ens2f0npf0vf1", "ens2f0npf0sf88"), e.representors().stream().map(Port::name).toList());
        assertEquals(List.of(new DevlinkHandle("pci", "0000:06:00.0")), e.devlinks());
        assertEquals(PortRole.PLAIN, s.port("ens2f0v0").role());
        assertEquals(PortRole.PLAIN, s.port("veth0").role());
        assertNull(s.port("veth0").parentDevice());
        assertEquals("0000:06:00.2", s.port("ens2f0v0").parentDevice());
        assertTrue(m.sameSwitch("ens2f0npf0vf0", "ens2f0npf0vf1"));
        assertTrue(m.sameSwitch("ens2f0np0", "ens2f0npf0sf88"));
        assertFalse(m.sameSwitch("ens2f0npf0vf0", "veth0"));
        assertFalse(m.sameSwitch("ens2f0npf0vf0", "ens2f0v0"));
        assertFalse(m.sameSwitch("ens2f0npf0vf0", "nosuchdev"));
        assertTrue(m.sameSwitch(10, 11));
        s.ports().values().forEach(p -> assertEquals(List.of(), p.problems(), p.name()));
    }

    @Test
    void connectxSysfsDetails(@TempDir Path tmp) throws Exception {
        final SysfsReader r = new SysfsReader(SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp));
        final SysfsNetdev up = r.read("ens2f0np0");
        assertEquals(2, up.numVfs());
        assertEquals(8, up.totalVfs());
        assertEquals("pci", up.deviceBus());
        assertEquals("mlx5_core", up.driver());
        final SysfsNetdev vf = r.read("ens2f0v1");
        assertEquals("0000:06:00.0", vf.physfn());
        assertNull(vf.physPortName());
        assertNull(vf.switchId());
    }

    @Test
    void bluefieldArm(@TempDir Path tmp) throws Exception {
        final SwitchdevModel m = modelFromSysfs(SysfsTree.materialize("mlx5-bluefield-arm.sysfs", tmp));
        final var s = m.snapshot();
        assertEquals(PortRole.UPLINK, s.port("p0").role());
        assertEquals(PortRole.HOST_PF_REPRESENTOR, s.port("pf0hpf").role());
        assertEquals(1, s.port("pf0hpf").controller());
        assertEquals(PortRole.VF_REPRESENTOR, s.port("pf0vf0").role());
        assertTrue(s.port("pf0vf0").external());
        assertEquals(PortRole.SF_REPRESENTOR, s.port("en3f0pf0sf0").role());
        final Eswitch e = s.eswitches().get("0c42a10300c2ee6a");
        assertEquals(3, e.representors().size());
        // The host's VF 0 is behind controller 1: not in the local VF map, but in representors.
        assertTrue(e.vfRepresentors().isEmpty());
        assertTrue(m.sameSwitch("pf0hpf", "pf0vf0"));
    }
}
