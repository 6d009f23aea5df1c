package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Tunnel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RuleParserTest {
    static final PortTable PORTS = PortTable.of(
            new BridgePort("p0", 1, 11), new BridgePort("p1", 2, 12), new BridgePort("pf0vf1", 3, 13),
            new BridgePort("vx0", 10, 20, Tunnel.vxlan(0x0a000001, 0x0a000002)));
    final RuleParser parser = new RuleParser(PORTS);

    Rule parse(String s) throws RuleSyntaxException {
        return parser.parse(s);
    }

    RuleSyntaxException bad(String s) {
        return assertThrows(RuleSyntaxException.class, () -> parser.parse(s));
    }

    @Test
    void defaultsAndBasicFields() throws Exception {
        Rule r = parse("in_port=p1,dl_dst=00:11:22:33:44:55,actions=output:p0");
        assertEquals(0, r.table());
        assertEquals(32768, r.priority());
        assertEquals(OffloadPreference.PREFERRED, r.offload());
        assertEquals(2, r.match().value(MatchField.IN_PORT));
        assertEquals(0x001122334455L, r.match().value(MatchField.DL_DST));
        assertTrue(r.match().isExact(MatchField.DL_DST));
        assertEquals(List.of(new OfAction.Output(1)), r.actions());
    }

    @Test
    void blanksAsSeparatorsAndTableCookiePriority() throws Exception {
        Rule r = parse("table=3 priority=100 cookie=0xabc tcp tp_dst=80 offload=required actions=drop");
        assertEquals(3, r.table());
        assertEquals(100, r.priority());
        assertEquals(0xabc, r.cookie());
        assertEquals(OffloadPreference.REQUIRED, r.offload());
        assertEquals(0x0800, r.match().value(MatchField.DL_TYPE));
        assertEquals(6, r.match().value(MatchField.NW_PROTO));
        assertEquals(80, r.match().value(MatchField.TP_DST));
        assertTrue(r.actions().isEmpty());
    }

    @Test
    void prefixesAndMasks() throws Exception {
        Rule r = parse("ip,nw_src=10.1.2.0/24,nw_dst=192.168.0.0/255.255.0.0,actions=drop");
        assertEquals(0x0a010200L, r.match().value(MatchField.NW_SRC));
        assertEquals(24, r.match().prefixLength(MatchField.NW_SRC));
        assertEquals(16, r.match().prefixLength(MatchField.NW_DST));
        Rule m = parse("dl_src=00:00:00:00:00:01/01:00:00:00:00:00,actions=drop");
        assertEquals(0x010000000000L, m.match().mask(MatchField.DL_SRC));
        assertEquals(0, m.match().value(MatchField.DL_SRC), "value is stored masked");
        Rule t = parse("udp,tp_dst=0x1000/0xf000,actions=drop");
        assertEquals(0xf000, t.match().mask(MatchField.TP_DST));
        Rule v6 = parse("ipv6,ipv6_src=2001:db8::/32,ipv6_label=5,actions=drop");
        assertEquals(0x20010db800000000L, v6.match().valueHi(MatchField.IPV6_SRC));
        assertEquals(32, v6.match().prefixLength(MatchField.IPV6_SRC));
        Rule tun = parse("tun_id=0x10/0xff,tun_src=1.1.1.1,actions=drop");
        assertEquals(0xff, tun.match().mask(MatchField.TUN_ID));
    }

    /**
     * The tunnel's metadata as ovs-ofctl spells it: tun_tos and tun_ttl exact (OVS: "invalid
     * mask"), tun_flags with its one OpenFlow flag, oam ({@code +oam}, {@code -oam}, {@code oam},
     * 0 / 1, {@code 0x1/0x1}; ovs-ofctl 3.1 prints "-oam" for 0 and "+oam" for oam). Each prints
     * as it parses; none is settable (the tunnel port's options set them).
     */
    @Test
    void tunnelTosTtlAndFlagsMatchAsOvsSpellsThem() throws Exception {
        Rule r = parse("in_port=vx0,tun_src=10.0.0.2,tun_dst=10.0.0.1,tun_tos=40,tun_ttl=0x40,tun_flags=-oam,actions=drop");
        assertEquals(40, r.match().value(MatchField.TUN_TOS));
        assertEquals(0xff, r.match().mask(MatchField.TUN_TOS));
        assertEquals(64, r.match().value(MatchField.TUN_TTL));
        assertEquals(0, r.match().value(MatchField.TUN_FLAGS));
        assertEquals(1, r.match().mask(MatchField.TUN_FLAGS));
        assertEquals("tun_src=10.0.0.2,tun_dst=10.0.0.1,tun_tos=40,tun_ttl=64,tun_flags=-oam,in_port=vx0 actions=drop",
            RuleFormat.noStats(r, PORTS).strip());
        for (String[] form : new String[][] {{"+oam", "+oam"}, {"oam", "+oam"}, {"-oam", "-oam"}, {"0", "-oam"}, {"1", "+oam"},
                {"0x1/0x1", "+oam"}}) {
            Rule f = parse("tun_flags=" + form[0] + ",actions=drop");
            assertEquals(1, f.match().mask(MatchField.TUN_FLAGS), form[0]);
            assertEquals("tun_flags=" + form[1] + " actions=drop", RuleFormat.noStats(f, PORTS).strip(), form[0]);
            assertTrue(f.sameEffect(parse(RuleFormat.noStats(f, PORTS))), form[0]);
        }
        assertTrue(bad("tun_flags=+csum,actions=drop").reason().contains("unknown tunnel flag \"csum\""));
        assertTrue(bad("tun_flags=0x2,actions=drop").reason().contains("too large for the 1-bit field tun_flags"));
        assertTrue(bad("tun_tos=16/0xfc,actions=drop").reason().contains("tun_tos is not maskable"));
        assertTrue(bad("tun_ttl=300,actions=drop").reason().contains("too large for the 8-bit field tun_ttl"));
        RuleSyntaxException set = bad("actions=set_field:5->tun_ttl,output:p0");
        assertTrue(set.reason().contains("tun_ttl is not settable here") && set.reason().contains("ttl option"), set.getMessage());
        assertEquals(22, set.column(), set.getMessage());
    }

    @Test
    void vlanFieldsComposeIntoTci() throws Exception {
        Rule r = parse("dl_vlan=10,dl_vlan_pcp=3,actions=drop");
        assertEquals(0x1000 | 10 | (3 << 13), r.match().value(MatchField.VLAN_TCI));
        assertEquals(0xffff, r.match().mask(MatchField.VLAN_TCI));
        Rule none = parse("dl_vlan=0xffff,actions=drop");
        assertEquals(0, none.match().value(MatchField.VLAN_TCI));
        assertEquals(0xffff, none.match().mask(MatchField.VLAN_TCI));
        Rule tci = parse("vlan_tci=0x1000/0x1000,actions=drop");
        assertEquals(0x1000, tci.match().mask(MatchField.VLAN_TCI));
    }

    @Test
    void tcpFlagsBothForms() throws Exception {
        Rule r = parse("tcp,tcp_flags=+syn-ack,actions=drop");
        assertEquals(0x002, r.match().value(MatchField.TCP_FLAGS));
        assertEquals(0x012, r.match().mask(MatchField.TCP_FLAGS));
        Rule n = parse("tcp,tcp_flags=0x02/0x12,actions=drop");
        assertEquals(r.match(), n.match());
        // The exact form, as ovs-ofctl prints a full-mask match: named bits set, all others clear.
        Rule exact = parse("tcp,tcp_flags=rst|urg|ece,actions=drop");
        assertEquals(0x064, exact.match().value(MatchField.TCP_FLAGS));
        assertEquals(0xfff, exact.match().mask(MatchField.TCP_FLAGS));
        assertEquals(exact.match(), parse("tcp,tcp_flags=100,actions=drop").match());
        assertEquals(parse("tcp,tcp_flags=0xe01,actions=drop").match(), parse("tcp,tcp_flags=fin|[200]|[400]|[800],actions=drop").match());
        assertEquals(parse("tcp,tcp_flags=0x200/0x201,actions=drop").match(), parse("tcp,tcp_flags=-fin+[200],actions=drop").match());
        assertEquals(parse("tcp,tcp_flags=fin,actions=drop").match(), parse("tcp,tcp_flags=fin|fin,actions=drop").match());
        assertEquals(19, bad("tcp,tcp_flags=fin|,actions=drop").column());
        RuleSyntaxException unknown = bad("tcp,tcp_flags=syn|sin,actions=drop");
        assertEquals(19, unknown.column());
        assertTrue(unknown.reason().contains("unknown TCP flag \"sin\""), unknown.reason());
    }

    /**
     * Every rule prints (as dump-rules) in a form that parses back to the same rule: all 4,096
     * exact tcp_flags values, masked ones, and every IP protocol over IPv4 and IPv6 (the
     * fuzzer found {@code tcp_flags=rst|urg|ece} and an {@code igmp} keyword that did not).
     */
    @Test
    void everyTcpFlagsValueAndIpProtocolPrintsAsItParses() throws Exception {
        java.util.List<String> texts = new java.util.ArrayList<>();
        for (int v = 0; v <= 0xfff; v++) {
            texts.add("tcp,tcp_flags=" + v + ",actions=drop");
            int mask = (v * 0x9e37) & 0xfff | 1;
            texts.add("tcp,tcp_flags=" + (v & mask) + "/" + mask + ",actions=drop");
        }
        for (int proto = 0; proto <= 255; proto++) {
            texts.add("ip,nw_proto=" + proto + ",actions=drop");
            texts.add("ipv6,nw_proto=" + proto + ",actions=drop");
        }
        for (String text : texts) {
            Rule r = parse(text);
            String printed = RuleFormat.noStats(r, PORTS);
            Rule again = parser.parse(printed);
            assertTrue(r.sameEffect(again), text + " prints as " + printed + ", which parses as " + again);
        }
    }

    @Test
    void fragEcnTosTtlIcmpArp() throws Exception {
        Rule r = parse("ip,nw_frag=later,nw_tos=0x20,nw_ecn=3,nw_ttl=1,actions=drop");
        assertEquals(3, r.match().value(MatchField.NW_FRAG));
        assertEquals(0x20, r.match().value(MatchField.NW_TOS));
        assertEquals(3, r.match().value(MatchField.NW_ECN));
        Rule i = parse("icmp,icmp_type=8,icmp_code=0,actions=drop");
        assertEquals(8, i.match().value(MatchField.ICMP_TYPE));
        Rule i6 = parse("icmp6,icmp_type=135,actions=drop");
        assertEquals(135, i6.match().value(MatchField.ICMP_TYPE));
        Rule a = parse("arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/8,arp_sha=00:00:00:00:00:01,actions=drop");
        assertEquals(8, a.match().prefixLength(MatchField.ARP_TPA));
        Rule legacy = parse("arp,nw_src=10.0.0.1,actions=drop");
        assertEquals(0x0a000001L, legacy.match().value(MatchField.ARP_SPA), "nw_src on arp means arp_spa");
        assertFalse(legacy.match().isSet(MatchField.NW_SRC));
    }

    @Test
    void shorthandsSetTypeAndProto() throws Exception {
        String[][] cases = {{"ip", "2048", "-1"}, {"ipv6", "34525", "-1"}, {"arp", "2054", "-1"}, {"tcp", "2048", "6"},
            {"udp", "2048", "17"}, {"sctp", "2048", "132"}, {"icmp", "2048", "1"}, {"tcp6", "34525", "6"},
            {"udp6", "34525", "17"}, {"icmp6", "34525", "58"}};
        for (String[] c : cases) {
            Rule r = parse(c[0] + ",actions=drop");
            assertEquals(Long.parseLong(c[1]), r.match().value(MatchField.DL_TYPE), c[0]);
            if (!c[2].equals("-1")) {
                assertEquals(Long.parseLong(c[2]), r.match().value(MatchField.NW_PROTO), c[0]);
            } else {
                assertFalse(r.match().isSet(MatchField.NW_PROTO), c[0]);
            }
        }
    }

    @Test
    void prerequisitesMayFollowTheField() throws Exception {
        assertEquals(80, parse("tp_dst=80,tcp,actions=drop").match().value(MatchField.TP_DST));
    }

    @Test
    void everyAction() throws Exception {
        Rule r = parse("tcp,actions=output:p1,2,p0,in_port,normal,flood,all,controller,controller:128,"
                + "mod_vlan_vid:10,mod_vlan_pcp:2,strip_vlan,push_vlan:0x8100,mod_dl_src:00:00:00:00:00:01,"
                + "mod_dl_dst:00:00:00:00:00:02,mod_nw_src:1.2.3.4,mod_nw_dst:5.6.7.8,mod_nw_tos:0x20,mod_nw_ttl:9,dec_ttl,"
                + "mod_tp_src:1,mod_tp_dst:2,set_field:10.0.0.9->nw_dst,set_field:0x5/0xf->tp_src,resubmit(,2),resubmit:p1,"
                + "resubmit(p0,3),set_tunnel:0x64,output:vx0,goto_table:5");
        List<OfAction> a = r.actions();
        assertEquals(new OfAction.Output(2), a.get(0));
        assertEquals(new OfAction.Output(2), a.get(1));
        assertEquals(new OfAction.Output(1), a.get(2));
        assertEquals(new OfAction.InPort(), a.get(3));
        assertEquals(new OfAction.Controller(128), a.get(8));
        assertEquals(new OfAction.ModVlanVid(10), a.get(9));
        assertEquals(new OfAction.PushVlan(0x8100), a.get(12));
        assertEquals(new OfAction.SetField(MatchField.NW_DST, 0, 0x0a000009L, 0, 0xffffffffL), a.get(22));
        assertEquals(new OfAction.SetField(MatchField.TP_SRC, 0, 5, 0, 0xf), a.get(23));
        assertEquals(new OfAction.Resubmit(-1, 2), a.get(24));
        assertEquals(new OfAction.Resubmit(2, -1), a.get(25));
        assertEquals(new OfAction.Resubmit(1, 3), a.get(26));
        assertEquals(new OfAction.SetTunnel(0x64), a.get(27));
        assertEquals(new OfAction.Output(10), a.get(28));
        assertEquals(new OfAction.GotoTable(5), a.get(29));
    }

    @Test
    void rulesFileSkipsCommentsAndBlankLines() throws Exception {
        List<Rule> rules = parser.parseFile("# routes\n\n  # indented comment\npriority=1,actions=drop\r\nip,actions=normal\n");
        assertEquals(2, rules.size());
        assertEquals(4, rules.get(0).line());
        assertEquals(5, rules.get(1).line());
    }

    // ---- bad input: exact line, column and message ----

    /** Issue 16: other scripts' digits read as numbers; ovs-ofctl refuses them, and so do we — everywhere. */
    @Test
    void digitsOfOtherScriptsAreRefusedInEveryValue() {
        String[] rules = {
            "priority=\uff11\uff10\uff10,actions=drop",          // fullwidth 100
            "udp,tp_dst=\u0668\u0660,actions=drop",               // Arabic-Indic 80
            "ip,nw_src=\uff11\uff10.0.0.1,actions=drop",          // fullwidth 10
            "ip,nw_src=10.0.0.0/\uff12\uff14,actions=drop",       // prefix length
            "dl_src=0\uff12:00:00:00:00:01,actions=drop",          // fullwidth 2 in a MAC
            "ipv6,ipv6_src=\uff12001:db8::1,actions=drop",         // in an IPv6 address
            "in_port=\uff11,actions=drop",                          // a port number
            "actions=output:\uff12",                                // an output port
            "actions=\uff12",                                       // a bare output port
            "table=\uff11,actions=drop",                            // a table number
            "actions=resubmit(,\uff11)",                            // a resubmit's table
        };
        for (String r : rules) {
            RuleSyntaxException e = bad(r);
            assertTrue(e.reason().contains("U+") || e.reason().contains("bad"), r + " -> " + e.getMessage());
        }
        RuleSyntaxException e = bad("priority=\uff11\uff10\uff10,actions=drop");
        assertEquals(10, e.column(), "the column of the first non-ASCII character");
        assertTrue(e.reason().contains("U+FF11"), e.reason());
    }

    @Test
    void unknownField() {
        RuleSyntaxException e = bad("ip,foo=1,actions=drop");
        assertEquals(1, e.line());
        assertEquals(4, e.column());
        assertTrue(e.reason().startsWith("unknown field \"foo\""), e.getMessage());
    }

    @Test
    void missingPrerequisite() {
        RuleSyntaxException e = bad("priority=5,tp_dst=80,actions=drop");
        assertEquals(12, e.column());
        assertEquals("tp_dst requires nw_proto to be tcp/udp/sctp (add tcp, udp or sctp)", e.reason());
        RuleSyntaxException n = bad("nw_src=10.0.0.1,actions=drop");
        assertEquals(1, n.column());
        assertEquals("nw_src requires dl_type to be 0x0800 (add ip, or dl_type=0x0800)", n.reason());
        RuleSyntaxException f = bad("udp,tcp_flags=+syn,actions=drop");
        assertEquals(5, f.column());
        RuleSyntaxException a = bad("ip,actions=mod_tp_dst:80");
        assertEquals(12, a.column());
        assertEquals("mod_tp_dst requires the match to have nw_proto to be tcp/udp/sctp (add tcp, udp or sctp)", a.reason());
    }

    @Test
    void unknownPort() {
        RuleSyntaxException e = bad("in_port=p9,actions=drop");
        assertEquals(9, e.column());
        assertEquals("unknown port \"p9\"", e.reason());
        RuleSyntaxException o = bad("in_port=p0,actions=output:p9");
        assertEquals(27, o.column());
        assertEquals("unknown port \"p9\"", o.reason());
        RuleSyntaxException bare = bad("actions=p0,p9");
        assertEquals(12, bare.column());
        assertEquals("unknown action or port \"p9\"", bare.reason());
    }

    @Test
    void badValues() {
        RuleSyntaxException ip = bad("ip,nw_dst=10.0.0.256,actions=drop");
        assertEquals(11, ip.column());
        assertTrue(ip.reason().contains("bad IPv4 address"), ip.reason());
        RuleSyntaxException mac = bad("dl_dst=00:11:22:33:44,actions=drop");
        assertEquals(8, mac.column());
        RuleSyntaxException plen = bad("ip,nw_src=10.0.0.0/33,actions=drop");
        assertEquals(20, plen.column());
        RuleSyntaxException prio = bad("priority=70000,actions=drop");
        assertEquals(10, prio.column());
        RuleSyntaxException num = bad("tcp,tp_dst=http,actions=drop");
        assertEquals(12, num.column());
        RuleSyntaxException vid = bad("actions=mod_vlan_vid:4096");
        assertEquals(22, vid.column());
        RuleSyntaxException off = bad("offload=always,actions=drop");
        assertEquals(9, off.column());
        RuleSyntaxException flag = bad("tcp,tcp_flags=+syn+foo,actions=drop");
        assertEquals(20, flag.column());
    }

    @Test
    void syntaxErrors() {
        RuleSyntaxException noActions = bad("ip,nw_dst=10.0.0.1");
        assertEquals(19, noActions.column());
        assertTrue(noActions.reason().startsWith("must specify an action"));
        RuleSyntaxException paren = bad("actions=resubmit(,1");
        assertEquals(9, paren.column());
        RuleSyntaxException shorthand = bad("tcp=6,actions=drop");
        assertEquals(1, shorthand.column());
        RuleSyntaxException dropMix = bad("actions=drop,output:1");
        assertEquals(9, dropMix.column());
        RuleSyntaxException gotoBack = bad("table=3,actions=goto_table:1");
        assertEquals(28, gotoBack.column());
        RuleSyntaxException gotoNotLast = bad("actions=goto_table:1,output:2");
        assertEquals(9, gotoNotLast.column());
        RuleSyntaxException setf = bad("actions=set_field:1->foo");
        assertEquals(22, setf.column());
        RuleSyntaxException unknownAction = bad("actions=frobnicate:1");
        assertEquals(9, unknownAction.column());
        RuleSyntaxException dup = bad("dl_dst=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,actions=drop");
        assertEquals(26, dup.column());
    }

    @Test
    void errorsInAFileCarryTheLine() {
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class,
                () -> parser.parseFile("priority=1,actions=drop\n# c\n\nip,nw_dst=10.0.0.0/24,actions=p0\ntcp,tp_dst=80,foo=1,actions=drop\n"));
        assertEquals(5, e.line());
        assertEquals(15, e.column());
        assertEquals("line 5, column 15: unknown field \"foo\" (ovs-ofctl: unknown keyword foo)", e.getMessage());
    }

    @Test
    void printsBackInOfctlSyntax() throws Exception {
        Rule r = parse("table=1,priority=7,tcp,nw_dst=10.0.0.0/8,tp_dst=443,offload=never,actions=mod_nw_ttl:3,output:p1");
        Rule again = parse(r.toOfctlString());
        assertEquals(r.match(), again.match());
        assertEquals(r.actions(), again.actions());
        assertEquals(r.offload(), again.offload());
        assertEquals(r.table(), again.table());
        assertEquals(r.priority(), again.priority());
    }

    @Test
    void offloadClassCriticalIsParsedPrintedAndPartOfTheRule() throws Exception {
        Rule r = parse("priority=7,udp,tp_dst=53,offload_class=critical,actions=output:p1");
        assertTrue(r.critical());
        assertFalse(parse("priority=7,udp,tp_dst=53,actions=output:p1").critical(), "best-effort by default");
        assertFalse(parse("priority=7,udp,tp_dst=53,offload_class=best_effort,actions=output:p1").critical());
        Rule again = parse(r.toOfctlString());
        assertTrue(again.critical(), r.toOfctlString());
        assertTrue(r.sameEffect(again));
        assertFalse(r.sameEffect(parse("priority=7,udp,tp_dst=53,actions=output:p1")), "the class is part of what a rule does");
        RuleSyntaxException bad = assertThrows(RuleSyntaxException.class, () -> parse("udp,offload_class=gold,actions=drop"));
        assertEquals("line 1, column 19: bad offload_class \"gold\": expected offload_class=critical or offload_class=best_effort",
            bad.getMessage());
        RuleSyntaxException twice = assertThrows(RuleSyntaxException.class,
            () -> parse("udp,offload_class=critical,offload_class=critical,actions=drop"));
        assertTrue(twice.getMessage().contains("offload_class given more than once"), twice.getMessage());
    }

    /** Issue #11 defect 4: action names and reserved ports in any case; port names as written. */
    @Test
    void actionNamesAndReservedPortsInAnyCasePortNamesAsWritten() throws Exception {
        assertEquals(List.of(new OfAction.Normal()), parse("actions=NORMAL").actions());
        assertEquals(List.of(new OfAction.Flood()), parse("actions=FLOOD").actions());
        assertEquals(List.of(new OfAction.InPort()), parse("actions=IN_PORT").actions());
        assertEquals(List.of(new OfAction.All()), parse("actions=ALL").actions());
        assertEquals(List.of(), parse("actions=DROP").actions());
        assertEquals(List.of(new OfAction.Output(2)), parse("actions=Output:p1").actions());
        assertEquals(List.of(new OfAction.Normal()), parse("actions=output:normal").actions());
        assertEquals(List.of(new OfAction.InPort()), parse("actions=output:In_Port").actions());
        assertEquals(List.of(new OfAction.Controller(0xffff)), parse("actions=output:CONTROLLER").actions());
        assertEquals(List.of(new OfAction.StripVlan(), new OfAction.Resubmit(-1, 1)), parse("actions=Strip_Vlan,RESUBMIT(IN_PORT,1)").actions());
        assertEquals(List.of(new OfAction.SetTunnel(5, true)), parse("actions=SET_TUNNEL64:5").actions());
        RuleSyntaxException e = bad("actions=output:P1");
        assertEquals(1, e.line());
        assertEquals(16, e.column());
        assertTrue(e.getMessage().contains("unknown port \"P1\""), e.getMessage());
        assertTrue(bad("actions=LOCAL").getMessage().contains("reserved port LOCAL is not supported"));
        assertTrue(bad("actions=output:any").getMessage().contains("OFPBAC_BAD_OUT_PORT"));
        // Keywords and field names stay case-sensitive, as in ovs-ofctl.
        assertTrue(bad("IP,actions=drop").getMessage().contains("IP"));
        assertTrue(bad("ip,NW_DST=1.2.3.4,actions=drop").getMessage().contains("NW_DST"));
        bad("ACTIONS=drop");
    }
}
