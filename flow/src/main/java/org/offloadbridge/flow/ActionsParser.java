package org.offloadbridge.flow;

import java.util.HashSet;
import java.util.Set;

/**
 * Reads an action list ({@code drop}, {@code push_vlan(vid=10,pcp=0),3}, {@code set(ipv4(…))},
 * {@code userspace(pid=…)}) as {@link ActionsFormat} prints it. At most
 * {@link FlowParser#MAX_ACTIONS} actions.
 */
final class ActionsParser {
    private final TextCursor t;
    private final PortNames names;

    ActionsParser(TextCursor t, PortNames names) {
        this.t = t;
        this.names = names;
    }

    /** The actions in [pos, end). */
    Actions parse(int end) {
        Actions.Builder b = Actions.builder();
        if (t.s.startsWith("drop", t.pos) && t.pos + 4 == end) {
            t.pos = end;
            return b.build();
        }
        int count = 0;
        while (t.pos < end) {
            int at = t.pos;
            if (++count > FlowParser.MAX_ACTIONS) {
                throw t.error(at + 1, "more than " + FlowParser.MAX_ACTIONS + " actions (" + FlowParser.MAX_ACTIONS
                        + " outputs fill the kernel datapath's 32 KiB action buffer)");
            }
            char c = t.s.charAt(t.pos);
            if (TextCursor.isAsciiDigit(c)) {
                int ce = t.nextComma(end);
                b.output((int) port(t.pos, ce));
                t.pos = ce;
            } else if (!TextCursor.isIdentChar(c)) {
                // not a keyword: only a port name (interface names may be any UTF-8) can start so
                int ce = t.nextComma(end);
                b.output((int) port(t.pos, ce));
                t.pos = ce;
            } else {
                action(b, at, end);
            }
            if (t.pos < end) {
                t.expect(",");
            }
        }
        return b.build();
    }

    private void action(Actions.Builder b, int at, int end) {
        String name = t.ident();
        switch (name) {
            case "push_vlan" -> {
                t.expect("(");
                int close = t.matching(t.pos - 1);
                int tpid = EthType.VLAN_8021Q;
                int vid = 0;
                int pcp = 0;
                Set<String> given = new HashSet<>();
                while (t.pos < close) {
                    int fa = t.pos;
                    String f = t.ident();
                    t.expect("=");
                    int fe = t.fieldEnd(close);
                    long v = t.parseNumber(t.pos, fe);
                    t.pos = fe;
                    switch (f) {
                        case "tpid" -> tpid = (int) v;
                        case "vid" -> vid = (int) v;
                        case "pcp" -> pcp = (int) v;
                        case "cfi" -> { }
                        default -> throw t.error(fa + 1, "unknown push_vlan field " + t.quote(fa, fa + f.length()) + " (expected tpid, vid, pcp)");
                    }
                    if (!given.add(f)) {
                        throw t.error(fa + 1, "duplicate field '" + f + "' in push_vlan(..)");
                    }
                    t.nextField(close);
                }
                try {
                    b.pushVlan(tpid, vid, pcp);
                } catch (IllegalArgumentException e) {
                    throw t.error(at + 1, e.getMessage());
                }
                t.pos = close + 1;
            }
            case "pop_vlan" -> b.popVlan();
            case "set" -> {
                t.expect("(");
                int close = t.matching(t.pos - 1);
                set(b, close);
                t.pos = close + 1;
            }
            case "userspace" -> {
                t.expect("(");
                int close = t.matching(t.pos - 1);
                t.expect("pid=");
                int fe = t.fieldEnd(close);
                long pid = t.parseNumber(t.pos, fe);
                t.pos = fe;
                String rest = t.pos < close ? t.s.substring(t.pos + 1, close) : "";
                b.userspace(pid, rest);
                t.pos = close + 1;
            }
            default -> {
                // a port name
                int ce = t.nextComma(end);
                if (ce == t.pos && names.number(name) >= 0) {
                    b.output(names.number(name));
                } else {
                    throw t.error(at + 1, "unknown action " + t.quote(at, ce) + " (expected a port, drop, push_vlan(..), pop_vlan, set(..) or userspace(..))");
                }
            }
        }
    }

    private void set(Actions.Builder b, int close) {
        int at = t.pos;
        String name = t.ident();
        KeyAttr a = KeyAttr.byName(name);
        if (a == null) {
            throw t.error(at + 1, "unknown key attribute " + t.quote(at, t.pos) + " in set(..)");
        }
        t.expect("(");
        int ac = t.matching(t.pos - 1);
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        new MatchParser(t, names).attrBody(a, k, m, ac, true);
        t.expectEnd(ac);
        t.pos = ac + 1;
        t.expectEnd(close);
        Field[] fields = a == KeyAttr.TUNNEL ? MatchFormat.TUNNEL_FIELDS : MatchFormat.fieldsOf(a);
        if (fields.length == 0) {
            throw t.error(at + 1, "set(" + name + "(..)) is not a settable attribute");
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
            throw t.error(at + 1, "set(" + name + "(..)) sets no field");
        }
        b.endSet();
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
}
