package org.offloadbridge.flow;

import java.util.Locale;

/**
 * What an error message may show of the input that caused it: a bounded excerpt, with every
 * character outside printable ASCII escaped. Input can be megabytes long (a pasted file, a
 * generated rule) and can carry line breaks or terminal escapes ({@code ESC[2J} clears the
 * operator's screen when a message is printed); a digit of another script ({@code ١}) looks like
 * an ASCII one unless it is spelled out.
 *
 * <p>Escapes: {@code \n \r \t \\}, {@code \xHH} for other control characters (and DEL),
 * {@code \}{@code uHHHH} for every char outside ASCII (a surrogate pair is two of them).
 *
 * <p>Shared by the datapath-flow parser ({@link FlowParseException}), the rule parser, and the
 * CLIs (obctl, tc-flower), so a message looks the same wherever it comes from.
 */
public final class Excerpt {
    /** Longest run of non-blank characters {@link #tidy} leaves whole. */
    public static final int MAX_TOKEN = 80;

    private Excerpt() {
    }

    /** Appends [from, to) of {@code text}, escaped as the class comment says. */
    public static void escape(StringBuilder sb, CharSequence text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else if (c > 0x7e) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }

    /** {@code text}, escaped, cut to at most {@code max} input characters with … (for a value quoted whole). */
    public static String escape(CharSequence text, int max) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max) + 8);
        escape(sb, text, 0, Math.min(text.length(), max));
        if (text.length() > max) {
            sb.append('…');
        }
        return sb.toString();
    }

    /**
     * A message made safe to print: escaped (but … left as it is: it marks an excerpt already
     * cut), and every run of non-blank characters longer than
     * {@link #MAX_TOKEN} (after escaping) shortened to its first 60 and last 16 characters
     * around a …. Messages quote the offending token; this keeps a 2 MB token from being
     * echoed while the prose around it stays whole.
     */
    public static String tidy(String message) {
        boolean clean = message.length() <= MAX_TOKEN;
        for (int i = 0; clean && i < message.length(); i++) {
            char c = message.charAt(i);
            clean = c >= 0x20 && c < 0x7f && c != '\\';
        }
        if (clean) {
            return message;
        }
        StringBuilder esc = new StringBuilder(Math.min(message.length(), 4096) + 16);
        int from = 0;
        for (int k = message.indexOf('…'); k >= 0; k = message.indexOf('…', k + 1)) {
            // … marks where an excerpt already in the message was cut: it stays as it is
            escape(esc, message, from, k);
            esc.append('…');
            from = k + 1;
        }
        escape(esc, message, from, message.length());
        StringBuilder out = new StringBuilder(Math.min(esc.length(), 4096));
        int i = 0;
        int n = esc.length();
        while (i < n) {
            if (esc.charAt(i) == ' ') {
                out.append(' ');
                i++;
                continue;
            }
            int end = i;
            while (end < n && esc.charAt(end) != ' ') {
                end++;
            }
            if (end - i > MAX_TOKEN) {
                out.append(esc, i, i + 60).append('…').append(esc, end - 16, end);
            } else {
                out.append(esc, i, end);
            }
            i = end;
        }
        return out.toString();
    }

    /**
     * Two lines showing where in {@code text} the 1-based {@code column} is: at most
     * {@code radius} characters either side, escaped, cut with …, and a caret under the
     * column. Each line starts with {@code indent}.
     */
    public static String pointAt(String text, int column, int radius, String indent) {
        int at = Math.max(0, Math.min(text.length(), column - 1));
        int from = Math.max(0, at - radius);
        int to = Math.min(text.length(), at + radius);
        StringBuilder sb = new StringBuilder(indent.length() * 2 + 4 * radius + 16).append(indent);
        if (from > 0) {
            sb.append('…');
        }
        escape(sb, text, from, at);
        int caret = sb.length() - indent.length();
        escape(sb, text, at, to);
        if (to < text.length()) {
            sb.append('…');
        }
        return sb.append('\n').append(indent).append(" ".repeat(caret)).append("^\n").toString();
    }
}
