package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.OffloadPreference;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.IpProto;

/**
 * Parses rules in the {@code ovs-ofctl add-flow} syntax: one rule per line,
 * {@code [table=T,][priority=P,][cookie=C,]MATCH... actions=ACTION,...}, fields separated by
 * commas or blanks, plus our {@code offload=required|preferred|never} and
 * {@code offload_class=critical|best_effort} extensions.
 *
 * <p>Errors carry the 1-based line and column of the offending token and an ovs-ofctl-like
 * message. Port names resolve through the {@link PortTable} given at construction; a rule
 * stores OpenFlow port numbers. Prerequisites are checked once the whole match is read (so
 * {@code tp_dst=80,tcp} is as good as {@code tcp,tp_dst=80}), and actions are checked against
 * the match like OVS's ofpacts_check (mod_tp_dst needs tcp/udp/sctp in the match).
 *
 * <p>See docs/rules.md for the full syntax and the differences from ovs-ofctl.
 */
public final class RuleParser {
    /**
     * Longest rule line, in chars. {@link #MAX_ACTIONS} outputs to 15-character device names
     * ({@code output:NAME,}, 23 chars) are 96 KiB; with room for the match that is 128 KiB, as
     * for a datapath flow's text. Longer is refused before any work.
     */
    public static final int MAX_LINE_LENGTH = 128 * 1024;

    /**
     * Most actions in one rule, outputs included. A rule's actions become one datapath flow's,
     * and the kernel datapath holds at most 32 KiB of actions per flow (8 bytes an output: 4096);
     * OVS cannot send more either (an OpenFlow message is at most 64 KiB, an OpenFlow 1.3 output
     * 16 bytes). The datapath-flow parser takes as many. tc takes only 16 per filter: a rule
     * with more outputs is not refused for that, its flows are placed in DPDK or the slow path.
     */
    public static final int MAX_ACTIONS = 4096;

    private final PortTable ports;
    private final OffloadPreference offloadDefault;

    public RuleParser(PortTable ports) {
        this(ports, OffloadPreference.PREFERRED);
    }

    /** @param offloadDefault the preference of a rule without {@code offload=} (config {@code offload-default}) */
    public RuleParser(PortTable ports, OffloadPreference offloadDefault) {
        this.ports = ports;
        this.offloadDefault = offloadDefault;
    }

    /** What a line is read as. */
    private enum Mode {
        /** A rule: match and actions ({@code add-flow}). */
        RULE,
        /** Which rules ({@code del-flows}): table, cookie/mask, priority and a match; no actions. */
        SELECTOR,
        /** One packet ({@code ofproto/trace}): exact field values only. */
        FLOW
    }

    /**
     * Parses a rules file: one rule per line; blank lines and lines whose first non-blank
     * character is {@code #} are skipped. Stops at the first bad line.
     */
    public List<Rule> parseFile(String content) throws RuleSyntaxException {
        List<Rule> out = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            String t = l.strip();
            if (t.isEmpty() || t.charAt(0) == '#') {
                continue;
            }
            out.add(parseLine(l, i + 1));
        }
        return out;
    }

    /** Parses one rule given alone (reported as line 1). */
    public Rule parse(String text) throws RuleSyntaxException {
        return parseLine(text, 1);
    }

    /** Parses one rule that is line {@code lineNo} of a file. */
    public Rule parseLine(String text, int lineNo) throws RuleSyntaxException {
        return new LineParser(text, lineNo, Mode.RULE).parse();
    }

    /**
     * Parses the rule selection of {@code ovs-ofctl del-flows}: {@code [table=T,][cookie=C[/M],]
     * [priority=P,]MATCH}, no actions; empty text selects every rule.
     */
    public RuleSelector parseSelector(String text) throws RuleSyntaxException {
        LineParser p = new LineParser(text, 1, Mode.SELECTOR);
        Rule r = p.parse();
        return new RuleSelector(p.tableGiven ? r.table() : -1, r.cookie(), p.cookieGiven ? p.cookieMask : 0,
            p.priorityGiven ? r.priority() : -1, r.match());
    }

    /**
     * Parses one packet's fields in the ovs-ofctl flow syntax ({@code in_port=p1,udp,nw_dst=10.0.0.2,tp_dst=53}), as
     * {@code ofproto/trace} reads them: exact values (no masks), prerequisites as for a rule, no
     * table, priority, cookie or actions. Fields not given are zero.
     */
    public Match parseFlow(String text) throws RuleSyntaxException {
        return new LineParser(text, 1, Mode.FLOW).parse().match();
    }

    /** One field as written, for prerequisite errors that point back at it. */
    private record Written(MatchField field, String name, int column) {
    }

    private final class LineParser {
        final String s;
        final int line;
        final Mode mode;
        int table;
        int priority = Rule.DEFAULT_PRIORITY;
        long cookie;
        long cookieMask = -1L;
        boolean tableGiven;
        boolean priorityGiven;
        boolean cookieGiven;
        OffloadPreference offload = offloadDefault;
        boolean critical;
        final Match.Builder mb = new Match.Builder();
        final List<Written> written = new ArrayList<>();
        final BitSet explicit = new BitSet();
        /** 0-based index of each field's first explicit mention, by ordinal. */
        final int[] explicitAt = new int[MatchField.values().length];
        final BitSet seenKeyword = new BitSet();
        /** 0-based index of each keyword's first mention, by id of {@link #once}. */
        final int[] keywordAt = new int[16];
        /** Who first wrote bits of each field, as written ("tcp", "nw_proto=17"), by ordinal; for contradictions. */
        final String[] writer = new String[MatchField.values().length];
        final int[] writerAt = new int[MatchField.values().length];

        LineParser(String s, int line, Mode mode) {
            this.s = s;
            this.line = line;
            this.mode = mode;
        }

        RuleSyntaxException err(int idx, String msg) {
            return new RuleSyntaxException(line, idx + 1, msg);
        }

        Rule parse() throws RuleSyntaxException {
            int n = s.length();
            if (n > MAX_LINE_LENGTH) {
                throw err(MAX_LINE_LENGTH, "line of " + n + " characters is longer than the limit of " + MAX_LINE_LENGTH);
            }
            int i = 0;
            int actionsAt = -1;
            int tableCol = -1;
            while (i < n) {
                char c = s.charAt(i);
                if (c == ',' || Character.isWhitespace(c)) {
                    i++;
                    continue;
                }
                int start = i;
                while (i < n && s.charAt(i) != '=' && s.charAt(i) != ':' && s.charAt(i) != ',' && !Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                String name = s.substring(start, i);
                if (name.isEmpty()) {
                    throw err(start, "expected a field name before \"" + s.charAt(start) + "\"");
                }
                String value = null;
                int vstart = i;
                if (i < n && (s.charAt(i) == '=' || s.charAt(i) == ':')) {
                    i++;
                    vstart = i;
                    if (name.equals("actions")) {
                        if (mode == Mode.SELECTOR) {
                            throw err(start, "del-flows selects rules by their match: no actions (drop \"actions=...\")");
                        }
                        if (mode == Mode.FLOW) {
                            throw err(start, "a flow is a packet's fields: no actions (drop \"actions=...\")");
                        }
                        actionsAt = i;
                        break;
                    }
                    while (i < n && s.charAt(i) != ',' && !Character.isWhitespace(s.charAt(i))) {
                        i++;
                    }
                    value = s.substring(vstart, i);
                }
                if (name.equals("actions")) {
                    throw err(start, "actions needs \"=\" and an action list");
                }
                if (name.equals("table")) {
                    tableCol = vstart;
                }
                field(name, start, value, vstart);
            }
            if (mode != Mode.RULE) {
                return new Rule(table, priority, cookie, checkPrerequisites(), List.of(), offload, critical, line, s.strip());
            }
            if (actionsAt < 0) {
                throw err(s.length(), "must specify an action (add actions=..., e.g. actions=drop)");
            }
            Match match = checkPrerequisites();
            List<OfAction> actions = new ActionParser(this, match).parse(actionsAt);
            if (tableCol < 0) {
                tableCol = 0;
            }
            return new Rule(table, priority, cookie, match, actions, offload, critical, line, s.strip());
        }

        void once(int id, String name, int col) throws RuleSyntaxException {
            if (seenKeyword.get(id)) {
                throw err(col, name + " given more than once (first at column " + (keywordAt[id] + 1) + ")");
            }
            seenKeyword.set(id);
            keywordAt[id] = col;
        }

        /**
         * Adds {@code v/m} to field {@code f}, refusing it when bits already written disagree:
         * {@code nw_proto=17,tcp}, {@code ipv6,tcp}, {@code vlan_tci=0x1001,dl_vlan=2} match no
         * packet, and ovs-ofctl would silently keep the last (turning a TCP rule into UDP).
         */
        void claim(MatchField f, long v, long m, String who, int col) throws RuleSyntaxException {
            int i = f.ordinal();
            if (mb.isSet(f)) {
                long both = mb.mask(f) & m;
                if ((mb.value(f) & both) != (v & both)) {
                    throw err(col, who + " contradicts " + writer[i] + " (column " + (writerAt[i] + 1) + "): " + f.ofName()
                        + " cannot be both " + show(f, mb.value(f) & both) + " and " + show(f, v & both) + hint(f, who, mb.value(f)));
                }
            }
            mb.merge(f, v, m);
            if (writer[i] == null) {
                writer[i] = who;
                writerAt[i] = col;
            }
        }

        String show(MatchField f, long v) {
            return f == MatchField.NW_PROTO ? Long.toString(v) : String.format(Locale.ROOT, "0x%04x", v);
        }

        /** {@code ipv6,tcp}: tcp is TCP over IPv4; say how to write the IPv6 one. */
        String hint(MatchField f, String who, long before) {
            if (f == MatchField.DL_TYPE && before == EthType.IPV6 && (who.equals("tcp") || who.equals("udp") || who.equals("sctp"))) {
                return " (" + who + " is " + who.toUpperCase(Locale.ROOT) + " over IPv4; over IPv6 write " + who + "6)";
            }
            if (f == MatchField.DL_TYPE && before == EthType.IPV6 && who.equals("icmp")) {
                return " (icmp is ICMP over IPv4; over IPv6 write icmp6)";
            }
            return "";
        }

        void field(String name, int col, String value, int vcol) throws RuleSyntaxException {
            if (mode == Mode.FLOW) {
                if (name.equals("table") || name.equals("priority") || name.equals("cookie") || name.equals("offload")
                        || name.equals("offload_class")) {
                    throw err(col, name + " is a rule's, not a packet's: a flow names only packet fields");
                }
                if (value != null && value.indexOf('/') >= 0) {
                    throw err(vcol + value.indexOf('/'), "a packet has exact values: " + name + "=" + value
                        + " has a mask");
                }
            }
            switch (name) {
                case "ip", "ipv4" -> shorthand(name, col, value, EthType.IP, -1);
                case "ipv6" -> shorthand(name, col, value, EthType.IPV6, -1);
                case "arp" -> shorthand(name, col, value, EthType.ARP, -1);
                case "rarp" -> shorthand(name, col, value, EthType.RARP, -1);
                case "tcp" -> shorthand(name, col, value, EthType.IP, IpProto.TCP);
                case "udp" -> shorthand(name, col, value, EthType.IP, IpProto.UDP);
                case "sctp" -> shorthand(name, col, value, EthType.IP, IpProto.SCTP);
                case "icmp" -> shorthand(name, col, value, EthType.IP, IpProto.ICMP);
                case "tcp6" -> shorthand(name, col, value, EthType.IPV6, IpProto.TCP);
                case "udp6" -> shorthand(name, col, value, EthType.IPV6, IpProto.UDP);
                case "sctp6" -> shorthand(name, col, value, EthType.IPV6, IpProto.SCTP);
                case "icmp6" -> shorthand(name, col, value, EthType.IPV6, IpProto.ICMPV6);
                case "table" -> {
                    once(0, name, col);
                    table = (int) number(name, value, vcol, Rule.MAX_TABLE);
                    tableGiven = true;
                }
                case "priority" -> {
                    once(1, name, col);
                    priority = (int) number(name, value, vcol, 0xffff);
                    priorityGiven = true;
                }
                case "cookie" -> {
                    once(2, name, col);
                    cookieGiven = true;
                    int slash = value == null ? -1 : value.indexOf('/');
                    if (slash >= 0 && mode != Mode.SELECTOR) {
                        throw err(vcol + slash, "a cookie mask is only meaningful when deleting or dumping rules");
                    }
                    if (slash >= 0) {
                        cookieMask = number(name, value.substring(slash + 1), vcol + slash + 1, -1L);
                        cookie = number(name, value.substring(0, slash), vcol, -1L) & cookieMask;
                    } else {
                        cookie = number(name, value, vcol, -1L);
                    }
                }
                case "offload" -> {
                    if (mode == Mode.SELECTOR) {
                        throw err(col, "offload= is how a rule is placed, not something del-flows selects by");
                    }
                    once(3, name, col);
                    if (value == null) {
                        throw err(col, "offload needs a value: offload=required, offload=preferred or offload=never");
                    }
                    try {
                        offload = OffloadPreference.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw err(vcol, "bad offload \"" + value + "\": expected required, preferred or never");
                    }
                }
                case "offload_class" -> {
                    if (mode == Mode.SELECTOR) {
                        throw err(col, "offload_class= is how a rule is placed, not something del-flows selects by");
                    }
                    once(4, name, col);
                    if (value == null || !(value.equals("critical") || value.equals("best_effort"))) {
                        throw err(value == null ? col : vcol, (value == null ? "offload_class needs a value"
                            : "bad offload_class \"" + value + "\"") + ": expected offload_class=critical or offload_class=best_effort");
                    }
                    critical = value.equals("critical");
                }
                case "idle_timeout", "hard_timeout", "importance", "send_flow_rem", "check_overlap", "out_port", "out_group" ->
                    throw err(col, name + " is not supported: rules here live until they are replaced or deleted");
                case "in_port" -> {
                    requireValue(name, value, col);
                    dup(MatchField.IN_PORT, name, col);
                    mb.set(MatchField.IN_PORT, port(value, vcol, false));
                }
                case "dl_vlan" -> {
                    requireValue(name, value, col);
                    once(5, name, col);
                    long vid = number(name, value, vcol, 0xffff);
                    if (vid == 0xffff) {
                        // OFP10_VLAN_NONE: only packets without a tag.
                        claim(MatchField.VLAN_TCI, 0, 0xffff, name + "=" + value, col);
                    } else if (vid > 4095) {
                        throw err(vcol, "bad dl_vlan " + value + ": a VLAN id is 0..4095 (or 0xffff for \"no VLAN\")");
                    } else {
                        claim(MatchField.VLAN_TCI, 0x1000 | vid, 0x1fff, name + "=" + value, col);
                    }
                    written.add(new Written(MatchField.VLAN_TCI, name, col));
                }
                case "dl_vlan_pcp" -> {
                    requireValue(name, value, col);
                    once(6, name, col);
                    long pcp = number(name, value, vcol, 7);
                    claim(MatchField.VLAN_TCI, 0x1000 | (pcp << 13), 0xf000, name + "=" + value, col);
                    written.add(new Written(MatchField.VLAN_TCI, name, col));
                }
                default -> {
                    MatchField f = MatchField.byName(name);
                    if (f == null) {
                        throw err(col, "unknown field \"" + name + "\" (ovs-ofctl: unknown keyword " + name + ")");
                    }
                    requireValue(name, value, col);
                    dup(f, name, col);
                    long[] v;
                    try {
                        v = Values.parse(f, value);
                    } catch (Values.BadValue e) {
                        throw err(vcol + e.offset, e.getMessage());
                    }
                    if (f == MatchField.NW_TOS && (v[1] & 3) != 0) {
                        throw err(vcol, "nw_tos " + value + " has ECN bits set: its low 2 bits must be 0 (match those with nw_ecn)");
                    }
                    if (f == MatchField.NW_TOS) {
                        v[3] &= 0xfc;
                    }
                    if (f == MatchField.DL_TYPE || f == MatchField.NW_PROTO || f == MatchField.VLAN_TCI) {
                        // also written by shorthands (tcp) and dl_vlan / dl_vlan_pcp: they must agree
                        claim(f, v[1], v[3], name + "=" + value, col);
                    } else {
                        mb.set(f, v[0], v[1], v[2], v[3]);
                    }
                }
            }
        }

        void requireValue(String name, String value, int col) throws RuleSyntaxException {
            if (value == null) {
                throw err(col, name + " needs a value (" + name + "=VALUE)");
            }
            if (value.isEmpty()) {
                throw err(col + name.length() + 1, "missing value for " + name);
            }
        }

        void dup(MatchField f, String name, int col) throws RuleSyntaxException {
            if (explicit.get(f.ordinal())) {
                throw err(col, name + " given more than once (first at column " + (explicitAt[f.ordinal()] + 1) + ")");
            }
            explicit.set(f.ordinal());
            explicitAt[f.ordinal()] = col;
            written.add(new Written(f, name, col));
        }

        void shorthand(String name, int col, String value, int ethType, int proto) throws RuleSyntaxException {
            if (value != null) {
                throw err(col, name + " is a shorthand and takes no value (write just \"" + name + "\")");
            }
            String canonical = name.equals("ipv4") ? "ip" : name;
            Integer first = shorthandAt.putIfAbsent(canonical, col);
            if (first != null) {
                throw err(col, name + " given more than once (first at column " + (first + 1) + ")");
            }
            claim(MatchField.DL_TYPE, ethType, 0xffff, name, col);
            if (proto >= 0) {
                claim(MatchField.NW_PROTO, proto, 0xff, name, col);
            }
        }

        final java.util.Map<String, Integer> shorthandAt = new java.util.HashMap<>();

        long number(String name, String value, int vcol, long max) throws RuleSyntaxException {
            if (value == null || value.isEmpty()) {
                throw err(vcol - 1, "missing value for " + name);
            }
            long v;
            try {
                v = Values.parseInt(value, 0);
            } catch (Values.BadValue e) {
                throw err(vcol, "bad value for " + name + ": " + e.getMessage());
            }
            if (max >= 0 && Long.compareUnsigned(v, max) > 0) {
                throw err(vcol, "bad value for " + name + ": " + value + " is larger than " + max);
            }
            return v;
        }

        /** A port name or OpenFlow number, as its OpenFlow number. */
        int port(String value, int vcol, boolean allowInPortKeyword) throws RuleSyntaxException {
            if (!value.isEmpty() && value.charAt(0) >= '0' && value.charAt(0) <= '9') {
                long v;
                try {
                    v = Values.parseInt(value, 0);
                } catch (Values.BadValue e) {
                    throw err(vcol, "bad port number \"" + value + "\"");
                }
                if (v < 1 || v > BridgePort.OFPP_MAX) {
                    throw err(vcol, "bad port number " + value + ": OpenFlow ports are 1.." + BridgePort.OFPP_MAX);
                }
                return (int) v;
            }
            BridgePort p = ports.byName(value);
            if (p == null) {
                String r = reservedPort(value);
                if (r != null) {
                    throw err(vcol, "reserved port " + r.toUpperCase(Locale.ROOT) + " is not supported here: "
                            + "give a bridge port's name or number");
                }
                for (int k = 0; k < value.length(); k++) {
                    char c = value.charAt(k);
                    if (c > 0x7f && Character.isDigit(c)) {
                        throw err(vcol + k, String.format(Locale.ROOT, "non-ASCII digit U+%04X in port \"%s\": port numbers are ASCII 0-9",
                            (int) c, value));
                    }
                }
                throw err(vcol, "unknown port \"" + value + "\"");
            }
            return p.ofPort();
        }

        Match checkPrerequisites() throws RuleSyntaxException {
            int dlType = mb.isSet(MatchField.DL_TYPE) && mb.mask(MatchField.DL_TYPE) == 0xffff ? (int) mb.value(MatchField.DL_TYPE) : -1;
            int proto = mb.isSet(MatchField.NW_PROTO) && mb.mask(MatchField.NW_PROTO) == 0xff ? (int) mb.value(MatchField.NW_PROTO) : -1;
            boolean arp = dlType == EthType.ARP || dlType == EthType.RARP;
            for (Written w : written) {
                MatchField f = w.field();
                if (arp && (f == MatchField.NW_SRC || f == MatchField.NW_DST)) {
                    // Old OpenFlow 1.0 spelling: nw_src/nw_dst on ARP mean the protocol addresses.
                    MatchField to = f == MatchField.NW_SRC ? MatchField.ARP_SPA : MatchField.ARP_TPA;
                    if (explicit.get(to.ordinal())) {
                        throw err(w.column(), w.name() + " on ARP is " + to.ofName() + ", given also at column "
                            + (explicitAt[to.ordinal()] + 1) + ": write it once");
                    }
                    mb.set(to, 0, mb.value(f), 0, mb.mask(f));
                    mb.set(f, 0, 0, 0, 0);
                    continue;
                }
                if (!prereqOk(f.prereq(), dlType, proto)) {
                    throw err(w.column(), w.name() + " requires " + f.prereq().requirement());
                }
            }
            return mb.build();
        }
    }

    /**
     * OpenFlow's reserved port names, which ovs-ofctl reads in any case ({@code output:normal},
     * {@code IN_PORT}, {@code Local}), in lower case; null for any other text. Bridge port
     * names, unlike these, are case-sensitive, as device names are.
     */
    static String reservedPort(String v) {
        String l = v.toLowerCase(Locale.ROOT);
        return switch (l) {
            case "in_port", "normal", "flood", "all", "controller", "local", "table", "any", "none" -> l;
            default -> null;
        };
    }

    static boolean prereqOk(MatchField.Prereq p, int dlType, int proto) {
        boolean ip4 = dlType == EthType.IP;
        boolean ip6 = dlType == EthType.IPV6;
        return switch (p) {
            case NONE -> true;
            case IPV4 -> ip4;
            case IPV6 -> ip6;
            case IP_ANY -> ip4 || ip6;
            case ARP -> dlType == EthType.ARP || dlType == EthType.RARP;
            case TRANSPORT -> (ip4 || ip6) && (proto == IpProto.TCP || proto == IpProto.UDP || proto == IpProto.SCTP);
            case TCP -> (ip4 || ip6) && proto == IpProto.TCP;
            case ICMP_ANY -> (ip4 && proto == IpProto.ICMP) || (ip6 && proto == IpProto.ICMPV6);
        };
    }

    /** The action list after {@code actions=}: comma separated, commas inside parentheses kept. */
    private final class ActionParser {
        final LineParser lp;
        final Match match;
        final int dlType;
        final int proto;

        ActionParser(LineParser lp, Match match) {
            this.lp = lp;
            this.match = match;
            this.dlType = match.isExact(MatchField.DL_TYPE) ? (int) match.value(MatchField.DL_TYPE) : -1;
            this.proto = match.isExact(MatchField.NW_PROTO) ? (int) match.value(MatchField.NW_PROTO) : -1;
        }

        List<OfAction> parse(int from) throws RuleSyntaxException {
            String s = lp.s;
            int n = s.length();
            List<OfAction> out = new ArrayList<>();
            int i = from;
            int dropAt = -1;
            int gotoAt = -1;
            boolean any = false;
            int count = 0;
            while (i <= n) {
                while (i < n && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                int start = i;
                int depth = 0;
                while (i < n && (depth > 0 || s.charAt(i) != ',')) {
                    char c = s.charAt(i);
                    if (c == '(') {
                        depth++;
                    } else if (c == ')') {
                        depth--;
                    }
                    i++;
                }
                if (depth > 0) {
                    throw lp.err(start, "unbalanced parentheses in action \"" + s.substring(start, i).strip() + "\"");
                }
                String tok = s.substring(start, i).stripTrailing();
                if (tok.isEmpty()) {
                    if (i >= n && !any) {
                        throw lp.err(start, "must specify an action (e.g. actions=drop)");
                    }
                    if (i >= n) {
                        break;
                    }
                    throw lp.err(start, "empty action between commas");
                }
                any = true;
                if (++count > MAX_ACTIONS) {
                    throw lp.err(start, "more than " + MAX_ACTIONS + " actions in one rule (outputs count as actions; the kernel"
                        + " datapath carries at most " + MAX_ACTIONS + " outputs per flow)");
                }
                if (gotoAt >= 0) {
                    throw lp.err(gotoAt, "goto_table must be the last action");
                }
                if (tok.equalsIgnoreCase("drop")) {
                    dropAt = start;
                } else {
                    OfAction a = action(tok, start);
                    if (a instanceof OfAction.GotoTable) {
                        gotoAt = start;
                    }
                    out.add(a);
                }
                i++;
            }
            if (dropAt >= 0 && !out.isEmpty()) {
                throw lp.err(dropAt, "\"drop\" must not be accompanied by any other action");
            }
            return out;
        }

        OfAction action(String tok, int col) throws RuleSyntaxException {
            int colon = tok.indexOf(':');
            int paren = tok.indexOf('(');
            String name;
            String arg;
            int acol;
            if (paren >= 0 && (colon < 0 || paren < colon)) {
                if (!tok.endsWith(")")) {
                    throw lp.err(col + tok.length() - 1, "expected \")\" at the end of \"" + tok + "\"");
                }
                name = tok.substring(0, paren);
                arg = tok.substring(paren + 1, tok.length() - 1);
                acol = col + paren + 1;
            } else if (colon >= 0) {
                name = tok.substring(0, colon);
                arg = tok.substring(colon + 1);
                acol = col + colon + 1;
            } else {
                name = tok;
                arg = null;
                acol = col + tok.length();
            }
            // Action names are case-insensitive, as in ovs-ofctl (NORMAL, Output:p2, Strip_Vlan);
            // field names, keywords and port names are not.
            switch (name.toLowerCase(Locale.ROOT)) {
                case "output": {
                    need(name, arg, col);
                    return outputTo(arg, acol);
                }
                case "in_port":
                    noArg(name, arg, col);
                    return new OfAction.InPort();
                case "normal":
                    noArg(name, arg, col);
                    return new OfAction.Normal();
                case "flood":
                    noArg(name, arg, col);
                    return new OfAction.Flood();
                case "all":
                    noArg(name, arg, col);
                    return new OfAction.All();
                case "controller": {
                    int maxLen = 0xffff;
                    if (arg != null && !arg.isEmpty()) {
                        String a = arg.startsWith("max_len=") ? arg.substring(8) : arg;
                        maxLen = (int) num(name, a, acol + (arg.length() - a.length()), 0xffff);
                    }
                    return new OfAction.Controller(maxLen);
                }
                case "mod_vlan_vid":
                    return new OfAction.ModVlanVid((int) num(name, need(name, arg, col), acol, 4095));
                case "mod_vlan_pcp":
                    return new OfAction.ModVlanPcp((int) num(name, need(name, arg, col), acol, 7));
                case "strip_vlan", "pop_vlan":
                    noArg(name, arg, col);
                    return new OfAction.StripVlan();
                case "push_vlan": {
                    long tpid = num(name, need(name, arg, col), acol, 0xffff);
                    if (tpid != EthType.VLAN_8021Q && tpid != EthType.VLAN_8021AD) {
                        throw lp.err(acol, "push_vlan takes an ethertype of 0x8100 or 0x88a8, not " + arg);
                    }
                    return new OfAction.PushVlan((int) tpid);
                }
                case "mod_dl_src":
                    return set(name, MatchField.DL_SRC, need(name, arg, col), acol, col);
                case "mod_dl_dst":
                    return set(name, MatchField.DL_DST, need(name, arg, col), acol, col);
                case "mod_nw_src":
                    return set(name, MatchField.NW_SRC, need(name, arg, col), acol, col);
                case "mod_nw_dst":
                    return set(name, MatchField.NW_DST, need(name, arg, col), acol, col);
                case "mod_nw_tos": {
                    long tos = num(name, need(name, arg, col), acol, 0xff);
                    if ((tos & 3) != 0) {
                        throw lp.err(acol, "mod_nw_tos " + arg + " has ECN bits set: its low 2 bits must be 0");
                    }
                    checkPrereq(name, MatchField.NW_TOS.prereq(), col);
                    return new OfAction.SetField(MatchField.NW_TOS, 0, tos, 0, 0xfc);
                }
                case "mod_nw_ttl": {
                    long ttl = num(name, need(name, arg, col), acol, 0xff);
                    checkPrereq(name, MatchField.NW_TTL.prereq(), col);
                    return new OfAction.SetField(MatchField.NW_TTL, 0, ttl, 0, 0xff);
                }
                case "mod_tp_src":
                    return set(name, MatchField.TP_SRC, need(name, arg, col), acol, col);
                case "mod_tp_dst":
                    return set(name, MatchField.TP_DST, need(name, arg, col), acol, col);
                case "dec_ttl":
                    if (arg != null && !arg.isEmpty()) {
                        throw lp.err(acol, "dec_ttl with controller ids is not supported; write just dec_ttl");
                    }
                    checkPrereq(name, MatchField.Prereq.IP_ANY, col);
                    return new OfAction.DecTtl();
                case "set_field":
                    return setField(need(name, arg, col), acol, col);
                case "resubmit":
                    return resubmit(need(name, arg, col), acol, paren >= 0 && (colon < 0 || paren < colon));
                case "goto_table": {
                    int t = (int) num(name, need(name, arg, col), acol, Rule.MAX_TABLE);
                    if (t <= lp.table) {
                        throw lp.err(acol, "goto_table:" + t + " must go to a later table than this rule's table " + lp.table
                                + " (use resubmit(," + t + ") to go back)");
                    }
                    return new OfAction.GotoTable(t);
                }
                case "set_tunnel", "set_tunnel64": {
                    boolean wide = name.equalsIgnoreCase("set_tunnel64");
                    return new OfAction.SetTunnel(num(name, need(name, arg, col), acol, wide ? -1L : 0xffffffffL), wide);
                }
                default:
                    if (arg == null) {
                        // A bare port name or number means output to it (ovs-ofctl does the same).
                        if (Character.isDigit(name.charAt(0)) || ports.byName(name) != null || reservedPort(name) != null) {
                            return outputTo(name, col);
                        }
                        throw lp.err(col, "unknown action or port \"" + name + "\"");
                    }
                    throw lp.err(col, "unknown action \"" + name + "\"");
            }
        }

        String need(String name, String arg, int col) throws RuleSyntaxException {
            if (arg == null || arg.isEmpty()) {
                throw lp.err(col, name + " needs an argument (" + name + ":VALUE)");
            }
            return arg;
        }

        void noArg(String name, String arg, int col) throws RuleSyntaxException {
            if (arg != null) {
                throw lp.err(col, name + " takes no argument");
            }
        }

        long num(String name, String v, int col, long max) throws RuleSyntaxException {
            long x;
            try {
                x = Values.parseInt(v, 0);
            } catch (Values.BadValue e) {
                throw lp.err(col, "bad value for " + name + ": " + e.getMessage());
            }
            if (max >= 0 && Long.compareUnsigned(x, max) > 0) {
                throw lp.err(col, "bad value for " + name + ": " + v + " is larger than " + max);
            }
            return x;
        }

        /** Output to a port: a bridge port, or a reserved port that is an action of its own. */
        OfAction outputTo(String v, int col) throws RuleSyntaxException {
            if (ports.byName(v) == null) {
                String r = reservedPort(v);
                if (r != null) {
                    switch (r) {
                        case "in_port" -> {
                            return new OfAction.InPort();
                        }
                        case "normal" -> {
                            return new OfAction.Normal();
                        }
                        case "flood" -> {
                            return new OfAction.Flood();
                        }
                        case "all" -> {
                            return new OfAction.All();
                        }
                        case "controller" -> {
                            return new OfAction.Controller(0xffff);
                        }
                        case "any", "none" -> throw lp.err(col, "output to " + r.toUpperCase(Locale.ROOT) + " is not valid (ovs-ofctl: OFPBAC_BAD_OUT_PORT)");
                        default -> {
                            // local, table: fall through to port(), which says they are not supported
                        }
                    }
                }
            }
            return new OfAction.Output(lp.port(v, col, false));
        }

        void checkPrereq(String name, MatchField.Prereq p, int col) throws RuleSyntaxException {
            if (!prereqOk(p, dlType, proto)) {
                throw lp.err(col, name + " requires the match to have " + p.requirement());
            }
        }

        OfAction set(String name, MatchField f, String v, int vcol, int col) throws RuleSyntaxException {
            long[] x;
            try {
                x = Values.parse(f, v);
            } catch (Values.BadValue e) {
                throw lp.err(vcol + e.offset, e.getMessage());
            }
            if (v.indexOf('/') >= 0) {
                throw lp.err(vcol + v.indexOf('/'), name + " takes a plain value, no mask (use set_field:VALUE/MASK->FIELD)");
            }
            checkPrereq(name, f.prereq(), col);
            return new OfAction.SetField(f, x[0], x[1], x[2], x[3]);
        }

        OfAction setField(String arg, int acol, int col) throws RuleSyntaxException {
            int arrow = arg.indexOf("->");
            if (arrow < 0) {
                throw lp.err(acol, "set_field needs VALUE->FIELD, e.g. set_field:10.0.0.1->nw_dst");
            }
            String fname = arg.substring(arrow + 2);
            MatchField f = MatchField.byName(fname);
            int fcol = acol + arrow + 2;
            if (f == null) {
                throw lp.err(fcol, "unknown field \"" + fname + "\" in set_field");
            }
            switch (f) {
                case IN_PORT, DL_TYPE, NW_PROTO, NW_FRAG, TCP_FLAGS, VLAN_TCI, ICMP_TYPE, ICMP_CODE, ARP_OP, ARP_SPA, ARP_TPA, ARP_SHA, ARP_THA ->
                    throw lp.err(fcol, "field " + fname + " is not settable" + (f == MatchField.VLAN_TCI ? " (use mod_vlan_vid / mod_vlan_pcp)" : ""));
                case TUN_TOS, TUN_TTL, TUN_FLAGS ->
                    // The outer header's ToS/TTL come from the tunnel port's tos/ttl options (fixed or inherit).
                    throw lp.err(fcol, "field " + fname + " is not settable here: the tunnel port's " + (f == MatchField.TUN_FLAGS ? "csum option sets its flags"
                        : f == MatchField.TUN_TOS ? "tos option (a value or inherit) sets it" : "ttl option (a value or inherit) sets it"));
                default -> {
                }
            }
            String v = arg.substring(0, arrow);
            long[] x;
            try {
                x = Values.parse(f, v);
            } catch (Values.BadValue e) {
                throw lp.err(acol + e.offset, e.getMessage());
            }
            if (f == MatchField.NW_TOS && (x[1] & 3) != 0) {
                throw lp.err(acol, "nw_tos " + v + " has ECN bits set: its low 2 bits must be 0 (set those with nw_ecn)");
            }
            if (f == MatchField.NW_TOS) {
                x[3] &= 0xfc;
            }
            checkPrereq("set_field " + fname, f.prereq(), col);
            return new OfAction.SetField(f, x[0], x[1] & x[3], x[2], x[3]);
        }

        OfAction resubmit(String arg, int acol, boolean parenForm) throws RuleSyntaxException {
            if (!parenForm) {
                return new OfAction.Resubmit(lp.port(arg, acol, false), -1);
            }
            int comma = arg.indexOf(',');
            String p = comma < 0 ? arg : arg.substring(0, comma);
            String t = comma < 0 ? "" : arg.substring(comma + 1);
            int port = -1;
            if (!p.isEmpty() && !p.equalsIgnoreCase("in_port")) {
                port = lp.port(p, acol, false);
            }
            int table = -1;
            if (!t.isEmpty()) {
                table = (int) num("resubmit", t, acol + comma + 1, Rule.MAX_TABLE);
            }
            if (port < 0 && table < 0) {
                throw lp.err(acol, "resubmit needs a port, a table or both: resubmit(PORT,TABLE)");
            }
            return new OfAction.Resubmit(port, table);
        }
    }
}
