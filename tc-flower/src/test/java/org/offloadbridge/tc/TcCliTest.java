package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

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
    }

    @Test
    void policyAndPreferenceParseTheOvsSpelling() {
        assertEquals(TcPolicy.SKIP_SW, TcPolicy.parse("skip_sw"));
        assertEquals(TcPolicy.SKIP_HW, TcPolicy.parse("skip-hw"));
        assertEquals(OffloadPreference.NEVER, OffloadPreference.parse("never"));
    }
}
