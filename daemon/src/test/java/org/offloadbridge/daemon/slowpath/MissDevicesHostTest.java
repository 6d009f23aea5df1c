package org.offloadbridge.daemon.slowpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.testkit.Shell;

/** Miss devices on this machine's kernel: what iproute2 shows, idempotence, and packets both ways. */
@Tag("host")
class MissDevicesHostTest {
    private static final String NS = "obmiss" + ProcessHandle.current().pid();

    @Test
    void attachBuildsTheMissPathIdempotentlyAndDetachRemovesIt() throws Exception {
        try (NetNs ns = NetNs.create(NS); NetlinkConnection rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            sh("ip link add p1 mtu 1400 type veth peer name x1 && ip link set p1 up && ip link set x1 up");
            int p1 = Integer.parseInt(sh("cat /sys/class/net/p1/ifindex").trim());
            MissDevices md = new MissDevices(rt);
            MissDevices.MissDevice m = md.attach("p1");
            assertEquals("obk" + p1, m.kernelSide());
            assertEquals("obd" + p1, m.datapathSide());
            assertEquals(m, md.attach("p1"), "attach twice: the same devices");
            for (String dev : List.of(m.kernelSide(), m.datapathSide())) {
                String link = sh("ip -d link show dev " + dev);
                assertTrue(link.contains("mtu 1400"), link);
                assertTrue(link.contains("state UP") || link.contains(",UP"), link);
                assertTrue(link.contains("addrgenmode none"), link);
            }
            assertTrue(sh("tc filter show dev p1 ingress").contains("Egress Redirect to device " + m.kernelSide()));
            assertTrue(sh("tc filter show dev " + m.kernelSide() + " ingress").contains("Egress Redirect to device p1"));
            assertEquals(1, sh("tc filter show dev p1 ingress").split("mirred", -1).length - 1, "one catch-all after two attaches");
            assertEquals(List.of(m.kernelSide()), md.present());

            // A packet from the host behind p1 reaches the datapath side; one sent there leaves through p1.
            String frame = "ffffffffffff02000000000108004500001c0001000040110000c0000201c0000202303900350008abcd";
            CompletableFuture<String> atMiss = capture(m.datapathSide());
            Thread.sleep(500);
            sh(send("x1", frame));
            assertTrue(atMiss.get(10, TimeUnit.SECONDS).contains("192.0.2.1.12345 > 192.0.2.2.53"));
            CompletableFuture<String> atHost = capture("x1");
            Thread.sleep(500);
            sh(send(m.datapathSide(), frame));
            assertTrue(atHost.get(10, TimeUnit.SECONDS).contains("192.0.2.1.12345 > 192.0.2.2.53"));

            md.detach(m);
            assertFalse(sh("tc filter show dev p1 ingress").contains("mirred"));
            assertFalse(sh("ip link show").contains(m.kernelSide()));
            assertTrue(md.present().isEmpty());
        }
    }

    /** The socket slow path: a packet socket on the datapath side receives the port's misses and sends out of the port. */
    @Test
    void packetSocketsCarryTheSlowPathWithoutDpdk() throws Exception {
        try (NetNs ns = NetNs.create(NS + "s"); NetlinkConnection rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            String nsName = NS + "s";
            run(nsName, "ip link add p1 type veth peer name x1 && ip link set p1 addrgenmode none && ip link set x1 addrgenmode none && ip link set p1 up && ip link set x1 up");
            MissDevices.MissDevice m = new MissDevices(rt).attach("p1");
            try (PacketSocket s = ns.call(() -> PacketSocket.open(m.datapathIfindex(), m.datapathSide()))) {
                PacketSocket.Frame f = new PacketSocket.Frame(65536);
                assertEquals(0, s.receive(f), "nothing yet");
                byte[] frame = java.util.HexFormat.of().parseHex(
                    "ffffffffffff02000000000108004500001c0001000040110000c0000201c0000202303900350008abcd");
                run(nsName, send("x1", java.util.HexFormat.of().formatHex(frame)));
                int n = 0;
                for (int i = 0; i < 100 && n == 0; i++) {
                    n = s.receive(f);
                    if (n == 0) {
                        Thread.sleep(20);
                    }
                }
                assertEquals(frame.length, n);
                byte[] got = new byte[n];
                f.buffer().get(0, got);
                assertEquals(java.util.HexFormat.of().formatHex(frame), java.util.HexFormat.of().formatHex(got));
                Thread.sleep(500); // the sender sends it three times
                int more = 0;
                while (s.receive(f) == frame.length) {
                    more++;
                }
                assertEquals(2, more, "the other two copies, nothing else");
                CompletableFuture<String> atHost = CompletableFuture.supplyAsync(
                    () -> run(nsName, "timeout 8 tcpdump -l -n -c 1 -i x1 udp 2>/dev/null"));
                Thread.sleep(500);
                for (int i = 0; i < 3; i++) {
                    assertTrue(s.send(f, 0, n));
                    Thread.sleep(100);
                }
                assertTrue(atHost.get(10, TimeUnit.SECONDS).contains("192.0.2.1.12345 > 192.0.2.2.53"));
                Thread.sleep(200);
                assertEquals(0, s.receive(f), "our own sends are not received back (PACKET_IGNORE_OUTGOING)");
            }
        }
    }

    @Test
    void anUnknownPortIsAClearError() throws Exception {
        try (NetNs ns = NetNs.create(NS + "u"); NetlinkConnection rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MissDevices(rt).attach("nope0"));
            assertEquals("port nope0: no such network device", e.getMessage());
        }
    }

    private static CompletableFuture<String> capture(String dev) {
        return CompletableFuture.supplyAsync(() -> run("timeout 8 tcpdump -l -n -c 1 -i " + dev + " udp 2>/dev/null"));
    }

    private static String send(String dev, String hex) {
        return "python3 -c \"import socket,time; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('" + dev
            + "', 0)); [ (s.send(bytes.fromhex('" + hex + "')), time.sleep(0.1)) for _ in range(3) ]\"";
    }

    private static String sh(String script) {
        return Shell.ns(NS, "sh", "-c", script);
    }

    private static String run(String script) {
        return run(NS, script);
    }

    private static String run(String ns, String script) {
        return Shell.run(30, Shell.inNetns(ns, "sh", "-c", script)).out();
    }
}
