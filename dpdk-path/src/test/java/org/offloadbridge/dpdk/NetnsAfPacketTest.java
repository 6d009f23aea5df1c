package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;

/**
 * Two hosts in network namespaces (a testkit {@link Topology}), each attached by a veth pair
 * whose end in the initial namespace is a net_af_packet port of the datapath (port 1 = host A's
 * link, port 2 = host B's; {@link AfPacketVeth}). Flows are installed through the API; the kernel's own stacks are the oracle: ping and a UDP stream pass,
 * a drop flow blocks, per-flow stats match what was sent, and in host B tcpdump shows the VLAN
 * push/pop and field rewrites with checksums it verified (the receiving socket gets the
 * datagrams too, which it would not with a bad checksum).
 */
@Tag("host")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetnsAfPacketTest {

    static final String VA_NS = "a0";
    static final String VB_NS = "b0";
    static final String IP_A = "10.77.0.1";
    static final String IP_B = "10.77.0.2";
    static final int A = 1;
    static final int B = 2;
    // payload + UDP 8 + IPv4 20 + Ethernet 14
    static final int UDP_PAYLOAD = 64;
    static final int UDP_FRAME = UDP_PAYLOAD + 42;

    static Topology topo;
    static Topology.Host hostA;
    static Topology.Host hostB;
    /** The root-side veth ends, the datapath's ports (unique names: the initial namespace is shared). */
    static String va;
    static String vb;
    static DpdkDatapath dp;
    static EthdevPort pa;
    static EthdevPort pb;
    static Megaflow udpAB;
    static Megaflow icmpAB;

    static final String SENDER = "import socket,sys,time\n"
        + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
        + "s.bind((sys.argv[1],0))\n"
        + "for i in range(int(sys.argv[5])):\n"
        + "  s.sendto(b'x'*int(sys.argv[4]),(sys.argv[2],int(sys.argv[3])))\n"
        + "  time.sleep(0.002)\n";
    static final String RECEIVER = "import socket,sys\n"
        + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
        + "s.bind(('0.0.0.0',int(sys.argv[1])))\n"
        + "s.settimeout(float(sys.argv[2]))\n"
        + "print('ready',flush=True)\n"
        + "n=0\n"
        + "try:\n"
        + "  while True:\n"
        + "    s.recv(65535); n+=1; s.settimeout(1.0)\n"
        + "except socket.timeout:\n"
        + "  pass\n"
        + "print('received',n,flush=True)\n";

    /** argv: iface, dst MAC, count. Ethernet + 802.1Q (vid 30) + IPv4 10.79.0.1→.2 + UDP 4444→7000, valid checksums. */
    static final String TAGGED_SENDER = "import socket,struct,sys\n"
        + "def cs(b):\n"
        + "  b=b+b'\\0'*(len(b)%2)\n"
        + "  s=sum(struct.unpack('!%dH'%(len(b)//2),b))\n"
        + "  s=(s>>16)+(s&0xffff); s+=s>>16\n"
        + "  return ~s&0xffff\n"
        + "src=bytes.fromhex(open('/sys/class/net/%s/address'%sys.argv[1]).read().strip().replace(':',''))\n"
        + "dst=bytes.fromhex(sys.argv[2].replace(':',''))\n"
        + "sip=socket.inet_aton('10.79.0.1'); dip=socket.inet_aton('10.79.0.2')\n"
        + "pl=b'y'*64\n"
        + "udp=struct.pack('!HHHH',4444,7000,8+len(pl),0)+pl\n"
        + "c=cs(sip+dip+struct.pack('!BBH',0,17,len(udp))+udp) or 0xffff\n"
        + "udp=udp[:6]+struct.pack('!H',c)+udp[8:]\n"
        + "ip=struct.pack('!BBHHHBBH4s4s',0x45,0,20+len(udp),1,0x4000,64,17,0,sip,dip)\n"
        + "ip=ip[:10]+struct.pack('!H',cs(ip))+ip[12:]\n"
        + "f=dst+src+struct.pack('!HHH',0x8100,30,0x0800)+ip+udp\n"
        + "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW); s.bind((sys.argv[1],0))\n"
        + "for i in range(int(sys.argv[3])): s.send(f)\n";

    @BeforeAll
    static void setUp() {
        Eal eal = TestEal.get();
        topo = Topology.create("dp-afpacket");
        hostA = topo.host("a");
        hostB = topo.host("b");
        // software checksums and VLAN tags in the frame: af_packet must see complete frames
        va = AfPacketVeth.attach(topo, hostA, VA_NS, "obdA", "tx", "txvlan", "rxvlan");
        vb = AfPacketVeth.attach(topo, hostB, VB_NS, "obdB", "tx", "txvlan", "rxvlan");
        hostA.addr(VA_NS, IP_A + "/24");
        hostB.addr(VB_NS, IP_B + "/24");
        dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(4095).descriptors(256, 256));
        pa = dp.addPort(A, AfPacketVeth.devargs(va));
        pb = dp.addPort(B, AfPacketVeth.devargs(vb));
        dp.start();
        // ARP both ways, IPv4 B→A (replies), ICMP A→B, UDP A→B: disjoint megaflows, untagged only.
        dp.flows().install(flow(A, 0x0806, -1, out(B)));
        dp.flows().install(flow(B, 0x0806, -1, out(A)));
        dp.flows().install(flow(B, 0x0800, -1, out(A)));
        icmpAB = flow(A, 0x0800, 1, out(B));
        dp.flows().install(icmpAB);
        udpAB = flow(A, 0x0800, 17, out(B));
        dp.flows().install(udpAB);
    }

    @AfterAll
    static void tearDown() {
        try {
            if (dp != null) {
                dp.close();
                pa.close();
                pb.close();
            }
        } finally {
            if (topo != null) {
                topo.close();
            }
        }
    }

    static Actions out(int port) {
        return Actions.builder().output(port).build();
    }

    /** in_port, untagged, eth_type, and nw_proto when >= 0. */
    static Megaflow flow(int inPort, int ethType, int proto, Actions actions) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(inPort);
        m.setExact(Field.IN_PORT);
        m.setExact(Field.VLAN0_CFI);
        k.set(Field.ETH_TYPE, ethType);
        m.setExact(Field.ETH_TYPE);
        if (proto >= 0) {
            k.set(Field.NW_PROTO, proto);
            m.setExact(Field.NW_PROTO);
        }
        return Megaflow.of(k, m, actions);
    }

    /** Counts datagrams: waits up to firstTimeout seconds for the first, then stops after 1 s of silence. */
    static Shell.Background receiver(Topology.Host host, int port, double firstTimeout) {
        Shell.Background p = Shell.start(host.exec("python3", "-c", RECEIVER, Integer.toString(port),
            Double.toString(firstTimeout)));
        p.awaitLine("ready");
        return p;
    }

    static int received(Shell.Background receiver) {
        String out = receiver.finish(20);
        int i = out.lastIndexOf("received ");
        assertTrue(i >= 0, "receiver output: " + out);
        return Integer.parseInt(out.substring(i + 9).trim());
    }

    static Shell.Background tcpdump(Topology.Host host, String iface, int count, String filter) {
        List<String> cmd = new ArrayList<>(List.of(host.exec("timeout", "8", "tcpdump", "-i", iface,
            "-nn", "-e", "-vv", "-l", "-c", Integer.toString(count))));
        cmd.addAll(List.of(filter.split(" ")));
        Shell.Background p = Shell.start(cmd);
        p.awaitLine("listening on");
        return p;
    }

    static void send(Topology.Host host, String src, String dst, int port, int count) {
        host.ok("python3", "-c", SENDER, src, dst, Integer.toString(port), Integer.toString(UDP_PAYLOAD),
            Integer.toString(count));
    }

    @Test
    @Order(1)
    void pingPassesAndIcmpFlowCountsEveryRequest() {
        String out = hostA.ok("ping", "-c", "3", "-i", "0.2", "-W", "2", IP_B);
        assertTrue(out.contains("3 received"), out);
        FlowStats s = dp.flows().stats(icmpAB.ufid());
        assertEquals(3, s.packets(), "three echo requests A→B");
        assertEquals(3L * 98, s.bytes(), "98-byte frames (56 data + ICMP 8 + IPv4 20 + Ethernet 14)");
        assertTrue(s.everUsed(), "used is set");
        assertTrue(pa.link().up() && pb.link().up());
    }

    @Test
    @Order(2)
    void udpStreamPassesWithExactStats() {
        FlowStats before = dp.flows().stats(udpAB.ufid());
        Shell.Background rx = receiver(hostB, 5000, 15.0);
        send(hostA, IP_A, IP_B, 5000, 200);
        assertEquals(200, received(rx));
        FlowStats after = dp.flows().stats(udpAB.ufid());
        assertEquals(200, after.packets() - before.packets());
        assertEquals(200L * UDP_FRAME, after.bytes() - before.bytes());
    }

    @Test
    @Order(3)
    void dropFlowBlocks() {
        assertTrue(dp.flows().modify(udpAB.ufid(), Actions.DROP));
        FlowStats before = dp.flows().stats(udpAB.ufid());
        Shell.Background rx = receiver(hostB, 5000, 3.0);
        send(hostA, IP_A, IP_B, 5000, 20);
        assertEquals(0, received(rx), "drop flow let nothing through");
        assertEquals(20, dp.flows().stats(udpAB.ufid()).packets() - before.packets(), "dropped packets still counted");
    }

    @Test
    @Order(4)
    void rewriteOfPortAndTosShowsOnTheWireWithValidChecksums() {
        Actions rewrite = Actions.builder()
            .setField(KeyAttr.UDP, Field.TP_DST, 6000)
            .setField(KeyAttr.IPV4, Field.NW_TOS, 0x20)
            .output(B).build();
        assertTrue(dp.flows().modify(udpAB.ufid(), rewrite));
        Shell.Background dump = tcpdump(hostB, VB_NS, 5, "udp");
        Shell.Background rx = receiver(hostB, 6000, 15.0);
        send(hostA, IP_A, IP_B, 5000, 5);
        assertEquals(5, received(rx), "datagrams sent to 5000 arrive on 6000 (kernel verified checksums)");
        String wire = dump.finish(10);
        assertTrue(wire.contains(IP_B + ".6000"), wire);
        assertTrue(wire.contains("tos 0x20"), wire);
        assertTrue(wire.contains("udp sum ok"), wire);
        assertFalse(wire.contains("bad"), wire);
    }

    @Test
    @Order(5)
    void vlanPushShowsOnTheWire() {
        assertTrue(dp.flows().modify(udpAB.ufid(), Actions.builder().pushVlan(0x8100, 10, 5).output(B).build()));
        Shell.Background dump = tcpdump(hostB, VB_NS, 3, "vlan 10");
        send(hostA, IP_A, IP_B, 5000, 3);
        String wire = dump.finish(10);
        assertTrue(wire.contains("vlan 10, p 5"), wire);
        assertTrue(wire.contains("udp sum ok"), wire);
    }

    @Test
    @Order(6)
    void vlanPopDeliversTaggedTrafficUntagged() {
        // This kernel has no 8021q module, so host A sends the tagged frames itself (raw socket).
        String macB = hostB.mac(VB_NS);
        hostB.addr(VB_NS, "10.79.0.2/24");
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(A);
        m.setExact(Field.IN_PORT);
        k.set(Field.VLAN0_CFI, 1);
        m.setExact(Field.VLAN0_CFI);
        k.set(Field.VLAN0_VID, 30);
        m.setExact(Field.VLAN0_VID);
        Megaflow pop = Megaflow.of(k, m, Actions.builder().popVlan().output(B).build());
        dp.flows().install(pop);
        Shell.Background dump = tcpdump(hostB, VB_NS, 5, "udp port 7000");
        Shell.Background rx = receiver(hostB, 7000, 15.0);
        hostA.ok("python3", "-c", TAGGED_SENDER, VA_NS, macB, "5");
        assertEquals(5, received(rx));
        String wire = dump.finish(10);
        assertFalse(wire.contains("vlan"), "tag popped: " + wire);
        assertTrue(wire.contains("10.79.0.2.7000") && wire.contains("udp sum ok"), wire);
        assertEquals(5, dp.flows().stats(pop.ufid()).packets());
    }
}
