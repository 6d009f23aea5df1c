package org.offloadbridge.flow;

/** A datapath-flow text that does not parse: says where (1-based column) and what was expected. */
public final class FlowParseException extends IllegalArgumentException {
    private final int column;

    public FlowParseException(int column, String message, String text) {
        super("column " + column + ": " + message + (text == null ? "" : " in '" + text + "'"));
        this.column = column;
    }

    /** 1-based column of the problem in the parsed text. */
    public int column() { return column; }
}
