package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class AsciiNumberTest {
    private static void refused(String s, String message) {
        NumberFormatException e = assertThrows(NumberFormatException.class, () -> AsciiNumber.parseLong(s), s);
        assertEquals(message, e.getMessage());
    }

    @Test
    void otherScriptsDigitsSignsAndGarbageAreRefusedNamingThePosition() {
        assertEquals(9477, AsciiNumber.parseInt("9477"));
        assertEquals(-5, AsciiNumber.parseLong("-5"));
        assertEquals(9477, Integer.parseInt("\u0669\u0664\u0667\u0667"), "what the JDK does");
        refused("\u0669\u0664\u0667\u0667", "non-ASCII digit U+0669 at position 1: numbers are ASCII 0-9");
        refused("1\uff10", "non-ASCII digit U+FF10 at position 2: numbers are ASCII 0-9");
        refused("+5", "'+' at position 1 is not a digit");
        refused("12\u001b", "'\\x1b' at position 3 is not a digit");
        refused("0x10", "'x' at position 2 is not a digit");
        refused("", "no digits");
        refused("-", "no digits after '-'");
        refused("99999999999999999999", "\"99999999999999999999\" does not fit 64 bits");
        NumberFormatException e = assertThrows(NumberFormatException.class, () -> AsciiNumber.parseInt("4294967296"));
        assertEquals("\"4294967296\" does not fit 32 bits", e.getMessage());
        assertTrue(AsciiNumber.isDigits("0123"));
        assertFalse(AsciiNumber.isDigits("\u0663"));
        assertFalse(AsciiNumber.isDigits(""));
    }
}
