package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.TunnelFrame;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.testkit.Shell;

/**
 * The tunnel slow path's two programs on this machine's kernel (cls_bpf, collect_md VXLAN):
 * host A is ours — a collect_md VXLAN device {@code obvx4789}, its miss device, our programs —
 * and host B a plain Linux VXLAN device with VNI 42 pointing at A, over an underlay veth.
 * What B sends through its tunnel reaches A's miss device with its VNI and outer addresses in
 * the miss header and the inner frame unchanged behind it; what A's datapath sends into the miss
 * device with an inject trailer leaves A's underlay as VXLAN with the asked VNI and addresses and
 * reaches a socket on B unchanged.
 */
@Tag("host")
class TunnelSlowPathHostTest {
    /** How long a capture may take to say it listens (a fixed sleep before sending loses the race on a loaded machine). */
    private static final java.time.Duration READY = java.time.Duration.ofSeconds(30);

    /** {@code command} in {@code net}'s namespace, in the background. */
    private static Shell.Background start(VmNet net, String... command) {
        return Shell.start(Shell.inNetns(net.name, command));
    }
    private static final String B_MAC = "02:00:00:00:42:02";
    private static final String A_INNER_MAC = "02:00:00:00:42:01";

    /** A (ours) and B (a plain VXLAN peer, VNI 42), 10.9.0.1 ↔ 10.9.0.2 underneath, 192.168.42.0/24 inside. */
    private record Hosts(VmNet a, VmNet b, NetlinkConnection rt) implements AutoCloseable {
        static Hosts create() {
            VmNet a = new VmNet("tnA");
            VmNet b = new VmNet("tnB");
            a.sh("ip link add uA type veth peer name uB netns " + b.name
                + " && ip addr add 10.9.0.1/24 dev uA && ip link set uA up"
                + " && ip link add obvx4789 type vxlan external dstport 4789 && ip link set obvx4789 up"
                + " && ip link add obk9 mtu 1600 type veth peer name obd9 mtu 1600"
                + " && ip link set obk9 addrgenmode none && ip link set obd9 addrgenmode none"
                + " && ip link set obk9 up && ip link set obd9 up");
            b.sh("ip addr add 10.9.0.2/24 dev uB && ip link set uB up"
                + " && ip link add vx42 address " + B_MAC + " type vxlan id 42 remote 10.9.0.1 local 10.9.0.2 dstport 4789"
                + " && ip link set vx42 addrgenmode none && ip addr add 192.168.42.2/24 dev vx42 && ip link set vx42 up"
                + " && ip neigh add 192.168.42.1 lladdr " + A_INNER_MAC + " dev vx42");
            return new Hosts(a, b, a.ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE)));
        }

        @Override
        public void close() {
            rt.close();
            b.close();
            a.close();
        }
    }

    @Test
    void bothProgramsAreOursInTcAndInstallIsIdempotent() {
        try (Hosts h = Hosts.create()) {
            CatchAll ca = new CatchAll(h.rt);
            int vx = h.a.ifindex("obvx4789");
            int k = h.a.ifindex("obk9");
            ca.installTunnelMiss(vx, k);
            ca.installTunnelInject(k, vx);
            ca.installTunnelMiss(vx, k); // again: nothing changes, nothing loaded
            assertEquals(new CatchAll.State.OursProgram(CatchAll.TUNNEL_MISS, k), ca.state(vx));
            assertEquals(new CatchAll.State.OursProgram(CatchAll.TUNNEL_INJECT, vx), ca.state(k));
            String shown = h.a.sh("tc filter show dev obvx4789 ingress");
            assertTrue(shown.contains("bpf") && shown.contains("ob-tnl-miss:" + k) && shown.contains("direct-action")
                && shown.contains("skip_hw"), shown);
            assertEquals(1, shown.split("ob-tnl-miss").length - 1, "one filter after two installs: " + shown);
            assertTrue(h.a.sh("tc filter show dev obk9 ingress").contains("ob-tnl-inject:" + vx));

            // A port that was plain and became a tunnel's miss device: the u32 catch-all gives way.
            ca.remove(k);
            ca.install(k, vx);
            assertEquals(new CatchAll.State.Ours(vx), ca.state(k));
            ca.installTunnelInject(k, vx);
            assertEquals(new CatchAll.State.OursProgram(CatchAll.TUNNEL_INJECT, vx), ca.state(k));
            assertFalse(h.a.sh("tc filter show dev obk9 ingress").contains("u32"));

            assertTrue(ca.remove(vx));
            assertEquals(new CatchAll.State.Free(), ca.state(vx));
        }
    }

    @Test
    void aMissReachesTheDatapathWithItsTunnelMetadata() throws Exception {
        try (Hosts h = Hosts.create()) {
            CatchAll ca = new CatchAll(h.rt);
            ca.installTunnelMiss(h.a.ifindex("obvx4789"), h.a.ifindex("obk9"));
            Shell.Background atMiss = start(h.a, "python3", "-c", "import socket\n"
                + "s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); s.bind(('obd9', 0)); s.settimeout(20)\n"
                + "print('ready', flush=True)\nprint(s.recv(4096).hex(), flush=True)\n").awaitLine("ready", READY);
            h.b.run("ping -c 3 -i 0.3 -W 1 192.168.42.1");
            String got = atMiss.finish(25);
            byte[] frame = HexFormat.of().parseHex(got.substring(got.indexOf("ready") + 5).trim());

            FlowKey key = new FlowKey();
            assertTrue(TunnelFrame.readMissHeader(ByteBuffer.wrap(frame), 0, frame.length, 4789, key), HexFormat.of().formatHex(frame));
            assertEquals(42, key.get(Field.TUN_ID), "VNI");
            assertEquals(0x0a090002L, key.get(Field.TUN_IPV4_SRC), "outer source: B");
            assertEquals(0x0a090001L, key.get(Field.TUN_IPV4_DST), "outer destination: A");
            assertEquals(4789, key.get(Field.TUN_TP_DST));
            assertTrue(key.get(Field.TUN_TTL) > 0, "outer TTL read: " + key.get(Field.TUN_TTL));
            assertEquals(FlowKey.TUN_F_KEY, key.get(Field.TUN_FLAGS));
            assertTrue(key.hasAttr(KeyAttr.TUNNEL));

            // The inner frame, unchanged: B's echo request to A's inner address.
            String inner = HexFormat.of().formatHex(frame, TunnelFrame.MISS_HEADER_LEN, frame.length);
            assertTrue(inner.startsWith(mac(A_INNER_MAC) + mac(B_MAC) + "0800"), inner);
            assertEquals("c0a82a02" + "c0a82a01", inner.substring(2 * (14 + 12), 2 * (14 + 20)), "inner IPv4 addresses");
            assertEquals("08", inner.substring(2 * (14 + 20), 2 * (14 + 21)), "ICMP echo request");
        }
    }

    @Test
    void anInjectedFrameLeavesEncapsulatedAsAskedAndReachesThePeer() throws Exception {
        try (Hosts h = Hosts.create()) {
            CatchAll ca = new CatchAll(h.rt);
            int vx = h.a.ifindex("obvx4789");
            int k = h.a.ifindex("obk9");
            ca.installTunnelInject(k, vx);
            byte[] inner = udpFrame("hello-tunnel");
            ByteBuffer out = ByteBuffer.allocate(inner.length + TunnelFrame.INJECT_TRAILER_LEN);
            out.put(inner);
            TunnelFrame.writeInjectTrailer(out, inner.length, 42, 0x0a090002, 0, 0, 64, 0);
            String hex = HexFormat.of().formatHex(out.array());

            Shell.Background wire = start(h.b, "timeout", "20", "tcpdump", "-l", "-n", "-v", "-c", "1", "-i", "uB", "src", "host", "10.9.0.1",
                "and", "udp", "port", "4789").awaitLine("listening on", READY);
            Shell.Background socket = start(h.b, "python3", "-c", "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                + "s.bind(('192.168.42.2', 7001))\nprint('ready', flush=True)\ns.settimeout(15)\nd,a=s.recvfrom(2048)\n"
                + "print('got', d.decode(), a[0], a[1], flush=True)\n").awaitLine("ready", READY);
            h.a.sh(send("obd9", hex, 2));

            String seen = wire.finish(20);
            assertTrue(seen.contains("10.9.0.1") && seen.contains("10.9.0.2.4789") && seen.contains("VXLAN") && seen.contains("vni 42"),
                "the underlay carries VXLAN, VNI 42, A → B:4789: " + seen);
            assertTrue(seen.contains("ttl 64"), "the asked outer TTL: " + seen);
            assertTrue(socket.finish(20).contains("got hello-tunnel 192.168.42.1 7000"), "B's socket got the inner datagram: " + socket.output());
        }
    }

    @Test
    void aFrameWithoutTheTrailerNeverLeavesThroughTheTunnel() throws Exception {
        try (Hosts h = Hosts.create()) {
            CatchAll ca = new CatchAll(h.rt);
            int vx = h.a.ifindex("obvx4789");
            int k = h.a.ifindex("obk9");
            ca.installTunnelInject(k, vx);
            byte[] inner = udpFrame("no-trailer-here-no-trailer-here-no-trailer-here-no-trailer-here-x");
            Shell.Background wire = start(h.b, "timeout", "4", "tcpdump", "-l", "-n", "-c", "1", "-i", "uB", "src", "host", "10.9.0.1",
                "and", "udp", "port", "4789").awaitLine("listening on", READY);
            h.a.sh(send("obd9", HexFormat.of().formatHex(inner), 3));
            String seen = wire.finish(10);
            assertTrue(seen.contains("0 packets captured"), "nothing left through the tunnel: " + seen);
            String stats = h.a.sh("tc -s filter show dev obk9 ingress");
            assertTrue(stats.contains("ob-tnl-inject"), stats);
        }
    }

    /** An Ethernet + IPv4 + UDP frame from A's inner address (192.168.42.1:7000) to B's (192.168.42.2:7001). */
    private static byte[] udpFrame(String payload) {
        byte[] data = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + 8 + data.length);
        f.put(HexFormat.of().parseHex(mac(B_MAC) + mac(A_INNER_MAC) + "0800"));
        int ip = f.position();
        f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + data.length)).putShort((short) 1).putShort((short) 0x4000)
            .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(0xc0a82a01).putInt(0xc0a82a02);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += f.getShort(ip + i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        f.putShort(ip + 10, (short) ~sum);
        f.putShort((short) 7000).putShort((short) 7001).putShort((short) (8 + data.length)).putShort((short) 0).put(data);
        return f.array();
    }

    private static String mac(String colons) {
        return colons.replace(":", "");
    }

    /** Sends a raw frame (hex) {@code times} times on {@code dev} through an AF_PACKET socket. */
    private static String send(String dev, String hex, int times) {
        return "python3 -c \"import socket,time; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('" + dev
            + "', 0)); [ (s.send(bytes.fromhex('" + hex + "')), time.sleep(0.1)) for _ in range(" + times + ") ]\"";
    }
}
