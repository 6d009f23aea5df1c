package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.upcall.handler.ManualClock;

/**
 * dump-rules lines against Open vSwitch 3.1's own. The golden lines were printed by
 * ovs-ofctl 3.1.0 (Debian 12) for a private ovs-vswitchd (--enable-dummy, as OvsVswitchd starts
 * it) with dummy ports p1 (ofport 1) and p2 (ofport 2), after:
 *
 * <pre>
 * ovs-ofctl add-flow br0 "priority=10,in_port=p1 actions=output:p2"
 * ovs-ofctl add-flow br0 "cookie=0x1f,table=1,priority=200,udp,nw_dst=10.0.0.0/24,tp_dst=53 actions=drop"
 * ovs-ofctl add-flow br0 "priority=0 actions=NORMAL"
 * ovs-appctl netdev-dummy/receive p1 'eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),
 *     ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1000,dst=53)'
 * ovs-ofctl --names dump-flows br0
 * ovs-ofctl --names --no-stats dump-flows br0
 * </pre>
 */
class RuleFormatTest {
    static final PortTable PORTS = PortTable.of(new BridgePort("p1", 1, 1), new BridgePort("p2", 2, 2));

    static final String[] OVS_DUMP = {
        " cookie=0x0, duration=1.768s, table=0, n_packets=1, n_bytes=106, priority=10,in_port=p1 actions=output:p2",
        " cookie=0x0, duration=1.605s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL",
        " cookie=0x1f, duration=1.727s, table=1, n_packets=0, n_bytes=0, priority=200,udp,nw_dst=10.0.0.0/24,tp_dst=53 actions=drop",
    };
    static final String[] OVS_NO_STATS = {
        " priority=10,in_port=p1 actions=output:p2",
        " priority=0 actions=NORMAL",
        " cookie=0x1f, table=1, priority=200,udp,nw_dst=10.0.0.0/24,tp_dst=53 actions=drop",
    };

    @Test
    void linesAreOvsOwn() throws Exception {
        ManualClock clock = new ManualClock(100_000);
        Pipeline p = new Pipeline(PORTS, clock, 300_000, 0);
        // Added at the moments that give OVS's durations at 100 000 + 1768.
        Rule a = p.addRule("priority=10,in_port=p1 actions=output:p2");
        clock.advance(1768 - 1727);
        Rule c = p.addRule("cookie=0x1f,table=1,priority=200,udp,nw_dst=10.0.0.0/24,tp_dst=53 actions=drop");
        clock.advance(1727 - 1605);
        Rule b = p.addRule("priority=0 actions=NORMAL");
        clock.advance(1605);
        a.count(1, 106);
        long now = clock.millis();
        List<Rule> rules = List.of(a, b, c);
        for (int i = 0; i < 3; i++) {
            assertEquals(OVS_DUMP[i], RuleFormat.dumpLine(rules.get(i), PORTS, now));
            assertEquals(OVS_NO_STATS[i], RuleFormat.noStats(rules.get(i), PORTS));
        }
    }

    @Test
    void durationIsOvsPrintDuration() {
        StringBuilder sb = new StringBuilder();
        RuleFormat.appendDuration(sb, 5_000);
        sb.append(' ');
        RuleFormat.appendDuration(sb, 1);
        sb.append(' ');
        RuleFormat.appendDuration(sb, 12_345);
        assertEquals("5s 0.001s 12.345s", sb.toString());
    }

    @Test
    void defaultPriorityAndEmptyMatchPrintAsOvsDoes() throws Exception {
        RuleParser rp = new RuleParser(PORTS);
        assertEquals(" actions=drop", RuleFormat.noStats(rp.parse("actions=drop"), PORTS));
        assertEquals(" tcp,in_port=p2,tp_dst=80 actions=output:p1,NORMAL",
            RuleFormat.noStats(rp.parse("in_port=p2,tcp,tp_dst=80,actions=output:p1,normal"), PORTS));
        assertEquals(" offload=never, priority=5,ipv6,ipv6_dst=2001:db8::/32 actions=drop",
            RuleFormat.noStats(rp.parse("priority=5,ipv6,ipv6_dst=2001:db8:0:0::/32,offload=never,actions=drop"), PORTS));
    }

    @Test
    void ipv6IsCompressedAsInetNtop() {
        assertEquals("::", RuleFormat.ipv6Text(0, 0));
        assertEquals("2001:db8::1", RuleFormat.ipv6Text(0x20010db800000000L, 1));
        assertEquals("2001:0:0:1::1", RuleFormat.ipv6Text(0x2001000000000001L, 1));
        assertEquals("1:0:1:0:1:0:1:0", RuleFormat.ipv6Text(0x0001000000010000L, 0x0001000000010000L));
    }
}
