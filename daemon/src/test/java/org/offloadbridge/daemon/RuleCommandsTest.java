package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.control.ControlProtocol;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.upcall.pipeline.Rule;

/** add-flow, add-flows, del-flows, replace-flows and dump-rules against a pipeline, as ovs-ofctl has them. */
class RuleCommandsTest {
    final CommandsRig rig;
    final RuleCommands c;

    RuleCommandsTest() throws Exception {
        rig = new CommandsRig("");
        c = new RuleCommands(rig.pipeline, rig.clock);
    }

    private List<String> rules() {
        return rig.pipeline.rules().stream().map(Rule::toOfctlString).toList();
    }

    /**
     * The lines of ovs-ofctl 3.1's {@code --names dump-flows} for the same rules, counters and ages
     * (captured as upcall-handler's RuleFormatTest says: a private ovs-vswitchd, dummy ports p1 and p2).
     */
    @Test
    void dumpRulesPrintsWhatOvsOfctlDumpFlowsPrints() {
        c.addFlow(List.of("priority=10,in_port=p1 actions=output:p2"));
        rig.now.addAndGet(1768 - 1727);
        c.addFlow(List.of("cookie=0x1f,table=1,priority=200,udp,nw_dst=10.0.0.0/24,tp_dst=53 actions=drop"));
        rig.now.addAndGet(1727 - 1605);
        c.addFlow(List.of("priority=0 actions=NORMAL"));
        rig.now.addAndGet(1605);
        rig.pipeline.rules().get(0).count(1, 106);
        assertEquals("""
             cookie=0x0, duration=1.768s, table=0, n_packets=1, n_bytes=106, priority=10,in_port=p1 actions=output:p2
             cookie=0x0, duration=1.605s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL
             cookie=0x1f, duration=1.727s, table=1, n_packets=0, n_bytes=0, priority=200,udp,nw_dst=10.0.0.0/24,tp_dst=53 actions=drop
            """, c.dumpRules(List.of()).text());
        assertEquals("""
             cookie=0x1f, table=1, priority=200,udp,nw_dst=10.0.0.0/24,tp_dst=53 actions=drop
            """, c.dumpRules(List.of("--no-stats", "udp")).text(), "MATCH narrows as del-flows selects");
    }

    @Test
    void addFlowAddsAtRuntimeAndSaysItIsNotWrittenBack() {
        Reply r = c.addFlow(List.of("priority=10,in_port=p1,actions=output:p2"));
        assertEquals(ControlProtocol.OK, r.status());
        assertTrue(r.text().contains("runtime only") && r.text().contains("reload"), r.text());
        assertEquals(1, rig.pipeline.rules().size());
        Reply bad = c.addFlow(List.of("priority=10,in_port=p9,actions=output:p2"));
        assertEquals(ControlProtocol.USAGE, bad.status());
        assertTrue(bad.text().contains("unknown port \"p9\"") && bad.text().contains("column 21"), bad.text());
        assertEquals(1, rig.pipeline.rules().size(), "a bad rule changes nothing");
    }

    @Test
    void addFlowsIsAllOrNothingAndListsEveryBadLine() {
        c.addFlow(List.of("priority=1,actions=drop"));
        Reply bad = c.addFlows(List.of("new.of"), "priority=5,in_port=p1,actions=output:p2\nfoo=1,actions=drop\n# ok\n"
            + "priority=6,in_port=p3,actions=drop\n");
        assertEquals(ControlProtocol.FAILED, bad.status());
        assertTrue(bad.text().contains("new.of:2:1: unknown field \"foo\""), bad.text());
        assertTrue(bad.text().contains("new.of:4:20: unknown port \"p3\""), bad.text());
        assertTrue(bad.text().contains("2 errors; nothing changed"), bad.text());
        assertEquals(List.of("table=0, priority=1 actions=drop"), rules());
        Reply ok = c.addFlows(List.of("new.of"), "priority=5,in_port=p1,actions=output:p2\npriority=1,actions=output:p1\n");
        assertEquals(ControlProtocol.OK, ok.status(), ok.text());
        assertTrue(ok.text().startsWith("2 rules added"), ok.text());
        assertEquals(List.of("table=0, priority=5,in_port=1 actions=output:1", "table=0, priority=1 actions=output:1").size(),
            rules().size(), "the second replaced the rule of the same priority and match: " + rules());
    }

    @Test
    void delFlowsDeletesWhatTheMatchCovers() {
        c.addFlows(List.of("x"), """
            priority=10,in_port=p1,tcp,tp_dst=80,actions=output:p2
            priority=20,in_port=p1,udp,actions=output:p2
            priority=30,in_port=p2,actions=output:p1
            table=1,priority=10,in_port=p1,actions=drop
            priority=1,actions=drop
            """);
        assertEquals("2 rules deleted", c.delFlows(List.of("table=0,in_port=p1")).text().substring(0, 15));
        assertEquals(3, rig.pipeline.rules().size());
        assertEquals(0, Integer.parseInt(c.delFlows(List.of("--strict", "in_port=p2")).text().split(" ")[0]), "strict: priority 32768");
        assertEquals(1, Integer.parseInt(c.delFlows(List.of("--strict", "priority=30,in_port=p2")).text().split(" ")[0]));
        assertEquals(2, Integer.parseInt(c.delFlows(List.of()).text().split(" ")[0]), "no match: every rule");
        assertEquals(List.of(), rules());
    }

    @Test
    void replaceFlowsIsAtomicAndKeepsTheCountersOfUnchangedRules() {
        c.addFlows(List.of("a"), "priority=10,in_port=p1,actions=output:p2\npriority=5,in_port=p2,actions=output:p1\n");
        Rule kept = rig.pipeline.rules().get(0);
        kept.count(7, 700);
        Reply bad = c.replaceFlows(List.of("b"), "priority=10,in_port=p1,actions=output:p2\nbogus\n");
        assertEquals(ControlProtocol.FAILED, bad.status());
        assertEquals(2, rig.pipeline.rules().size(), "nothing changed");
        Reply r = c.replaceFlows(List.of("b"), "priority=10,in_port=p1,actions=output:p2\npriority=1,actions=drop\n");
        assertEquals(ControlProtocol.OK, r.status(), r.text());
        assertTrue(r.text().startsWith("rules replaced: 2 now, 1 of them unchanged"), r.text());
        assertSame(kept.stats(), rig.pipeline.rules().get(0).stats());
        assertTrue(c.dumpRules(List.of("in_port=p1")).text().contains("n_packets=7, n_bytes=700"), c.dumpRules(List.of()).text());
    }

    /** Issue 16: a request that names a file without sending its text makes the daemon read nothing. */
    @Test
    void aRequestNamingAFileWithoutItsTextIsRefusedAndNothingIsRead() throws Exception {
        java.nio.file.Path secret = java.nio.file.Files.createTempFile("secret", ".of");
        try {
            java.nio.file.Files.writeString(secret, "priority=1,a secret line\n");
            for (Reply r : List.of(c.replaceFlows(List.of(secret.toString()), null), c.addFlows(List.of(secret.toString()), null))) {
                assertEquals(ControlProtocol.USAGE, r.status(), r.text());
                assertTrue(r.text().contains("the daemon does not read"), r.text());
                assertTrue(!r.text().contains("a secret line"), r.text());
            }
            assertEquals(0, rig.pipeline.rules().size(), "nothing changed");
        } finally {
            java.nio.file.Files.delete(secret);
        }
    }

    /** Issue 16: an empty (or truncated, or comments-only) FILE would silently remove every rule. */
    @Test
    void replaceFlowsRefusesAnEmptyFileUnlessAllowEmptyIsGiven() {
        c.addFlows(List.of("a"), "priority=10,in_port=p1,actions=output:p2\npriority=5,in_port=p2,actions=output:p1\n");
        for (String empty : List.of("", "\n\n", "# all gone\n  # really\n")) {
            Reply r = c.replaceFlows(List.of("rules.of"), empty);
            assertEquals(ControlProtocol.FAILED, r.status(), r.text());
            assertEquals("rules.of: no rules in it (empty, or only blank lines and comments): replacing the 2 rules loaded now"
                + " with none needs obctl replace-flows --allow-empty FILE (obctl del-flows deletes every rule too); nothing changed\n",
                r.text());
            assertEquals(2, rig.pipeline.rules().size(), "nothing changed");
        }
        Reply usage = c.replaceFlows(List.of("--allow-empties", "rules.of"), "");
        assertEquals(ControlProtocol.USAGE, usage.status());
        assertTrue(usage.text().contains("unknown option \"--allow-empties\""), usage.text());
        Reply r = c.replaceFlows(List.of("--allow-empty", "rules.of"), "# all gone\n");
        assertEquals(ControlProtocol.OK, r.status(), r.text());
        assertTrue(r.text().startsWith("rules replaced: 0 now, 0 of them unchanged (their counters kept), 2 removed"), r.text());
        assertEquals(List.of(), rules());
        // nothing loaded: nothing to lose, no flag needed
        assertEquals(ControlProtocol.OK, c.replaceFlows(List.of("rules.of"), "").status());
        // the flag changes nothing for a file with rules
        assertEquals(ControlProtocol.OK, c.replaceFlows(List.of("rules.of", "--allow-empty"), "priority=1,actions=drop\n").status());
        assertEquals(1, rig.pipeline.rules().size());
    }

    /** A rule of 40 KB with a terminal escape: the reply shows 80 characters around the column, escaped, and a caret. */
    @Test
    void aBadRuleIsShownAsAShortEscapedExcerptWithACaret() {
        String rule = "priority=10,in_port=p1,actions=" + "output:p2,".repeat(4000) + "\u001b[2Jbogus";
        Reply r = c.addFlow(List.of(rule));
        assertEquals(ControlProtocol.USAGE, r.status());
        String[] lines = r.text().split("\n");
        assertEquals(3, lines.length, r.text());
        assertTrue(lines[0].startsWith("RULE column " + (rule.length() - 8) + ": unknown action or port \"\\x1b[2Jbogus\""), lines[0]);
        assertEquals("  …" + "output:p2,".repeat(4) + "\\x1b[2Jbogus", lines[1]);
        assertEquals("  " + " ".repeat(41) + "^", lines[2]);
    }
}
