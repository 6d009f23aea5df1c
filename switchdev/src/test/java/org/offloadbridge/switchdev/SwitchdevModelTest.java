package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.offloadbridge.switchdev.internal.RoleClassifier;
import org.offloadbridge.switchdev.internal.LinkIdentity;

class SwitchdevModelTest {
    private static final SwitchId SID = SwitchId.parseHex("8e4c0d3a2b1f0000");
    private static final DevlinkHandle NSIM = new DevlinkHandle("netdevsim", "netdevsim1");

    private static Port port(int ifindex, String name, String ppn, SwitchId sid) {
        return RoleClassifier.classify(new LinkIdentity(ifindex, name, null, sid, ppn, sid == null ? null : "netdevsim",
                sid == null ? null : "netdevsim1"), null, null, null);
    }

    private static SwitchdevModel.Snapshot snap(EswitchMode mode, Port... ports) {
        return SwitchdevModel.Snapshot.of(List.of(ports), Map.of(NSIM, new EswitchState(mode, null, null)), List.of());
    }

    @Test
    void listenersSeeRepresentorsComeAndGoAndRenames() {
        final SwitchdevModel m = new SwitchdevModel();
        final List<List<ModelChange>> seen = new ArrayList<>();
        m.addListener((s, changes) -> seen.add(changes));
        final Port up = port(2, "eni1np1", "p0", SID);
        final Port veth = port(3, "veth0", null, null);
        m.update(snap(EswitchMode.LEGACY, up, veth));
        assertEquals(1, seen.size());
        assertEquals(3, seen.getFirst().size()); // two ports and the e-switch added
        assertEquals(EswitchMode.LEGACY, m.snapshot().eswitches().get(SID.toString()).mode());

        final Port r0 = port(5, "eni1npf0vf0", "pf0vf0", SID);
        final Port r1 = port(6, "eni1npf0vf1", "pf0vf1", SID);
        m.update(snap(EswitchMode.SWITCHDEV, up, veth, r0, r1));
        final List<ModelChange> c = seen.get(1);
        assertEquals(List.of(new ModelChange.PortAdded(r0), new ModelChange.PortAdded(r1)), c.subList(0, 2));
        final var esw = assertInstanceOf(ModelChange.EswitchChanged.class, c.get(2));
        assertEquals(EswitchMode.SWITCHDEV, esw.after().mode());
        assertEquals(2, esw.after().vfRepresentors().size());
        assertTrue(m.sameSwitch(5, 6));
        assertTrue(m.sameSwitch(2, 5));
        assertEquals(false, m.sameSwitch(5, 3));

        // Same snapshot again: nothing to tell.
        assertEquals(List.of(), m.update(snap(EswitchMode.SWITCHDEV, up, veth, r0, r1)));
        assertEquals(2, seen.size());

        final Port renamed = port(6, "vm1-port", "pf0vf1", SID);
        m.update(snap(EswitchMode.SWITCHDEV, up, veth, renamed));
        final List<ModelChange> c3 = seen.get(2);
        assertEquals(new ModelChange.PortRemoved(r0), c3.get(0));
        assertEquals(new ModelChange.PortChanged(r1, renamed), c3.get(1));
        assertEquals("vm1-port", m.snapshot().eswitches().get(SID.toString()).vfRepresentors().get(1).name());
        assertEquals(4, m.snapshot().generation());
    }

    @Test
    void legacyDevlinkWithoutSwitchPortsIsStillAnEswitch() {
        final SwitchdevModel m = new SwitchdevModel();
        m.update(SwitchdevModel.Snapshot.of(List.of(port(3, "veth0", null, null)),
                Map.of(NSIM, new EswitchState(EswitchMode.LEGACY, null, null)), List.of()));
        final Eswitch e = m.snapshot().eswitches().get("devlink:netdevsim/netdevsim1");
        assertEquals(EswitchMode.LEGACY, e.mode());
        assertEquals(List.of(NSIM), e.devlinks());
        assertTrue(e.uplinks().isEmpty());
    }

    @Test
    void twoRepresentorsForOneVfAndDuplicateIfindexAreReported() {
        final Port a = port(5, "a", "pf0vf0", SID);
        final Port b = port(6, "b", "pf0vf0", SID);
        final Port c = port(6, "c", "pf0vf1", SID);
        final var s = SwitchdevModel.Snapshot.of(List.of(a, b, c), Map.of(), List.of());
        assertEquals("ifindex 6: reported twice, as b and c; keeping b", s.problems().getFirst().toString());
        final Eswitch e = s.eswitches().get(SID.toString());
        assertEquals("VF 0 has two representors: a and b", e.problems().get(0).what());
        assertEquals(a, e.vfRepresentors().get(0));
        assertTrue(e.problems().get(1).what().contains("e-switch mode unknown"));
    }
}
