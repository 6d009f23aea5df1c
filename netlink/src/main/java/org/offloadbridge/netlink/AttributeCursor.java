package org.offloadbridge.netlink;

import java.nio.ByteBuffer;

/**
 * Walks a run of attributes one at a time, in order, including repeated types (arrays
 * such as {@code CTRL_ATTR_MCAST_GROUPS} or a filter's action list) that an
 * {@link AttributeTable} would collapse. Checks each {@code nla_len} against what is left;
 * allocates nothing.
 */
public final class AttributeCursor {
    private ByteBuffer buffer;
    private int position;
    private int end;
    private int attrOffset = -1;
    private int type;
    private int payloadLength;

    public AttributeCursor reset(ByteBuffer buffer, int start, int end) {
        if (start < 0 || end < start || end > buffer.capacity()) {
            throw new IllegalArgumentException("range [" + start + ", " + end + ") outside buffer of " + buffer.capacity());
        }
        this.buffer = buffer;
        this.position = start;
        this.end = end;
        this.attrOffset = -1;
        return this;
    }

    /** Walks the payload of the attribute the cursor {@code table} found for {@code type}. */
    public AttributeCursor reset(AttributeTable table, int type) {
        int off = table.offset(type);
        if (off < 0) {
            buffer = table.buffer();
            position = end = 0;
            attrOffset = -1;
            return this;
        }
        return reset(table.buffer(), off, off + table.length(type));
    }

    /**
     * @return false at the end of the run
     * @throws NetlinkParseException on a truncated header or a length past the end
     */
    public boolean next() {
        if (position >= end) {
            return false;
        }
        int left = end - position;
        if (left < NlAttr.HEADER_LENGTH) {
            int at = position;
            position = end;
            throw new NetlinkParseException("truncated nlattr header: " + left + " bytes left", at);
        }
        int len = buffer.getShort(position + NlAttr.LEN) & 0xffff;
        if (len < NlAttr.HEADER_LENGTH || len > left) {
            int at = position;
            position = end;
            throw new NetlinkParseException("nla_len " + len + " outside [" + NlAttr.HEADER_LENGTH + ", " + left + "]", at);
        }
        attrOffset = position;
        type = buffer.getShort(position + NlAttr.TYPE) & AttributeTable.NLA_TYPE_MASK;
        payloadLength = len - NlAttr.HEADER_LENGTH;
        position += Math.min(NetlinkMessageWriter.align(len), left);
        return true;
    }

    /** Type of the current attribute, without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
    public int type() {
        return type;
    }

    /** Offset of the current attribute's header. */
    public int attributeOffset() {
        return attrOffset;
    }

    public int payloadOffset() {
        return attrOffset + NlAttr.HEADER_LENGTH;
    }

    public int payloadLength() {
        return payloadLength;
    }

    public int payloadEnd() {
        return payloadOffset() + payloadLength;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    public int u8() {
        need(1);
        return buffer.get(payloadOffset()) & 0xff;
    }

    public int u16() {
        need(2);
        return buffer.getShort(payloadOffset()) & 0xffff;
    }

    public int u32() {
        need(4);
        return buffer.getInt(payloadOffset());
    }

    public long u64() {
        need(8);
        return buffer.getLong(payloadOffset());
    }

    public String string() {
        return AttributeTable.string(buffer, payloadOffset(), payloadLength);
    }

    private void need(int n) {
        if (payloadLength < n) {
            throw new NetlinkParseException("attribute type " + type + " has a " + payloadLength + "-byte payload, need " + n, attrOffset);
        }
    }
}
