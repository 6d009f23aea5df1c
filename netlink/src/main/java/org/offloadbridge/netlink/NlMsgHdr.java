package org.offloadbridge.netlink;

import java.nio.ByteBuffer;

/**
 * Flyweight over {@code struct nlmsghdr}, the 16-byte header of every netlink message.
 *
 * <pre>
 *   0               1               2               3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     nlmsg_len (u32, incl. header)            |  0
 *  +-------------------------------+-------------------------------+
 *  |      nlmsg_type (u16)         |      nlmsg_flags (u16)        |  4
 *  +-------------------------------+-------------------------------+
 *  |                     nlmsg_seq (u32)                           |  8
 *  +---------------------------------------------------------------+
 *  |                     nlmsg_pid (u32, port id)                  | 12
 *  +---------------------------------------------------------------+
 * </pre>
 * All fields in host byte order.
 */
public final class NlMsgHdr {
    public static final int LEN = 0;
    public static final int TYPE = 4;
    public static final int FLAGS = 6;
    public static final int SEQ = 8;
    public static final int PID = 12;
    public static final int LENGTH = 16;

    private ByteBuffer buffer;
    private int offset;

    public NlMsgHdr wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return buffer.getInt(offset + LEN);
    }

    public int type() {
        return buffer.getShort(offset + TYPE) & 0xffff;
    }

    public int flags() {
        return buffer.getShort(offset + FLAGS) & 0xffff;
    }

    public int seq() {
        return buffer.getInt(offset + SEQ);
    }

    public int pid() {
        return buffer.getInt(offset + PID);
    }

    public NlMsgHdr length(int v) {
        buffer.putInt(offset + LEN, v);
        return this;
    }

    public NlMsgHdr type(int v) {
        buffer.putShort(offset + TYPE, (short) v);
        return this;
    }

    public NlMsgHdr flags(int v) {
        buffer.putShort(offset + FLAGS, (short) v);
        return this;
    }

    public NlMsgHdr seq(int v) {
        buffer.putInt(offset + SEQ, v);
        return this;
    }

    public NlMsgHdr pid(int v) {
        buffer.putInt(offset + PID, v);
        return this;
    }
}
