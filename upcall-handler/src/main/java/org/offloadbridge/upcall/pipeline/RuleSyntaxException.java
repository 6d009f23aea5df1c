package org.offloadbridge.upcall.pipeline;

/**
 * A rule that cannot be loaded, with the 1-based line and column where the problem starts.
 *
 * <p>The message reads like an ovs-ofctl diagnostic prefixed with the position, e.g.
 * {@code line 3, column 12: unknown field "foo"}.
 */
public final class RuleSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String reason;

    public RuleSyntaxException(int line, int column, String reason) {
        super("line " + line + ", column " + column + ": " + reason);
        this.line = line;
        this.column = column;
        this.reason = reason;
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
