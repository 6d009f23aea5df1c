package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offloadbridge.switchdev.PhysPortName.Kind;

class PhysPortNameTest {

    @Test
    void physicalPorts() {
        assertEquals(new PhysPortName(Kind.PHYSICAL, "p0", -1, -1, -1, -1, 0, -1), PhysPortName.parse("p0"));
        assertEquals(new PhysPortName(Kind.PHYSICAL, "p1", -1, -1, -1, -1, 1, -1), PhysPortName.parse("p1"));
        assertEquals(new PhysPortName(Kind.PHYSICAL, "p0s1", -1, -1, -1, -1, 0, 1), PhysPortName.parse("p0s1"));
        assertEquals(new PhysPortName(Kind.PHYSICAL, "p4294967295", -1, -1, -1, -1, 4294967295L, -1),
                PhysPortName.parse("p4294967295"));
    }

    @Test
    void vfRepresentors() {
        assertEquals(new PhysPortName(Kind.PCI_VF, "pf0vf3", -1, 0, 3, -1, -1, -1), PhysPortName.parse("pf0vf3"));
        // netdevsim's first VF representor
        assertEquals(new PhysPortName(Kind.PCI_VF, "pf0vf0", -1, 0, 0, -1, -1, -1), PhysPortName.parse("pf0vf0"));
        final PhysPortName ext = PhysPortName.parse("c1pf0vf2");
        assertEquals(new PhysPortName(Kind.PCI_VF, "c1pf0vf2", 1, 0, 2, -1, -1, -1), ext);
        assertTrue(ext.external());
        assertFalse(PhysPortName.parse("pf0vf2").external());
        assertEquals(65535, PhysPortName.parse("pf65535vf65535").vf());
    }

    @Test
    void sfRepresentors() {
        assertEquals(new PhysPortName(Kind.PCI_SF, "pf1sf12", -1, 1, -1, 12, -1, -1), PhysPortName.parse("pf1sf12"));
        assertEquals(new PhysPortName(Kind.PCI_SF, "c1pf0sf77", 1, 0, -1, 77, -1, -1), PhysPortName.parse("c1pf0sf77"));
        assertEquals(4294967295L, PhysPortName.parse("pf0sf4294967295").sf());
    }

    @Test
    void hostPfRepresentors() {
        assertEquals(new PhysPortName(Kind.PCI_PF, "pf0", -1, 0, -1, -1, -1, -1), PhysPortName.parse("pf0"));
        assertEquals(new PhysPortName(Kind.PCI_PF, "c1pf0", 1, 0, -1, -1, -1, -1), PhysPortName.parse("c1pf0"));
    }

    @Test
    void legacyMlx5VfIndex() {
        // kernels before 5.0: mlx5e_rep_get_phys_port_name() printed "%d", vport - 1
        assertEquals(new PhysPortName(Kind.LEGACY_VF, "3", -1, -1, 3, -1, -1, -1), PhysPortName.parse("3"));
        assertEquals(Kind.LEGACY_VF, PhysPortName.parse("0").kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "p", "pf", "vf0", "pfvf0", "pf0vf", "pf0sf", "c1", "c1p0", "cpf0", "p0s", "pf0vf1x",
        "P0", "pf01", "p00", "pf0vf03", "01", "-1", "pf-1vf0", "pf0vf65536", "pf65536", "p4294967296",
        "pf0sf4294967296", "c4294967296pf0", "p0 ", " p0", "pf0s1", "n0", "eth0", "pf0vf1vf2", "pf0hpf", "p0sf88",
        "99999999999999999999999"})
    void unknownFormsAreReportedNotGuessed(String raw) {
        final PhysPortName n = PhysPortName.parse(raw);
        assertEquals(Kind.UNKNOWN, n.kind(), () -> "'" + raw + "' parsed as " + n);
        assertEquals(raw, n.raw());
        assertEquals(-1, n.pf());
        assertEquals(-1, n.vf());
        assertEquals("unknown(" + raw + ")", n.toString());
    }
}
