package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.PortNames;

/**
 * Our megaflows against Open vSwitch's, packet by packet: the same rules loaded into a real
 * {@code ovs-vswitchd} (a private one, dummy datapath, {@link OvsVswitchd}) and into our
 * pipeline, the same packet sent through both, and the megaflow masks compared field by field.
 *
 * <h2>"At least as wide"</h2>
 * Ours is at least as wide as OVS's when every bit our mask matches, OVS's matches too
 * ({@code ours ⊆ ovs}, bitwise, per field): every packet OVS's megaflow covers, ours covers as
 * well, so ours never makes more megaflows than OVS for the same traffic. Compared: every field
 * both model (our {@link Field}s, which {@link FlowParser} reads from OVS's dump), except
 * {@code in_port}, which both match exactly but number differently (OVS's datapath port
 * numbers are not ours; ports are mapped by name), and {@code packet_type}, which OVS
 * always matches and we never do (our datapath carries Ethernet frames only). Fields only OVS
 * has (dp_hash, skb_mark, ct_*) are not in our key and so never in our mask. The test fails on
 * any bit we match that OVS does not, and reports every case where ours is strictly wider.
 *
 * <p>Needs Debian's openvswitch-switch (tools/install-deps); no kernel module, no root beyond
 * what running daemons in a temporary directory takes.
 */
@Tag("host")
class OvsMegaflowDifferentialTest {
    static final String[] NAMES = {"p1", "p2", "p3"};
    static final int[] OF_PORTS = {1, 2, 3};
    /** Our datapath port numbers: deliberately not OVS's, so a mix-up shows. */
    static final int[] OUR_DP = {11, 12, 13};
    static final PortTable PORTS = PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12), new BridgePort("p3", 3, 13));

    static OvsVswitchd ovs;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(OvsVswitchd.available(), "ovs-vswitchd not installed (openvswitch-switch; tools/install-deps)");
        ovs = new OvsVswitchd(NAMES, OF_PORTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ovs != null) {
            ovs.close();
        }
    }

    record Case(String name, String rules, String... packets) {
    }

    static final String E = "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),";
    static final String E_BCAST = "eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),";

    static String ip4(String src, String dst, int proto) {
        return E + "eth_type(0x0800),ipv4(src=" + src + ",dst=" + dst + ",proto=" + proto + ",tos=0,ttl=64,frag=no)";
    }

    static String udp(int sport, int dport) {
        return ip4("10.0.0.1", "10.0.0.2", 17) + ",udp(src=" + sport + ",dst=" + dport + ")";
    }

    static String tcp(String src, String dst, int sport, int dport) {
        return ip4(src, dst, 6) + ",tcp(src=" + sport + ",dst=" + dport + ")";
    }

    static String tcp(int dport) {
        return tcp("10.0.0.1", "10.0.0.2", 40000, dport);
    }

    static String icmp(int type, int code) {
        return ip4("10.0.0.1", "10.0.0.2", 1) + ",icmp(type=" + type + ",code=" + code + ")";
    }

    static String ip6(String dst, int proto, String l4) {
        return E + "eth_type(0x86dd),ipv6(src=2001:db8:9::1,dst=" + dst + ",label=0,proto=" + proto
                + ",tclass=0,hlimit=64,frag=no)," + l4;
    }

    static String vlan(int vid, String inner) {
        return E + "eth_type(0x8100),vlan(vid=" + vid + ",pcp=0),encap(" + inner.substring(E.length()) + ")";
    }

    static String arp(String sip, String tip, int op) {
        return E_BCAST + "eth_type(0x0806),arp(sip=" + sip + ",tip=" + tip + ",op=" + op
                + ",sha=02:00:00:00:00:01,tha=00:00:00:00:00:00)";
    }

    static List<Case> corpus() {
        StringBuilder routes = new StringBuilder();
        for (int x = 0; x < 16; x++) {
            routes.append("ip,nw_dst=10.0.").append(x).append(".0/24,actions=output:p").append(2 + (x & 1)).append('\n');
        }
        routes.append("priority=0,actions=drop\n");
        return List.of(
                new Case("udp-src-acl (issue #11)", """
                        priority=10,udp,actions=normal
                        priority=20,udp,tp_src=65000,actions=drop
                        """, udp(20000, 53), udp(21999, 53), udp(65000, 53), udp(65001, 53), udp(0, 53), udp(40000, 5353)),
                new Case("tcp-dst-80 (issue #11)", """
                        priority=100,tcp,tp_dst=80,actions=output:p2
                        priority=0,actions=output:p3
                        """, tcp(443), tcp(80), tcp(8080), tcp(22), udp(1, 80)),
                new Case("resubmit to a port rule (issue #11)", """
                        table=0,ip,actions=resubmit(,1)
                        table=1,priority=100,tcp,tp_dst=80,actions=output:p2
                        table=1,priority=0,actions=output:p3
                        """, tcp(8080), tcp(80), tcp(81), udp(5, 80)),
                new Case("port acl", """
                        priority=100,tcp,tp_dst=22,actions=drop
                        priority=100,tcp,tp_dst=80,actions=output:p2
                        priority=100,tcp,tp_dst=443,actions=output:p2
                        priority=90,udp,tp_dst=53,actions=output:p3
                        priority=80,tcp,tp_src=1024/0xfc00,actions=output:p3
                        priority=0,actions=normal
                        """, tcp(22), tcp(80), tcp(443), tcp(444), tcp(8443), udp(1000, 53), udp(1000, 54),
                        tcp("10.0.0.1", "10.0.0.2", 1030, 9), icmp(8, 0)),
                new Case("/24 routes", routes.toString(), tcp("172.16.0.1", "10.0.5.7", 1000, 22),
                        tcp("172.16.0.1", "192.168.1.1", 1000, 22), tcp("172.16.0.1", "10.1.0.1", 1000, 22),
                        tcp("172.16.0.1", "10.0.200.1", 1000, 22), udp(1, 2)),
                new Case("prefixes and ports", """
                        priority=100,tcp,nw_src=10.0.0.0/8,tp_dst=80,actions=output:p2
                        priority=90,tcp,nw_src=192.168.0.0/16,tp_src=1024/0xfc00,actions=output:p3
                        priority=0,actions=drop
                        """, tcp("10.1.2.3", "1.1.1.1", 5, 80), tcp("10.1.2.3", "1.1.1.1", 5, 81),
                        tcp("192.168.1.1", "1.1.1.1", 1025, 80), tcp("192.168.1.1", "1.1.1.1", 3000, 80),
                        tcp("172.16.1.1", "1.1.1.1", 1025, 80)),
                new Case("l2", """
                        dl_dst=02:00:00:00:00:02,actions=output:p2
                        dl_dst=02:00:00:00:00:03,actions=output:p3
                        priority=0,actions=drop
                        """, tcp(80), udp(1, 2), arp("10.0.0.1", "10.0.0.2", 1)),
                new Case("icmp types", """
                        priority=100,icmp,icmp_type=8,actions=drop
                        priority=100,icmp,icmp_type=0,icmp_code=0,actions=output:p2
                        priority=0,actions=output:p3
                        """, icmp(0, 0), icmp(8, 0), icmp(3, 1), icmp(11, 0), icmp(0, 1)),
                new Case("ipv6", """
                        priority=100,ipv6,ipv6_dst=2001:db8:1::/48,actions=output:p2
                        priority=110,tcp6,tp_dst=22,actions=drop
                        priority=0,actions=drop
                        """, ip6("2001:db8:1::5", 6, "tcp(src=1,dst=22)"), ip6("2001:db8:1::5", 6, "tcp(src=1,dst=80)"),
                        ip6("2001:db8:2::5", 17, "udp(src=1,dst=22)"), ip6("fe80::1", 58, "icmpv6(type=128,code=0)")),
                new Case("vlan", """
                        priority=100,dl_vlan=10,actions=output:p2
                        priority=100,dl_vlan=20,actions=strip_vlan,output:p3
                        priority=0,actions=normal
                        """, vlan(10, udp(1, 2)), vlan(20, udp(1, 2)), vlan(30, udp(1, 2)), udp(1, 2)),
                new Case("arp", """
                        priority=100,arp,arp_tpa=10.0.0.1,actions=output:p2
                        priority=90,arp,arp_op=2,actions=output:p3
                        priority=0,actions=drop
                        """, arp("10.0.0.9", "10.0.0.1", 1), arp("10.0.0.9", "10.0.0.7", 1), arp("10.0.0.9", "10.0.0.7", 2), udp(1, 2)),
                new Case("rewrite then route", """
                        table=0,ip,actions=mod_nw_dst:10.0.7.1,resubmit(,1)
                        table=1,ip,nw_dst=10.0.7.0/24,actions=output:p2
                        table=1,ip,nw_dst=10.0.8.0/24,actions=output:p3
                        """, tcp("1.1.1.1", "192.168.0.1", 1, 2), udp(1, 2)),
                new Case("tcp flags", """
                        priority=100,tcp,tp_dst=80,tcp_flags=+syn,actions=drop
                        priority=0,actions=output:p3
                        """, tcp(80) + ",tcp_flags(syn)", tcp(80) + ",tcp_flags(ack)", tcp(443) + ",tcp_flags(ack)"),
                new Case("dec_ttl", """
                        ip,actions=dec_ttl,output:p2
                        priority=0,actions=drop
                        """, udp(1, 2), arp("10.0.0.1", "10.0.0.2", 1)),
                new Case("in_port", """
                        in_port=p1,actions=output:p2
                        in_port=p2,actions=output:p1
                        """, udp(1, 2), tcp(80)));
    }

    /** Per compared field, the bits we match that OVS does not (narrower) and the reverse (wider). */
    static final Field[] COMPARED;

    static {
        List<Field> f = new ArrayList<>();
        for (int i = 0; i < Field.count(); i++) {
            Field x = Field.of(i);
            if (x != Field.IN_PORT && x != Field.PACKET_TYPE_NS && x != Field.PACKET_TYPE_ID) {
                f.add(Field.of(i));
            }
        }
        COMPARED = f.toArray(new Field[0]);
    }

    @Test
    void ourMegaflowsAreAtLeastAsWideAsOvsOnEveryPacketOfTheCorpus() throws Exception {
        int cases = 0;
        int equal = 0;
        List<String> narrower = new ArrayList<>();
        List<String> wider = new ArrayList<>();
        for (Case c : corpus()) {
            assertNull(ovs.replaceFlows(c.rules()), "OVS refuses the rules of " + c.name());
            for (String pkt : c.packets()) {
                FlowKey asOvsSeesIt = new FlowKey();
                FlowParser.parseMatch("in_port(" + ovs.dpPort("p1") + ")," + pkt, PortNames.NONE, asOvsSeesIt, new FlowMask());
                String ovsMatch = null;
                FlowKey ok = new FlowKey();
                FlowMask om = new FlowMask();
                for (String f : ovs.megaflowsAfter("p1", pkt)) {
                    FlowKey k = new FlowKey();
                    FlowMask fm = new FlowMask();
                    FlowParser.parseMatch(f, PortNames.NONE, k, fm);
                    if (k.maskedEquals(fm, asOvsSeesIt)) {
                        assertNull(ovsMatch, "two OVS megaflows cover " + pkt + ":\n" + ovsMatch + "\n" + f);
                        ovsMatch = f;
                        ok = k;
                        om = fm;
                    }
                }
                assertNotNull(ovsMatch, "no OVS megaflow covers " + pkt);
                assertEquals(ovs.dpPort("p1"), (int) ok.get(Field.IN_PORT), ovsMatch);

                // A fresh pipeline per packet: OVS's MAC table was flushed too.
                Pipeline ours = new Pipeline(PORTS, () -> 0, MacLearningTable.DEFAULT_AGING_MILLIS, 0);
                ours.loadRulesFile(c.rules());
                FlowKey key = new FlowKey();
                FlowParser.parseMatch("in_port(" + OUR_DP[0] + ")," + pkt, PortNames.NONE, key, new FlowMask());
                Translation t = ours.translate(key);
                assertNull(t.error(), t.error());
                FlowMask m = t.mask();

                StringBuilder lessWide = new StringBuilder();
                StringBuilder moreWide = new StringBuilder();
                for (Field f : COMPARED) {
                    long extra = m.get(f) & ~om.get(f);
                    long missing = om.get(f) & ~m.get(f);
                    if (extra != 0) {
                        lessWide.append(' ').append(f.name().toLowerCase()).append(" ours=0x").append(Long.toHexString(m.get(f)))
                                .append(" ovs=0x").append(Long.toHexString(om.get(f)));
                    }
                    if (missing != 0) {
                        moreWide.append(' ').append(f.name().toLowerCase()).append(" ours=0x").append(Long.toHexString(m.get(f)))
                                .append(" ovs=0x").append(Long.toHexString(om.get(f)));
                    }
                }
                String where = c.name() + " | " + pkt + "\n    ovs:  " + ovsMatch + "\n    ours: " + t.key() + " / " + m + "\n   ";
                if (!lessWide.isEmpty()) {
                    narrower.add(where + lessWide);
                }
                if (!moreWide.isEmpty()) {
                    wider.add(where + moreWide);
                } else if (lessWide.isEmpty()) {
                    equal++;
                }
                cases++;
            }
        }
        System.out.println("ovs differential: " + cases + " packets, " + equal + " megaflows as wide as OVS's, "
                + wider.size() + " wider, " + narrower.size() + " narrower");
        for (String w : wider) {
            System.out.println("  wider than OVS: " + w);
        }
        assertTrue(narrower.isEmpty(), narrower.size() + " megaflows narrower than OVS's:\n" + String.join("\n", narrower));
        assertTrue(cases >= 50, "corpus too small: " + cases);
    }

    /**
     * Port names are case-sensitive in OVS (unlike action names and reserved ports), checked on
     * a real bridge since {@code ovs-ofctl parse-flow} has no port table.
     */
    @Test
    void portNamesAreCaseSensitiveInOvsAndOurs() throws Exception {
        RuleParser parser = new RuleParser(PORTS);
        for (String rule : new String[] {"actions=output:p2", "actions=Output:p2", "actions=p2", "in_port=p1,actions=NORMAL",
            "actions=resubmit(p2,1)"}) {
            assertNull(ovs.addFlow(rule), "OVS refuses " + rule);
            parser.parse(rule);
        }
        for (String rule : new String[] {"actions=output:P2", "actions=P2", "in_port=P1,actions=drop", "actions=resubmit(P2,1)"}) {
            assertNotNull(ovs.addFlow(rule), "OVS accepts " + rule);
            org.junit.jupiter.api.Assertions.assertThrows(RuleSyntaxException.class, () -> parser.parse(rule), rule);
        }
    }
}
