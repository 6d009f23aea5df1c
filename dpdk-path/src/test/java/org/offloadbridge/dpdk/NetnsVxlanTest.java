package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Tunnel;
import org.offloadbridge.testkit.Topology;

/**
 * The kernel's own VXLAN device as the peer: namespace R is a remote VTEP (10.78.0.2, a Linux
 * vxlan device with VNI 42 and overlay address 10.90.0.2) reached over a veth whose root end is
 * our underlay port (net_af_packet); namespace H is a host (10.90.0.1) behind our access port
 * (both namespaces from a testkit {@link Topology}). Our datapath is the local VTEP (10.78.0.1):
 * H's frames are encapsulated to R, R's VXLAN frames decapsulated to H. Ping from H to R's
 * overlay address crosses the tunnel both ways (ARP too).
 */
@Tag("host")
class NetnsVxlanTest {

    static final String VH_NS = "h0";
    static final String VU_NS = "u0";
    static final String VX = "vx0";
    static final int ACCESS = 1;
    static final int UNDER = 2;
    static final int TUN = 3;
    static final int VNI = 42;
    static final int LOCAL_VTEP = 0x0a4e0001; // 10.78.0.1
    static final int REMOTE_VTEP = 0x0a4e0002; // 10.78.0.2
    static final long LOCAL_MAC = 0x02000000bb01L;

    static Topology topo;
    static Topology.Host host;
    static Topology.Host remote;
    static DpdkDatapath dp;
    static EthdevPort ph;
    static EthdevPort pu;

    @BeforeAll
    static void setUp() {
        Eal eal = TestEal.get();
        topo = Topology.create("dp-vxlan");
        host = topo.host("h");
        remote = topo.host("r");
        // complete checksums in the frames af_packet reads
        String vh = AfPacketVeth.attach(topo, host, VH_NS, "obvH", "tx");
        String vu = AfPacketVeth.attach(topo, remote, VU_NS, "obvU", "tx");
        host.addr(VH_NS, "10.90.0.1/24");
        remote.addr(VU_NS, "10.78.0.2/24");
        // no ARP in our VTEP (static next hop): the remote gets a static neighbour for us
        remote.neigh(VU_NS, "10.78.0.1", macText(LOCAL_MAC));
        remote.ip("link", "add", VX, "type", "vxlan", "id", Integer.toString(VNI), "local", "10.78.0.2",
            "remote", "10.78.0.1", "dstport", "4789", "dev", VU_NS);
        remote.addr(VX, "10.90.0.2/24");
        remote.ip("link", "set", VX, "up");
        long remoteMac = Long.parseLong(remote.mac(VU_NS).replace(":", ""), 16);

        dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(4095).descriptors(256, 256));
        ph = dp.addPort(ACCESS, AfPacketVeth.devargs(vh));
        pu = dp.addPort(UNDER, AfPacketVeth.devargs(vu));
        dp.addVxlanPort(TUN, Tunnel.vxlan(LOCAL_VTEP, REMOTE_VTEP), new VxlanUnderlay(UNDER, LOCAL_MAC, remoteMac));
        dp.start();
        // everything from H goes into the tunnel; VNI 42 from R goes to H
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(ACCESS);
        m.setExact(Field.IN_PORT);
        dp.flows().install(Megaflow.of(k, m, Actions.builder()
            .setTunnelIpv4(VNI, 0, REMOTE_VTEP, 0, 64, 0, 4789, FlowKey.TUN_F_DONT_FRAGMENT).output(TUN).build()));
        FlowKey d = new FlowKey();
        FlowMask dm = new FlowMask();
        d.setInPort(TUN);
        dm.setExact(Field.IN_PORT);
        d.set(Field.TUN_ID, VNI);
        dm.setExact(Field.TUN_ID);
        d.set(Field.TUN_IPV4_SRC, REMOTE_VTEP);
        dm.setExact(Field.TUN_IPV4_SRC);
        dp.flows().install(Megaflow.of(d, dm, Actions.builder().output(ACCESS).build()));
    }

    @AfterAll
    static void tearDown() {
        try {
            if (dp != null) {
                dp.close();
                ph.close();
                pu.close();
            }
        } finally {
            if (topo != null) {
                topo.close();
            }
        }
    }

    static String macText(long mac) {
        StringBuilder b = new StringBuilder();
        for (int i = 5; i >= 0; i--) {
            b.append(String.format("%02x", (mac >>> (8 * i)) & 0xff)).append(i > 0 ? ":" : "");
        }
        return b.toString();
    }

    @Test
    void pingCrossesTheTunnelToALinuxVxlanDevice() {
        String out = host.ok("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.90.0.2");
        assertTrue(out.contains("3 received"), out);
        DatapathCounters c = dp.counters();
        // 3 echo requests + ARP request, 3 replies + ARP reply, at least
        assertTrue(c.tunnelEncaps() >= 4, "encaps " + c);
        assertTrue(c.tunnelDecaps() >= 4, "decaps " + c);
        assertEquals(0, c.tunnelMalformed(), c.toString());
        assertEquals(0, c.tunnelHeadroomDrops(), c.toString());
        // the Linux VTEP learnt H's MAC behind our VTEP address: its FDB points at 10.78.0.1
        String fdb = remote.ok("bridge", "fdb", "show", "dev", VX);
        assertTrue(fdb.contains("dst 10.78.0.1"), fdb);
    }
}
