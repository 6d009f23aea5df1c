package org.offloadbridge.netlink;

import java.nio.ByteBuffer;

/**
 * A received netlink message, as a flyweight over the receive buffer: valid only until the
 * next message is read (copy out what you keep). Its length has been checked against the
 * datagram by {@link NetlinkMessageCursor}.
 */
public final class NetlinkMessage {
    private ByteBuffer buffer;
    private int offset;
    private int length;

    NetlinkMessage wrap(ByteBuffer buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Offset of the {@code nlmsghdr} in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    /** {@code nlmsg_len}. */
    public int length() {
        return length;
    }

    /** Offset just past the message. */
    public int end() {
        return offset + length;
    }

    public int type() {
        return buffer.getShort(offset + NlMsgHdr.TYPE) & 0xffff;
    }

    public int flags() {
        return buffer.getShort(offset + NlMsgHdr.FLAGS) & 0xffff;
    }

    public int seq() {
        return buffer.getInt(offset + NlMsgHdr.SEQ);
    }

    public int pid() {
        return buffer.getInt(offset + NlMsgHdr.PID);
    }

    /** Offset of the payload (the family's fixed header, if any, then attributes). */
    public int payloadOffset() {
        return offset + NlMsgHdr.LENGTH;
    }

    /**
     * Checks that the payload holds a fixed header of {@code fixedHeaderLength} bytes and
     * returns its offset.
     *
     * @throws NetlinkParseException when the message is too short
     */
    public int fixedHeader(int fixedHeaderLength) {
        if (length - NlMsgHdr.LENGTH < fixedHeaderLength) {
            throw new NetlinkParseException("message type " + type() + " of " + length + " bytes too short for a "
                    + fixedHeaderLength + "-byte fixed header", offset);
        }
        return payloadOffset();
    }

    /**
     * Parses the attributes following a fixed header of {@code fixedHeaderLength} bytes
     * (e.g. {@link IfInfoMsg#LENGTH}, {@link TcMsg#LENGTH}, {@link GenlMsgHdr#LENGTH}) into
     * {@code table}.
     */
    public AttributeTable attributes(int fixedHeaderLength, AttributeTable table) {
        int start = fixedHeader(fixedHeaderLength) + NetlinkMessageWriter.align(fixedHeaderLength);
        return table.parse(buffer, Math.min(start, end()), end());
    }
}
