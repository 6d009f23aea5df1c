package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.Excerpt;

/**
 * A rule that cannot be loaded, with the 1-based line and column where the problem starts.
 *
 * <p>The message reads like an ovs-ofctl diagnostic prefixed with the position, e.g.
 * {@code line 3, column 12: unknown field "foo"}. The input it quotes is escaped and long
 * tokens are shortened ({@link Excerpt#tidy}): a rule may be long or carry control characters.
 */
public final class RuleSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String reason;

    public RuleSyntaxException(int line, int column, String reason) {
        this(line, column, Excerpt.tidy(reason), true);
    }

    private RuleSyntaxException(int line, int column, String tidy, boolean unused) {
        super("line " + line + ", column " + column + ": " + tidy);
        this.line = line;
        this.column = column;
        this.reason = tidy;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The message without the position. */
    public String reason() {
        return reason;
    }
}
