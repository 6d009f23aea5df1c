package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.tc.internal.Flows;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;

/**
 * Real packets through our filters. Two hosts (netns hA 10.0.0.1 on a0, hB 10.0.0.2 on b0)
 * are joined only through the switch namespace's a1/b1 ports, which have no bridge and no
 * routing: a packet crosses only when one of our filters redirects it. Counters, drop, VLAN
 * push/pop and a pedit rewrite are checked on the wire with tcpdump in the receiving host.
 */
@Tag("kernel-vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcTrafficVmTest {
    private VmNet sw;
    private Topology topo;
    private String hA;
    private String hB;
    private int a1;
    private int b1;
    private TcOffload tc;

    @BeforeAll
    void hosts() {
        sw = new VmNet("traffic");
        topo = Topology.create("tc-traffic");
        final Topology.Host a = topo.host("hA");
        final Topology.Host b = topo.host("hB");
        hA = a.name();
        hB = b.name();
        final Topology.Host s = topo.existing(sw.name);
        topo.veth(s, "a1", a, "a0").veth(s, "b1", b, "b0");
        a.addr("a0", "10.0.0.1/24");
        b.addr("b0", "10.0.0.2/24");
        // Static neighbours: only the IPv4 packets under test cross, so counters are exact.
        String macA = a.mac("a0");
        String macB = b.mac("b0");
        a.neigh("a0", "10.0.0.2", macB);
        b.neigh("b0", "10.0.0.1", macA);
        Shell.sh("ip netns exec " + hB + " sh -c 'ip link add link b0 name b0.100 type vlan id 100 && ip addr add 10.0.1.2/24 dev b0.100 && ip link set b0.100 up'");
        Shell.sh("ip -n " + hB + " neigh add 10.0.1.1 lladdr " + macA + " dev b0.100");
        a1 = sw.ifindex("a1");
        b1 = sw.ifindex("b1");
        tc = sw.offload(TcPolicy.NONE);
    }

    @AfterAll
    void teardown() {
        tc.close();
        topo.close();
        sw.close();
    }

    private Megaflow icmp(int in, int out) {
        return Flows.on(in).ipv4(1).actions(Actions.builder().output(out).build()).build();
    }

    private Megaflow udp(int in, int dport, Actions a) {
        return Flows.on(in).ipv4(17).exact(Field.TP_DST, dport).actions(a).build();
    }

    private long packets(Megaflow f) {
        return tc.get(f.ufid()).orElseThrow().stats().packets();
    }

    /** Sends {@code n} UDP datagrams from hA to {@code dst}:{@code port} (python3, no extra tools). */
    private void sendUdp(String dst, int port, int n) {
        Shell.sh("ip netns exec " + hA + " python3 -c \"import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "for i in range(" + n + "):\n  s.sendto(b'x'*64,('" + dst + "'," + port + "));time.sleep(0.01)\"");
    }

    /** Starts a UDP receiver in hB counting datagrams on {@code port} for {@code seconds}; {@link #received} gives the count. */
    private Shell.Background receiveUdp(int port, int seconds) {
        return Shell.start(Shell.inNetns(hB, "python3", "-c",
                "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0'," + port + "))\n"
                        + "print('ready',flush=True)\ns.settimeout(0.5)\nn=0\nend=time.time()+" + seconds + "\n"
                        + "while time.time()<end:\n  try:\n    s.recv(2048);n+=1\n  except socket.timeout:\n    pass\nprint(n,flush=True)"))
                .awaitLine("ready");
    }

    /** The count a receiver printed (its last line) once its time was up. */
    private static int received(Shell.Background receiver) {
        String out = receiver.finish(60).strip();
        String last = out.substring(out.lastIndexOf('\n') + 1);
        assertTrue(last.matches("\\d+"), "receiver output: " + out);
        return Integer.parseInt(last);
    }

    /** Starts tcpdump in {@code ns} on {@code dev}; waits until it listens; {@code finish(45)} gives its output. */
    private Shell.Background tcpdump(String ns, String dev, int count, String filter) {
        return Shell.start(Shell.inNetns(ns, "timeout", "40", "tcpdump", "-l", "-n", "-e", "-v", "-c",
                Integer.toString(count), "-i", dev, filter)).awaitLine("listening on");
    }

    private String filters() {
        return sw.sh("tc -s filter show dev a1 ingress; echo ---; tc -s filter show dev b1 ingress");
    }

    @org.junit.jupiter.api.AfterEach
    void removeOurs() {
        tc.deleteAllOurs(a1);
        tc.deleteAllOurs(b1);
    }

    @Test
    void pingAndUdpPassCountersGrowDropBlocksAndCountersSurviveModify() throws Exception {
        Megaflow ab = icmp(a1, b1);
        Megaflow ba = icmp(b1, a1);
        Megaflow u = udp(a1, 5001, Actions.builder().output(b1).build());
        for (TcOutcome o : tc.installAll(java.util.List.of(ab, ba, u), OffloadPreference.PREFERRED)) {
            assertTrue(o.ok(), o + "\n" + filters());
        }
        Shell.Result ping = Shell.run("ip", "netns", "exec", hA, "ping", "-c", "5", "-i", "0.2", "-W", "3", "10.0.0.2");
        assertTrue(ping.ok(), ping.toString());
        assertEquals(5, packets(ab), "echo requests through a1→b1");
        assertEquals(5, packets(ba), "echo replies through b1→a1");

        Shell.Background got = receiveUdp(5001, 8);
        sendUdp("10.0.0.2", 5001, 20);
        assertEquals(20, received(got), "UDP datagrams received");
        assertEquals(20, packets(u));

        // Modify to drop: the stream stops, and the counter continues from 20 (not reset).
        TcOutcome r = tc.replace(u.withActions(Actions.DROP), OffloadPreference.PREFERRED);
        assertTrue(r.ok(), r.toString());
        got = receiveUdp(5001, 5);
        sendUdp("10.0.0.2", 5001, 10);
        assertEquals(0, received(got), "drop filter let datagrams through");
        assertEquals(30, packets(u), "counters continue across modify");
        assertTrue(tc.deleteAll(java.util.List.of(ab.ufid(), ba.ufid(), u.ufid())).stream().allMatch(TcOutcome::ok));

        Shell.Result noPath = Shell.run("ip", "netns", "exec", hA, "ping", "-c", "1", "-W", "1", "10.0.0.2");
        assertFalse(noPath.ok(), "without our filters there is no path: " + noPath);
    }

    @Test
    void vlanPushPopAndPeditRewriteSeenOnTheWire() throws Exception {
        // push: a1 → b1 with tag 100; hB sees it tagged on b0.
        Megaflow push = udp(a1, 5002, Actions.builder().pushVlan(0x8100, 100, 0).output(b1).build());
        // pedit: a1 → b1 with TTL rewritten to 33 (checksum fixed by csum).
        Megaflow pedit = udp(a1, 5004, Actions.builder().setField(KeyAttr.IPV4, Field.NW_TTL, 33).output(b1).build());
        // pop: tagged 100 from b1 → untagged to a1.
        Megaflow pop = Flows.on(b1).vlan(0x8100, 100, 0x0800).exact(Field.NW_PROTO, 17).exact(Field.TP_DST, 5003)
                .actions(Actions.builder().popVlan().output(a1).build()).build();
        for (TcOutcome o : tc.installAll(java.util.List.of(push, pedit, pop), OffloadPreference.PREFERRED)) {
            assertTrue(o.ok(), o + "\n" + filters());
        }
        Shell.Background seen = tcpdump(hB, "b0", 3, "udp port 5002 or (vlan and udp port 5002)");
        sendUdp("10.0.0.2", 5002, 3);
        String out = seen.finish(45);
        assertTrue(out.contains("vlan 100"), "no VLAN 100 tag on b0:\n" + out);
        assertEquals(3, packets(push));

        seen = tcpdump(hB, "b0", 3, "udp port 5004");
        sendUdp("10.0.0.2", 5004, 3);
        out = seen.finish(45);
        assertTrue(out.contains("ttl 33"), "TTL not rewritten:\n" + out + "\n" + filters());
        assertFalse(out.contains("bad cksum"), "checksum not fixed:\n" + out);

        seen = tcpdump(hA, "a0", 3, "udp port 5003 or (vlan and udp port 5003)");
        Shell.sh("ip netns exec " + hB + " python3 -c \"import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "for i in range(3):\n  s.sendto(b'y'*64,('10.0.1.1',5003));time.sleep(0.01)\"");
        out = seen.finish(45);
        assertTrue(out.contains("5003"), "popped packets not seen on a0:\n" + out);
        assertFalse(out.contains("vlan 100"), "tag not popped:\n" + out);
        assertEquals(3, packets(pop));
        assertEquals(3, tc.deleteAllOurs(a1) + tc.deleteAllOurs(b1));
    }
}
