package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bad rule text (issue #16), each class with the exact column and the words of the refusal, and
 * a well-formed twin that parses, so a refusal cannot come from something else on the line.
 */
class RuleBadInputTest {
    private final RuleParser parser = new RuleParser(RuleParserTest.PORTS);

    private void assertRefused(String rule, int column, String words) {
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> parser.parse(rule), rule);
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.reason().contains(words), e.getMessage());
        assertPrintable(e.getMessage());
    }

    private Rule parses(String rule) throws RuleSyntaxException {
        return parser.parse(rule);
    }

    private static void assertPrintable(String s) {
        for (char c : s.toCharArray()) {
            assertTrue(c == '…' || (c >= 0x20 && c < 0x7f), "raw character U+" + Integer.toHexString(c) + " in " + s);
        }
    }

    // ---------------------------------------------------------------- contradictions

    /**
     * ovs-ofctl keeps the last of {@code nw_proto=17,tcp} (a TCP rule), of {@code ipv6,tcp} (an
     * IPv4 one) and of {@code tcp,udp}: what the rule matches is not what it shows. Refused, the
     * later keyword named, the earlier one with its column.
     */
    @Test
    void shorthandsAndFieldsThatContradictAreRefused() throws Exception {
        assertRefused("nw_proto=17,tcp,actions=drop", 13, "tcp contradicts nw_proto=17 (column 1): nw_proto cannot be both 17 and 6");
        assertRefused("tcp,nw_proto=17,actions=drop", 5, "nw_proto=17 contradicts tcp (column 1): nw_proto cannot be both 6 and 17");
        assertRefused("tcp,udp,actions=drop", 5, "udp contradicts tcp (column 1)");
        assertRefused("ipv6,tcp,actions=drop", 6, "tcp contradicts ipv6 (column 1): dl_type cannot be both 0x86dd and 0x0800 (tcp is TCP over IPv4; over IPv6 write tcp6)");
        assertRefused("ipv6,icmp,actions=drop", 6, "write icmp6");
        assertRefused("udp6,tcp,actions=drop", 6, "write tcp6");
        assertRefused("dl_type=0x0806,ip,actions=drop", 16, "ip contradicts dl_type=0x0806 (column 1): dl_type cannot be both 0x0806 and 0x0800");
        assertRefused("ip,eth_type=0x0806,actions=drop", 4, "eth_type=0x0806 contradicts ip (column 1)");
        assertRefused("arp,rarp,actions=drop", 5, "rarp contradicts arp (column 1)");
        assertRefused("icmp,icmp_type=8,tcp,actions=drop", 18, "tcp contradicts icmp (column 1): nw_proto cannot be both 1 and 6");
        assertRefused("vlan_tci=0x1001,dl_vlan=2,actions=drop", 17, "dl_vlan=2 contradicts vlan_tci=0x1001 (column 1): vlan_tci cannot be both 0x1001 and 0x1002");
        assertRefused("dl_vlan=0xffff,dl_vlan_pcp=3,actions=drop", 16, "dl_vlan_pcp=3 contradicts dl_vlan=0xffff (column 1)");
        // fields whose prerequisites the match does not meet (as before)
        assertRefused("ip,arp_op=1,actions=drop", 4, "arp_op requires dl_type to be 0x0806");
        assertRefused("udp,tcp_flags=+syn,actions=drop", 5, "tcp_flags requires");
        assertRefused("arp,nw_src=10.0.0.1,arp_spa=10.0.0.2,actions=drop", 5, "nw_src on ARP is arp_spa, given also at column 21");
        // what agrees, refines or leaves a part open parses, with what it shows
        Rule r = parses("udp,tp_dst=80,actions=drop");
        assertEquals(17, r.match().value(MatchField.NW_PROTO));
        r = parses("ip,tcp,nw_proto=6,eth_type=0x0800,tp_dst=80,actions=drop");
        assertEquals(6, r.match().value(MatchField.NW_PROTO));
        assertEquals(0x0800, r.match().value(MatchField.DL_TYPE));
        r = parses("nw_proto=17,ip,actions=drop");
        assertEquals(17, r.match().value(MatchField.NW_PROTO));
        r = parses("dl_vlan=10,dl_vlan_pcp=3,actions=drop");
        assertEquals(0x1000 | 3 << 13 | 10, r.match().value(MatchField.VLAN_TCI));
        assertEquals(0xffff, r.match().mask(MatchField.VLAN_TCI));
        r = parses("arp,nw_src=10.0.0.1,actions=drop");
        assertEquals(0x0a000001L, r.match().value(MatchField.ARP_SPA), "the OpenFlow 1.0 spelling ovs-ofctl documents stays");
    }

    // ---------------------------------------------------------------- repeats

    @Test
    void aRepeatedFieldOrKeywordIsRefusedNamingBoth() throws Exception {
        assertRefused("tcp,tp_dst=1,tp_dst=2,actions=drop", 14, "tp_dst given more than once (first at column 5)");
        assertRefused("tcp,tp_dst=1,tcp_dst=1,actions=drop", 14, "tcp_dst given more than once (first at column 5)");
        assertRefused("priority=1,priority=2,actions=drop", 12, "priority given more than once (first at column 1)");
        assertRefused("ip,ip,actions=drop", 4, "ip given more than once (first at column 1)");
        assertRefused("ip,ipv4,actions=drop", 4, "ipv4 given more than once (first at column 1)");
        assertRefused("dl_vlan=1,dl_vlan=2,actions=drop", 11, "dl_vlan given more than once (first at column 1)");
        assertRefused("dl_vlan_pcp=1 dl_vlan_pcp=1 actions=drop", 15, "dl_vlan_pcp given more than once (first at column 1)");
        assertRefused("ip,nw_frag=yes,nw_frag=no,actions=drop", 16, "nw_frag given more than once (first at column 4)");
        // the same action twice is a list, not a repeat
        assertEquals(2, parses("actions=output:p0,output:p0").actions().size());
    }

    // ---------------------------------------------------------------- digits

    @Test
    void portNumbersAreAsciiAndTheDigitIsNamed() throws Exception {
        assertRefused("in_port=\uff11,actions=drop", 9, "non-ASCII digit U+FF11 in port \"\\uff11\": port numbers are ASCII 0-9");
        assertRefused("actions=output:p\u0663", 17, "non-ASCII digit U+0663");
        assertRefused("actions=\u0662", 9, "non-ASCII digit U+0662");
        assertEquals(List.of(new OfAction.Output(2)), parses("actions=2").actions());
    }

    // ---------------------------------------------------------------- limits

    @Test
    void actionsAreBoundedAtTheDatapathLimit() throws Exception {
        String max = "actions=" + "output:p0,".repeat(RuleParser.MAX_ACTIONS - 1) + "output:p1";
        assertEquals(RuleParser.MAX_ACTIONS, parses(max).actions().size());
        String over = max + ",p0";
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> parser.parse(over));
        assertEquals(max.length() + 2, e.column());
        assertTrue(e.reason().startsWith("more than 4096 actions in one rule (outputs count as actions"), e.reason());
        // 40,000 outputs: refused at the 4097th, the message short (100,000 are over the line limit)
        e = assertThrows(RuleSyntaxException.class, () -> parser.parse("actions=" + "p0,".repeat(40_000) + "p1"));
        assertEquals(8 + 3 * RuleParser.MAX_ACTIONS + 1, e.column());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }

    @Test
    void overLongLinesAreRefusedBeforeParsing() throws Exception {
        String line = "in_port=" + "x".repeat(RuleParser.MAX_LINE_LENGTH) + ",actions=drop";
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> parser.parse(line));
        assertEquals(RuleParser.MAX_LINE_LENGTH + 1, e.column());
        assertEquals("line of " + line.length() + " characters is longer than the limit of 131072", e.reason());
        e = assertThrows(RuleSyntaxException.class, () -> parser.parseFile("priority=1,actions=drop\n" + line + "\n"));
        assertEquals(2, e.line());
        // up to the limit is read
        String longest = "actions=drop" + " ".repeat(RuleParser.MAX_LINE_LENGTH - 12);
        assertTrue(parses(longest).actions().isEmpty());
    }

    // ---------------------------------------------------------------- messages

    @Test
    void messagesQuoteAShortEscapedExcerpt() {
        // a 100 KB port name with a terminal escape: the message is short and has no raw control character
        String name = "\u001b[2J" + "q".repeat(100_000);
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> parser.parse("actions=output:" + name));
        assertTrue(e.getMessage().length() < 200, e.getMessage().length() + " chars");
        assertTrue(e.reason().startsWith("unknown port \"\\x1b[2Jqqq"), e.reason());
        assertTrue(e.reason().contains("…"), e.reason());
        assertRefused("in_port=p0\u0000,actions=drop", 9, "unknown port \"p0\\x00\"");
        assertRefused("tcp\u001b[31m,actions=drop", 1, "unknown field \"tcp\\x1b[31m\"");
        assertRefused("ip,nw_src=10.0.0.1\u0007,actions=drop", 19, "character U+0007 in a value");
    }

    /** Other hostile values of the same classes: each refused where it is, saying what. */
    @Test
    void hostileValuesSayWhatAndWhere() {
        assertRefused("tcp,tp_dst=65536,actions=drop", 12, "value 65536 is too large for the 16-bit field tp_dst");
        assertRefused("tcp,tp_dst=-1,actions=drop", 12, "bad value \"-1\": expected a decimal or 0x-hex number");
        assertRefused("tcp,tp_dst=0x,actions=drop", 12, "bad value \"0x\"");
        assertRefused("tcp,tp_dst=80x,actions=drop", 12, "bad value \"80x\"");
        assertRefused("tcp,tp_dst=,actions=drop", 12, "missing value for tp_dst");
        assertRefused("ip,nw_src=10.0.0.1/33,actions=drop", 20, "prefix length 33 is longer than the 32-bit nw_src");
        assertRefused("ip,nw_src=10.0.0.256,actions=drop", 11, "256 is not 0..255");
        assertRefused("priority=99999999999999999999,actions=drop", 10, "bad value for priority");
        assertRefused("priority=65536,actions=drop", 10, "65536 is larger than 65535");
        assertRefused("actions=output(1", 9, "unbalanced parentheses");
        assertRefused("actions=drop,output:p0", 9, "\"drop\" must not be accompanied by any other action");
        assertRefused("tcp,tp_dst=80,actions=drop)", 23, "unknown action or port \"drop)\"");
    }
}
