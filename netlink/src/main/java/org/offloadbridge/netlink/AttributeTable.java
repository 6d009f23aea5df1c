package org.offloadbridge.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One-pass attribute parser: walks a run of attributes once, checking every length, and
 * records where each type's payload lives in a table indexed by type — the Java shape of
 * the kernel's {@code nla_parse()} filling {@code tb[]}. Reusable and allocation-free
 * (strings and byte arrays are the only getters that allocate).
 *
 * <p>Semantics follow {@code nla_parse()}: the type is taken without the
 * {@code NLA_F_NESTED}/{@code NLA_F_NET_BYTEORDER} bits, types above {@code maxType} are
 * skipped (newer kernels add attributes), and for a repeated type the last one wins
 * (use {@link AttributeCursor} to see them all). Unlike the kernel, bytes left over that
 * do not form a whole attribute are an error, not a warning: they mean a length is wrong.
 *
 * <p>Getters check the payload is long enough for what is read and throw
 * {@link NetlinkParseException} naming the attribute's offset otherwise.
 */
public final class AttributeTable {
    static final int NLA_TYPE_MASK = 0x3fff;

    private final int[] payloadOffset;
    private final int[] payloadLength;
    private ByteBuffer buffer;

    /** A table for types 0..{@code maxType} (the header's {@code *_MAX} constant). */
    public AttributeTable(int maxType) {
        if (maxType < 0 || maxType > NLA_TYPE_MASK) {
            throw new IllegalArgumentException("maxType " + maxType + " outside [0, " + NLA_TYPE_MASK + "]");
        }
        payloadOffset = new int[maxType + 1];
        payloadLength = new int[maxType + 1];
        Arrays.fill(payloadOffset, -1);
    }

    public int maxType() {
        return payloadOffset.length - 1;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /**
     * Parses the attributes in {@code [start, end)} of {@code buffer}, replacing what the
     * table held.
     *
     * @throws NetlinkParseException on a truncated header or a length running past {@code end}
     */
    public AttributeTable parse(ByteBuffer buffer, int start, int end) {
        if (start < 0 || end < start || end > buffer.capacity()) {
            throw new IllegalArgumentException("range [" + start + ", " + end + ") outside buffer of " + buffer.capacity());
        }
        Arrays.fill(payloadOffset, -1);
        this.buffer = buffer;
        int pos = start;
        while (pos < end) {
            int left = end - pos;
            if (left < NlAttr.HEADER_LENGTH) {
                throw new NetlinkParseException("truncated nlattr header: " + left + " bytes left", pos);
            }
            int len = buffer.getShort(pos + NlAttr.LEN) & 0xffff;
            if (len < NlAttr.HEADER_LENGTH || len > left) {
                throw new NetlinkParseException("nla_len " + len + " outside [" + NlAttr.HEADER_LENGTH + ", " + left + "]", pos);
            }
            int type = buffer.getShort(pos + NlAttr.TYPE) & NLA_TYPE_MASK;
            if (type < payloadOffset.length) {
                payloadOffset[type] = pos + NlAttr.HEADER_LENGTH;
                payloadLength[type] = len - NlAttr.HEADER_LENGTH;
            }
            pos += Math.min(NetlinkMessageWriter.align(len), left);
        }
        return this;
    }

    /** Empties the table. */
    public AttributeTable clear() {
        Arrays.fill(payloadOffset, -1);
        return this;
    }

    public boolean has(int type) {
        return type >= 0 && type < payloadOffset.length && payloadOffset[type] >= 0;
    }

    /** Payload offset of {@code type} in {@link #buffer()}, or -1 when absent. */
    public int offset(int type) {
        return has(type) ? payloadOffset[type] : -1;
    }

    /** Payload length of {@code type}, or -1 when absent. */
    public int length(int type) {
        return has(type) ? payloadLength[type] : -1;
    }

    public int u8(int type) {
        return buffer.get(at(type, 1)) & 0xff;
    }

    public int u16(int type) {
        return buffer.getShort(at(type, 2)) & 0xffff;
    }

    public int u32(int type) {
        return buffer.getInt(at(type, 4));
    }

    public long u64(int type) {
        return buffer.getLong(at(type, 8));
    }

    public int be16(int type) {
        short v = buffer.getShort(at(type, 2));
        return (buffer.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v)) & 0xffff;
    }

    public int be32(int type) {
        int v = buffer.getInt(at(type, 4));
        return buffer.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    public int u8(int type, int absent) {
        return has(type) ? u8(type) : absent;
    }

    public int u32(int type, int absent) {
        return has(type) ? u32(type) : absent;
    }

    public boolean flag(int type) {
        return has(type);
    }

    /** The string payload up to its first NUL (or the payload's end); null when absent. */
    public String string(int type) {
        if (!has(type)) {
            return null;
        }
        return string(buffer, payloadOffset[type], payloadLength[type]);
    }

    /**
     * True when {@code type} holds the string {@code ascii} (up to a NUL or the payload's end),
     * compared in place: what {@code ascii.equals(string(type))} says, without making a string.
     */
    public boolean isString(int type, String ascii) {
        if (!has(type)) {
            return false;
        }
        int o = payloadOffset[type];
        int n = payloadLength[type];
        int len = ascii.length();
        if (n < len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buffer.get(o + i) != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return n == len || buffer.get(o + len) == 0;
    }

    /** A copy of the payload; null when absent. */
    public byte[] bytes(int type) {
        if (!has(type)) {
            return null;
        }
        byte[] out = new byte[payloadLength[type]];
        buffer.get(payloadOffset[type], out);
        return out;
    }

    /**
     * Parses the nested attribute {@code type} into {@code child}.
     *
     * @return false (and {@code child} cleared) when {@code type} is absent
     */
    public boolean nested(int type, AttributeTable child) {
        if (!has(type)) {
            child.clear();
            return false;
        }
        int off = payloadOffset[type];
        child.parse(buffer, off, off + payloadLength[type]);
        return true;
    }

    private int at(int type, int size) {
        if (!has(type)) {
            throw new IllegalStateException("attribute type " + type + " absent; check has() first");
        }
        if (payloadLength[type] < size) {
            throw new NetlinkParseException("attribute type " + type + " has a " + payloadLength[type] + "-byte payload, need " + size,
                    payloadOffset[type] - NlAttr.HEADER_LENGTH);
        }
        return payloadOffset[type];
    }

    static String string(ByteBuffer buffer, int offset, int length) {
        int n = 0;
        while (n < length && buffer.get(offset + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        buffer.get(offset, b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
