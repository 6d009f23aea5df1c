package org.offloadbridge.flow;

import static org.offloadbridge.flow.Field.*;

/**
 * Reads the datapath-flow text {@link FlowFormat} prints — and that OVS's
 * {@code dpctl/dump-flows [-m] [--names]} prints — back into keys, masks, actions and whole
 * {@link DpFlow} lines. Attributes may come in any order; a field given without a mask is
 * exact, a field left out is wildcarded. Errors are {@link FlowParseException}s with the
 * column and what was expected there.
 *
 * <p>Control-plane code (CLI, tests, reconciliation): allocates freely.
 */
public final class FlowParser {
    private final String s;
    private final PortNames names;
    private int pos;

    private FlowParser(String s, PortNames names) {
        this.s = s;
        this.names = names == null ? PortNames.NONE : names;
    }

    /** Parses one dump line: {@code [ufid:…, ]match, packets:…, bytes:…, used:…[, …], actions:…[, dp-extra-info:…]}. */
    public static DpFlow parseFlow(String line, PortNames names) {
        return new FlowParser(line.strip(), names).flow();
    }

    /** Parses a match ({@code recirc_id(0),in_port(2),eth(…),…}) into {@code key} and {@code mask} (both cleared first). */
    public static void parseMatch(String text, PortNames names, FlowKey key, FlowMask mask) {
        FlowParser p = new FlowParser(text.strip(), names);
        key.clear();
        mask.clear();
        p.match(key, mask, 0, p.s.length());
        p.expectEnd(p.s.length());
    }

    /** Parses an action list ({@code drop}, {@code push_vlan(vid=10,pcp=0),3}, …). */
    public static Actions parseActions(String text, PortNames names) {
        FlowParser p = new FlowParser(text.strip(), names);
        Actions a = p.actions(p.s.length());
        p.expectEnd(p.s.length());
        return a;
    }

    // ---------------------------------------------------------------- line

    private DpFlow flow() {
        Ufid ufid = null;
        if (s.startsWith("ufid:")) {
            int end = s.indexOf(',');
            if (end < 0) {
                throw error(1, "expected ', ' after the ufid");
            }
            try {
                ufid = Ufid.parse(s.substring(0, end));
            } catch (IllegalArgumentException e) {
                throw error(1, "bad ufid (" + e.getMessage() + ")");
            }
            pos = end;
            expect(", ");
        }
        int matchEnd = topLevel(", ", pos);
        if (matchEnd < 0) {
            throw error(pos + 1, "expected ', packets:' after the match");
        }
        FlowKey key = new FlowKey();
        FlowMask mask = new FlowMask();
        match(key, mask, 0, matchEnd);
        expectEnd(matchEnd);
        expect(", ");
        long packets = -1;
        long bytes = -1;
        long used = Long.MIN_VALUE;
        int tcpFlags = 0;
        String offloaded = null;
        String dp = null;
        Actions actions = null;
        String extra = null;
        while (pos < s.length()) {
            int itemStart = pos;
            int colon = s.indexOf(':', pos);
            if (colon < 0) {
                throw error(pos + 1, "expected 'name:value' (packets, bytes, used, flags, offloaded, dp, actions)");
            }
            String name = s.substring(pos, colon);
            pos = colon + 1;
            if (name.equals("actions")) {
                int end = topLevel(", dp-extra-info:", pos);
                actions = actions(end < 0 ? s.length() : end);
                expectEnd(end < 0 ? s.length() : end);
                if (end >= 0) {
                    pos = end + ", dp-extra-info:".length();
                    extra = s.substring(pos);
                    pos = s.length();
                }
                break;
            }
            int end = topLevel(", ", pos);
            if (end < 0) {
                end = s.length();
            }
            String value = s.substring(pos, end);
            switch (name) {
                case "packets" -> packets = parseLong(value, pos);
                case "bytes" -> bytes = parseLong(value, pos);
                case "used" -> used = parseUsed(value, pos);
                case "flags" -> tcpFlags = parseTcpFlagLetters(value, pos);
                case "offloaded" -> offloaded = value;
                case "dp" -> dp = value;
                default -> throw error(itemStart + 1, "unknown item '" + name + ":' (expected packets, bytes, used, flags, offloaded, dp or actions)");
            }
            pos = end;
            if (pos < s.length()) {
                expect(", ");
            }
        }
        if (packets < 0 || bytes < 0 || used == Long.MIN_VALUE) {
            throw error(s.length() + 1, "missing " + (packets < 0 ? "packets:" : bytes < 0 ? "bytes:" : "used:"));
        }
        if (actions == null) {
            throw error(s.length() + 1, "missing actions:");
        }
        return new DpFlow(ufid, key, mask, packets, bytes, used, tcpFlags, offloaded, dp, actions, extra);
    }

    private long parseUsed(String v, int at) {
        if (v.equals("never")) {
            return -1;
        }
        if (!v.endsWith("s")) {
            throw error(at + 1, "expected 'never' or seconds like 0.512s for used:");
        }
        String n = v.substring(0, v.length() - 1);
        int dot = n.indexOf('.');
        try {
            if (dot < 0) {
                return Long.parseLong(n) * 1000;
            }
            String frac = (n.substring(dot + 1) + "000").substring(0, 3);
            return Long.parseLong(n.substring(0, dot)) * 1000 + Long.parseLong(frac);
        } catch (NumberFormatException e) {
            throw error(at + 1, "expected seconds like 0.512s for used:, got '" + v + "'");
        }
    }

    private int parseTcpFlagLetters(String v, int at) {
        if (v.equals("none")) {
            return 0;
        }
        int f = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case 'S' -> f |= 0x002;
                case 'F' -> f |= 0x001;
                case 'P' -> f |= 0x008;
                case 'R' -> f |= 0x004;
                case 'U' -> f |= 0x020;
                case '.' -> f |= 0x010;
                case 'E' -> f |= 0x040;
                case 'C' -> f |= 0x080;
                case 'N' -> f |= 0x100;
                case '[' -> {
                    int close = v.indexOf(']', i);
                    if (close < 0) {
                        throw error(at + i + 1, "expected ']' in flags:");
                    }
                    f |= Integer.parseInt(v.substring(i + 1, close), 16);
                    i = close;
                }
                default -> throw error(at + i + 1, "unknown TCP flag letter '" + c + "' in flags: (expected S F P R U . E C N)");
            }
        }
        return f;
    }

    // ---------------------------------------------------------------- match

    /** Parses attributes in [pos, end) at VLAN nesting level {@code tag}. */
    private void match(FlowKey key, FlowMask mask, int tag, int end) {
        if (s.startsWith("<empty>", pos) && pos + 7 == end) {
            pos = end;
            return;
        }
        while (pos < end) {
            int nameStart = pos;
            String name = ident();
            KeyAttr a = KeyAttr.byName(name);
            if (a == null) {
                throw error(nameStart + 1, "unknown key attribute '" + name + "'");
            }
            expect("(");
            int close = matching(pos - 1);
            if (a == KeyAttr.ETHERTYPE && s.startsWith(",vlan(", close + 1)) {
                if (tag >= 2) {
                    throw error(nameStart + 1, "more than two VLAN tags");
                }
                Field tpid = tag == 0 ? VLAN0_TPID : VLAN1_TPID;
                numberMasked(key, mask, tpid, close);
                key.addAttr(KeyAttr.VLAN);
            } else if (a == KeyAttr.VLAN) {
                if (tag >= 2) {
                    throw error(nameStart + 1, "more than two VLAN tags");
                }
                vlan(key, mask, tag, close);
            } else if (a == KeyAttr.ENCAP) {
                if (key.get(tag == 0 ? VLAN0_TPID : VLAN1_TPID) == 0) {
                    throw error(nameStart + 1, "encap() without a preceding eth_type(..),vlan(..)");
                }
                match(key, mask, tag + 1, close);
            } else {
                key.addAttr(a);
                attrBody(a, key, mask, close, false);
                if (a == KeyAttr.ETHERTYPE && tag < 2 && mask.get(ETH_TYPE) == 0xffff) {
                    // An exact ethertype that is not a TPID says "no (further) VLAN tag here":
                    // in our layout eth_type is the innermost type, so tag absence is matched
                    // explicitly (TPID 0, present bit 0), as the datapath would.
                    mask.setExact(tag == 0 ? VLAN0_TPID : VLAN1_TPID);
                    mask.setExact(tag == 0 ? VLAN0_CFI : VLAN1_CFI);
                }
            }
            expectEnd(close);
            pos = close + 1;
            if (pos < end) {
                expect(",");
            }
        }
    }

    private void vlan(FlowKey key, FlowMask mask, int tag, int close) {
        Field vid = tag == 0 ? VLAN0_VID : VLAN1_VID;
        Field pcp = tag == 0 ? VLAN0_PCP : VLAN1_PCP;
        Field cfi = tag == 0 ? VLAN0_CFI : VLAN1_CFI;
        key.set(cfi, 1);
        mask.setExact(cfi);
        while (pos < close) {
            int at = pos;
            String f = ident();
            expect("=");
            switch (f) {
                case "vid" -> numberMasked(key, mask, vid, fieldEnd(close));
                case "pcp" -> numberMasked(key, mask, pcp, fieldEnd(close));
                case "cfi" -> {
                    long v = number(fieldEnd(close), cfi);
                    key.set(cfi, v);
                }
                default -> throw error(at + 1, "unknown vlan field '" + f + "' (expected vid, pcp, cfi)");
            }
            nextField(close);
        }
    }

    /**
     * One attribute's fields, up to {@code close}. {@code forSet}: parsing a set action, where
     * the tunnel's flags go into the key only.
     */
    private void attrBody(KeyAttr a, FlowKey key, FlowMask mask, int close, boolean forSet) {
        switch (a) {
            case PRIORITY, SKB_MARK, DP_HASH, RECIRC_ID, CT_MARK, CT_ZONE -> {
                if (pos < close) {
                    numberMasked(key, mask, FlowFormat.fieldsOf(a)[0], close);
                }
            }
            case CT_STATE -> {
                if (pos < close) {
                    if (Character.isDigit(s.charAt(pos))) {
                        numberMasked(key, mask, CT_STATE, close);
                    } else {
                        flags(key, mask, CT_STATE, FlowFormat.CT_STATE_NAMES, close);
                    }
                }
            }
            case CT_LABELS -> {
                if (pos < close) {
                    int slash = indexOf('/', pos, close);
                    long[] v = hex128(pos, slash < 0 ? close : slash);
                    key.set(CT_LABEL_HI, v[0]);
                    key.set(CT_LABEL_LO, v[1]);
                    long[] m = slash < 0 ? new long[] {-1L, -1L} : hex128(slash + 1, close);
                    mask.set(CT_LABEL_HI, m[0]);
                    mask.set(CT_LABEL_LO, m[1]);
                    pos = close;
                }
            }
            case IN_PORT -> {
                int slash = indexOf('/', pos, close);
                int vEnd = slash < 0 ? close : slash;
                key.set(IN_PORT, port(pos, vEnd) & 0xffffffffL);
                pos = vEnd;
                if (slash < 0) {
                    mask.setExact(IN_PORT);
                } else {
                    pos = slash + 1;
                    mask.set(IN_PORT, number(close, IN_PORT));
                }
            }
            case ETHERTYPE -> numberMasked(key, mask, ETH_TYPE, close);
            case TCP_FLAGS -> flags(key, mask, TCP_FLAGS, FlowFormat.TCP_FLAG_NAMES, close);
            default -> fields(a, key, mask, close, forSet);
        }
    }

    private void fields(KeyAttr a, FlowKey key, FlowMask mask, int close, boolean forSet) {
        while (pos < close) {
            int at = pos;
            String f = ident();
            if (a == KeyAttr.TUNNEL && f.equals("flags")) {
                expect("(");
                int fc = matching(pos - 1);
                flags(key, mask, TUN_FLAGS, FlowFormat.TUN_FLAG_NAMES, fc);
                if (forSet) {
                    mask.setExact(TUN_FLAGS);
                }
                pos = fc + 1;
                nextField(close);
                continue;
            }
            expect("=");
            int fe = fieldEnd(close);
            switch (a.ovsName() + "." + f) {
                case "packet_type.ns" -> numberMasked(key, mask, PACKET_TYPE_NS, fe);
                case "packet_type.id" -> numberMasked(key, mask, PACKET_TYPE_ID, fe);
                case "eth.src" -> macMasked(key, mask, ETH_SRC, fe);
                case "eth.dst" -> macMasked(key, mask, ETH_DST, fe);
                case "ipv4.src" -> ipv4Masked(key, mask, IPV4_SRC, fe);
                case "ipv4.dst" -> ipv4Masked(key, mask, IPV4_DST, fe);
                case "ipv4.proto", "ipv6.proto" -> numberMasked(key, mask, NW_PROTO, fe);
                case "ipv4.tos", "ipv6.tclass" -> numberMasked(key, mask, NW_TOS, fe);
                case "ipv4.ttl", "ipv6.hlimit" -> numberMasked(key, mask, NW_TTL, fe);
                case "ipv4.frag", "ipv6.frag" -> frag(key, mask, fe);
                case "ipv6.src" -> ipv6Masked(key, mask, IPV6_SRC_HI, IPV6_SRC_LO, fe);
                case "ipv6.dst" -> ipv6Masked(key, mask, IPV6_DST_HI, IPV6_DST_LO, fe);
                case "ipv6.label" -> numberMasked(key, mask, IPV6_LABEL, fe);
                case "tcp.src", "udp.src", "sctp.src" -> numberMasked(key, mask, TP_SRC, fe);
                case "tcp.dst", "udp.dst", "sctp.dst" -> numberMasked(key, mask, TP_DST, fe);
                case "icmp.type", "icmpv6.type" -> numberMasked(key, mask, ICMP_TYPE, fe);
                case "icmp.code", "icmpv6.code" -> numberMasked(key, mask, ICMP_CODE, fe);
                case "arp.sip" -> ipv4Masked(key, mask, ARP_SPA, fe);
                case "arp.tip" -> ipv4Masked(key, mask, ARP_TPA, fe);
                case "arp.op" -> numberMasked(key, mask, ARP_OP, fe);
                case "arp.sha" -> macMasked(key, mask, ARP_SHA, fe);
                case "arp.tha" -> macMasked(key, mask, ARP_THA, fe);
                case "nd.target" -> ipv6Masked(key, mask, ND_TARGET_HI, ND_TARGET_LO, fe);
                case "nd.sll" -> macMasked(key, mask, ND_SLL, fe);
                case "nd.tll" -> macMasked(key, mask, ND_TLL, fe);
                case "tunnel.tun_id" -> numberMasked(key, mask, TUN_ID, fe);
                case "tunnel.src" -> ipv4Masked(key, mask, TUN_IPV4_SRC, fe);
                case "tunnel.dst" -> ipv4Masked(key, mask, TUN_IPV4_DST, fe);
                case "tunnel.ipv6_src" -> ipv6Masked(key, mask, TUN_IPV6_SRC_HI, TUN_IPV6_SRC_LO, fe);
                case "tunnel.ipv6_dst" -> ipv6Masked(key, mask, TUN_IPV6_DST_HI, TUN_IPV6_DST_LO, fe);
                case "tunnel.tos" -> numberMasked(key, mask, TUN_TOS, fe);
                case "tunnel.ttl" -> numberMasked(key, mask, TUN_TTL, fe);
                case "tunnel.tp_src" -> numberMasked(key, mask, TUN_TP_SRC, fe);
                case "tunnel.tp_dst" -> numberMasked(key, mask, TUN_TP_DST, fe);
                default -> throw error(at + 1, "unknown field '" + f + "' in " + a.ovsName() + "(…) (expected " + expectedFields(a) + ")");
            }
            nextField(close);
        }
    }

    private static String expectedFields(KeyAttr a) {
        return switch (a) {
            case PACKET_TYPE -> "ns, id";
            case ETHERNET -> "src, dst";
            case IPV4 -> "src, dst, proto, tos, ttl, frag";
            case IPV6 -> "src, dst, label, proto, tclass, hlimit, frag";
            case TCP, UDP, SCTP -> "src, dst";
            case ICMP, ICMPV6 -> "type, code";
            case ARP -> "sip, tip, op, sha, tha";
            case ND -> "target, sll, tll";
            case TUNNEL -> "tun_id, src, dst, ipv6_src, ipv6_dst, tos, ttl, tp_src, tp_dst, flags(...)";
            default -> "no fields";
        };
    }

    private void frag(FlowKey key, FlowMask mask, int fe) {
        String v = s.substring(pos, fe);
        long f = switch (v) {
            case "no" -> FlowKey.FRAG_NO;
            case "first" -> FlowKey.FRAG_FIRST;
            case "later" -> FlowKey.FRAG_LATER_FRAGMENT;
            default -> throw error(pos + 1, "expected frag=no, first or later, got '" + v + "'");
        };
        key.set(NW_FRAG, f);
        mask.setExact(NW_FRAG);
        pos = fe;
    }

    /** Flag names: {@code a|b}, {@code +a-b} (masked), {@code 0}, {@code 0/0}, or numbers. */
    private void flags(FlowKey key, FlowMask mask, Field f, String[] names, int close) {
        String v = s.substring(pos, close);
        if (v.isEmpty()) {
            pos = close;
            return;
        }
        if (Character.isDigit(v.charAt(0))) {
            numberMasked(key, mask, f, close);
            return;
        }
        long value = 0;
        long m = 0;
        boolean masked = v.charAt(0) == '+' || v.charAt(0) == '-';
        int i = 0;
        while (i < v.length()) {
            char sign = '+';
            if (masked) {
                sign = v.charAt(i);
                if (sign != '+' && sign != '-') {
                    throw error(pos + i + 1, "expected '+' or '-' before a flag name");
                }
                i++;
            }
            int j = i;
            while (j < v.length() && v.charAt(j) != '|' && v.charAt(j) != '+' && v.charAt(j) != '-') {
                j++;
            }
            String n = v.substring(i, j);
            int bit = -1;
            for (int b = 0; b < names.length; b++) {
                if (names[b].equals(n)) {
                    bit = b;
                }
            }
            if (bit < 0) {
                throw error(pos + i + 1, "unknown flag '" + n + "' (expected one of " + String.join(", ", names) + ")");
            }
            m |= 1L << bit;
            if (sign == '+') {
                value |= 1L << bit;
            }
            i = j;
            if (!masked && i < v.length()) {
                i++; // '|'
            }
        }
        key.set(f, value);
        mask.unwildcard(f, masked ? m : -1L);
        pos = close;
    }

    // ---------------------------------------------------------------- actions

    private Actions actions(int end) {
        Actions.Builder b = Actions.builder();
        if (s.startsWith("drop", pos) && pos + 4 == end) {
            pos = end;
            return b.build();
        }
        while (pos < end) {
            int at = pos;
            if (Character.isDigit(s.charAt(pos))) {
                int ce = nextComma(end);
                b.output((int) port(pos, ce));
                pos = ce;
            } else {
                String name = ident();
                switch (name) {
                    case "push_vlan" -> {
                        expect("(");
                        int close = matching(pos - 1);
                        int tpid = 0x8100;
                        int vid = 0;
                        int pcp = 0;
                        while (pos < close) {
                            int fa = pos;
                            String f = ident();
                            expect("=");
                            int fe = fieldEnd(close);
                            long v = parseNumber(pos, fe);
                            pos = fe;
                            switch (f) {
                                case "tpid" -> tpid = (int) v;
                                case "vid" -> vid = (int) v;
                                case "pcp" -> pcp = (int) v;
                                case "cfi" -> { }
                                default -> throw error(fa + 1, "unknown push_vlan field '" + f + "' (expected tpid, vid, pcp)");
                            }
                            nextField(close);
                        }
                        try {
                            b.pushVlan(tpid, vid, pcp);
                        } catch (IllegalArgumentException e) {
                            throw error(at + 1, e.getMessage());
                        }
                        pos = close + 1;
                    }
                    case "pop_vlan" -> b.popVlan();
                    case "set" -> {
                        expect("(");
                        int close = matching(pos - 1);
                        setAction(b, close);
                        pos = close + 1;
                    }
                    case "userspace" -> {
                        expect("(");
                        int close = matching(pos - 1);
                        expect("pid=");
                        int fe = fieldEnd(close);
                        long pid = parseNumber(pos, fe);
                        pos = fe;
                        String rest = pos < close ? s.substring(pos + 1, close) : "";
                        b.userspace(pid, rest);
                        pos = close + 1;
                    }
                    default -> {
                        // a port name
                        int ce = nextComma(end);
                        if (ce == pos && names.number(name) >= 0) {
                            b.output(names.number(name));
                        } else {
                            throw error(at + 1, "unknown action '" + s.substring(at, ce) + "' (expected a port, drop, push_vlan(..), pop_vlan, set(..) or userspace(..))");
                        }
                    }
                }
            }
            if (pos < end) {
                expect(",");
            }
        }
        return b.build();
    }

    private void setAction(Actions.Builder b, int close) {
        int at = pos;
        String name = ident();
        KeyAttr a = KeyAttr.byName(name);
        if (a == null) {
            throw error(at + 1, "unknown key attribute '" + name + "' in set(..)");
        }
        expect("(");
        int ac = matching(pos - 1);
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        attrBody(a, k, m, ac, true);
        expectEnd(ac);
        pos = ac + 1;
        expectEnd(close);
        Field[] fields = a == KeyAttr.TUNNEL ? FlowFormat.TUNNEL_FIELDS : FlowFormat.fieldsOf(a);
        if (fields.length == 0) {
            throw error(at + 1, "set(" + name + "(..)) is not a settable attribute");
        }
        // OVS: a set whose mask covers the whole attribute is a plain set, else a masked set;
        // a tunnel set is always plain and lists only the sub-attributes given.
        boolean full = true;
        for (Field f : fields) {
            full &= m.isExact(f);
        }
        boolean masked = a != KeyAttr.TUNNEL && !full;
        b.beginSet(a, masked);
        boolean any = false;
        for (Field f : fields) {
            if (m.get(f) != 0) {
                b.field(f, k.get(f), masked ? m.get(f) : -1L);
                any = true;
            }
        }
        if (!any) {
            throw error(at + 1, "set(" + name + "(..)) sets no field");
        }
        b.endSet();
    }

    // ---------------------------------------------------------------- values

    private void numberMasked(FlowKey key, FlowMask mask, Field f, int end) {
        int slash = indexOf('/', pos, end);
        int vEnd = slash < 0 ? end : slash;
        key.set(f, number(vEnd, f));
        if (slash < 0) {
            mask.setExact(f);
        } else {
            pos = slash + 1;
            mask.set(f, number(end, f));
        }
        pos = end;
    }

    private long number(int end, Field f) {
        long v = parseNumber(pos, end);
        if (f.width() < 64 && (v & ~f.valueMask()) != 0) {
            throw error(pos + 1, "value " + s.substring(pos, end) + " does not fit " + f.ovsName() + " (" + f.width() + " bits)");
        }
        pos = end;
        return v;
    }

    private long parseNumber(int from, int to) {
        String v = s.substring(from, to);
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseUnsignedLong(v.substring(2), 16);
            }
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw error(from + 1, "expected a number, got '" + v + "'");
        }
    }

    private long port(int from, int to) {
        String v = s.substring(from, to);
        if (!v.isEmpty() && Character.isDigit(v.charAt(0))) {
            return parseNumber(from, to);
        }
        int n = names.number(v);
        if (n < 0) {
            throw error(from + 1, "unknown port name '" + v + "'");
        }
        return n;
    }

    private void macMasked(FlowKey key, FlowMask mask, Field f, int end) {
        int slash = indexOf('/', pos, end);
        key.set(f, mac(pos, slash < 0 ? end : slash));
        mask.set(f, slash < 0 ? f.valueMask() : mac(slash + 1, end));
        pos = end;
    }

    private long mac(int from, int to) {
        String v = s.substring(from, to);
        if (v.length() != 17) {
            throw error(from + 1, "expected a MAC address xx:xx:xx:xx:xx:xx, got '" + v + "'");
        }
        long m = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(v.charAt(i * 3), 16);
            int lo = Character.digit(v.charAt(i * 3 + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && v.charAt(i * 3 + 2) != ':')) {
                throw error(from + i * 3 + 1, "expected a MAC address xx:xx:xx:xx:xx:xx, got '" + v + "'");
            }
            m = m << 8 | hi << 4 | lo;
        }
        return m;
    }

    private void ipv4Masked(FlowKey key, FlowMask mask, Field f, int end) {
        int slash = indexOf('/', pos, end);
        key.set(f, ipv4(pos, slash < 0 ? end : slash));
        if (slash < 0) {
            mask.setExact(f);
        } else if (indexOf('.', slash + 1, end) < 0) {
            int len = (int) parseNumber(slash + 1, end);
            if (len > 32) {
                throw error(slash + 2, "prefix length " + len + " > 32");
            }
            mask.setPrefix(f, len);
        } else {
            mask.set(f, ipv4(slash + 1, end));
        }
        pos = end;
    }

    private long ipv4(int from, int to) {
        long a = 0;
        int part = 0;
        int i = from;
        for (int octet = 0; octet < 4; octet++) {
            int start = i;
            int v = 0;
            while (i < to && Character.isDigit(s.charAt(i)) && i - start < 3) {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || v > 255 || (octet < 3 && (i >= to || s.charAt(i) != '.'))) {
                throw error(start + 1, "expected an IPv4 address a.b.c.d, got '" + s.substring(from, to) + "'");
            }
            if (octet < 3) {
                i++;
            }
            a = a << 8 | v;
            part++;
        }
        if (i != to || part != 4) {
            throw error(i + 1, "expected an IPv4 address a.b.c.d, got '" + s.substring(from, to) + "'");
        }
        return a;
    }

    private void ipv6Masked(FlowKey key, FlowMask mask, Field hi, Field lo, int end) {
        int slash = indexOf('/', pos, end);
        long[] v = ipv6(pos, slash < 0 ? end : slash);
        key.set(hi, v[0]);
        key.set(lo, v[1]);
        if (slash < 0) {
            mask.setExact(hi);
            mask.setExact(lo);
        } else if (indexOf(':', slash + 1, end) < 0) {
            int len = (int) parseNumber(slash + 1, end);
            if (len > 128) {
                throw error(slash + 2, "prefix length " + len + " > 128");
            }
            mask.setPrefix128(hi, lo, len);
        } else {
            long[] m = ipv6(slash + 1, end);
            mask.set(hi, m[0]);
            mask.set(lo, m[1]);
        }
        pos = end;
    }

    /** RFC 4291 text (with {@code ::} and an optional trailing dotted quad) → {hi, lo}. */
    private long[] ipv6(int from, int to) {
        String v = s.substring(from, to);
        int[] g = new int[8];
        int dbl = v.indexOf("::");
        if (dbl >= 0 && v.indexOf("::", dbl + 1) >= 0) {
            throw error(from + 1, "expected an IPv6 address (two '::'), got '" + v + "'");
        }
        String head = dbl >= 0 ? v.substring(0, dbl) : v;
        String tail = dbl >= 0 ? v.substring(dbl + 2) : "";
        int[] hg = groups(head, from, v);
        int[] tg = groups(tail, from + (dbl >= 0 ? dbl + 2 : 0), v);
        if (dbl < 0 ? hg.length != 8 : hg.length + tg.length > 7) {
            throw error(from + 1, "expected an IPv6 address (8 groups), got '" + v + "'");
        }
        System.arraycopy(hg, 0, g, 0, hg.length);
        System.arraycopy(tg, 0, g, 8 - tg.length, tg.length);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = hi << 16 | g[i];
            lo = lo << 16 | g[i + 4];
        }
        return new long[] {hi, lo};
    }

    private int[] groups(String part, int at, String whole) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] p = part.split(":", -1);
        boolean quad = p[p.length - 1].contains(".");
        int[] g = new int[p.length + (quad ? 1 : 0)];
        for (int i = 0; i < p.length; i++) {
            if (quad && i == p.length - 1) {
                FlowParser sub = new FlowParser(p[i], null);
                long a = sub.ipv4(0, p[i].length());
                g[i] = (int) (a >>> 16);
                g[i + 1] = (int) a & 0xffff;
                break;
            }
            if (p[i].isEmpty() || p[i].length() > 4) {
                throw error(at + 1, "expected an IPv6 address, got '" + whole + "'");
            }
            try {
                g[i] = Integer.parseInt(p[i], 16);
            } catch (NumberFormatException e) {
                throw error(at + 1, "expected an IPv6 address, got '" + whole + "'");
            }
        }
        return g;
    }

    private long[] hex128(int from, int to) {
        String v = s.substring(from, to);
        if (v.startsWith("0x")) {
            v = v.substring(2);
        }
        if (v.isEmpty() || v.length() > 32) {
            throw error(from + 1, "expected a 128-bit hex number, got '" + s.substring(from, to) + "'");
        }
        try {
            String padded = "0".repeat(32 - v.length()) + v;
            return new long[] {Long.parseUnsignedLong(padded.substring(0, 16), 16), Long.parseUnsignedLong(padded.substring(16), 16)};
        } catch (NumberFormatException e) {
            throw error(from + 1, "expected a 128-bit hex number, got '" + s.substring(from, to) + "'");
        }
    }

    // ---------------------------------------------------------------- lexing

    private String ident() {
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '-' || s.charAt(pos) == '.')) {
            pos++;
        }
        if (pos == start) {
            throw error(start + 1, "expected a name, got " + (start < s.length() ? "'" + s.charAt(start) + "'" : "end of text"));
        }
        return s.substring(start, pos);
    }

    private void expect(String t) {
        if (!s.startsWith(t, pos)) {
            throw error(pos + 1, "expected '" + t + "', got " + (pos < s.length() ? "'" + s.substring(pos, Math.min(s.length(), pos + 10)) + "'" : "end of text"));
        }
        pos += t.length();
    }

    private void expectEnd(int end) {
        if (pos != end) {
            throw error(pos + 1, "unexpected '" + s.substring(pos, Math.min(end, pos + 10)) + "'");
        }
    }

    /** Index of the ')' matching the '(' at {@code open}. */
    private int matching(int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw error(open + 1, "'(' is never closed");
    }

    /** End of the current field value: next ',' at depth 0 before {@code close}. */
    private int fieldEnd(int close) {
        int depth = 0;
        for (int i = pos; i < close; i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return close;
    }

    private int nextComma(int end) {
        int i = s.indexOf(',', pos);
        return i < 0 || i > end ? end : i;
    }

    private void nextField(int close) {
        if (pos < close) {
            expect(",");
            if (pos == close) {
                throw error(pos + 1, "expected a field after ','");
            }
        }
    }

    private int indexOf(char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** First occurrence of {@code t} at parenthesis depth 0 at or after {@code from}, or -1. */
    private int topLevel(String t, int from) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && s.startsWith(t, i)) {
                return i;
            }
        }
        return -1;
    }

    private long parseLong(String v, int at) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw error(at + 1, "expected a number, got '" + v + "'");
        }
    }

    private FlowParseException error(int column, String message) {
        return new FlowParseException(column, message, s);
    }
}
