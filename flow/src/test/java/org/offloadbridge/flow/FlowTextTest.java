package org.offloadbridge.flow;

import org.offloadbridge.testkit.Cases;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Printer and parser of the datapath-flow text beyond the golden lines: errors, megaflows from packets, random flows. */
class FlowTextTest {

    @Test
    void megaflowFromAParsedPacketPrintsLikeTheKernelDatapath() {
        byte[] frame = PacketParserTest.frames.get(0); // 10.0.0.1:40000 -> 10.0.0.2:80 SYN
        FlowKey k = new FlowKey();
        assertEquals(ParseStatus.OK, PacketParser.parse(frame, 2, k));
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(k); // recirc_id, in_port, eth_type, no VLAN tag, nw_frag
        m.setPrefix(Field.IPV4_DST, 24);
        m.setExact(Field.NW_PROTO);
        m.setExact(Field.TP_DST);
        Megaflow f = Megaflow.of(k, m, Actions.builder().pushVlan(0x8100, 10, 0).output(3).build());
        assertEquals("recirc_id(0),in_port(2),eth(),eth_type(0x0800),ipv4(dst=10.0.0.0/255.255.255.0,proto=6,frag=no),tcp(dst=80)",
                FlowFormat.formatMatch(f.key(), f.mask(), null, false));
        String line = FlowFormat.formatFlow(DpFlow.of(f, 12, 1200, 512, 0x12, "yes", "tc"), null, true);
        assertEquals(f.ufid() + ", recirc_id(0),in_port(2),eth(src=00:00:00:00:00:00/00:00:00:00:00:00,dst=00:00:00:00:00:00/00:00:00:00:00:00),"
                + "eth_type(0x0800),ipv4(src=0.0.0.0/0.0.0.0,dst=10.0.0.0/255.255.255.0,proto=6,tos=0/0,ttl=0/0,frag=no),"
                + "tcp(src=0/0,dst=80),tcp_flags(0/0), packets:12, bytes:1200, used:0.512s, flags:S., offloaded:yes, dp:tc, "
                + "actions:push_vlan(vid=10,pcp=0),3", line);
        DpFlow back = FlowParser.parseFlow(line, null);
        assertEquals(f, back.toMegaflow());
        assertEquals(0x12, back.tcpFlags());
        assertEquals(512, back.usedMillisAgo());
        String plain = FlowFormat.formatFlow(back, null, false);
        assertEquals("recirc_id(0),in_port(2),eth(),eth_type(0x0800),ipv4(dst=10.0.0.0/255.255.255.0,proto=6,frag=no),tcp(dst=80), "
                + "packets:12, bytes:1200, used:0.512s, flags:S., actions:push_vlan(vid=10,pcp=0),3", plain);
    }

    @Test
    void datapathBaselineKeepsTaggedAndUntaggedApart() {
        FlowKey untagged = new FlowKey();
        FlowKey tagged = new FlowKey();
        FlowKey qinq = new FlowKey();
        assertEquals(ParseStatus.OK, PacketParser.parse(PacketParserTest.frames.get(19), 4, untagged)); // IPv4 UDP, untagged
        assertEquals(ParseStatus.OK, PacketParser.parse(PacketParserTest.frames.get(18), 4, tagged));   // IPv4 UDP, VLAN 20
        assertEquals(ParseStatus.OK, PacketParser.parse(PacketParserTest.frames.get(20), 4, qinq));     // IPv4 UDP, QinQ
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(untagged);
        Megaflow f = Megaflow.of(untagged, m, Actions.DROP);
        assertTrue(f.matches(untagged));
        assertFalse(f.matches(tagged), "inner eth_type alone would match the tagged frame");
        assertEquals("recirc_id(0),in_port(4),eth(),eth_type(0x0800),ipv4(frag=no)", FlowFormat.formatMatch(f.key(), f.mask(), null, false));

        FlowMask mt = new FlowMask();
        mt.setDatapathBaseline(tagged);
        Megaflow ft = Megaflow.of(tagged, mt, Actions.DROP);
        assertTrue(ft.matches(tagged));
        assertFalse(ft.matches(untagged));
        assertFalse(ft.matches(qinq), "one tag must not match two");
        assertEquals("recirc_id(0),in_port(4),eth(),eth_type(0x8100),vlan(),encap(eth_type(0x0800),ipv4(frag=no))",
                FlowFormat.formatMatch(ft.key(), ft.mask(), null, false));
        FlowKey k2 = new FlowKey();
        FlowMask m2 = new FlowMask();
        FlowParser.parseMatch(FlowFormat.formatMatch(ft.key(), ft.mask(), null, false), null, k2, m2);
        assertEquals(ft.mask(), m2);
    }

    @Test
    void portNamesPrintAndParse() {
        PortNames names = PortNames.of(Map.of(1, "p0", 7, "pf0vf1"));
        Actions a = FlowParser.parseActions("pf0vf1,p0,9", names);
        assertEquals(List.of(new Action.Output(7), new Action.Output(1), new Action.Output(9)), a.toList());
        assertEquals("pf0vf1,p0,9", FlowFormat.formatActions(a, names));
        assertEquals("7,1,9", FlowFormat.formatActions(a, null));
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        FlowParser.parseMatch("in_port(pf0vf1),eth_type(0x0800)", names, k, m);
        assertEquals(7, k.inPort());
        assertEquals("in_port(pf0vf1),eth_type(0x0800)", FlowFormat.formatMatch(k, m, names, false));
    }

    @Test
    void actionsTextForms() {
        String[] forms = {
            "drop",
            "push_vlan(vid=10,pcp=0),3",
            "push_vlan(tpid=0x88a8,vid=100,pcp=3),pop_vlan,2",
            "set(ipv4(src=10.0.0.99,ttl=63)),3",
            "set(ipv4(tos=0x40/0xfc)),2",
            "set(eth(src=02:00:00:00:00:aa,dst=02:00:00:00:00:bb)),1",
            "set(udp(dst=5353)),4",
            "set(tcp(src=1/0xff)),4",
            "set(ipv6(src=fd00::99,hlimit=63)),2",
            "set(tunnel(tun_id=0x5,src=10.0.0.1,dst=10.0.0.2,ttl=64,tp_dst=4789,flags(df|key))),4",
            "set(tunnel(tun_id=0x7,ipv6_src=fd00::1,ipv6_dst=fd00::2,tos=0x10,ttl=64,tp_src=1000,tp_dst=6081,flags(csum|key))),4",
            "userspace(pid=0,controller(reason=1,dont_send=0,continuation=0,recirc_id=2,rule_cookie=0,controller_id=0,max_len=65535))",
            "userspace(pid=4294967295)",
        };
        for (String f : forms) {
            Actions a = FlowParser.parseActions(f, null);
            assertEquals(f, FlowFormat.formatActions(a, null), f);
            assertEquals(a, Actions.of(a.toList()));
        }
        // a set covering the whole attribute is a plain set, as OVS decides
        Actions full = FlowParser.parseActions("set(udp(src=1,dst=2))", null);
        assertFalse(((Action.SetField) full.toList().get(0)).masked());
        assertTrue(((Action.SetField) FlowParser.parseActions("set(udp(dst=2))", null).toList().get(0)).masked());
        // the builder's tunnel set prints as OVS prints a tunnel set
        Actions t = Actions.builder().setTunnelIpv4(5, 0x0a000001, 0x0a000002, 0, 64, 0, 4789, FlowKey.TUN_F_DONT_FRAGMENT).output(4).build();
        assertEquals(forms[9], t.toString());
    }

    @Test
    void parseErrorsSayWhereAndWhat() {
        assertError("recirc_id(0),in_prot(2)", 14, "unknown key attribute 'in_prot'");
        assertError("ipv4(src=10.0.0.300)", 17, "expected an IPv4 address");
        assertError("ipv4(src=10.0.0.1,dts=1.2.3.4)", 19, "unknown field 'dts' in ipv4(…) (expected src, dst, proto, tos, ttl, frag)");
        assertError("eth(src=02:00:00:00:00)", 9, "expected a MAC address");
        assertError("tcp(dst=80", 4, "'(' is never closed");
        assertError("in_port(p9)", 9, "unknown port name 'p9'");
        assertError("tcp(dst=70000)", 9, "does not fit tp_dst (16 bits)");
        assertError("ipv4(frag=maybe)", 11, "expected frag=no, first or later");
        assertError("tcp_flags(syn|bogus)", 15, "unknown flag 'bogus'");
        FlowParseException e = assertThrows(FlowParseException.class, () -> FlowParser.parseActions("3,frobnicate(1)", null));
        assertTrue(e.getMessage().startsWith("column 3: unknown action 'frobnicate(1)'"), e.getMessage());
        e = assertThrows(FlowParseException.class, () -> FlowParser.parseFlow("in_port(1), packets:x, bytes:0, used:never, actions:drop", null));
        assertEquals(21, e.column());
        assertTrue(e.getMessage().contains("expected a number, got 'x'"), e.getMessage());
        e = assertThrows(FlowParseException.class, () -> FlowParser.parseFlow("in_port(1), packets:1, bytes:0, used:never", null));
        assertTrue(e.getMessage().contains("missing actions:"), e.getMessage());
        e = assertThrows(FlowParseException.class, () -> FlowParser.parseFlow("in_port(1), packets:1, bytes:0, used:soon, actions:drop", null));
        assertTrue(e.getMessage().contains("expected 'never' or seconds"), e.getMessage());
    }

    private static void assertError(String match, int column, String message) {
        FlowParseException e = assertThrows(FlowParseException.class,
                () -> FlowParser.parseMatch(match, PortNames.NONE, new FlowKey(), new FlowMask()), match);
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void ipv6TextMatchesInetNtop() {
        String[][] cases = {
            {"0", "0", "::"},
            {"0", "1", "::1"},
            {"fd00000000000000", "1", "fd00::1"},
            {"20010db800000000", "0000000100000001", "2001:db8::1:0:1"},
            {"20010db800000001", "0000000000000001", "2001:db8:0:1::1"},
            {"0", "0000ffff0a000001", "::ffff:10.0.0.1"},
            {"0", "000000000a000001", "::10.0.0.1"},
            {"ffffffffffffffff", "0", "ffff:ffff:ffff:ffff::"},
            {"fe80000000000000", "00ff:fe00:0003".replace(":", ""), "fe80::ff:fe00:3"},
            {"0001000000000001", "0000000000000000", "1:0:0:1::"},
            {"0001000200030004", "0005000600070008", "1:2:3:4:5:6:7:8"},
            {"0001000000020000", "0003000000040000", "1:0:2:0:3:0:4:0"},
        };
        for (String[] c : cases) {
            StringBuilder sb = new StringBuilder();
            FlowFormat.appendIpv6(sb, Long.parseUnsignedLong(c[0], 16), Long.parseUnsignedLong(c[1], 16));
            assertEquals(c[2], sb.toString());
            FlowKey k = new FlowKey();
            FlowMask m = new FlowMask();
            FlowParser.parseMatch("ipv6(src=" + c[2] + ")", null, k, m);
            assertEquals(Long.parseUnsignedLong(c[0], 16), k.get(Field.IPV6_SRC_HI), c[2]);
            assertEquals(Long.parseUnsignedLong(c[1], 16), k.get(Field.IPV6_SRC_LO), c[2]);
        }
    }

    /**
     * Random consistent flows: print → parse → print is a fixed point and the match survives.
     * Each case is one flow seed (edge values 0, ±1, MIN, MAX first); see {@link Cases} for replay.
     */
    @Test
    void randomFlowsRoundTrip() {
        Cases.check(2000, LongStream.of(Cases.EDGE_LONGS).boxed().toList(), r -> r.nextLong(), flowSeed -> "flow seed " + flowSeed,
                FlowTextTest::roundTrip);
    }

    static void roundTrip(long seed) {
        Random r = new Random(seed);
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        add(r, k, m, KeyAttr.RECIRC_ID, KeyAttr.IN_PORT, KeyAttr.ETHERNET);
        if (r.nextInt(4) == 0) {
            k.set(Field.VLAN0_TPID, r.nextBoolean() ? 0x8100 : 0x88a8);
            m.setExact(Field.VLAN0_TPID);
            k.set(Field.VLAN0_CFI, 1);
            m.setExact(Field.VLAN0_CFI);
            randomField(r, k, m, Field.VLAN0_VID);
            randomField(r, k, m, Field.VLAN0_PCP);
            k.addAttr(KeyAttr.VLAN);
        }
        add(r, k, m, KeyAttr.ETHERTYPE);
        // an exact inner ethertype also says "no further tag" (see FlowParser): keep masks consistent with that
        Field absentTpid = k.hasAttr(KeyAttr.VLAN) ? Field.VLAN1_TPID : Field.VLAN0_TPID;
        m.setExact(absentTpid);
        m.setExact(k.hasAttr(KeyAttr.VLAN) ? Field.VLAN1_CFI : Field.VLAN0_CFI);
        switch (r.nextInt(4)) {
            case 0 -> {
                add(r, k, m, KeyAttr.IPV4);
                add(r, k, m, List.of(KeyAttr.TCP, KeyAttr.UDP, KeyAttr.SCTP, KeyAttr.ICMP).get(r.nextInt(4)));
            }
            case 1 -> {
                add(r, k, m, KeyAttr.IPV6);
                add(r, k, m, List.of(KeyAttr.TCP, KeyAttr.UDP, KeyAttr.ICMPV6).get(r.nextInt(3)));
                if (k.hasAttr(KeyAttr.ICMPV6) && r.nextBoolean()) {
                    add(r, k, m, KeyAttr.ND);
                }
            }
            case 2 -> add(r, k, m, KeyAttr.ARP);
            default -> { }
        }
        if (k.hasAttr(KeyAttr.TCP) && r.nextBoolean()) {
            add(r, k, m, KeyAttr.TCP_FLAGS);
        }
        if (r.nextInt(5) == 0) {
            add(r, k, m, KeyAttr.PRIORITY, KeyAttr.SKB_MARK, KeyAttr.DP_HASH, KeyAttr.PACKET_TYPE);
        }
        makeLayersAgree(k, seed);
        for (boolean verbose : new boolean[] {false, true}) {
            String text = FlowFormat.formatMatch(k, m, null, verbose);
            FlowKey k2 = new FlowKey();
            FlowMask m2 = new FlowMask();
            try {
                FlowParser.parseMatch(text, null, k2, m2);
            } catch (FlowParseException e) {
                throw new AssertionError("flow seed " + seed + ": " + e.getMessage(), e);
            }
            assertEquals(text, FlowFormat.formatMatch(k2, m2, null, verbose), "flow seed " + seed);
            assertEquals(m, m2, "flow seed " + seed + " mask of " + text);
            assertTrue(k.maskedEquals(m, k2), "flow seed " + seed + " key of " + text);
        }
    }

    /**
     * The random values above are per field; the parser refuses layers that contradict each
     * other (see LayerCheck), so the key values that tie layers together are set to agree:
     * eth_type for the L3 attribute, proto for the L4 one, no frag=later under L4, and an ND
     * type under nd. Masks stay random.
     */
    private static void makeLayersAgree(FlowKey k, long seed) {
        if (k.hasAttr(KeyAttr.IPV4)) {
            k.set(Field.ETH_TYPE, EthType.IP);
        } else if (k.hasAttr(KeyAttr.IPV6)) {
            k.set(Field.ETH_TYPE, EthType.IPV6);
        } else if (k.hasAttr(KeyAttr.ARP)) {
            k.set(Field.ETH_TYPE, (seed & 1) == 0 ? EthType.ARP : EthType.RARP);
        }
        int proto = k.hasAttr(KeyAttr.TCP) ? IpProto.TCP : k.hasAttr(KeyAttr.UDP) ? IpProto.UDP : k.hasAttr(KeyAttr.SCTP) ? IpProto.SCTP
                : k.hasAttr(KeyAttr.ICMP) ? IpProto.ICMP : k.hasAttr(KeyAttr.ICMPV6) ? IpProto.ICMPV6 : -1;
        if (proto >= 0) {
            k.set(Field.NW_PROTO, proto);
            if (k.get(Field.NW_FRAG) == FlowKey.FRAG_LATER_FRAGMENT) {
                k.set(Field.NW_FRAG, FlowKey.FRAG_FIRST);
            }
        }
        if (k.hasAttr(KeyAttr.ND)) {
            k.set(Field.ICMP_TYPE, 135 + (seed >>> 1 & 1));
            k.set(Field.ICMP_CODE, 0);
        }
    }

    private static void add(Random r, FlowKey k, FlowMask m, KeyAttr... attrs) {
        for (KeyAttr a : attrs) {
            k.addAttr(a);
            for (Field f : FlowFormat.fieldsOf(a)) {
                randomField(r, k, m, f);
            }
        }
    }

    private static void randomField(Random r, FlowKey k, FlowMask m, Field f) {
        k.set(f, r.nextLong());
        if (f == Field.NW_FRAG) {
            k.set(f, List.of(0L, 1L, 3L).get(r.nextInt(3)));
            m.set(f, r.nextBoolean() ? 3 : 0);
            return;
        }
        m.set(f, switch (r.nextInt(4)) {
            case 0 -> 0L;
            case 1, 2 -> -1L;
            default -> r.nextLong();
        });
        if (f == Field.IN_PORT || f == Field.RECIRC_ID || f == Field.ETH_TYPE) {
            m.setExact(f); // keeps the attribute printed in non-verbose form (a wildcard one would vanish)
        }
    }
}
