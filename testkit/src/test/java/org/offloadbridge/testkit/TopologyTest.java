package org.offloadbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Topology on the build machine's kernel: real namespaces, veth and ping; nothing left behind. */
@Tag("host")
class TopologyTest {

    @Test
    void twoHostsOnAVethPingEachOtherAndCloseRemovesThem() {
        String nsA;
        String nsB;
        try (Topology t = Topology.create("kit")) {
            Topology.Host a = t.host("a");
            Topology.Host b = t.host("b");
            nsA = a.name();
            nsB = b.name();
            assertTrue(nsA.startsWith(t.prefix() + "-") && nsB.startsWith(t.prefix() + "-"), nsA + " " + nsB);
            t.veth(a, "a0", b, "b0");
            a.addr("a0", "10.201.0.1/24");
            b.addr("b0", "10.201.0.2/24");
            // static neighbours: the ping needs no ARP
            a.neigh("a0", "10.201.0.2", b.mac("b0"));
            b.neigh("b0", "10.201.0.1", a.mac("a0"));
            String ping = a.ok("ping", "-c", "1", "-W", "2", "10.201.0.2");
            assertTrue(ping.contains("1 received"), ping);
            assertTrue(a.ifindex("a0") > 1);
            assertTrue(Shell.ok("ip", "netns", "list").contains(nsA));
        }
        String list = Shell.ok("ip", "netns", "list");
        assertFalse(list.contains(nsA) || list.contains(nsB), list);
    }

    @Test
    void aVethEndInTheInitialNamespaceIsUniqueAndDeletedOnClose() {
        String dev;
        try (Topology t = Topology.create("kit")) {
            Topology.Host h = t.host("h");
            dev = t.uniqueDevice("obk");
            assertTrue(dev.length() <= Topology.MAX_DEVICE_NAME, dev);
            assertNotEquals(dev, t.uniqueDevice("obk"));
            t.veth(t.root(), dev, h, "h0");
            assertTrue(Shell.ok("ip", "link", "show", "dev", dev).contains("state UP") || Shell.ok("ip", "link", "show", "dev", dev).contains("UP"));
            assertTrue(h.ip("link", "show", "dev", "h0").contains("h0"));
        }
        assertFalse(Shell.run("ip", "link", "show", "dev", dev).ok(), dev + " left behind");
    }

    @Test
    void twoTopologiesOfOnePurposeNeverShareNames() {
        try (Topology t1 = Topology.create("kit"); Topology t2 = Topology.create("kit")) {
            assertNotEquals(t1.prefix(), t2.prefix());
            assertEquals(t1.prefix() + "-x", t1.existing(t1.prefix() + "-x").name());
        }
    }

    @Test
    void badNamesAreRefusedBeforeAnythingIsMade() {
        try (Topology t = Topology.create("kit")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.veth(t.root(), "a-name-longer-than-15", t.root(), "b"));
            assertTrue(e.getMessage().contains("'a-name-longer-than-15'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.host("bad name"));
        }
        assertThrows(IllegalArgumentException.class, () -> Topology.create("Bad/Purpose"));
    }
}
