package org.offloadbridge.flow;

/**
 * A datapath-flow text that does not parse: says where (1-based column) and what was expected.
 * The message quotes at most {@link #EXCERPT_RADIUS} characters either side of the column, with
 * control and non-ASCII characters escaped, never the whole input (which may be long, or carry
 * terminal escapes).
 */
public final class FlowParseException extends IllegalArgumentException {
    /** Characters of input shown before and after the column. */
    public static final int EXCERPT_RADIUS = 20;

    private final int column;

    public FlowParseException(int column, String message, String text) {
        super("column " + column + ": " + message + (text == null ? "" : " in " + excerpt(text, column)));
        this.column = column;
    }

    /** 1-based column of the problem in the parsed text. */
    public int column() { return column; }

    /** The text around {@code column}, quoted and escaped, with … where it is cut. */
    static String excerpt(String text, int column) {
        int at = Math.max(0, Math.min(text.length(), column - 1));
        int from = Math.max(0, at - EXCERPT_RADIUS);
        int to = Math.min(text.length(), at + EXCERPT_RADIUS);
        StringBuilder sb = new StringBuilder(2 * EXCERPT_RADIUS + 16).append('\'');
        if (from > 0) {
            sb.append('…');
        }
        TextCursor.escape(sb, text, from, to);
        if (to < text.length()) {
            sb.append('…');
        }
        return sb.append('\'').toString();
    }
}
