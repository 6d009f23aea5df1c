package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.KeyAttr;

/** del-flows selection (ovs-ofctl's loose and strict matches) and the trace flow syntax. */
class RuleSelectorTest {
    final RuleParser rp = new RuleParser(RuleFormatTest.PORTS);

    private boolean covers(String selector, String rule) throws Exception {
        return rp.parseSelector(selector).covers(rp.parse(rule));
    }

    @Test
    void nonStrictSelectsEveryRuleAtLeastAsSpecific() throws Exception {
        assertTrue(covers("", "priority=1,in_port=p1,actions=drop"), "no match selects all");
        assertTrue(covers("in_port=p1", "priority=1,in_port=p1,tcp,tp_dst=80,actions=drop"));
        assertTrue(covers("in_port=p1", "cookie=0x5,in_port=p1,actions=drop"), "no cookie given: any cookie");
        assertFalse(covers("in_port=p1", "priority=1,tcp,tp_dst=80,actions=drop"), "a wider rule is not covered");
        assertFalse(covers("in_port=p1", "priority=1,in_port=p2,actions=drop"));
        assertTrue(covers("ip,nw_dst=10.0.0.0/8", "ip,nw_dst=10.1.0.0/16,actions=drop"), "a longer prefix inside");
        assertFalse(covers("ip,nw_dst=10.0.0.0/16", "ip,nw_dst=10.0.0.0/8,actions=drop"), "a shorter prefix is wider");
        assertTrue(covers("udp", "udp,tp_dst=53,actions=drop"));
        assertFalse(covers("tcp", "udp,tp_dst=53,actions=drop"));
        assertTrue(covers("priority=7", "priority=9,actions=drop"), "priority plays no part when not strict");
        assertFalse(covers("table=1", "table=0,actions=drop"));
        assertTrue(covers("table=1,ip", "table=1,ip,actions=drop"));
        assertTrue(covers("cookie=0x10/0xf0", "cookie=0x1f,actions=drop"));
        assertFalse(covers("cookie=0x20/0xf0", "cookie=0x1f,actions=drop"));
        assertFalse(covers("cookie=0x1", "cookie=0x1f,actions=drop"), "no mask: every bit compared");
    }

    @Test
    void strictSelectsOneMatchAtOnePriority() throws Exception {
        Rule r = rp.parse("priority=10,in_port=p1,actions=drop");
        assertTrue(rp.parseSelector("priority=10,in_port=p1").selectsStrict(r));
        assertFalse(rp.parseSelector("in_port=p1").selectsStrict(r), "no priority means 32768");
        assertFalse(rp.parseSelector("priority=10").selectsStrict(r), "a wider match is another rule");
        assertTrue(rp.parseSelector("in_port=p1").selectsStrict(rp.parse("in_port=p1,actions=drop")));
    }

    @Test
    void selectorsAndFlowsRefuseWhatTheyCannotMean() {
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> rp.parseSelector("in_port=p1,actions=drop"));
        assertEquals(12, e.column());
        assertThrows(RuleSyntaxException.class, () -> rp.parseSelector("offload=never"));
        assertThrows(RuleSyntaxException.class, () -> rp.parseSelector("in_port=p9"));
        e = assertThrows(RuleSyntaxException.class, () -> rp.parseFlow("in_port=p1,ip,nw_dst=10.0.0.0/8"));
        assertTrue(e.reason().contains("mask"), e.reason());
        assertEquals(30, e.column());
        assertThrows(RuleSyntaxException.class, () -> rp.parseFlow("table=1,in_port=p1"));
        assertThrows(RuleSyntaxException.class, () -> rp.parseFlow("in_port=p1,tp_dst=53"), "prerequisites as for rules");
    }

    @Test
    void aFlowBecomesThePacketKeyItDescribes() throws Exception {
        Pipeline p = new Pipeline(PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12)));
        FlowKey k = p.packetKey(rp.parseFlow("in_port=p1,udp,nw_dst=10.0.0.2,tp_dst=53,dl_vlan=7"));
        assertEquals(11, k.inPort(), "the OpenFlow port's datapath number");
        assertEquals(0x0800, k.ethType());
        assertEquals(17, k.nwProto());
        assertEquals(0x0a000002, k.ipv4Dst());
        assertEquals(53, k.tpDst());
        assertEquals(7, k.get(Field.VLAN0_VID));
        assertEquals(0x8100, k.get(Field.VLAN0_TPID), "a tag the parser would have seen");
        assertTrue(k.hasAttr(KeyAttr.UDP) && k.hasAttr(KeyAttr.IPV4) && k.hasAttr(KeyAttr.VLAN));
        assertThrows(IllegalArgumentException.class, () -> p.packetKey(rp.parseFlow("udp")), "in_port is required");
        assertEquals(List.of(), List.of());
    }
}
