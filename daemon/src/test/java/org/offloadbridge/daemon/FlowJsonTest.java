package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.DpFlow;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.handler.InstallDecision;
import org.offloadbridge.upcall.handler.Ukey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code dump-flows --json} writes each flow's object itself, without a tree: every line must be
 * exactly what Jackson writes for the tree the format is defined by (built here as FlowJson built
 * it before: the {@code -m} match text split into attributes and fields, the actions split at
 * top-level commas) — key order, escapes and numbers included.
 */
class FlowJsonTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyLineIsWhatJacksonWritesForTheFlowsTree() throws Exception {
        CommandsRig rig = new CommandsRig("""
            table=0,priority=20,in_port=p1,udp,tp_dst=53,actions=mod_nw_dst:10.0.0.9,output:p2
            table=0,priority=15,in_port=p1,ipv6,actions=output:p2
            table=0,priority=12,in_port=p2,dl_vlan=7,actions=strip_vlan,output:p1
            table=0,priority=10,in_port=p1,tcp,actions=mod_vlan_vid:5,output:p2
            table=0,priority=5,arp,actions=flood
            table=0,priority=1,actions=drop
            """);
        long now = rig.now.get();
        rig.place("in_port=p1,udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=53", FlowLayer.TC_HW, Reason.NONE,
            new FlowStats(3, 294, now - 512, 0));
        rig.place("in_port=p1,tcp,nw_dst=10.0.0.2,tp_dst=80", FlowLayer.TC_SW, Reason.CROSS_SWITCH, new FlowStats(10, 6000, now - 1500, 0x12));
        rig.place("in_port=p1,udp6,ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2,tp_dst=7", FlowLayer.DPDK, Reason.HW_OFFLOAD_OFF,
            new FlowStats(1, 90, now, 0));
        rig.place("in_port=p2,dl_vlan=7,ip,nw_dst=10.0.0.1", FlowLayer.DPDK, Reason.NONE, new FlowStats(4, 400, now - 5, 0));
        rig.place("in_port=p2,arp,arp_tpa=10.0.0.1,arp_op=1", FlowLayer.NONE, Reason.LAYER_UNAVAILABLE, FlowStats.ZERO);
        rig.place("in_port=p2,icmp,icmp_type=8", FlowLayer.TC_HW, Reason.NONE, new FlowStats(0, 0, FlowStats.NEVER_USED, 0));
        rig.flows(400);
        // One of them moved to DPDK, used 3 hours ago, refused by tc with a kernel text that needs every kind of escape.
        List<Ukey> some = new ArrayList<>();
        rig.ukeys.forEach(0, some::add);
        Ukey odd = some.get(0);
        odd.placed(new InstallDecision.Outcome(FlowLayer.DPDK, Reason.KERNEL_REFUSED, null, 95,
            "say \"no\" \\ twice\n\ttab \u0001 \u001f ü \u2028 /", new FlowStats(7, 700, now - 10_800_000, 0)), 1, 0, now);

        String dump = new DaemonCommands(rig).dumpFlows(List.of("type=all", "--json")).text();
        List<String> lines = dump.lines().toList();
        assertEquals("[", lines.get(0));
        assertEquals("]", lines.get(lines.size() - 1));
        assertEquals(rig.ukeys.size() + 2, lines.size());
        PortNames names = PortNames.of(java.util.Map.of(1, "p1", 2, "p2"));
        boolean sawOdd = false;
        for (int i = 1; i < lines.size() - 1; i++) {
            String line = lines.get(i);
            String object = i < lines.size() - 2 ? line.substring(0, line.length() - 1) : line; // "},"
            Ukey u = rig.ukeys.get(Ufid.parse(JSON.readTree(object).get("ufid").stringValue()));
            assertEquals(oracle(u, now, names), object);
            sawOdd |= u == odd;
        }
        assertTrue(sawOdd);
        assertTrue(dump.contains("\"reason\":\"kernel-refused:95:say \\\"no\\\" \\\\ twice\\n\\ttab \\u0001 \\u001F ü \u2028 /\""), dump);
    }

    /** The flow's object as FlowJson built it before it streamed: a Jackson tree. */
    static String oracle(Ukey u, long now, PortNames names) {
        FlowLayer layer = u.layer();
        FlowStats st = u.stats();
        DpFlow f = DpFlow.of(u.megaflow(), st.packets(), st.bytes(), st.usedMillisAgo(now), st.tcpFlags(), null, null);
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
        return JSON.writeValueAsString(o);
    }

    static ObjectNode match(String text) {
        ObjectNode o = JSON.createObjectNode();
        for (String item : splitTop(text)) {
            put(o, item);
        }
        return o;
    }

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
        if (topLevel(inner, '=', 0) >= 0) {
            ObjectNode sub = o.putObject(name);
            for (String part : splitTop(inner)) {
                put(sub, part);
            }
        } else {
            o.put(name, inner);
        }
    }

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

    @Test
    void stringsAreEscapedAsJacksonEscapesThem() {
        String all = "\"\\/\b\f\n\r\t\u0000\u001f\u007f ü \u2028 \uD83D\uDE00";
        StringBuilder b = new StringBuilder();
        FlowJson.string(b, all, 0, all.length());
        assertEquals(JSON.writeValueAsString(all), b.toString());
        JsonNode back = JSON.readTree(b.toString());
        assertEquals(all, back.stringValue());
    }
}
