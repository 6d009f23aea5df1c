package org.offloadbridge.tc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;

/** Usage errors are caught before any netlink socket is opened. */
class TcCliTest {
    private int run(ByteArrayOutputStream err, String... args) {
        return TcCli.run(args, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true));
    }

    @Test
    void usageErrorsExitTwoAndSayWhat() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(err));
        assertTrue(err.toString().contains("usage"), err.toString());
        err.reset();
        assertEquals(2, run(err, "--policy", "sometimes", "dump-flows", "x"));
        assertTrue(err.toString().contains("tc-policy 'sometimes'"), err.toString());
        err.reset();
        assertEquals(2, run(err, "--pref"));
        assertTrue(err.toString().contains("--pref needs a value"), err.toString());
        err.reset();
        assertEquals(2, run(err, "add-flow", "in_port(1)"));
        assertTrue(err.toString().contains("ACTIONS"), "names the missing parameter: " + err);
        err.reset();
        assertEquals(2, run(err, "frobnicate"));
        assertTrue(err.toString().contains("frobnicate"), err.toString());
    }

    @Test
    void policyAndPreferenceParseTheOvsSpelling() {
        assertEquals(TcPolicy.SKIP_SW, TcPolicy.parse("skip_sw"));
        assertEquals(TcPolicy.SKIP_HW, TcPolicy.parse("skip-hw"));
        assertEquals(OffloadPreference.NEVER, OffloadPreference.parse("never"));
    }

    /** #16: a namespace that does not exist is one line on stderr naming it, no stack trace. */
    @Test
    void badNetnsIsOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err, "--netns", "ob-no-such-netns-7f3a", "dump-flows", "lo"));
        String e = err.toString().strip();
        assertTrue(e.startsWith("tc-flower: netns 'ob-no-such-netns-7f3a'"), e);
        assertFalse(e.contains("\n"), "one line, not a stack trace: " + e);
        assertFalse(e.contains("\tat "), e);
        // a name that would open another path, or carries a terminal escape: refused, escaped, one line
        err.reset();
        assertEquals(1, run(err, "--netns", "../../proc/1/ns/net", "dump-flows", "lo"));
        assertEquals("tc-flower: netns '../../proc/1/ns/net': netns name '../../proc/1/ns/net' has a '/' at position 3: give the name"
            + " of a file in /run/netns (ip netns list)", err.toString().strip());
        err.reset();
        assertEquals(1, run(err, "--netns", "x\u001b[2J", "dump-flows", "lo"));
        assertTrue(err.toString().startsWith("tc-flower: netns 'x\\x1b[2J': "), err.toString());
        assertFalse(err.toString().contains("\u001b"), err.toString());
    }
}
