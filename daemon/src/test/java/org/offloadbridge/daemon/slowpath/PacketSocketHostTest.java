package org.offloadbridge.daemon.slowpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

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
        try (SocketRig rig = new SocketRig("pkts")) {
            PacketSocket s = rig.socket;
            // 80,000 64-byte frames in one burst, read only afterwards: more than the queue holds.
            rig.send(BURST);
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
        }
    }
}
