package org.offloadbridge.tc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * #16 bad input against the real kernel's link table (rtnetlink only — no tc needed, so the
 * build machine's kernel does): a device that does not exist is an error, not an empty dump.
 */
@Tag("host")
class TcCliHostTest {
    private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return TcCli.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void dumpFlowsOnANonexistentDeviceExitsNonZeroSayingNoSuchDevice() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(out, err, "dump-flows", "ob-nodev9"));
        assertEquals("tc-flower: no such device 'ob-nodev9'", err.toString().strip());
        assertEquals("", out.toString());
        err.reset();
        assertEquals(1, run(out, err, "dump-flows", "987654"), "an ifindex nobody has");
        assertTrue(err.toString().contains("no such device '987654'"), err.toString());
        err.reset();
        assertEquals(1, run(out, err, "del-flows", "ob-nodev9"));
        assertTrue(err.toString().contains("no such device"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
        // lo is ifindex 1 everywhere: "1" names it, other scripts' 1 does not (Integer.parseInt would take it)
        err.reset();
        assertEquals(0, run(out, err, "dump-flows", "1"), err.toString());
        assertEquals(1, run(out, err, "dump-flows", "\u0661"));
        assertEquals("tc-flower: no such device '\\u0661'", err.toString().strip());
        err.reset();
        assertEquals(1, run(out, err, "dump-flows", "lo\u001b[2J"));
        assertEquals("tc-flower: no such device 'lo\\x1b[2J'", err.toString().strip(), "escaped");
    }
}
