package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.CommandsRig.Obctl;

/**
 * obctl's argument handling for every command, end to end over a real control socket: bad
 * arguments exit 2 with a message naming the argument, {@code COMMAND --help} is answered by the
 * daemon with the usage line, a command the daemon cannot satisfy exits 1, and add-flows /
 * replace-flows read FILE in obctl.
 */
class ObctlArgsTest {
    @TempDir
    Path dir;
    CommandsRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = new CommandsRig("priority=1,actions=drop\n").serve(dir);
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private void usage(String naming, String... args) {
        Obctl r = rig.obctl(args);
        assertEquals(2, r.status(), String.join(" ", args) + " → " + r);
        assertTrue(r.err().contains(naming), String.join(" ", args) + " should name " + naming + ": " + r.err());
        assertTrue(r.err().startsWith("obctl: " + args[0] + ": "), r.err());
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheArgument() {
        usage("missing RULE", "add-flow");
        usage("\"actions=drop\"", "add-flow", "priority=1", "actions=drop");
        usage("\"--bogus\"", "add-flow", "--bogus");
        usage("unknown port \"p9\"", "add-flow", "in_port=p9,actions=drop");
        usage("missing FILE", "add-flows");
        usage("\"b\"", "add-flows", "a", "b");
        usage("\"b\"", "replace-flows", "a", "b");
        usage("\"--bogus\"", "del-flows", "--bogus");
        usage("\"b\"", "del-flows", "a", "b");
        usage("unknown field \"foo\"", "del-flows", "foo=1");
        usage("no actions", "del-flows", "in_port=p1,actions=drop");
        usage("\"--json\"", "dump-rules", "--json");
        usage("unknown port \"p9\"", "dump-rules", "in_port=p9");
        usage("\"--bogus\"", "dump-flows", "--bogus");
        usage("type=bad", "dump-flows", "type=bad");
        usage("missing UFID or FLOW", "explain");
        usage("\"b\"", "explain", "a", "b");
        usage("\"zzz\"", "explain", "zzz");
        usage("missing FLOW", "trace");
        usage("has a mask", "trace", "in_port=p1,udp,tp_dst=53/0xff");
        usage("in_port", "trace", "udp,tp_dst=53");
        usage("\"b\"", "trace", "in_port=p1", "b");
        usage("\"x\"", "coverage/show", "x");
        usage("missing [MODULE:]LEVEL", "vlog/set");
        usage("\"loud\"", "vlog/set", "revalidator:loud");
        usage("\"nosuchmodule\"", "vlog/set", "nosuchmodule:debug");
        usage("\"x\"", "vlog/list", "x");
        usage("\"x\"", "upcall/show", "x");
        usage("\"x\"", "dpif/show", "x");
        usage("KEY=VALUE", "set");
        usage("\"foo\"", "set", "foo=1");
    }

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        for (String cmd : List.of("add-flow", "add-flows", "del-flows", "replace-flows", "dump-rules", "dump-flows", "explain",
                "trace", "upcall/show", "dpif/show", "coverage/show", "set", "vlog/set", "vlog/list", "list-commands")) {
            Obctl r = rig.obctl(cmd, "--help");
            assertEquals(0, r.status(), cmd + ": " + r);
            assertTrue(r.out().startsWith("usage: obctl " + cmd), r.out());
            Obctl listed = rig.obctl("list-commands");
            assertTrue(listed.out().contains("  " + cmd), cmd + " in " + listed.out());
        }
    }

    @Test
    void aCommandThatCannotBeSatisfiedFails() {
        Obctl r = rig.obctl("explain", "00000000-0000-0000-0000-000000000001");
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.err().contains("no flow with ufid"), r.err());
        Obctl tc = rig.obctl("set", "tc-policy=hw");
        assertEquals(1, tc.status(), "a value the setting refuses: " + tc);
    }

    @Test
    void obctlReadsTheRulesFileItselfAndSaysWhenItCannot() throws Exception {
        Path f = dir.resolve("more.of");
        Files.writeString(f, "priority=5,in_port=p1,actions=output:p2\npriority=6,in_port=p2,actions=output:p1\n");
        Obctl ok = rig.obctl("add-flows", f.toString());
        assertEquals(0, ok.status(), ok.toString());
        assertEquals(3, rig.pipeline.rules().size());
        Obctl missing = rig.obctl("replace-flows", dir.resolve("nope.of").toString());
        assertEquals(1, missing.status(), missing.toString());
        assertTrue(missing.err().contains("nope.of: no such file"), missing.err());
        Files.writeString(f, "priority=5,in_port=p1,actions=output:p2\nin_port=p7,actions=drop\n");
        Obctl bad = rig.obctl("replace-flows", f.toString());
        assertEquals(1, bad.status(), bad.toString());
        assertTrue(bad.err().contains(f + ":2:9: unknown port \"p7\""), "FILE:line:column names the operator's file: " + bad.err());
        assertEquals(3, rig.pipeline.rules().size(), "nothing changed");
        Obctl dump = rig.obctl("dump-rules");
        assertEquals(3, dump.out().lines().count(), dump.out());
    }

    /** Issue 16: obctl reads FILE wherever --allow-empty stands; an empty FILE is refused without it. */
    @Test
    void replaceFlowsWithAnEmptyFileNeedsAllowEmpty() throws Exception {
        Path empty = dir.resolve("empty.of");
        Files.writeString(empty, "");
        Obctl refused = rig.obctl("replace-flows", empty.toString());
        assertEquals(1, refused.status(), refused.toString());
        assertTrue(refused.err().startsWith("obctl: replace-flows: " + empty + ": no rules in it"), refused.err());
        assertTrue(refused.err().contains("needs obctl replace-flows --allow-empty FILE"), refused.err());
        assertEquals(1, rig.pipeline.rules().size(), "nothing changed");
        usage("\"--allow-empty\"", "add-flows", "--allow-empty", empty.toString());
        Obctl forced = rig.obctl("replace-flows", empty.toString(), "--allow-empty");
        assertEquals(0, forced.status(), forced.toString());
        assertEquals(0, rig.pipeline.rules().size());
        Files.writeString(empty, "priority=3,actions=drop\n");
        assertEquals(0, rig.obctl("replace-flows", "--allow-empty", empty.toString()).status(), "obctl read FILE after the option");
        assertEquals(1, rig.pipeline.rules().size());
    }

    /** Issue 16: picocli read -T ١٠ as 10 seconds. */
    @Test
    void theTimeoutIsAsciiDigits() {
        Obctl r = rig.obctl("-T", "\u0661\u0660", "list-commands");
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("'\\u0661\\u0660' is not a number: non-ASCII digit U+0661 at position 1: numbers are ASCII 0-9"), r.err());
        assertEquals(0, rig.obctl("-T", "10", "list-commands").status());
    }
}
