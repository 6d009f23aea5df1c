package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetNs;

/**
 * Discovery on the build machine's own kernel (no netdevsim, maybe no devlink): a veth pair
 * we create is found, classified plain, and its hw-tc-offload state is what ethtool says.
 * Runs in the initial namespace because sysfs shows the namespace it was mounted in.
 */
@Tag("host")
class HostDiscoveryTest {

    @Test
    void vethIsPlainAndItsOffloadStateMatchesEthtool() throws Exception {
        assumeTrue(Switchdev.isAvailable(), () -> "netlink unavailable: " + Switchdev.unavailabilityCause());
        final String a = "sdh" + ProcessHandle.current().pid() % 100000 + "a";
        final String b = a.substring(0, a.length() - 1) + "b";
        NetNs.ip("link", "add", a, "type", "veth", "peer", "name", b);
        try (Switchdev sd = Switchdev.open()) {
            final var s = sd.discover();
            final Port p = s.port(a);
            assertEquals(PortRole.PLAIN, p.role());
            assertEquals("veth", p.linkKind());
            assertEquals(null, p.eswitchKey());
            assertFalse(sd.model().sameSwitch(a, b));
            final String ethtool = NetNs.run("ethtool", "-k", a);
            final String line = ethtool.lines().filter(l -> l.startsWith("hw-tc-offload: ")).findFirst().orElseThrow();
            assertEquals("hw-tc-offload: " + p.hwTcOffload().label(), line);
            assertTrue(p.problems().isEmpty(), p.problems().toString());
        } finally {
            NetNs.ip("link", "del", a);
        }
    }
}
