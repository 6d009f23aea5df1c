package org.offloadbridge.netlink;

import java.nio.ByteBuffer;

/**
 * Flyweight over {@code struct ifinfomsg}, the fixed header of RTM_{NEW,DEL,GET,SET}LINK.
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  | ifi_family u8 | __ifi_pad u8  |        ifi_type (u16)         |  0
 *  +---------------+---------------+-------------------------------+
 *  |                     ifi_index (s32)                           |  4
 *  +---------------------------------------------------------------+
 *  |                     ifi_flags (u32, IFF_*)                    |  8
 *  +---------------------------------------------------------------+
 *  |                     ifi_change (u32, mask of flags to change) | 12
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class IfInfoMsg {
    public static final int FAMILY = 0;
    public static final int TYPE = 2;
    public static final int INDEX = 4;
    public static final int FLAGS = 8;
    public static final int CHANGE = 12;
    public static final int LENGTH = 16;

    private ByteBuffer buffer;
    private int offset;

    public IfInfoMsg wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int family() {
        return buffer.get(offset + FAMILY) & 0xff;
    }

    public int type() {
        return buffer.getShort(offset + TYPE) & 0xffff;
    }

    public int index() {
        return buffer.getInt(offset + INDEX);
    }

    public int flags() {
        return buffer.getInt(offset + FLAGS);
    }

    public int change() {
        return buffer.getInt(offset + CHANGE);
    }

    public IfInfoMsg family(int v) {
        buffer.put(offset + FAMILY, (byte) v);
        return this;
    }

    public IfInfoMsg type(int v) {
        buffer.putShort(offset + TYPE, (short) v);
        return this;
    }

    public IfInfoMsg index(int v) {
        buffer.putInt(offset + INDEX, v);
        return this;
    }

    public IfInfoMsg flags(int v) {
        buffer.putInt(offset + FLAGS, v);
        return this;
    }

    public IfInfoMsg change(int v) {
        buffer.putInt(offset + CHANGE, v);
        return this;
    }
}
