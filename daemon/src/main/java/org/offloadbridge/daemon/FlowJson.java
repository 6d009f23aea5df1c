package org.offloadbridge.daemon;

import org.offloadbridge.flow.DpFlow;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * {@code obctl dump-flows --json}: one JSON object per flow, the same data as a
 * {@code dump-flows -m} line, shaped as Open vSwitch's own Python parser ({@code ovs.flow.odp})
 * gives it to programs:
 *
 * <pre>
 * {"ufid":"5f0c…","match":{"recirc_id":"0","in_port":"p1","eth":{"src":"02:00:00:00:00:01","dst":"…"},
 *  "eth_type":"0x0800","ipv4":{"src":"10.0.0.1","dst":"10.0.0.2","proto":"17","tos":"0/0","ttl":"0/0","frag":"no"},…},
 *  "actions":["2"],"packets":3,"bytes":294,"used":0.512,"layer":"tc-sw","dp":"tc","offloaded":false,
 *  "reason":"cross-switch"}
 * </pre>
 *
 * {@code match} holds each key attribute of the {@code -m} text: an attribute with fields
 * ({@code eth(src=…,dst=…)}) as an object of their texts, one without ({@code in_port(p1)}) as its
 * text; values are exactly as the line writes them (masks included). {@code actions} is the list of
 * top-level actions as written. {@code used} is seconds since the last packet, or null for never.
 *
 * <p>The object is written straight into the dump's builder, as Jackson would write the same
 * tree (key order, escapes, numbers; FlowJsonTest holds the two side by side): a dump of
 * 100,000 flows builds no tree and no string per flow. One instance per dump: it reuses a
 * buffer for the flow's match and actions text.
 */
final class FlowJson {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The {@code -m} text of one flow's match, then its actions. */
    private final StringBuilder text = new StringBuilder(512);

    /** Appends {@code u}'s object (one line). */
    void append(StringBuilder out, Ukey u, DpFlow f, FlowLayer layer, PortNames names) {
        u.ufid().appendUuid(out.append("{\"ufid\":\"")).append('"');
        out.append(",\"match\":");
        text.setLength(0);
        FlowFormat.appendMatch(text, f.key(), f.mask(), names, true);
        object(out, text, 0, text.length());
        out.append(",\"actions\":[");
        text.setLength(0);
        FlowFormat.appendActions(text, f.actions(), names);
        int start = 0;
        int n = 0;
        for (int comma = topLevel(text, ',', 0, text.length()); comma >= 0; comma = topLevel(text, ',', start, text.length())) {
            string(out.append(n++ == 0 ? "" : ","), text, start, comma);
            start = comma + 1;
        }
        if (start < text.length()) {
            string(out.append(n == 0 ? "" : ","), text, start, text.length());
        }
        out.append("],\"packets\":").append(f.packets());
        out.append(",\"bytes\":").append(f.bytes());
        out.append(",\"used\":");
        if (f.usedMillisAgo() < 0) {
            out.append("null");
        } else {
            out.append(f.usedMillisAgo() / 1000.0);
        }
        string(out.append(",\"layer\":"), layer.text(), 0, layer.text().length());
        String dp = layer == FlowLayer.NONE ? "slow" : layer.dp();
        string(out.append(",\"dp\":"), dp, 0, dp.length());
        out.append(",\"offloaded\":").append(layer.offloaded());
        String reason = u.reasonText() == null ? "ok" : u.reasonText();
        string(out.append(",\"reason\":"), reason, 0, reason.length());
        out.append('}');
    }

    /** {@code a(x=1,y=2),b(3)} in {@code s[from, to)} → {@code {"a":{"x":"1","y":"2"},"b":"3"}}. */
    static void object(StringBuilder out, CharSequence s, int from, int to) {
        out.append('{');
        int start = from;
        boolean first = true;
        for (int comma = topLevel(s, ',', from, to); comma >= 0; comma = topLevel(s, ',', start, to)) {
            member(out, s, start, comma, first);
            first = false;
            start = comma + 1;
        }
        if (start < to) {
            member(out, s, start, to, first);
        }
        out.append('}');
    }

    /** One {@code name(inner)} or {@code key=value} item, {@code s[from, to)}, as a member. */
    private static void member(StringBuilder out, CharSequence s, int from, int to, boolean first) {
        if (!first) {
            out.append(',');
        }
        int eq = indexOf(s, '=', from, to);
        int open = indexOf(s, '(', from, to);
        if (eq >= 0 && (open < 0 || eq < open)) {
            string(out, s, from, eq);
            string(out.append(':'), s, eq + 1, to);
        } else if (open < 0 || to == from || s.charAt(to - 1) != ')') {
            string(out, s, from, to);
            out.append(":\"\"");
        } else {
            string(out, s, from, open);
            out.append(':');
            if (topLevel(s, '=', open + 1, to - 1) >= 0) {
                object(out, s, open + 1, to - 1);
            } else {
                string(out, s, open + 1, to - 1);
            }
        }
    }

    private static int indexOf(CharSequence s, char want, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == want) {
                return i;
            }
        }
        return -1;
    }

    /** Where {@code want} is next in {@code s[from, to)} outside the parentheses opened there, or -1. */
    private static int topLevel(CharSequence s, char want, int from, int to) {
        int depth = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == want && depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** {@code s[from, to)} as a JSON string, escaped as Jackson escapes it. */
    static void string(StringBuilder out, CharSequence s, int from, int to) {
        out.append('"');
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                out.append(c);
                continue;
            }
            out.append('\\');
            switch (c) {
                case '"', '\\' -> out.append(c);
                case '\n' -> out.append('n');
                case '\r' -> out.append('r');
                case '\t' -> out.append('t');
                case '\b' -> out.append('b');
                case '\f' -> out.append('f');
                default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        out.append('"');
    }
}
