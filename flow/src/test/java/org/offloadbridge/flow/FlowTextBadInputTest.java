package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bad input to the dpctl flow text parser (issue #16): digits of other scripts, contradictory
 * layers, repeated attributes and fields, size limits, and what an error message may echo.
 * Each refusal is checked for its column and its words; each has a well-formed twin that
 * parses, so a refusal cannot come from something else on the line.
 */
class FlowTextBadInputTest {
    private static final PortNames NAMES = PortNames.of(java.util.Map.of(1, "p1", 2, "é2"));

    private static FlowParseException refusedMatch(String match) {
        return assertThrows(FlowParseException.class, () -> FlowParser.parseMatch(match, NAMES, new FlowKey(), new FlowMask()), match);
    }

    private static void assertMatchRefused(String match, int column, String words) {
        FlowParseException e = refusedMatch(match);
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    private static void assertMatchParses(String match) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        FlowParser.parseMatch(match, NAMES, k, m);
        // and it round-trips, so it parsed into something meaningful
        FlowKey k2 = new FlowKey();
        FlowMask m2 = new FlowMask();
        FlowParser.parseMatch(FlowFormat.formatMatch(k, m, NAMES, true), NAMES, k2, m2);
        assertEquals(m, m2, match);
    }

    private static void assertFlowRefused(String line, int column, String words) {
        FlowParseException e = assertThrows(FlowParseException.class, () -> FlowParser.parseFlow(line, NAMES), line);
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    private static void assertActionsRefused(String actions, int column, String words) {
        FlowParseException e = assertThrows(FlowParseException.class, () -> FlowParser.parseActions(actions, NAMES), actions);
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    // ---------------------------------------------------------------- VLAN tags

    /**
     * A vlan(..) is a tag only after its TPID (eth_type(0x8100) or (0x88a8)), as the datapath
     * nests it; alone it was matched but never printed (a fuzzing finding).
     */
    @Test
    void vlanWithoutItsTpidIsRefused() {
        assertMatchRefused("tcp_flags(4),packet_type(ns=0,id=0),vlan(vid=20,pcp=3)", 37, "vlan(..) without a preceding eth_type(0x8100)");
        assertMatchRefused("vlan(vid=20)", 1, "without a preceding eth_type");
        assertMatchRefused("eth_type(0x8100),vlan(vid=20),encap(vlan(vid=30))", 37, "without a preceding eth_type");
        assertMatchRefused("eth_type(0x0800),vlan(vid=20)", 10, "vlan(..) is not a VLAN tag type");
        assertMatchParses("eth_type(0x8100),vlan(vid=20,pcp=3),encap(eth_type(0x0800))");
        assertMatchParses("eth_type(0x88a8),vlan(vid=20),encap(eth_type(0x8100),vlan(vid=30),encap(eth_type(0x0800)))");
    }

    // ---------------------------------------------------------------- digits

    /** ٠-٩ (Arabic-Indic), ０-９ and Ａ-Ｆ (fullwidth): Character.digit reads them, OVS does not. */
    @Test
    void nonAsciiDigitsAreRefusedInEveryNumberAndAddress() {
        String arabic80 = "\u0668\u0660";
        String full1 = "\uff11";
        String fullA = "\uff21";
        // [text, column of the bad character]
        Object[][] cases = {
            {"tcp(dst=" + arabic80 + ")", 9},
            {"tcp(dst=8" + "\u0660" + ")", 10},
            {"tcp(dst=80/0x" + "\uff46" + "f00)", 14},
            {"ipv4(src=" + full1 + "0.0.0.1)", 10},
            {"ipv4(src=10.0.0.1/2" + "\uff14" + ")", 20},
            {"ipv4(src=10.0.0.1/255.255." + full1 + ".0)", 27},
            {"eth(src=0" + full1 + ":00:00:00:00:01)", 10},
            {"eth(src=02:00:00:00:00:0" + fullA + ")", 25},
            {"eth(dst=02:00:00:00:00:01/ff:ff:ff:ff:ff:" + "\uff26\uff26" + ")", 42},
            {"ipv6(src=fd00::" + full1 + ")", 16},
            {"ipv6(src=fd00::1/" + "\u0666" + "4)", 18},
            {"ipv6(src=::ffff:10.0.0." + full1 + ")", 24},
            {"eth_type(0x0" + "\uff18" + "00)", 13},
            {"in_port(" + "\u0663" + ")", 9},
            {"recirc_id(" + "\u0661" + ")", 11},
            {"ct_label(0x" + full1 + ")", 12},
            {"tunnel(tun_id=0x" + "\u0663" + ")", 17},
            {"arp(sip=10.0.0." + "\u0661" + ")", 16},
            {"ipv4(proto=" + "\u0666" + ")", 12},
            {"vlan(vid=1" + "\u0660" + ")", 11},
            {"tcp_flags(" + "\u0663" + ")", 11},
            {"ct_state(" + "\uff12" + "/0x3)", 10},
        };
        for (Object[] c : cases) {
            String text = (String) c[0];
            String match = text.startsWith("vlan(") ? "eth_type(0x8100)," + text : text;
            int column = (int) c[1] + (match.length() - text.length());
            assertMatchRefused(match, column, "non-ASCII digit");
            // the same text with ASCII digits parses
            assertMatchParses(ascii(match));
        }
        assertActionsRefused("1,\u0663", 3, "non-ASCII digit");
        assertActionsRefused("push_vlan(vid=1\u0660,pcp=0)", 16, "non-ASCII digit");
        assertActionsRefused("set(ipv4(ttl=\u0666\u0664))", 14, "non-ASCII digit");
        assertActionsRefused("userspace(pid=\u0661)", 15, "non-ASCII digit");
        assertEquals("1,push_vlan(vid=10,pcp=0),set(ipv4(ttl=64)),userspace(pid=1)",
                FlowParser.parseActions("1,push_vlan(vid=10,pcp=0),set(ipv4(ttl=64)),userspace(pid=1)", NAMES).toString());
        String stats = "in_port(1), packets:%s, bytes:%s, used:%s, flags:%s, actions:drop";
        assertFlowRefused(stats.formatted("\u0661", "0", "never", "S"), 21, "non-ASCII digit");
        assertFlowRefused(stats.formatted("1", "0", "\u0661.5s", "S"), 38, "non-ASCII digit");
        assertFlowRefused(stats.formatted("1", "0", "never", "[" + full1 + "00]"), 52, "non-ASCII digit");
        assertEquals(0x100 | 0x002, FlowParser.parseFlow(stats.formatted("1", "0", "1.5s", "S[100]"), NAMES).tcpFlags());
        assertFlowRefused("ufid:5efba054-d68f-4ac3-a585-4d3fbf4d87a" + "\uff45" + ", in_port(1), packets:0, bytes:0, used:never, actions:drop", 41, "hex digit");
    }

    /** The ASCII twin of a string of digits from other scripts (for the well-formed case). */
    private static String ascii(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= '\uff21' && c <= '\uff26') {
                sb.append((char) ('a' + c - '\uff21'));
            } else if (c >= '\uff41' && c <= '\uff46') {
                sb.append((char) ('a' + c - '\uff41'));
            } else if (c > 0x7f && Character.isDigit(c)) {
                sb.append((char) ('0' + Character.digit(c, 10)));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void portNamesMayStillBeAnyText() {
        FlowKey k = new FlowKey();
        FlowParser.parseMatch("in_port(é2)", NAMES, k, new FlowMask());
        assertEquals(2, k.get(Field.IN_PORT));
        assertEquals(List.of(new Action.Output(2), new Action.Output(1)), FlowParser.parseActions("é2,p1", NAMES).toList());
    }

    // ---------------------------------------------------------------- layers

    /**
     * No packet matches both layers, and the kernel's match_validate refuses the key ("Unexpected
     * key"). (OVS's Python {@code ovs.flow.odp} 3.1 accepts all of these: it is a printer's
     * parser and no oracle for validity.)
     */
    @Test
    void contradictoryLayersAreRefused() {
        assertMatchRefused("ipv4(proto=17),tcp(dst=80)", 16, "tcp(..) contradicts proto=17 of ipv4(..): tcp(..) needs proto=6");
        assertMatchRefused("eth_type(0x0800),ipv4(proto=6),udp(dst=53)", 32, "udp(..) contradicts proto=6 of ipv4(..): udp(..) needs proto=17");
        assertMatchRefused("eth_type(0x0800),ipv4(proto=6),sctp(dst=53)", 32, "needs proto=132");
        assertMatchRefused("eth_type(0x0800),ipv4(proto=17),icmp(type=8)", 33, "needs proto=1");
        assertMatchRefused("eth_type(0x86dd),ipv6(proto=6),icmpv6(type=128)", 32, "needs proto=58");
        assertMatchRefused("ipv4(proto=17),tcp_flags(syn)", 16, "tcp_flags(..) contradicts proto=17");
        assertMatchRefused("eth_type(0x86dd),ipv4(src=10.0.0.1)", 18, "ipv4(..) contradicts eth_type(0x86dd): ipv4(..) needs eth_type(0x0800)");
        assertMatchRefused("eth_type(0x0800),ipv6(src=::1)", 18, "needs eth_type(0x86dd)");
        assertMatchRefused("eth_type(0x0800),arp(op=1)", 18, "arp(..) needs eth_type(0x0806) or eth_type(0x8035)");
        assertMatchRefused("eth_type(0x0806),tcp(dst=80)", 18, "tcp(..) contradicts eth_type(0x0806): tcp(..) needs IPv4 or IPv6");
        assertMatchRefused("eth_type(0x86dd),icmp(type=8)", 18, "needs eth_type(0x0800)");
        assertMatchRefused("ipv4(src=10.0.0.1),ipv6(src=::1)", 20, "ipv6(..) and ipv4(..) in one match");
        assertMatchRefused("tcp(dst=80),udp(dst=53)", 13, "udp(..) and tcp(..) in one match");
        assertMatchRefused("eth_type(0x86dd),ipv6(proto=58),icmp(type=8)", 33, "icmp(..) contradicts ipv6(..)");
        assertMatchRefused("eth_type(0x0800),ipv4(proto=58),icmpv6(type=135)", 33, "icmpv6(..) contradicts ipv4(..)");
        assertMatchRefused("eth_type(0x0806),arp(op=1),tcp(dst=80)", 28, "ARP carries no transport header");
        assertMatchRefused("arp(op=1),icmp(type=8)", 11, "icmp(..) contradicts arp(..): ARP carries no transport header");
        assertMatchRefused("ipv4(proto=6,frag=later),tcp(dst=80)", 26, "a later fragment carries no transport header");
        assertMatchRefused("ipv4(proto=17),udp(dst=53),tcp_flags(syn)", 28, "tcp_flags(..) with udp(..)");
        assertMatchRefused("ipv6(src=::1),tcp_flags(syn),nd(target=::1)", 30, "nd(..) with tcp_flags(..)");
        assertMatchRefused("ipv6(proto=58),icmpv6(type=128),nd(target=::1)", 33, "nd(..) contradicts icmpv6(type=128,code=0)");
        assertMatchRefused("ipv6(proto=58),icmpv6(type=135,code=1),nd(target=::1)", 40, "nd needs type=135 or 136, code=0");
        assertMatchRefused("eth_type(0x8100),vlan(vid=10),encap(eth_type(0x86dd),ipv4(src=10.0.0.1))", 54, "contradicts eth_type(0x86dd)");
        assertMatchRefused("eth_type(0x0800),vlan(vid=10),encap(eth_type(0x0800))", 10, "eth_type(0x0800) before vlan(..) is not a VLAN tag type");
        // what agrees, or leaves the lower layer open, parses
        assertMatchParses("eth_type(0x0800),ipv4(proto=6),tcp(dst=80)");
        assertMatchParses("ipv4(proto=7/0xfe),tcp(dst=80)");
        assertMatchParses("ipv4(src=10.0.0.1),tcp(dst=80)");
        assertMatchParses("tcp(dst=80)");
        assertMatchParses("eth_type(0x8035),arp(op=3)");
        assertMatchParses("ipv4(proto=6,frag=first),tcp(dst=80),tcp_flags(syn)");
        assertMatchParses("ipv4(proto=6,frag=later)");
        assertMatchParses("eth_type(0x86dd),ipv6(proto=58),icmpv6(type=136,code=0),nd(target=fd00::1)");
        assertMatchParses("eth_type(0x88a8),vlan(vid=10),encap(eth_type(0x8100),vlan(vid=20),encap(eth_type(0x86dd),ipv6(proto=17),udp(dst=53)))");
    }

    // ---------------------------------------------------------------- repeats

    @Test
    void repeatedAttributesFieldsAndItemsAreRefused() {
        assertMatchRefused("in_port(1),in_port(2)", 12, "duplicate attribute in_port(..), first given at column 1");
        assertMatchRefused("recirc_id(0),eth(),recirc_id(0)", 20, "duplicate attribute recirc_id(..)");
        assertMatchRefused("ipv4(src=10.0.0.1,src=10.0.0.2)", 19, "duplicate field 'src' in ipv4(..)");
        assertMatchRefused("ipv6(proto=6,tclass=0,proto=6)", 23, "duplicate field 'proto' in ipv6(..)");
        assertMatchRefused("eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02,dst=02:00:00:00:00:02)", 49, "duplicate field 'dst' in eth(..)");
        assertMatchRefused("eth_type(0x0800),eth_type(0x0800)", 18, "duplicate attribute eth_type(..)");
        assertMatchRefused("eth_type(0x8100),vlan(vid=1,vid=2),encap()", 29, "duplicate field 'vid' in vlan(..)");
        assertMatchRefused("eth_type(0x8100),vlan(vid=1),vlan(vid=2),encap()", 30, "duplicate attribute vlan(..)");
        assertMatchRefused("tunnel(tun_id=0x1,flags(key),flags(df))", 30, "duplicate field 'flags' in tunnel(..)");
        assertMatchRefused("tcp_flags(syn|ack|syn)", 19, "duplicate flag 'syn' in tcp_flags");
        assertActionsRefused("push_vlan(vid=1,vid=2)", 17, "duplicate field 'vid' in push_vlan(..)");
        assertActionsRefused("set(ipv4(src=10.0.0.1,src=10.0.0.2))", 23, "duplicate field 'src' in ipv4(..)");
        assertFlowRefused("in_port(1), packets:1, bytes:0, packets:2, used:never, actions:drop", 33, "duplicate 'packets:', first given at column 13");
        // the same attribute once per VLAN level, and the same action twice, are fine
        assertMatchParses("eth_type(0x8100),vlan(vid=1),encap(eth_type(0x8100),vlan(vid=2),encap(eth_type(0x0800)))");
        assertEquals(2, FlowParser.parseActions("set(ipv4(ttl=1)),set(ipv4(ttl=2))", NAMES).size());
    }

    // ---------------------------------------------------------------- limits

    @Test
    void actionListsAreBoundedAtTheKernelDatapathLimit() {
        String max = "1,".repeat(FlowParser.MAX_ACTIONS - 1) + "2";
        assertEquals(FlowParser.MAX_ACTIONS, FlowParser.parseActions(max, NAMES).size());
        String over = max + ",3";
        int column = max.length() + 2;
        assertActionsRefused(over, column, "more than 4096 actions");
        FlowParseException e = assertThrows(FlowParseException.class,
                () -> FlowParser.parseFlow("in_port(1), packets:0, bytes:0, used:never, actions:" + over, NAMES));
        assertTrue(e.getMessage().contains("more than 4096 actions"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }

    @Test
    void overLongTextIsRefusedBeforeParsing() {
        String line = "in_port(1), packets:0, bytes:0, used:never, actions:" + "1,".repeat(FlowParser.MAX_TEXT_LENGTH);
        FlowParseException e = assertThrows(FlowParseException.class, () -> FlowParser.parseFlow(line, NAMES));
        assertEquals(FlowParser.MAX_TEXT_LENGTH + 1, e.column());
        assertTrue(e.getMessage().contains("text of " + line.length() + " characters is longer than the limit of 131072"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
        assertThrows(FlowParseException.class, () -> FlowParser.parseMatch("eth()," + " ".repeat(FlowParser.MAX_TEXT_LENGTH), NAMES, new FlowKey(), new FlowMask()));
        assertThrows(FlowParseException.class, () -> FlowParser.parseActions("1".repeat(FlowParser.MAX_TEXT_LENGTH + 1), NAMES));
        // up to the limit is parsed
        String longest = "drop" + " ".repeat(FlowParser.MAX_TEXT_LENGTH - 4);
        assertTrue(FlowParser.parseActions(longest, NAMES).isDrop());
    }

    // ---------------------------------------------------------------- messages

    @Test
    void errorsQuoteAShortEscapedExcerptAndTheColumn() {
        // a megabyte-class line with the mistake near the end
        String junk = "x".repeat(100_000);
        String line = "ipv4(src=10.0.0.1,dst=" + junk + ")";
        FlowParseException e = refusedMatch(line);
        assertEquals(23, e.column());
        assertTrue(e.getMessage().startsWith("column 23: expected an IPv4 address a.b.c.d, got 'xxxx"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, "message of " + e.getMessage().length() + " chars");
        // control characters and non-ASCII come out escaped, and the excerpt is cut with …
        String evil = "in_port(1),eth(),\u001b[2J\nipv4(src=\u0661" + "y".repeat(1000) + ")";
        e = refusedMatch(evil);
        assertEquals(18, e.column());
        String msg = e.getMessage();
        assertTrue(msg.contains("\\x1b[2J\\nipv4"), msg);
        for (char c : msg.toCharArray()) {
            assertTrue(c >= 0x20 && c != 0x7f, "raw control character " + (int) c + " in " + msg);
        }
        assertTrue(msg.endsWith("…'"), msg);
        e = refusedMatch("tcp(dst=\u0668\u0660)");
        assertTrue(e.getMessage().startsWith("column 9: non-ASCII digit '\\u0668'"), e.getMessage());
        assertTrue(e.getMessage().endsWith(" in 'tcp(dst=\\u0668\\u0660)'"), e.getMessage());
        // the excerpt is at most 20 characters either side of the column
        e = refusedMatch("recirc_id(0),in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,dts=10.0.0.2),tcp(dst=80)");
        assertEquals(66, e.column());
        assertTrue(e.getMessage().endsWith(" in '…),ipv4(src=10.0.0.1,dts=10.0.0.2),tcp(ds…'"), e.getMessage());
    }
}
