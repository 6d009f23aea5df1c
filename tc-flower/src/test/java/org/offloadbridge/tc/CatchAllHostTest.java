package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.NetlinkProtocol;

/**
 * The slow path's catch-all on this machine's own kernel (cls_u32 + act_mirred, which it has):
 * iproute2 shows exactly the filter we meant, packets that reach a port leave through its miss
 * device and packets sent into the miss device leave through the port, and a foreign filter at
 * the catch-all's prio is never touched.
 */
@Tag("host")
class CatchAllHostTest {

    private static VmNet net() {
        return new VmNet("ca" + ProcessHandle.current().pid());
    }

    @Test
    void iproute2ShowsOurCatchAllAndInstallIsIdempotent() {
        try (VmNet n = net(); NetlinkConnection rt = n.ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            n.veth("p1", "x1");
            n.veth("m1k", "m1d");
            CatchAll ca = new CatchAll(rt);
            int p1 = n.ifindex("p1");
            int m1k = n.ifindex("m1k");
            assertEquals(new CatchAll.State.Free(), ca.state(p1));
            ca.install(p1, m1k);
            ca.install(p1, m1k); // again: no error, no second filter
            String json = n.sh("tc -j filter show dev p1 ingress");
            assertTrue(json.contains("\"pref\":65535"), json);
            assertTrue(json.contains("\"kind\":\"u32\""), json);
            assertTrue(json.contains("\"skip_hw\":true"), json);
            assertTrue(json.contains("\"to_dev\":\"m1k\""), json);
            assertTrue(json.contains("\"mirred_action\":\"redirect\""), json);
            assertTrue(json.contains("\"cookie\":\"6f622d6d697373\""), json);
            assertEquals(1, count(n.sh("tc filter show dev p1 ingress"), "mirred"), "one filter after two installs");
            assertEquals(new CatchAll.State.Ours(m1k), ca.state(p1));

            // Retarget in place.
            n.veth("m2k", "m2d");
            int m2k = n.ifindex("m2k");
            ca.install(p1, m2k);
            assertEquals(new CatchAll.State.Ours(m2k), ca.state(p1));
            assertTrue(n.sh("tc -j filter show dev p1 ingress").contains("\"to_dev\":\"m2k\""));
            assertEquals(1, count(n.sh("tc filter show dev p1 ingress"), "mirred"));

            assertTrue(ca.remove(p1));
            assertEquals(new CatchAll.State.Free(), ca.state(p1));
            assertFalse(ca.remove(p1));
            assertFalse(n.sh("tc filter show dev p1 ingress").contains("mirred"));
        }
    }

    @Test
    void aForeignFilterAtThePrioIsRefusedAndLeftAlone() {
        try (VmNet n = net(); NetlinkConnection rt = n.ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            n.veth("p1", "x1");
            n.veth("m1k", "m1d");
            n.sh("tc qdisc add dev p1 clsact && tc filter add dev p1 ingress prio 65535 protocol all u32 match u32 0 0 action mirred egress redirect dev x1");
            CatchAll ca = new CatchAll(rt);
            int p1 = n.ifindex("p1");
            assertTrue(ca.state(p1) instanceof CatchAll.State.Foreign f && f.kind().equals("u32"), ca.state(p1).toString());
            NetlinkException e = assertThrows(NetlinkException.class, () -> ca.install(p1, n.ifindex("m1k")));
            assertEquals(Errno.EBUSY, e.errno());
            assertTrue(e.getMessage().contains("not ours"), e.getMessage());
            assertFalse(ca.remove(p1));
            String shown = n.sh("tc filter show dev p1 ingress");
            assertTrue(shown.contains("Egress Redirect to device x1"), shown);
        }
    }

    @Test
    void packetsThatReachThePortLeaveThroughItsMissDeviceAndBack() throws Exception {
        try (VmNet n = net(); NetlinkConnection rt = n.ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            n.veth("p1", "x1");
            n.veth("m1k", "m1d");
            CatchAll ca = new CatchAll(rt);
            int p1 = n.ifindex("p1");
            int m1k = n.ifindex("m1k");
            ca.install(p1, m1k);  // port ingress → miss device
            ca.install(m1k, p1);  // what the datapath sends into the miss device → out of the port
            // A frame sent by the "host" on x1 arrives at p1's ingress and must come out at m1d.
            String frame = "ffffffffffff02000000000108004500001c0001000040110000c0000201c0000202303900350008abcd";
            CompletableFuture<String> atMiss = capture(n, "m1d", 1);
            Thread.sleep(500);
            n.sh(send("x1", frame, 3));
            assertTrue(atMiss.get(10, TimeUnit.SECONDS).contains("192.0.2.1.12345 > 192.0.2.2.53"), "the miss device saw the port's packet");
            // A frame sent into m1d arrives at m1k's ingress and must leave through p1, to x1.
            CompletableFuture<String> atHost = capture(n, "x1", 1);
            Thread.sleep(500);
            n.sh(send("m1d", frame, 3));
            assertTrue(atHost.get(10, TimeUnit.SECONDS).contains("192.0.2.1.12345 > 192.0.2.2.53"), "the port sent the datapath's packet");
        }
    }

    private static CompletableFuture<String> capture(VmNet n, String dev, int count) {
        return CompletableFuture.supplyAsync(() -> n.run("timeout 8 tcpdump -l -n -c " + count + " -i " + dev + " udp 2>/dev/null").out());
    }

    /** Sends a raw frame (hex) {@code times} times on {@code dev} through an AF_PACKET socket. */
    private static String send(String dev, String hex, int times) {
        return "python3 -c \"import socket,time; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('" + dev
            + "', 0)); [ (s.send(bytes.fromhex('" + hex + "')), time.sleep(0.1)) for _ in range(" + times + ") ]\"";
    }

    /**
     * The catch-all's read of its prio (at every start and port attach) meets a fault: "not now",
     * a lost ack, a lost reply, an interrupted walk — it walks again and finds ours, rather than
     * failing the start; three walks in a row failing are reported.
     */
    @Test
    void itsReadWalksAgainAfterAFault() {
        org.offloadbridge.netlink.FaultPlan.reset();
        org.offloadbridge.netlink.FaultPlan.activate();
        try (VmNet n = net(); NetlinkConnection rt = n.ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            n.veth("p1", "x1");
            n.veth("m1k", "m1d");
            CatchAll ca = new CatchAll(rt);
            int p1 = n.ifindex("p1");
            int m1k = n.ifindex("m1k");
            ca.install(p1, m1k);
            java.util.function.Predicate<org.offloadbridge.netlink.FaultPlan.Request> dumps = r -> r.type()
                == org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETTFILTER;
            for (var f : java.util.List.of(org.offloadbridge.netlink.NetlinkFaultInjector.Fault.refuse(Errno.EINTR),
                    org.offloadbridge.netlink.NetlinkFaultInjector.Fault.refuse(Errno.EBUSY),
                    org.offloadbridge.netlink.NetlinkFaultInjector.Fault.of(org.offloadbridge.netlink.NetlinkFaultInjector.Fault.Kind.ACK_LOST),
                    org.offloadbridge.netlink.NetlinkFaultInjector.Fault.of(org.offloadbridge.netlink.NetlinkFaultInjector.Fault.Kind.DUMP_INTR))) {
                org.offloadbridge.netlink.FaultPlan.arm(dumps, f, 1);
                assertEquals(new CatchAll.State.Ours(m1k), ca.state(p1), f.toString());
                assertTrue(org.offloadbridge.netlink.FaultPlan.spent(), f + ": injected");
            }
            org.offloadbridge.netlink.FaultPlan.arm(dumps, org.offloadbridge.netlink.NetlinkFaultInjector.Fault.refuse(Errno.EBUSY),
                TcOffload.DUMP_ATTEMPTS);
            NetlinkException e = assertThrows(NetlinkException.class, () -> ca.state(p1));
            assertEquals(Errno.EBUSY, e.errno(), "three walks refused: reported");
            org.offloadbridge.netlink.FaultPlan.arm(dumps, org.offloadbridge.netlink.NetlinkFaultInjector.Fault.refuse(Errno.ENOSPC), 1);
            assertEquals(Errno.ENOSPC, assertThrows(NetlinkException.class, () -> ca.state(p1)).errno(),
                "a refusal that is not \"not now\" is reported at once");
            assertTrue(org.offloadbridge.netlink.FaultPlan.spent());
        } finally {
            org.offloadbridge.netlink.FaultPlan.reset();
        }
    }

    private static int count(String s, String word) {
        int c = 0;
        for (int i = s.indexOf(word); i >= 0; i = s.indexOf(word, i + 1)) {
            c++;
        }
        return c;
    }
}
