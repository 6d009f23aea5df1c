package org.offloadbridge.daemon;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.flow.DpFlow;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.upcall.handler.Ukey;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

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
 */
final class FlowJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FlowJson() {
    }

    /** Appends {@code u}'s object (one line). */
    static void append(StringBuilder out, Ukey u, DpFlow f, FlowLayer layer, PortNames names) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ufid", u.ufid().uuidString());
        o.set("match", match(FlowFormat.formatMatch(f.key(), f.mask(), names, true)));
        ArrayNode a = o.putArray("actions");
        for (String act : splitTop(FlowFormat.formatActions(f.actions(), names))) {
            a.add(act);
        }
        o.put("packets", f.packets());
        o.put("bytes", f.bytes());
        if (f.usedMillisAgo() < 0) {
            o.putNull("used");
        } else {
            o.put("used", f.usedMillisAgo() / 1000.0);
        }
        o.put("layer", layer.text());
        o.put("dp", layer == FlowLayer.NONE ? "slow" : layer.dp());
        o.put("offloaded", layer.offloaded());
        o.put("reason", u.reasonText() == null ? "ok" : u.reasonText());
        out.append(JSON.writeValueAsString(o));
    }

    /** {@code a(x=1,y=2),b(3)} → {@code {"a":{"x":"1","y":"2"},"b":"3"}}. */
    static ObjectNode match(String text) {
        ObjectNode o = JSON.createObjectNode();
        for (String item : splitTop(text)) {
            put(o, item);
        }
        return o;
    }

    /** One {@code name(inner)} or {@code key=value} item into {@code o}. */
    private static void put(ObjectNode o, String item) {
        int eq = item.indexOf('=');
        int open = item.indexOf('(');
        if (eq >= 0 && (open < 0 || eq < open)) {
            o.put(item.substring(0, eq), item.substring(eq + 1));
            return;
        }
        if (open < 0 || !item.endsWith(")")) {
            o.put(item, "");
            return;
        }
        String name = item.substring(0, open);
        String inner = item.substring(open + 1, item.length() - 1);
        if (hasTopLevelEquals(inner)) {
            ObjectNode sub = o.putObject(name);
            for (String part : splitTop(inner)) {
                put(sub, part);
            }
        } else {
            o.put(name, inner);
        }
    }

    private static boolean hasTopLevelEquals(String s) {
        return topLevel(s, '=', 0) >= 0;
    }

    /** Where {@code want} is next at or after {@code from} outside parentheses, or -1. */
    private static int topLevel(String s, char want, int from) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
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

    /** Splits at the commas outside parentheses. */
    static List<String> splitTop(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int comma = topLevel(s, ',', 0); comma >= 0; comma = topLevel(s, ',', start)) {
            out.add(s.substring(start, comma));
            start = comma + 1;
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }
}
