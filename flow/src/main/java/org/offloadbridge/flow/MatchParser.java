package org.offloadbridge.flow;

import static org.offloadbridge.flow.Field.*;

import java.util.HashSet;
import java.util.Set;

/**
 * Reads the match half of a datapath flow ({@code recirc_id(0),in_port(2),eth(…),…}) into a key
 * and mask; {@link ActionsParser} reuses {@link #attrBody} for {@code set(…)}.
 *
 * <p>Besides syntax it refuses two kinds of text OVS's own tools would build a key from and the
 * kernel datapath would then refuse or misread:
 * <ul>
 * <li>a repeated attribute ({@code in_port(1),in_port(2)}) or field ({@code ipv4(src=…,src=…)}):
 *     the kernel's {@code parse_flow_nlattrs} refuses a duplicate key attribute; silently keeping
 *     the last value would install a flow other than the one written.
 * <li>contradictory layers ({@code ipv4(proto=17),tcp(dst=80)}): see {@link LayerCheck}.
 * </ul>
 */
final class MatchParser {
    private final TextCursor t;
    private final PortNames names;
    /** 1-based column where each attribute (by id) was given, 0 = not given; for eth_type the innermost. */
    private final int[] column = new int[64];

    MatchParser(TextCursor t, PortNames names) {
        this.t = t;
        this.names = names;
    }

    /** Parses attributes in [pos, end) into {@code key}/{@code mask}, then checks the layers agree. */
    void parse(FlowKey key, FlowMask mask, int end) {
        attrs(key, mask, 0, end);
        new LayerCheck(t, column).check(key, mask);
    }

    // ---------------------------------------------------------------- attributes

    /** Parses attributes in [pos, end) at VLAN nesting level {@code tag}. */
    private void attrs(FlowKey key, FlowMask mask, int tag, int end) {
        if (t.s.startsWith("<empty>", t.pos) && t.pos + 7 == end) {
            t.pos = end;
            return;
        }
        // eth_type, vlan and encap come once per VLAN level; every other attribute once per match
        int[] levelColumn = new int[64];
        boolean tpidBefore = false; // the attribute just parsed was a VLAN tag's eth_type (TPID)
        while (t.pos < end) {
            int nameStart = t.pos;
            String name = t.ident();
            KeyAttr a = KeyAttr.byName(name);
            if (a == null) {
                throw t.error(nameStart + 1, "unknown key attribute " + t.quote(nameStart, t.pos));
            }
            boolean perLevel = a == KeyAttr.ETHERTYPE || a == KeyAttr.VLAN || a == KeyAttr.ENCAP;
            int[] seen = perLevel ? levelColumn : column;
            if (seen[a.id()] != 0) {
                throw t.error(nameStart + 1, "duplicate attribute " + name + "(..), first given at column " + seen[a.id()]);
            }
            seen[a.id()] = nameStart + 1;
            if (a == KeyAttr.ETHERTYPE) {
                column[a.id()] = nameStart + 1;
            }
            t.expect("(");
            int close = t.matching(t.pos - 1);
            if (a == KeyAttr.ETHERTYPE && t.s.startsWith(",vlan(", close + 1)) {
                if (tag >= 2) {
                    throw t.error(nameStart + 1, "more than two VLAN tags");
                }
                Field tpid = tag == 0 ? VLAN0_TPID : VLAN1_TPID;
                int valueAt = t.pos;
                numberMasked(key, mask, tpid, close);
                long m = mask.get(tpid);
                long v = key.get(tpid) & m;
                if (m != 0 && v != (EthType.VLAN_8021Q & m) && v != (EthType.VLAN_8021AD & m)) {
                    throw t.error(valueAt + 1, "eth_type(" + LayerCheck.hex04(key.get(tpid)) + ") before vlan(..) is not a VLAN tag type (0x8100 or 0x88a8)");
                }
                key.addAttr(KeyAttr.VLAN);
                tpidBefore = true;
            } else if (a == KeyAttr.VLAN) {
                if (!tpidBefore) {
                    // Our key has no VLAN tag without its TPID (nor has the datapath's): it would
                    // be matched but never printed.
                    throw t.error(nameStart + 1, "vlan(..) without a preceding eth_type(0x8100) or eth_type(0x88a8)");
                }
                if (tag >= 2) {
                    throw t.error(nameStart + 1, "more than two VLAN tags");
                }
                vlan(key, mask, tag, close);
            } else if (a == KeyAttr.ENCAP) {
                if (key.get(tag == 0 ? VLAN0_TPID : VLAN1_TPID) == 0) {
                    throw t.error(nameStart + 1, "encap() without a preceding eth_type(..),vlan(..)");
                }
                attrs(key, mask, tag + 1, close);
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
            t.expectEnd(close);
            t.pos = close + 1;
            if (t.pos < end) {
                t.expect(",");
            }
            tpidBefore = tpidBefore && a == KeyAttr.ETHERTYPE;
        }
    }

    private void vlan(FlowKey key, FlowMask mask, int tag, int close) {
        Field vid = tag == 0 ? VLAN0_VID : VLAN1_VID;
        Field pcp = tag == 0 ? VLAN0_PCP : VLAN1_PCP;
        Field cfi = tag == 0 ? VLAN0_CFI : VLAN1_CFI;
        key.set(cfi, 1);
        mask.setExact(cfi);
        Set<String> given = new HashSet<>();
        while (t.pos < close) {
            int at = t.pos;
            String f = t.ident();
            t.expect("=");
            switch (f) {
                case "vid" -> numberMasked(key, mask, vid, t.fieldEnd(close));
                case "pcp" -> numberMasked(key, mask, pcp, t.fieldEnd(close));
                case "cfi" -> {
                    long v = t.number(t.fieldEnd(close), cfi);
                    key.set(cfi, v);
                }
                default -> throw t.error(at + 1, "unknown vlan field " + t.quote(at, at + f.length()) + " (expected vid, pcp, cfi)");
            }
            once(given, f, "vlan", at);
            t.nextField(close);
        }
    }

    /** Refuses a field given twice in one attribute, naming it. */
    private void once(Set<String> given, String field, String attr, int at) {
        if (!given.add(field)) {
            throw t.error(at + 1, "duplicate field '" + field + "' in " + attr + "(..)");
        }
    }

    /**
     * One attribute's fields, up to {@code close}. {@code forSet}: parsing a set action, where
     * the tunnel's flags go into the key only.
     */
    void attrBody(KeyAttr a, FlowKey key, FlowMask mask, int close, boolean forSet) {
        switch (a) {
            case PRIORITY, SKB_MARK, DP_HASH, RECIRC_ID, CT_MARK, CT_ZONE -> {
                if (t.pos < close) {
                    numberMasked(key, mask, MatchFormat.fieldsOf(a)[0], close);
                }
            }
            case CT_STATE -> {
                if (t.pos < close) {
                    if (TextCursor.isAsciiDigit(t.s.charAt(t.pos))) {
                        numberMasked(key, mask, CT_STATE, close);
                    } else {
                        flags(key, mask, CT_STATE, ValueFormat.CT_STATE_NAMES, close);
                    }
                }
            }
            case CT_LABELS -> {
                if (t.pos < close) {
                    int slash = t.indexOf('/', t.pos, close);
                    long[] v = t.hex128(t.pos, slash < 0 ? close : slash);
                    key.set(CT_LABEL_HI, v[0]);
                    key.set(CT_LABEL_LO, v[1]);
                    long[] m = slash < 0 ? new long[] {-1L, -1L} : t.hex128(slash + 1, close);
                    mask.set(CT_LABEL_HI, m[0]);
                    mask.set(CT_LABEL_LO, m[1]);
                    t.pos = close;
                }
            }
            case IN_PORT -> {
                int slash = t.indexOf('/', t.pos, close);
                int vEnd = slash < 0 ? close : slash;
                key.set(IN_PORT, port(t.pos, vEnd) & 0xffffffffL);
                t.pos = vEnd;
                if (slash < 0) {
                    mask.setExact(IN_PORT);
                } else {
                    t.pos = slash + 1;
                    mask.set(IN_PORT, t.number(close, IN_PORT));
                }
            }
            case ETHERTYPE -> numberMasked(key, mask, ETH_TYPE, close);
            case TCP_FLAGS -> flags(key, mask, TCP_FLAGS, ValueFormat.TCP_FLAG_NAMES, close);
            default -> fields(a, key, mask, close, forSet);
        }
    }

    private void fields(KeyAttr a, FlowKey key, FlowMask mask, int close, boolean forSet) {
        Set<String> given = new HashSet<>();
        while (t.pos < close) {
            int at = t.pos;
            String f = t.ident();
            if (a == KeyAttr.TUNNEL && f.equals("flags")) {
                once(given, f, a.ovsName(), at);
                t.expect("(");
                int fc = t.matching(t.pos - 1);
                flags(key, mask, TUN_FLAGS, ValueFormat.TUN_FLAG_NAMES, fc);
                if (forSet) {
                    mask.setExact(TUN_FLAGS);
                }
                t.pos = fc + 1;
                t.nextField(close);
                continue;
            }
            t.expect("=");
            int fe = t.fieldEnd(close);
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
                default -> throw t.error(at + 1, "unknown field " + t.quote(at, at + f.length()) + " in " + a.ovsName() + "(…) (expected " + expectedFields(a) + ")");
            }
            once(given, f, a.ovsName(), at);
            t.nextField(close);
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
        String v = t.s.substring(t.pos, fe);
        long f = switch (v) {
            case "no" -> FlowKey.FRAG_NO;
            case "first" -> FlowKey.FRAG_FIRST;
            case "later" -> FlowKey.FRAG_LATER_FRAGMENT;
            default -> throw t.error(t.pos + 1, "expected frag=no, first or later, got " + t.quote(t.pos, fe));
        };
        key.set(NW_FRAG, f);
        mask.setExact(NW_FRAG);
        t.pos = fe;
    }

    /** Flag names: {@code a|b}, {@code +a-b} (masked), {@code 0}, {@code 0/0}, or numbers. */
    private void flags(FlowKey key, FlowMask mask, Field f, String[] names, int close) {
        int p = t.pos;
        if (p == close) {
            return;
        }
        if (TextCursor.isAsciiDigit(t.s.charAt(p))) {
            numberMasked(key, mask, f, close);
            return;
        }
        t.refuseNonAsciiDigit(p);
        long value = 0;
        long m = 0;
        boolean masked = t.s.charAt(p) == '+' || t.s.charAt(p) == '-';
        Set<String> given = new HashSet<>();
        int i = p;
        while (i < close) {
            char sign = '+';
            if (masked) {
                sign = t.s.charAt(i);
                if (sign != '+' && sign != '-') {
                    throw t.error(i + 1, "expected '+' or '-' before a flag name");
                }
                i++;
            }
            int j = i;
            while (j < close && t.s.charAt(j) != '|' && t.s.charAt(j) != '+' && t.s.charAt(j) != '-') {
                j++;
            }
            String n = t.s.substring(i, j);
            int bit = -1;
            for (int b = 0; b < names.length; b++) {
                if (names[b].equals(n)) {
                    bit = b;
                }
            }
            if (bit < 0) {
                throw t.error(i + 1, "unknown flag " + t.quote(i, j) + " (expected one of " + String.join(", ", names) + ")");
            }
            if (!given.add(n)) {
                throw t.error(i + 1, "duplicate flag '" + n + "' in " + f.ovsName());
            }
            m |= 1L << bit;
            if (sign == '+') {
                value |= 1L << bit;
            }
            i = j;
            if (!masked && i < close) {
                i++; // '|'
            }
        }
        key.set(f, value);
        mask.unwildcard(f, masked ? m : -1L);
        t.pos = close;
    }

    // ---------------------------------------------------------------- values

    private void numberMasked(FlowKey key, FlowMask mask, Field f, int end) {
        int slash = t.indexOf('/', t.pos, end);
        int vEnd = slash < 0 ? end : slash;
        key.set(f, t.number(vEnd, f));
        if (slash < 0) {
            mask.setExact(f);
        } else {
            t.pos = slash + 1;
            mask.set(f, t.number(end, f));
        }
        t.pos = end;
    }

    private long port(int from, int to) {
        if (from < to && TextCursor.isAsciiDigit(t.s.charAt(from))) {
            return t.parseNumber(from, to);
        }
        if (from < to) {
            t.refuseNonAsciiDigit(from);
        }
        int n = names.number(t.s.substring(from, to));
        if (n < 0) {
            throw t.error(from + 1, "unknown port name " + t.quote(from, to));
        }
        return n;
    }

    private void macMasked(FlowKey key, FlowMask mask, Field f, int end) {
        int slash = t.indexOf('/', t.pos, end);
        key.set(f, t.mac(t.pos, slash < 0 ? end : slash));
        mask.set(f, slash < 0 ? f.valueMask() : t.mac(slash + 1, end));
        t.pos = end;
    }

    private void ipv4Masked(FlowKey key, FlowMask mask, Field f, int end) {
        int slash = t.indexOf('/', t.pos, end);
        key.set(f, t.ipv4(t.pos, slash < 0 ? end : slash));
        if (slash < 0) {
            mask.setExact(f);
        } else if (t.indexOf('.', slash + 1, end) < 0) {
            long len = t.parseNumber(slash + 1, end);
            if (len > 32) {
                throw t.error(slash + 2, "prefix length " + len + " > 32");
            }
            mask.setPrefix(f, (int) len);
        } else {
            mask.set(f, t.ipv4(slash + 1, end));
        }
        t.pos = end;
    }

    private void ipv6Masked(FlowKey key, FlowMask mask, Field hi, Field lo, int end) {
        int slash = t.indexOf('/', t.pos, end);
        long[] v = t.ipv6(t.pos, slash < 0 ? end : slash);
        key.set(hi, v[0]);
        key.set(lo, v[1]);
        if (slash < 0) {
            mask.setExact(hi);
            mask.setExact(lo);
        } else if (t.indexOf(':', slash + 1, end) < 0) {
            long len = t.parseNumber(slash + 1, end);
            if (len > 128) {
                throw t.error(slash + 2, "prefix length " + len + " > 128");
            }
            mask.setPrefix128(hi, lo, (int) len);
        } else {
            long[] m = t.ipv6(slash + 1, end);
            mask.set(hi, m[0]);
            mask.set(lo, m[1]);
        }
        t.pos = end;
    }
}
