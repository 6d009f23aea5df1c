package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Upcall;
import org.offloadbridge.testkit.Shell;

/**
 * A net_tap port: the PMD creates a kernel tap interface. Frames the kernel sends into it
 * (a raw socket in the root namespace) reach the datapath as upcalls; packet-out to the port
 * shows up in the kernel interface's rx counter.
 */
@Tag("host")
class TapPortTest {

    static final String IFACE = "obtap" + ProcessHandle.current().pid() % 100000;

    static final String RAW_SEND = "import socket,sys\n"
        + "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW); s.bind((sys.argv[1],0))\n"
        + "s.send(bytes.fromhex(sys.argv[2]))\n";

    static long rxPackets() throws Exception {
        return Long.parseLong(Files.readString(Path.of("/sys/class/net/" + IFACE + "/statistics/rx_packets")).trim());
    }

    @Test
    void tapPortCarriesFramesBothWays() throws Exception {
        Eal eal = TestEal.get();
        DpdkDatapath dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(1023).descriptors(128, 128));
        EthdevPort tap = null;
        try {
            tap = dp.addPort(5, "net_tap_t" + IFACE + ",iface=" + IFACE);
            assertEquals("net_tap", tap.driverName());
            Shell.ok("sysctl", "-qw", "net.ipv6.conf." + IFACE + ".disable_ipv6=1");
            Shell.ok("ip", "link", "set", IFACE, "up");

            byte[] frame = Frames.udp(0x0a000001, 0x0a000002, 1, 2);
            StringBuilder hex = new StringBuilder();
            for (byte b : frame) {
                hex.append(String.format("%02x", b));
            }
            Shell.ok("python3", "-c", RAW_SEND, IFACE, hex.toString());
            PmdThread pmd = dp.pmds().get(0);
            Upcall u = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (u == null && System.nanoTime() < deadline) {
                pmd.doWork();
                Upcall next = dp.upcalls().poll();
                // the kernel may send its own frames into a fresh interface (IPv6 MLD): skip them
                if (next != null && java.util.Arrays.equals(frame, next.packet())) {
                    u = next;
                }
            }
            assertNotNull(u, "frame sent into the tap reached the datapath");
            assertArrayEquals(frame, u.packet());
            assertEquals(5, u.inPort());

            long before = rxPackets();
            dp.execute(frame, 0, Actions.builder().output(5).build());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (rxPackets() == before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(rxPackets() > before, "packet-out reached the kernel tap interface");
            assertTrue(tap.stats().opackets() >= 1);
        } finally {
            dp.close();
            if (tap != null) {
                tap.close();
            }
        }
    }
}
