package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.upcall.handler.Ukey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every line of {@code obctl dump-flows -m} parses with Open vSwitch's own Python flow parser
 * ({@code ovs.flow.odp.ODPFlow}, Debian's python3-openvswitch 3.1 with python3-netaddr; see
 * tools/install-deps) and gives back what the daemon holds: the ufid, each match attribute with
 * its text, the counters and {@code used}, each action — compared with the same dump as
 * {@code --json}. Fails, not skips, when the parser is missing: it is the point of the test.
 *
 * <p>One addition to OVS 3.1's parser, made in the script and said here: it has no decoder for
 * {@code offloaded:}, a key OVS's own {@code dpctl/dump-flows -m} prints for a flow in hardware
 * ({@code format_dpif_flow}), so a real OVS dump with an offloaded flow fails in it too. The
 * script adds a plain-text decoder for that key alone; everything else is OVS's as shipped.
 */
class OvsOdpParserTest {
    static final String PYTHON = "/usr/bin/python3"; // Debian's, where python3-openvswitch installs

    static final String SCRIPT = """
        import json, sys
        try:
            from ovs.flow.odp import ODPFlow
            from ovs.flow.decoders import decode_default
        except ImportError as e:
            print("MISSING: %s" % e)
            sys.exit(3)
        shipped = ODPFlow._info_decoders_args
        if "offloaded" not in shipped():
            ODPFlow._info_decoders_args = staticmethod(lambda: {**shipped(), "offloaded": decode_default})
            ODPFlow._info_decoders = None
        for line in open(sys.argv[1]):
            line = line.rstrip("\\n")
            if not line:
                continue
            f = ODPFlow(line)
            out = {"ufid": str(f.ufid["ufid"]) if f.ufid else None}
            for kv in f.info_kv:
                out[kv.key] = kv.value if isinstance(kv.value, (int, float)) else str(kv.value)
            out["match"] = [[kv.meta.kstring, kv.meta.vstring] for kv in f.match_kv]
            out["actions"] = [kv.meta.kstring + ("(" + kv.meta.vstring + ")" if kv.meta.vstring else "") for kv in f.actions_kv]
            out["udp_dst"] = str(f.match["udp"]["dst"]) if "udp" in f.match else None
            print(json.dumps(out))
        """;

    @Test
    void everyDumpLineParsesWithOvsOwnParserAndSaysTheSame(@TempDir Path dir) throws Exception {
        CommandsRig rig = new CommandsRig("""
            table=0,priority=20,in_port=p1,udp,tp_dst=53,actions=mod_nw_dst:10.0.0.9,output:p2
            table=0,priority=15,in_port=p1,ipv6,actions=output:p2
            table=0,priority=12,in_port=p2,dl_vlan=7,actions=strip_vlan,output:p1
            table=0,priority=10,in_port=p1,tcp,actions=mod_vlan_vid:5,output:p2
            table=0,priority=5,arp,actions=flood
            table=0,priority=1,actions=drop
            """);
        long now = rig.now.get();
        List<Ukey> flows = new ArrayList<>();
        flows.add(rig.place("in_port=p1,udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=53", FlowLayer.TC_HW, Reason.NONE,
            new FlowStats(3, 294, now - 512, 0)));
        flows.add(rig.place("in_port=p1,tcp,nw_dst=10.0.0.2,tp_dst=80", FlowLayer.TC_SW, Reason.CROSS_SWITCH,
            new FlowStats(10, 6000, now - 1500, 0x12)));
        flows.add(rig.place("in_port=p1,udp6,ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2,tp_dst=7", FlowLayer.DPDK,
            Reason.HW_OFFLOAD_OFF, new FlowStats(1, 90, now, 0)));
        flows.add(rig.place("in_port=p2,dl_vlan=7,ip,nw_dst=10.0.0.1", FlowLayer.DPDK, Reason.NONE, new FlowStats(4, 400, now - 5, 0)));
        flows.add(rig.place("in_port=p2,arp,arp_tpa=10.0.0.1,arp_op=1", FlowLayer.NONE, Reason.LAYER_UNAVAILABLE, FlowStats.ZERO));
        flows.add(rig.place("in_port=p2,icmp,icmp_type=8", FlowLayer.TC_HW, Reason.NONE, new FlowStats(0, 0, FlowStats.NEVER_USED, 0)));
        DaemonCommands c = new DaemonCommands(rig);
        String dump = c.dumpFlows(List.of("type=all", "-m")).text();
        JsonNode json = JsonMapper.builder().build().readTree(c.dumpFlows(List.of("type=all", "--json")).text());
        Path lines = dir.resolve("dump.txt");
        Files.writeString(lines, dump);
        Path script = dir.resolve("parse.py");
        Files.writeString(script, SCRIPT);

        Shell.Result r = Shell.run(60, PYTHON, script.toString(), lines.toString());
        assertTrue(r.ok(), "Open vSwitch's Python flow parser must be installed (tools/install-deps: python3-openvswitch,"
            + " python3-netaddr) and accept every line:\n" + r + "\n--- dump ---\n" + dump);
        List<String> parsed = r.out().lines().toList();
        List<String> dumped = dump.lines().toList();
        assertEquals(flows.size(), dumped.size(), dump);
        assertEquals(dumped.size(), parsed.size(), "one parse per line: " + r.out());
        JsonMapper m = JsonMapper.builder().build();
        for (int i = 0; i < dumped.size(); i++) {
            JsonNode p = m.readTree(parsed.get(i));
            JsonNode ours = json.get(i);
            String line = dumped.get(i);
            assertEquals(ours.get("ufid").stringValue(), p.get("ufid").stringValue(), line);
            assertEquals(ours.get("packets").longValue(), p.get("packets").longValue(), line);
            assertEquals(ours.get("bytes").longValue(), p.get("bytes").longValue(), line);
            if (ours.get("used").isNull()) {
                assertEquals("never", p.get("used").asString(), line);
            } else {
                assertEquals(ours.get("used").doubleValue(), p.get("used").doubleValue(), 1e-9, line);
            }
            assertEquals(ours.get("dp").stringValue(), p.get("dp").stringValue(), line);
            assertEquals(ours.get("offloaded").booleanValue(), p.has("offloaded") && p.get("offloaded").stringValue().equals("yes"), line);
            // the match: OVS's attributes, in order, each with the text we hold for it
            List<String> keys = new ArrayList<>();
            ours.get("match").propertyNames().forEach(keys::add);
            assertEquals(keys, p.get("match").valueStream().map(kv -> kv.get(0).stringValue()).toList(), line);
            for (JsonNode kv : p.get("match")) {
                assertEquals(text(ours.get("match").get(kv.get(0).stringValue())), kv.get(1).stringValue(), line);
            }
            List<String> actions = ours.get("actions").valueStream().map(JsonNode::stringValue).toList();
            assertEquals(actions, p.get("actions").valueStream().map(JsonNode::stringValue).toList(), line);
        }
        String udp = flows.get(0).ufid().uuidString();
        JsonNode first = parsed.stream().map(m::readTree).filter(n -> n.get("ufid").stringValue().equals(udp)).findFirst().orElseThrow();
        assertEquals("53", first.get("udp_dst").stringValue(), "OVS decodes the value, not just the text");
    }

    /** Our JSON value back to the text inside an attribute's parentheses. */
    private static String text(JsonNode v) {
        if (v.isString()) {
            return v.stringValue();
        }
        List<String> parts = new ArrayList<>();
        v.properties().forEach(e -> parts.add(e.getKey() + "=" + text(e.getValue())));
        return String.join(",", parts);
    }
}
