package org.offloadbridge.flow;

import java.util.Locale;

/**
 * Decimal numbers from outside text (config values, CLI arguments, device indexes), ASCII
 * digits only. {@code Integer.parseInt}, {@code Long.parseLong} and picocli's converters read
 * other scripts' digits too ({@code ٩٤٧٧} is 9477, fullwidth {@code １０} is 10): a value
 * pasted from a document would mean something other than what it shows, and ovs-vsctl,
 * ip and tc (strtol in the C locale) refuse them. The datapath-flow and rule parsers have
 * their own readers with the same rule.
 */
public final class AsciiNumber {
    private AsciiNumber() {
    }

    /**
     * {@code [-]DIGITS}, ASCII only. The {@link NumberFormatException}'s message says what is
     * wrong and where (1-based position): {@code non-ASCII digit U+0661 at position 2}.
     */
    public static long parseLong(String s) {
        String why = whyNot(s);
        if (why != null) {
            throw new NumberFormatException(why);
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("\"" + s + "\" does not fit 64 bits");
        }
    }

    /** As {@link #parseLong}, for a number that must fit an int. */
    public static int parseInt(String s) {
        long v = parseLong(s);
        if (v != (int) v) {
            throw new NumberFormatException("\"" + s + "\" does not fit 32 bits");
        }
        return (int) v;
    }

    /** Whether {@code s} is one or more ASCII digits and nothing else. */
    public static boolean isDigits(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Null when {@code s} is {@code [-]DIGITS} in ASCII, else what is wrong and where. */
    static String whyNot(String s) {
        if (s.isEmpty()) {
            return "no digits";
        }
        int start = s.charAt(0) == '-' ? 1 : 0;
        if (start == s.length()) {
            return "no digits after '-'";
        }
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                continue;
            }
            if (c > 0x7f && Character.isDigit(c)) {
                return String.format(Locale.ROOT, "non-ASCII digit U+%04X at position %d: numbers are ASCII 0-9", (int) c, i + 1);
            }
            return "'" + Excerpt.escape(String.valueOf(c), 1) + "' at position " + (i + 1) + " is not a digit";
        }
        return null;
    }
}
