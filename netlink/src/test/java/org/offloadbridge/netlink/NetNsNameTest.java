package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A --netns that is no name under /run/netns is refused before anything is opened (issue 16). */
class NetNsNameTest {
    @Test
    void namesThatWouldOpenAnotherPathAreRefusedSayingWhy() {
        assertNull(NetNs.invalidName("ns1"));
        assertNull(NetNs.invalidName("ob-test.1"));
        assertEquals("is empty", NetNs.invalidName(""));
        assertEquals("is not a name (a namespace is a file in /run/netns)", NetNs.invalidName(".."));
        assertEquals("has a '/' at position 3: give the name of a file in /run/netns (ip netns list)", NetNs.invalidName("../../proc/1/ns/net"));
        assertEquals("has a NUL at position 4", NetNs.invalidName("ns1\0x"));
        assertEquals("is longer than 255 characters", NetNs.invalidName("n".repeat(256)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetNs.open("../\u001b[2J"));
        assertEquals("netns name '../\\x1b[2J' has a '/' at position 3: give the name of a file in /run/netns (ip netns list)", e.getMessage());
    }
}
