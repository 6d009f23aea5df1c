package org.offloadbridge.netlink;

import java.nio.ByteBuffer;

/**
 * Walks the netlink messages of one datagram (or of a batch written by a
 * {@link NetlinkMessageWriter}) in place, checking each {@code nlmsg_len} against what is
 * left. Reusable; allocates nothing.
 *
 * <pre>
 *   cursor.reset(buf, 0, n);
 *   while (cursor.next()) {
 *       NetlinkMessage m = cursor.message();
 *       ...
 *   }
 * </pre>
 */
public final class NetlinkMessageCursor {
    private final NetlinkMessage message = new NetlinkMessage();
    private ByteBuffer buffer;
    private int position;
    private int end;

    public NetlinkMessageCursor reset(ByteBuffer buffer, int start, int end) {
        if (start < 0 || end < start || end > buffer.capacity()) {
            throw new IllegalArgumentException("range [" + start + ", " + end + ") outside buffer of " + buffer.capacity());
        }
        this.buffer = buffer;
        this.position = start;
        this.end = end;
        return this;
    }

    /**
     * Advances to the next message.
     *
     * @return false at the end of the range
     * @throws NetlinkParseException on a truncated header or a length running past the range
     */
    public boolean next() {
        if (position >= end) {
            return false;
        }
        int left = end - position;
        if (left < NlMsgHdr.LENGTH) {
            int at = position;
            position = end;
            throw new NetlinkParseException("truncated nlmsghdr: " + left + " bytes left, need " + NlMsgHdr.LENGTH, at);
        }
        int len = buffer.getInt(position + NlMsgHdr.LEN);
        if (len < NlMsgHdr.LENGTH || len > left) {
            int at = position;
            position = end;
            throw new NetlinkParseException("nlmsg_len " + Integer.toUnsignedString(len) + " outside [" + NlMsgHdr.LENGTH + ", " + left + "]", at);
        }
        message.wrap(buffer, position, len);
        position += Math.min(NetlinkMessageWriter.align(len), left);
        return true;
    }

    /** The current message (a flyweight reused by every {@link #next()}). */
    public NetlinkMessage message() {
        return message;
    }
}
