package org.offloadbridge.switchdev.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Counts are ASCII (issue 16): refused before any device is touched, saying which character. */
class SwitchdevCliArgsTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = SwitchdevCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(rc), out.toString(), err.toString()};
    }

    @Test
    void countsInOtherScriptsDigitsOrWithASignAreUsageErrors() {
        String[] r = run("vfs", "nosuch0", "\u0662");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("'\\u0662' is not a count: non-ASCII digit U+0662 at position 1 (ASCII digits 0-9 only)"), r[2]);
        r = run("vfs", "nosuch0", "-1");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("'-1' is not a count: '-' at position 1"), r[2]);
        r = run("watch", "--seconds", "1\uff10");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("non-ASCII digit U+FF10 at position 2"), r[2]);
        assertEquals(7, new SwitchdevCli.AsciiCount().convert("7"));
    }
}
