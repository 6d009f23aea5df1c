package org.offloadbridge.netlink;

import java.nio.ByteBuffer;

/**
 * Flyweight over {@code struct genlmsghdr}, the fixed header of every generic netlink message.
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  |   cmd (u8)    |  version (u8) |        reserved (u16)         |  0
 *  +---------------+---------------+-------------------------------+
 * </pre>
 * A family's own fixed header (its {@code hdrsize}, usually 0) follows, then attributes.
 */
public final class GenlMsgHdr {
    public static final int CMD = 0;
    public static final int VERSION = 1;
    public static final int LENGTH = 4;

    private ByteBuffer buffer;
    private int offset;

    public GenlMsgHdr wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int cmd() {
        return buffer.get(offset + CMD) & 0xff;
    }

    public int version() {
        return buffer.get(offset + VERSION) & 0xff;
    }

    public GenlMsgHdr cmd(int v) {
        buffer.put(offset + CMD, (byte) v);
        return this;
    }

    public GenlMsgHdr version(int v) {
        buffer.put(offset + VERSION, (byte) v);
        return this;
    }
}
