package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.control.ControlProtocol;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.daemon.logging.LogLevels;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.upcall.handler.Ukey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** dump-flows --json, explain by flow, trace, coverage/show and vlog/* against a daemon's state without a kernel. */
class DaemonCommandsTest {
    static final String RULES = """
        table=0,priority=20,in_port=p1,udp,tp_dst=53,actions=mod_nw_dst:10.0.0.9,output:p2
        table=0,priority=10,in_port=p1,tcp,actions=resubmit(,1)
        table=1,priority=5,tcp,tp_dst=80,actions=output:p2
        table=0,priority=1,actions=drop
        """;

    final CommandsRig rig;
    final DaemonCommands c;

    DaemonCommandsTest() throws Exception {
        rig = new CommandsRig(RULES);
        c = new DaemonCommands(rig);
    }

    /** Four flows, one in each layer. */
    List<Ukey> flows() throws Exception {
        long now = rig.now.get();
        List<Ukey> u = new ArrayList<>();
        u.add(rig.place("in_port=p1,udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=53", FlowLayer.TC_HW, Reason.NONE,
            new FlowStats(3, 294, now - 512, 0)));
        u.add(rig.place("in_port=p1,tcp,nw_dst=10.0.0.2,tp_dst=80", FlowLayer.TC_SW, Reason.CROSS_SWITCH,
            new FlowStats(10, 6000, now - 1500, 0x12)));
        u.add(rig.place("in_port=p2,udp,tp_dst=9", FlowLayer.DPDK, Reason.HW_OFFLOAD_OFF, new FlowStats(1, 60, now, 0)));
        u.add(rig.place("in_port=p2,arp,arp_tpa=10.0.0.1", FlowLayer.NONE, Reason.LAYER_UNAVAILABLE, FlowStats.ZERO));
        return u;
    }

    @Test
    void jsonIsOneObjectPerFlowWithTheDumpsData() throws Exception {
        List<Ukey> flows = flows();
        Reply r = c.dumpFlows(List.of("type=all", "--json"));
        assertEquals(ControlProtocol.OK, r.status());
        String[] lines = r.text().split("\n");
        assertEquals("[", lines[0]);
        assertEquals("]", lines[lines.length - 1]);
        assertEquals(flows.size() + 2, lines.length, "one object a line: " + r.text());
        JsonNode all = JsonMapper.builder().build().readTree(r.text());
        assertEquals(flows.size(), all.size());
        for (Ukey u : flows) {
            JsonNode f = null;
            for (JsonNode n : all) {
                if (n.get("ufid").stringValue().equals(u.ufid().uuidString())) {
                    f = n;
                }
            }
            assertTrue(f != null, "flow " + u.ufid() + " in " + r.text());
            assertEquals(u.stats().packets(), f.get("packets").longValue());
            assertEquals(u.stats().bytes(), f.get("bytes").longValue());
            assertEquals(u.layer().text(), f.get("layer").stringValue());
            assertEquals(u.layer() == FlowLayer.TC_HW, f.get("offloaded").booleanValue());
            assertEquals(u.reasonText(), f.get("reason").stringValue());
            assertEquals(u.layer() == FlowLayer.NONE ? "slow" : u.layer().dp(), f.get("dp").stringValue());
            assertTrue(f.get("actions").isArray());
            assertTrue(f.get("match").get("in_port").isString(), f.toString());
        }
        JsonNode hw = null;
        for (JsonNode n : all) {
            if (n.get("layer").stringValue().equals("tc-hw")) {
                hw = n;
            }
        }
        assertEquals("p1", hw.get("match").get("in_port").stringValue());
        assertEquals("0x0800", hw.get("match").get("eth_type").stringValue());
        assertEquals("17", hw.get("match").get("ipv4").get("proto").stringValue());
        assertEquals("0.0.0.0/0.0.0.0", hw.get("match").get("ipv4").get("dst").stringValue(), "not consulted: wildcarded");
        assertEquals("53", hw.get("match").get("udp").get("dst").stringValue());
        assertEquals(0.512, hw.get("used").doubleValue(), 1e-9);
        assertEquals(List.of("set(ipv4(dst=10.0.0.9))", "p2"), List.of(hw.get("actions").get(0).stringValue(),
            hw.get("actions").get(1).stringValue()));
    }

    @Test
    void upcallShowSaysHowManyMissesWereLostBeforeAHandler() {
        assertTrue(c.upcallShow().contains("lost before a handler: 0 (upcall queue full 0, miss socket full 0)\n"), c.upcallShow());
        rig.drops = new DaemonView.UpcallDrops(7, 30);
        assertTrue(c.upcallShow().contains("lost before a handler: 37 (upcall queue full 7, miss socket full 30)\n"), c.upcallShow());
    }

    @Test
    void checkSaysWhatItJudgedAndTakesNoArguments() throws Exception {
        flows();
        var r = c.check(List.of());
        assertEquals(0, r.status(), r.text());
        assertTrue(r.text().startsWith("consistent: ") && r.text().contains("tc not checked, dpdk not checked"), r.text());
        assertEquals(2, c.check(List.of("now")).status());
    }

    @Test
    void jsonOfNoFlowsIsAnEmptyArray() {
        assertEquals("[]\n", c.dumpFlows(List.of("--json")).text());
    }

    @Test
    void explainFindsAFlowByItsMatchAsWellAsByUfid() throws Exception {
        List<Ukey> flows = flows();
        Ukey tcp = flows.get(1);
        String byUfid = c.explain(List.of(tcp.ufid().uuidString())).text();
        assertTrue(byUfid.contains("where: tc, in kernel software"), byUfid);
        assertTrue(byUfid.contains("why: cross-switch"), byUfid);
        Reply byFlow = c.explain(List.of("in_port(p1),eth_type(0x0800),ipv4(proto=6),tcp(dst=80)"));
        assertEquals(ControlProtocol.OK, byFlow.status(), byFlow.text());
        assertEquals(byUfid, byFlow.text(), "the one flow that agrees with the fields given");
        String dumpLine = c.dumpFlows(List.of("type=tc", "-m")).text().lines().filter(l -> l.contains("tcp(")).findFirst().orElseThrow();
        assertEquals(byUfid, c.explain(List.of(dumpLine)).text(), "a whole dump line, by its ufid");
        String noUfidLine = c.dumpFlows(List.of("type=tc")).text().lines().filter(l -> l.contains("tcp(")).findFirst().orElseThrow();
        assertEquals(byUfid, c.explain(List.of(noUfidLine)).text(), "a dump line without ufid, by its match");
        Reply several = c.explain(List.of("in_port(p1)"));
        assertEquals(2, several.text().split("\nflow ").length, "both flows from p1: " + several.text());
        Reply none = c.explain(List.of("in_port(p1),eth_type(0x86dd)"));
        assertEquals(ControlProtocol.FAILED, none.status());
        assertEquals(ControlProtocol.FAILED, c.explain(List.of("ufid:00000000-0000-0000-0000-000000000001")).status());
    }

    @Test
    void traceWalksTheTablesAndSaysWhereTheMegaflowWouldGo() {
        Reply r = c.trace(List.of("in_port=p1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1234,tp_dst=80"));
        assertEquals(ControlProtocol.OK, r.status(), r.text());
        String want = """
            Flow: tcp,in_port=p1,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1234,tp_dst=80

             0. priority=10,tcp,in_port=p1 (rules file line 2)
                resubmit(,1)
                 1. priority=5,tcp,tp_dst=80 (rules file line 3)
                    output:p2

            Datapath actions: p2
            """;
        assertTrue(r.text().startsWith(want), r.text());
        assertTrue(r.text().contains("Megaflow: recirc_id(0),in_port(p1),"), r.text());
        assertTrue(r.text().contains("tcp(dst=80)"), "the megaflow pins tp_dst: " + r.text());
        assertTrue(r.text().contains("Placement (hw-offload=true, tc-policy=none): tc (hardware when it can, else kernel software),"
            + " else the DPDK datapath"), r.text());
        assertTrue(r.text().contains("Installed now: no"), r.text());

        Reply miss = c.trace(List.of("in_port=p2,udp,tp_dst=7"));
        assertTrue(miss.text().contains(" 0. priority=1 (rules file line 4)\n    drop\n"), miss.text());
        assertTrue(miss.text().contains("Datapath actions: drop"), miss.text());
    }

    /** A rule loop: trace says its megaflow installs as a drop flow, explain of that flow says why it drops. */
    @Test
    void aRuleLoopIsTracedAndItsDropFlowExplained() throws Exception {
        CommandsRig loopRig = new CommandsRig("""
            table=0,priority=10,in_port=p1,tcp,actions=resubmit(,1)
            table=0,priority=1,actions=drop
            table=1,actions=resubmit(,0)
            """);
        DaemonCommands lc = new DaemonCommands(loopRig);
        String flow = "in_port=p1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1234,tp_dst=80";
        String trace = lc.trace(List.of(flow)).text();
        assertTrue(trace.contains("Translation failed: over 64 nested resubmit/goto_table (a rule loop?) (the packet is dropped,"
            + " and the megaflow below is installed as a drop flow, as OVS installs one)\n"), trace);
        assertTrue(trace.contains("Datapath actions: drop"), trace);
        Ukey u = loopRig.place(flow, FlowLayer.TC_HW, Reason.NONE, FlowStats.ZERO);
        String why = lc.explain(List.of(u.ufid().uuidString())).text();
        assertTrue(why.contains("  actions: drop\n"), why);
        assertTrue(why.contains("  drops because translation failed: over 64 nested resubmit/goto_table (a rule loop?)\n"), why);
        assertTrue(why.contains("rules file line 1: ") && why.contains("rules file line 3: "), why);
        assertEquals(3, why.split("rules file line ").length, "each rule of the loop once: " + why);

        Ukey plain = rig.place("in_port=p2,udp,tp_dst=7", FlowLayer.TC_HW, Reason.NONE, FlowStats.ZERO);
        String noRule = c.explain(List.of(plain.ufid().uuidString())).text();
        assertTrue(noRule.contains("  actions: drop\n") && !noRule.contains("translation failed"), "a drop rule's flow: " + noRule);
    }

    @Test
    void traceSaysWhenTheFlowIsInstalledAlready() throws Exception {
        Ukey u = flows().get(0);
        Reply r = c.trace(List.of("in_port=p1,udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=53"));
        assertTrue(r.text().contains("Installed now: yes, in tc-hw"), r.text());
        assertTrue(r.text().contains("Megaflow ufid: " + u.ufid().uuidString()), r.text());
    }

    @Test
    void coverageListsEveryCounterOfEveryRecord() throws Exception {
        Reply r = c.coverageShow(List.of(), null);
        assertTrue(r.text().startsWith("Event coverage"), r.text());
        for (String name : new String[] {"upcall_upcalls", "upcall_misses", "upcall_slow_path_packets", "upcall_internal_errors",
                "upcall_by_reason_cross_switch", "upcall_by_reason_hw_offload_false", "upcall_by_layer_tc_hw", "upcall_by_layer_none"}) {
            assertTrue(r.text().lines().anyMatch(l -> l.startsWith(name + " ") && l.endsWith("total: 0")), name + " in " + r.text());
            assertEquals(0, r.json().get(name).longValue());
        }
        assertTrue(r.text().contains("events never hit"), r.text());
    }

    @Test
    void vlogSetsLevelsLive() {
        String before = LogLevels.root();
        try {
            assertEquals(ControlProtocol.OK, c.vlogSet(List.of("revalidator:debug")).status());
            assertEquals(ControlProtocol.USAGE, c.vlogSet(List.of("nosuchmodule:debug")).status());
            String list = LogLevels.list();
            assertTrue(list.lines().anyMatch(l -> l.startsWith("org.offloadbridge.revalidator ") && l.contains("debug (set)")), list);
            assertTrue(org.slf4j.LoggerFactory.getLogger("org.offloadbridge.revalidator.Revalidator").isDebugEnabled());
            assertEquals(ControlProtocol.OK, c.vlogSet(List.of("ANY:console:warn")).status());
            assertEquals("warn", LogLevels.root());
            assertFalse(org.slf4j.LoggerFactory.getLogger("org.offloadbridge.daemon.X").isInfoEnabled());
            assertEquals(ControlProtocol.OK, c.vlogSet(List.of("dbg")).status());
            assertEquals("debug", LogLevels.root());
        } finally {
            LogLevels.set("revalidator:info");
            LogLevels.setRoot(before);
        }
    }
}
