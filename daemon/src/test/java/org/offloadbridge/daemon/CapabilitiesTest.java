package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {
    @Test
    void readsTheEffectiveSetFromProcStatus() {
        String status = "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t0000000000007000\nCapEff:\t0000000000003000\nCapBnd:\t0000000000007000\n";
        assertEquals(0x3000L, Capabilities.effective(status));
        assertEquals(-1L, Capabilities.effective("Name:\tjava\n"));
    }

    @Test
    void namesEachMissingCapabilityAndWhatItIsFor() {
        assertEquals(List.of(), Capabilities.missing(0x7000L), "the unit's three");
        assertEquals(List.of(), Capabilities.missing(0x000001ffffffffffL), "root");
        List<String> m = Capabilities.missing(0x2000L); // CAP_NET_RAW only
        assertEquals(1, m.size(), m.toString());
        assertEquals("CAP_NET_ADMIN (tc qdiscs, filters and actions, links and devlink (rtnetlink and generic netlink writes))", m.get(0));
        assertEquals(2, Capabilities.missing(0).size());
    }
}
