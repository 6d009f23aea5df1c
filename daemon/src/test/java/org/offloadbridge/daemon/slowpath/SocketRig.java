package org.offloadbridge.daemon.slowpath;

import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Topology;

/**
 * Two hosts on a veth, a {@link PacketSocket} on the receiving end (as on a miss device), and a
 * sender of bursts of 64-byte frames on the other: the set-up the slow path's host tests share.
 */
final class SocketRig implements AutoCloseable {
    private final Topology topology;
    private final Topology.Host tx;
    final PacketSocket socket;

    SocketRig(String name) throws Exception {
        topology = Topology.create(name);
        try {
            tx = topology.host("a");
            Topology.Host rx = topology.host("b");
            topology.veth(tx, "tx0", rx, "rx0");
            rx.noIpv6();
            tx.noIpv6();
            int ifindex = rx.ifindex("rx0");
            try (NetNs ns = NetNs.open(rx.name())) {
                socket = ns.call(() -> PacketSocket.open(ifindex, "rx0"));
            }
        } catch (Exception | Error e) {
            topology.close();
            throw e;
        }
    }

    /** Sends {@code frames} 64-byte frames (an unused ethertype, broadcast) into the socket's device, as fast as Python can. */
    void send(int frames) {
        tx.ok("python3", "-c", "import socket\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
            + "s.bind(('tx0',0))\nf=bytes.fromhex('ffffffffffff020000000001'+'88b5')+bytes(50)\n"
            + "for i in range(" + frames + "):\n  s.send(f)");
    }

    @Override
    public void close() throws Exception {
        try {
            socket.close();
        } finally {
            topology.close();
        }
    }
}
