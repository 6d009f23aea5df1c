package org.offloadbridge.flow;

/**
 * The lexer under {@link FlowParser}, {@link MatchParser} and {@link ActionsParser}: a position
 * in one line of datapath-flow text, the token scanners, and the value readers (numbers, MACs,
 * IPv4, IPv6, 128-bit hex) they share.
 *
 * <p>Numbers and addresses are ASCII only, as OVS reads them ({@code strtoull}, {@code sscanf}
 * and {@code inet_pton} in the C locale): digits {@code 0-9}, hex digits {@code a-f A-F} after
 * {@code 0x} and in MACs, IPv6 groups and labels. Java's {@code Character.digit} and
 * {@code Long.parseLong} also take other scripts' digits ({@code ٨٠}, fullwidth {@code １０}) and
 * a sign; nothing here lets them through to those methods unchecked.
 *
 * <p>Every error is a {@link FlowParseException} with the 1-based column; input echoed in a
 * message goes through {@link #quote}, which shortens and escapes it.
 */
final class TextCursor {
    /** At most this many characters of input are echoed by {@link #quote}. */
    static final int QUOTE_MAX = 40;

    final String s;
    int pos;

    TextCursor(String s) {
        this.s = s;
    }

    // ---------------------------------------------------------------- tokens

    /** A name: ASCII letters, digits, {@code _ - .}. */
    String ident() {
        int start = pos;
        while (pos < s.length() && isIdentChar(s.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error(start + 1, "expected a name, got " + (start < s.length() ? quote(start, start + 1) : "end of text"));
        }
        return s.substring(start, pos);
    }

    static boolean isIdentChar(char c) {
        return isAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '.';
    }

    void expect(String t) {
        if (!s.startsWith(t, pos)) {
            throw error(pos + 1, "expected '" + t + "', got " + (pos < s.length() ? quote(pos, Math.min(s.length(), pos + 10)) : "end of text"));
        }
        pos += t.length();
    }

    void expectEnd(int end) {
        if (pos != end) {
            throw error(pos + 1, "unexpected " + quote(pos, Math.min(end, pos + 10)));
        }
    }

    /** Index of the ')' matching the '(' at {@code open}. */
    int matching(int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw error(open + 1, "'(' is never closed");
    }

    /** End of the current field value: next ',' at depth 0 before {@code close}. */
    int fieldEnd(int close) {
        int depth = 0;
        for (int i = pos; i < close; i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return close;
    }

    int nextComma(int end) {
        int i = s.indexOf(',', pos);
        return i < 0 || i > end ? end : i;
    }

    void nextField(int close) {
        if (pos < close) {
            expect(",");
            if (pos == close) {
                throw error(pos + 1, "expected a field after ','");
            }
        }
    }

    int indexOf(char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** First occurrence of {@code t} at parenthesis depth 0 at or after {@code from}, or -1. */
    int topLevel(String t, int from) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && s.startsWith(t, i)) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- numbers

    static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The value of an ASCII hex digit, or -1 (also for other scripts' digits). */
    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Refuses a digit of another script at {@code i} with its own message, so that
     * {@code tp_dst=٨٠} does not read as "expected a number, got '٨٠'" and leave the user
     * staring at what looks like digits.
     */
    void refuseNonAsciiDigit(int i) {
        char c = s.charAt(i);
        if (c > 0x7f && (Character.isDigit(c) || Character.isLetter(c) && Character.digit(c, 16) >= 0)) {
            throw error(i + 1, "non-ASCII digit " + quote(i, i + 1) + ": numbers are ASCII 0-9 (and a-f after 0x)");
        }
    }

    /** An unsigned 64-bit number in [from, to): decimal, or hex after {@code 0x}/{@code 0X}. */
    long parseNumber(int from, int to) {
        boolean hex = to - from > 2 && s.charAt(from) == '0' && (s.charAt(from + 1) == 'x' || s.charAt(from + 1) == 'X');
        int digits = hex ? from + 2 : from;
        if (digits == to) {
            throw error(from + 1, "expected a number, got " + (from == to ? "nothing" : quote(from, to)));
        }
        for (int i = digits; i < to; i++) {
            char c = s.charAt(i);
            if (hex ? hexDigit(c) < 0 : !isAsciiDigit(c)) {
                refuseNonAsciiDigit(i);
                throw error(from + 1, "expected a number, got " + quote(from, to));
            }
        }
        try {
            // only ASCII digits reach here, so the JDK parser sees what OVS's strtoull would
            return hex ? Long.parseUnsignedLong(s, digits, to, 16) : Long.parseUnsignedLong(s, digits, to, 10);
        } catch (NumberFormatException e) {
            throw error(from + 1, "number " + quote(from, to) + " does not fit 64 bits");
        }
    }

    /** A non-negative decimal count (statistics): ASCII digits only. */
    long parseDecimal(int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isAsciiDigit(s.charAt(i))) {
                refuseNonAsciiDigit(i);
                throw error(from + 1, "expected a number, got " + (from == to ? "nothing" : quote(from, to)));
            }
        }
        if (from == to) {
            throw error(from + 1, "expected a number, got nothing");
        }
        try {
            return Long.parseLong(s, from, to, 10);
        } catch (NumberFormatException e) {
            throw error(from + 1, "number " + quote(from, to) + " does not fit 63 bits");
        }
    }

    /** An unsigned hex number of at most {@code maxDigits} digits, no prefix (e.g. {@code [200]} in flags:). */
    long parseHex(int from, int to, int maxDigits) {
        if (from == to || to - from > maxDigits) {
            throw error(from + 1, "expected at most " + maxDigits + " hex digits, got " + (from == to ? "nothing" : quote(from, to)));
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = hexDigit(s.charAt(i));
            if (d < 0) {
                refuseNonAsciiDigit(i);
                throw error(i + 1, "expected a hex digit, got " + quote(i, i + 1));
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** A number in [pos, end) that must fit {@code f}; moves to {@code end}. */
    long number(int end, Field f) {
        long v = parseNumber(pos, end);
        if (f.width() < 64 && (v & ~f.valueMask()) != 0) {
            throw error(pos + 1, "value " + quote(pos, end) + " does not fit " + f.ovsName() + " (" + f.width() + " bits)");
        }
        pos = end;
        return v;
    }

    // ---------------------------------------------------------------- addresses

    /** {@code xx:xx:xx:xx:xx:xx}, ASCII hex. */
    long mac(int from, int to) {
        if (to - from != 17) {
            throw error(from + 1, "expected a MAC address xx:xx:xx:xx:xx:xx, got " + quote(from, to));
        }
        long m = 0;
        for (int i = 0; i < 6; i++) {
            int at = from + i * 3;
            int hi = hexDigit(s.charAt(at));
            int lo = hexDigit(s.charAt(at + 1));
            if (hi < 0 || lo < 0 || (i < 5 && s.charAt(at + 2) != ':')) {
                refuseNonAsciiDigit(hi < 0 ? at : at + 1);
                throw error(at + 1, "expected a MAC address xx:xx:xx:xx:xx:xx, got " + quote(from, to));
            }
            m = m << 8 | hi << 4 | lo;
        }
        return m;
    }

    /** Dotted quad, each part 1-3 ASCII digits up to 255. */
    long ipv4(int from, int to) {
        long a = 0;
        int i = from;
        for (int octet = 0; octet < 4; octet++) {
            int start = i;
            int v = 0;
            while (i < to && isAsciiDigit(s.charAt(i)) && i - start < 3) {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i < to && i - start < 3) {
                refuseNonAsciiDigit(i);
            }
            if (i == start || v > 255 || (octet < 3 && (i >= to || s.charAt(i) != '.'))) {
                throw error(start + 1, "expected an IPv4 address a.b.c.d, got " + quote(from, to));
            }
            if (octet < 3) {
                i++;
            }
            a = a << 8 | v;
        }
        if (i != to) {
            throw error(i + 1, "expected an IPv4 address a.b.c.d, got " + quote(from, to));
        }
        return a;
    }

    /**
     * RFC 4291 text (with {@code ::} and an optional trailing dotted quad) → {hi, lo}. Our own
     * reader rather than {@code InetAddress}: that one resolves host names and has its own
     * ideas (scope ids, IPv4 literals).
     */
    long[] ipv6(int from, int to) {
        int dbl = -1;
        for (int i = from; i + 1 < to; i++) {
            if (s.charAt(i) == ':' && s.charAt(i + 1) == ':') {
                if (dbl >= 0) {
                    throw error(from + 1, "expected an IPv6 address (two '::'), got " + quote(from, to));
                }
                dbl = i;
                i++;
            }
        }
        int[] hg = groups(from, dbl >= 0 ? dbl : to, from, to);
        int[] tg = dbl >= 0 ? groups(dbl + 2, to, from, to) : new int[0];
        if (dbl < 0 ? hg.length != 8 : hg.length + tg.length > 7) {
            throw error(from + 1, "expected an IPv6 address (8 groups), got " + quote(from, to));
        }
        int[] g = new int[8];
        System.arraycopy(hg, 0, g, 0, hg.length);
        System.arraycopy(tg, 0, g, 8 - tg.length, tg.length);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = hi << 16 | g[i];
            lo = lo << 16 | g[i + 4];
        }
        return new long[] {hi, lo};
    }

    /** The ':'-separated groups of [from, to) (a part of the address in [wFrom, wTo)), the last may be a dotted quad. */
    private int[] groups(int from, int to, int wFrom, int wTo) {
        if (from == to) {
            return new int[0];
        }
        int n = 1;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == ':') {
                n++;
            }
        }
        int lastStart = to;
        while (lastStart > from && s.charAt(lastStart - 1) != ':') {
            lastStart--;
        }
        boolean quad = indexOf('.', lastStart, to) >= 0;
        if (n > 8) {
            throw error(wFrom + 1, "expected an IPv6 address (8 groups), got " + quote(wFrom, wTo));
        }
        int[] g = new int[n + (quad ? 1 : 0)];
        int start = from;
        for (int k = 0; k < n; k++) {
            int end = k == n - 1 ? to : indexOf(':', start, to);
            if (quad && k == n - 1) {
                long a = ipv4(start, end);
                g[k] = (int) (a >>> 16);
                g[k + 1] = (int) a & 0xffff;
                break;
            }
            if (end == start || end - start > 4) {
                throw error(start + 1, "expected an IPv6 address, got " + quote(wFrom, wTo));
            }
            int v = 0;
            for (int i = start; i < end; i++) {
                int d = hexDigit(s.charAt(i));
                if (d < 0) {
                    refuseNonAsciiDigit(i);
                    throw error(i + 1, "expected an IPv6 address, got " + quote(wFrom, wTo));
                }
                v = v << 4 | d;
            }
            g[k] = v;
            start = end + 1;
        }
        return g;
    }

    /** Up to 32 hex digits, optional {@code 0x} → {hi, lo}. */
    long[] hex128(int from, int to) {
        int d = s.startsWith("0x", from) && to - from >= 2 ? from + 2 : from;
        if (d == to || to - d > 32) {
            throw error(from + 1, "expected a 128-bit hex number, got " + quote(from, to));
        }
        long hi = 0;
        long lo = 0;
        for (int i = d; i < to; i++) {
            int v = hexDigit(s.charAt(i));
            if (v < 0) {
                refuseNonAsciiDigit(i);
                throw error(from + 1, "expected a 128-bit hex number, got " + quote(from, to));
            }
            hi = hi << 4 | lo >>> 60;
            lo = lo << 4 | v;
        }
        return new long[] {hi, lo};
    }

    // ---------------------------------------------------------------- errors

    /** [from, to) of the input, quoted, at most {@link #QUOTE_MAX} characters, escaped. */
    String quote(int from, int to) {
        return quote(s, from, to);
    }

    static String quote(String text, int from, int to) {
        StringBuilder sb = new StringBuilder(QUOTE_MAX + 16).append('\'');
        escape(sb, text, from, Math.min(to, from + QUOTE_MAX));
        if (to - from > QUOTE_MAX) {
            sb.append('…');
        }
        return sb.append('\'').toString();
    }

    /** Appends [from, to) of {@code text} escaped (see {@link Excerpt}). */
    static void escape(StringBuilder sb, String text, int from, int to) {
        Excerpt.escape(sb, text, from, to);
    }

    FlowParseException error(int column, String message) {
        return new FlowParseException(column, message, s);
    }
}
