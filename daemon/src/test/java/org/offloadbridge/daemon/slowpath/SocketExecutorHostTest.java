package org.offloadbridge.daemon.slowpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.testkit.Shell;

/**
 * The socket slow path's packet-out on this machine's kernel: actions executed by the daemon
 * leave through the right port, rewritten with correct checksums (tcpdump -vv is the oracle:
 * it prints "bad cksum" otherwise), and what it can't do is counted, not sent.
 */
@Tag("host")
class SocketExecutorHostTest {
    private static final String NS = "obsx" + ProcessHandle.current().pid();
    /** UDP 192.0.2.1:12345 → 192.0.2.2:53, checksums valid. */
    private static final String FRAME = "02000000000202000000000108004500001e000100004011f6cac0000201c000020230390035000ae2fe6869";

    @Test
    void outputsRewritesAndTagsLeaveThroughThePortWithValidChecksums() throws Exception {
        try (NetNs ns = NetNs.create(NS); NetlinkConnection rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            for (String p : new String[] {"1", "2"}) {
                sh("ip link add p" + p + " type veth peer name x" + p + " && ip link set p" + p + " addrgenmode none"
                    + " && ip link set x" + p + " addrgenmode none && ip link set p" + p + " up && ip link set x" + p + " up");
            }
            MissDevices md = new MissDevices(rt);
            MissDevices.MissDevice m1 = md.attach("p1");
            MissDevices.MissDevice m2 = md.attach("p2");
            try (PacketSocket s1 = ns.call(() -> PacketSocket.open(m1.datapathIfindex(), m1.datapathSide()));
                 PacketSocket s2 = ns.call(() -> PacketSocket.open(m2.datapathIfindex(), m2.datapathSide()))) {
                Map<Integer, PacketSocket> byPort = Map.of(1, s1, 2, s2);
                SocketExecutor ex = new SocketExecutor(byPort::get);
                byte[] frame = HexFormat.of().parseHex(FRAME);
                Actions a = FlowParser.parseActions("set(ipv4(dst=198.51.100.7,ttl=9)),set(udp(dst=5353)),push_vlan(vid=10,pcp=3),2",
                    PortNames.NONE);
                CompletableFuture<String> atX2 = capture("x2", "-e -vv");
                Thread.sleep(500);
                assertTrue(ex.execute(1, frame, a));
                String seen = atX2.get(10, TimeUnit.SECONDS);
                assertTrue(seen.contains("vlan 10, p 3"), seen);
                assertTrue(seen.contains("ttl 9"), seen);
                assertTrue(seen.contains("192.0.2.1.12345 > 198.51.100.7.5353"), seen);
                assertFalse(seen.contains("bad"), "checksums fixed up: " + seen);
                assertEquals(1, ex.counters().sent());

                // Unknown port: counted, nothing sent.
                assertFalse(ex.execute(1, frame, FlowParser.parseActions("7", PortNames.NONE)));
                assertEquals(1, ex.counters().noSuchPort());
                assertFalse(ex.execute(1, frame, FlowParser.parseActions("pop_vlan,2", PortNames.NONE)), "no tag to pop");
                assertEquals(1, ex.counters().editFailures());
                assertEquals(1, ex.counters().sent());

                // Port 2 as a tunnel device: the frame leaves with the inject trailer of the set(tunnel)
                // before it (the kernel side's program reads it: TunnelSlowPathHostTest); without one it
                // is counted and not sent.
                SocketExecutor tx = new SocketExecutor(byPort::get, port -> port == 2);
                assertFalse(tx.execute(1, frame, FlowParser.parseActions("2", PortNames.NONE)));
                assertEquals(1, tx.counters().unsupported());
                // The receiver says when it is bound: a fixed sleep loses the race on a loaded machine.
                Shell.Background raw = Shell.start(Shell.inNetns(NS, "python3", "-c", "import socket\n"
                    + "s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); s.bind(('x2', 0)); s.settimeout(20)\n"
                    + "print('ready', flush=True)\nprint(s.recv(4096).hex(), flush=True)\n")).awaitLine("ready", java.time.Duration.ofSeconds(30));
                assertTrue(tx.execute(1, frame, FlowParser.parseActions(
                    "set(tunnel(tun_id=0x5,src=192.0.2.1,dst=192.0.2.9,ttl=64,tp_dst=4789,flags(key))),2", PortNames.NONE)));
                String rawOut = raw.finish(25);
                byte[] sent = HexFormat.of().parseHex(rawOut.substring(rawOut.indexOf("ready") + 5).trim());
                assertEquals(frame.length + org.offloadbridge.flow.TunnelFrame.INJECT_TRAILER_LEN, sent.length);
                assertEquals(FRAME, HexFormat.of().formatHex(sent, 0, frame.length), "the inner frame, unchanged");
                java.nio.ByteBuffer t = java.nio.ByteBuffer.wrap(sent, frame.length, 64).slice().order(java.nio.ByteOrder.nativeOrder());
                assertEquals("OBTI", new String(sent, frame.length, 4, java.nio.charset.StandardCharsets.US_ASCII));
                assertEquals(org.offloadbridge.flow.TunnelFrame.BPF_F_ZERO_CSUM_TX, t.getInt(4), "no checksum asked: zero-csum");
                assertEquals(5, t.getInt(8), "tunnel_id");
                assertEquals(0xc0000209, t.getInt(12), "remote: the outer destination");
                assertEquals(64, t.get(8 + 21), "ttl");
                assertEquals(0xc0000201, t.getInt(8 + 28), "local: the outer source");
            }
        }
    }

    private static CompletableFuture<String> capture(String dev, String flags) {
        return CompletableFuture.supplyAsync(() -> run("timeout 8 tcpdump -l -n " + flags + " -c 1 -i " + dev + " 2>/dev/null"));
    }

    private static String sh(String script) {
        return Shell.ns(NS, "sh", "-c", script);
    }

    private static String run(String script) {
        return Shell.run(30, Shell.inNetns(NS, "sh", "-c", script)).out();
    }
}
