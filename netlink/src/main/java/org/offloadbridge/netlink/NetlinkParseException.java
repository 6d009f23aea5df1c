package org.offloadbridge.netlink;

/**
 * Malformed netlink input: a truncated header, an attribute or message length running past
 * its container, a nested attribute overflowing its parent, or a payload too short for the
 * type read from it. Always names the byte offset (from the start of the buffer being
 * parsed) where the problem was found; the parsers never let an
 * {@link IndexOutOfBoundsException} escape and never return values read past a boundary.
 */
public final class NetlinkParseException extends RuntimeException {
    private final int offset;

    public NetlinkParseException(String problem, int offset) {
        super(problem + " at offset " + offset);
        this.offset = offset;
    }

    /** Byte offset of the faulty header or attribute within the parsed buffer. */
    public int offset() {
        return offset;
    }
}
