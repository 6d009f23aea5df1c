package org.offloadbridge.daemon.slowpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Topology;

/**
 * A miss device's socket holds a burst of new flows' first packets (its receive queue is asked
 * for {@link PacketSocket#RECEIVE_BUFFER}, not the kernel's ~208 KB default, which overflowed at a
 * few hundred), and what the kernel still drops is counted, not lost in silence.
 */
@Tag("host")
class PacketSocketHostTest {
    private static final int BURST = 80_000;

    @Test
    void aBurstFitsAndWhatOverflowsIsCounted() throws Exception {
        try (Topology t = Topology.create("pkts")) {
            Topology.Host a = t.host("a");
            Topology.Host b = t.host("b");
            t.veth(a, "tx0", b, "rx0");
            b.noIpv6();
            a.noIpv6();
            int ifindex = b.ifindex("rx0");
            try (NetNs ns = NetNs.open(b.name())) {
                PacketSocket s = ns.call(() -> PacketSocket.open(ifindex, "rx0"));
                try {
                    // 80,000 64-byte frames in one burst, read only afterwards: more than the queue holds.
                    a.ok("python3", "-c", "import socket\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
                        + "s.bind(('tx0',0))\nf=bytes.fromhex('ffffffffffff020000000001'+'88b5')+bytes(50)\n"
                        + "for i in range(" + BURST + "):\n  s.send(f)");
                    PacketSocket.Frame f = new PacketSocket.Frame(2048);
                    int got = 0;
                    for (int n; (n = s.receive(f)) != 0; ) {
                        got += n == 64 ? 1 : 0;
                    }
                    long dropped = s.takeDrops();
                    System.out.println("PacketSocketHostTest: received " + got + ", kernel dropped " + dropped + " of " + BURST);
                    assertEquals(BURST, got + dropped, "every frame either read or counted as dropped");
                    assertTrue(got >= 10_000, "the receive queue holds a burst of thousands, got " + got);
                    assertTrue(dropped > 0, "this burst overflows even the large queue, and the overflow is counted");
                    assertEquals(0, s.takeDrops(), "the kernel's count resets as it is read");
                } finally {
                    s.close();
                }
            }
        }
    }
}
