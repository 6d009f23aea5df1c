package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.CommandsRig.Obctl;
import org.offloadbridge.flow.DpFlow;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.PortNames;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code obctl dump-flows} of 100,000 flows through a real control socket, as the dump-flows
 * benchmark (benchmarks/…/control/DumpFlowsBenchmark) runs it: every flow comes back, one line
 * each, and each line is a flow line — so the benchmark cannot be timing an error reply.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DumpFlowsAtScaleTest {
    static final int FLOWS = 100_000;
    static final PortNames NAMES = PortNames.of(java.util.Map.of(1, "p1", 2, "p2"));
    /** used: as OVS prints it: never, or seconds with three digits of milliseconds. */
    static final Pattern USED = Pattern.compile(", used:(never|[0-9]+\\.[0-9]{3}s),");

    CommandsRig rig;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        rig = new CommandsRig("priority=1,actions=drop\n");
        assertEquals(FLOWS, rig.flows(FLOWS));
        rig.serve(dir);
    }

    @AfterAll
    void stop() {
        rig.close();
    }

    private String[] dump(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "dump-flows";
        System.arraycopy(args, 0, argv, 1, args.length);
        Obctl r = rig.obctl(argv);
        assertEquals(0, r.status(), "exit status; stderr: " + r.err());
        assertEquals("", r.err());
        assertTrue(r.out().endsWith("\n"), "whole lines");
        return r.out().split("\n", -1);
    }

    @Test
    void verboseDumpIsOneFlowLinePerFlowEachWithItsOwnUfid() {
        String[] lines = dump("type=all", "-m");
        assertEquals(FLOWS + 1, lines.length, "100,000 lines and the empty string after the last newline");
        assertEquals("", lines[FLOWS]);
        Set<String> ufids = new HashSet<>();
        int hw = 0;
        int slow = 0;
        for (int i = 0; i < FLOWS; i++) {
            String l = lines[i];
            assertTrue(l.startsWith("ufid:") && l.contains(", packets:") && l.contains(", actions:"), "line " + i + ": " + l);
            assertTrue(USED.matcher(l).find(), "line " + i + ": " + l);
            ufids.add(l.substring(0, l.indexOf(',')));
            hw += l.contains(", offloaded:yes, dp:tc, actions:") ? 1 : 0;
            slow += l.contains(", dp:slow, actions:") ? 1 : 0;
        }
        assertEquals(FLOWS, ufids.size(), "distinct flows");
        assertEquals(FLOWS / 4, hw, "one flow in four in NIC hardware");
        assertEquals(FLOWS / 4, slow, "one flow in four in no layer, dp:slow");
        for (int i = 0; i < FLOWS; i += 9_973) { // every line parses; a sample is parsed back, to keep the test short
            DpFlow f = FlowParser.parseFlow(lines[i], NAMES);
            assertTrue(f.ufid() != null, lines[i]);
        }
    }

    @Test
    void plainDumpIsOneFlowLinePerFlow() {
        String[] lines = dump("type=all");
        assertEquals(FLOWS + 1, lines.length);
        for (int i = 0; i < FLOWS; i++) {
            assertTrue(lines[i].startsWith("recirc_id(0),in_port(p") && lines[i].contains(", packets:"), "line " + i + ": " + lines[i]);
            assertTrue(USED.matcher(lines[i]).find(), "line " + i + ": " + lines[i]);
        }
    }

    @Test
    void defaultDumpLeavesOutTheSlowPathQuarter() {
        assertEquals(FLOWS * 3 / 4 + 1, dump().length, "the rig deals one flow in four to no layer: plain dump-flows leaves those out");
    }

    @Test
    void jsonDumpIsAnArrayOfEveryFlow() {
        String[] lines = dump("type=all", "--json");
        assertEquals(FLOWS + 3, lines.length, "[, one object a line, ], and the empty string after the last newline");
        JsonNode all = JsonMapper.builder().build().readTree(String.join("\n", lines));
        assertEquals(FLOWS, all.size());
        for (JsonNode f : all) {
            assertTrue(f.get("ufid").isString() && f.get("packets").isNumber(), f.toString());
        }
    }
}
