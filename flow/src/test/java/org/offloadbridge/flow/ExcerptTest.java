package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** What a message may echo of bad input (issue #16): bounded, every non-printable escaped. */
class ExcerptTest {
    private static void assertPrintable(String s) {
        for (char c : s.toCharArray()) {
            assertTrue(c == '\n' || c == '…' || (c >= 0x20 && c < 0x7f), "raw character U+" + Integer.toHexString(c) + " in " + s);
        }
    }

    @Test
    void tidyEscapesControlAndNonAsciiAndCutsLongTokensOnly() {
        assertEquals("unknown port \"p1\"", Excerpt.tidy("unknown port \"p1\""));
        assertEquals("bad \"a\\nb\\tc\\x1b[2J\\x00\\x7f\\u0661\\\\\"", Excerpt.tidy("bad \"a\nb\tc\u001b[2J\u0000\u007f\u0661\\\""));
        String huge = "unknown port \"" + "x".repeat(2_000_000) + "yz\" (ovs-ofctl: no such port)";
        String t = Excerpt.tidy(huge);
        assertEquals("unknown port \"" + "x".repeat(59) + "…" + "x".repeat(13) + "yz\" (ovs-ofctl: no such port)", t);
        // a token of exactly MAX_TOKEN stays whole, one more is cut
        String edge = "y".repeat(Excerpt.MAX_TOKEN);
        assertEquals(edge + " \\n", Excerpt.tidy(edge + " \n"));
        assertTrue(Excerpt.tidy("z".repeat(Excerpt.MAX_TOKEN + 1)).contains("…"));
        assertPrintable(Excerpt.tidy("\u001b]0;pwned\u0007" + "\u2028".repeat(500)));
        // a message that already quotes a cut excerpt keeps its …
        assertEquals("column 9: unknown port in 'in_port(x),eth_type(0x…'", Excerpt.tidy("column 9: unknown port in 'in_port(x),eth_type(0x…'"));
    }

    @Test
    void pointAtShowsAtMostTheRadiusAroundTheColumnWithTheCaretUnderIt() {
        assertEquals("  in_port=p9,actions=drop\n          ^\n", Excerpt.pointAt("in_port=p9,actions=drop", 9, 40, "  "));
        String line = "a".repeat(1000) + "\u001bX" + "b".repeat(1000);
        String p = Excerpt.pointAt(line, 1001, 10, "");
        String[] two = p.split("\n");
        assertEquals("…" + "a".repeat(10) + "\\x1bX" + "b".repeat(8) + "…", two[0]);
        assertEquals(" ".repeat(11) + "^", two[1], "the caret is under the escaped character");
        assertPrintable(p);
        // past the end: the caret after the last character
        assertEquals("ab\n  ^\n", Excerpt.pointAt("ab", 3, 5, ""));
    }

    @Test
    void ufidTakesAsciiHexOnlyAndQuotesBoundedEscapedText() {
        String good = "ufid:5efba054-d68f-4ac3-a585-4d3fbf4d87ae";
        assertEquals(0xa5854d3fbf4d87aeL, Ufid.parse(good).lo());
        // fullwidth 'e' (U+FF45) and Arabic-Indic 5 read as hex digits by Character.digit
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ufid.parse(good.replace("87ae", "87a\uff45")));
        assertTrue(e.getMessage().contains("expected an ASCII hex digit at column 41"), e.getMessage());
        assertTrue(e.getMessage().endsWith("got '\\uff45'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ufid.parse(good.replace("5efba054", "\u0665efba054")));
        assertTrue(e.getMessage().contains("column 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ufid.parse("ufid:" + "\u001b[2J".repeat(100_000)));
        assertTrue(e.getMessage().length() < 300, e.getMessage().length() + " chars");
        assertTrue(e.getMessage().contains("got 400000 in 'ufid:\\x1b[2J"), e.getMessage());
        assertPrintable(e.getMessage());
    }
}
