package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Datagrams bigger than the receive buffer spill into the overflow area and must come out
 * whole: a socket that starts with a 1 KiB buffer dumps 41 links (the kernel packs up to
 * ~32 KiB per dump datagram) and must see exactly what {@code ip -j link} sees.
 */
@Tag("host")
class ReceiveBufferHostTest {

    @Test
    void datagramsLargerThanTheBufferArriveWholeAndTheBufferGrows() {
        try (NetNs ns = HostNetns.create("nlr")) {
            NetlinkSocket small = ns.call(() -> NetlinkSocket.open(NetlinkProtocol.ROUTE, 1024));
            try (NetlinkConnection rt = new NetlinkConnection(small)) {
                NetlinkMessageWriter w = new NetlinkMessageWriter(4096);
                for (int i = 0; i < 20; i++) {
                    RtnlLinks.encodeCreateVeth(w, "a" + i, "b" + i, -1);
                }
                rt.batch("create 20 veth pairs", w, null, new BatchResult()).throwIfFailed();

                Set<String> ours = new TreeSet<>();
                new RtnlLinks(rt).dump().forEach(l -> ours.add(l.name()));
                Set<String> ip = new TreeSet<>();
                Matcher m = Pattern.compile("\"ifname\":\"([^\"]+)\"").matcher(ns.ipIn("-j", "link", "show"));
                while (m.find()) {
                    ip.add(m.group(1));
                }
                assertEquals(41, ours.size(), ours.toString());
                assertEquals(ip, ours);
                assertTrue(small.receiveBuffer().capacity() > 1024, "grown to hold the biggest datagram");
                assertEquals(0, small.truncatedDatagrams());
            }
        }
    }
}
