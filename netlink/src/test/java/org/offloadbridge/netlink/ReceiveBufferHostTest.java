package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Datagrams bigger than the receive buffer: a namespace with 41 links, dumped (the kernel
 * packs up to ~32 KiB per dump datagram) through sockets that start with a 1 KiB buffer.
 * With the overflow area, or with peek sizing, everything must arrive whole and match
 * {@code ip -j link}; with neither, the loss must be reported (EMSGSIZE), not hidden.
 */
@Tag("host")
class ReceiveBufferHostTest {
    private NetNs ns;

    @BeforeEach
    void setUp() {
        ns = HostNetns.create("nlr");
        try (NetlinkConnection rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            NetlinkMessageWriter w = new NetlinkMessageWriter(4096);
            for (int i = 0; i < 20; i++) {
                RtnlLinks.encodeCreateVeth(w, "a" + i, "b" + i, -1);
            }
            rt.batch("create 20 veth pairs", w, null, new BatchResult()).throwIfFailed();
        }
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    private Set<String> ipNames() {
        Set<String> ip = new TreeSet<>();
        Matcher m = Pattern.compile("\"ifname\":\"([^\"]+)\"").matcher(ns.ipIn("-j", "link", "show"));
        while (m.find()) {
            ip.add(m.group(1));
        }
        return ip;
    }

    private static Set<String> dumpNames(NetlinkConnection rt) {
        Set<String> ours = new TreeSet<>();
        new RtnlLinks(rt).dump().forEach(l -> ours.add(l.name()));
        return ours;
    }

    @Test
    void datagramsSpillIntoTheOverflowAreaAndArriveWhole() {
        NetlinkSocket small = ns.call(() -> NetlinkSocket.open(NetlinkProtocol.ROUTE, 1024));
        try (NetlinkConnection rt = NetlinkConnection.of(small)) {
            Set<String> ours = dumpNames(rt);
            assertEquals(41, ours.size(), ours.toString());
            assertEquals(ipNames(), ours);
            assertTrue(small.receiveBuffer().capacity() > 1024, "grown to hold the biggest datagram");
            assertEquals(0, small.counters().truncatedDatagrams());
        }
    }

    @Test
    void peekSizingGrowsTheBufferBeforeTakingTheDatagram() {
        NetlinkSocket tiny = ns.call(() -> NetlinkSocket.open(NetlinkProtocol.ROUTE, 1024, 0)).peekSizing(true);
        try (NetlinkConnection rt = NetlinkConnection.of(tiny)) {
            assertEquals(ipNames(), dumpNames(rt));
            assertEquals(0, tiny.counters().truncatedDatagrams());
        }
    }

    @Test
    void withoutRoomOrPeekTheLossIsReportedNotHidden() {
        NetlinkSocket tiny = ns.call(() -> NetlinkSocket.open(NetlinkProtocol.ROUTE, 1024, 0));
        try (NetlinkConnection rt = NetlinkConnection.of(tiny)) {
            NetlinkException e = assertThrows(NetlinkException.class, () -> dumpNames(rt));
            assertEquals(Errno.EMSGSIZE, e.errno());
            assertTrue(e.extackMessage().contains("exceeded the receive buffers"), e.getMessage());
            assertTrue(tiny.counters().truncatedDatagrams() >= 1);
            // The buffer grew, so the same dump now succeeds.
            assertEquals(ipNames(), dumpNames(rt));
        }
    }
}
