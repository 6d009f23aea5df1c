package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.uapi.Genetlink;

/** Family lookup against this machine's kernel; `genl ctrl list` (iproute2) is the oracle. */
@Tag("host")
class GenericNetlinkHostTest {

    @Test
    void resolvesFamiliesAndGroupsAsGenlCtrlListsThemAndCaches() {
        try (NetlinkConnection c = NetlinkConnection.open(NetlinkProtocol.GENERIC)) {
            GenericNetlink genl = new GenericNetlink(c);
            GenlFamily ctrl = genl.family("nlctrl");
            assertEquals(Genetlink.GENL_ID_CTRL, ctrl.id());
            assertEquals("nlctrl", ctrl.name());
            assertTrue(ctrl.multicastGroups().containsKey("notify"), ctrl.toString());
            assertSame(ctrl, genl.family("nlctrl"), "second lookup served from the cache");
            assertEquals(1, genl.kernelLookups());

            // Every family genl knows, we resolve to the same id.
            String list = NetNs.run("genl", "ctrl", "list");
            Matcher m = Pattern.compile("Name: (\\S+)\\s+ID: (0x[0-9a-f]+)").matcher(list);
            int checked = 0;
            while (m.find()) {
                GenlFamily f = genl.family(m.group(1));
                assertEquals(Integer.decode(m.group(2)).intValue(), f.id(), m.group(1));
                checked++;
            }
            assertTrue(checked >= 1, list);
        }
    }

    @Test
    void nativeLayerIsAvailableHere() {
        assertTrue(NetlinkSocket.isAvailable(), String.valueOf(NetlinkSocket.unavailabilityCause()));
        assertEquals(null, NetlinkSocket.unavailabilityCause());
    }

    @Test
    void unknownFamilyIsEnoent() {
        try (NetlinkConnection c = NetlinkConnection.open(NetlinkProtocol.GENERIC)) {
            GenericNetlink genl = new GenericNetlink(c);
            assertTrue(genl.findFamily("no-such-family").isEmpty());
            NetlinkException e = assertThrows(NetlinkException.class, () -> genl.family("no-such-family"));
            assertEquals(Errno.ENOENT, e.errno());
            assertThrows(IllegalArgumentException.class, () -> genl.family("nlctrl").multicastGroup("nope"));
        }
    }
}
