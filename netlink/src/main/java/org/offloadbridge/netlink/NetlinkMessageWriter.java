package org.offloadbridge.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds netlink messages into one reusable direct buffer, with no I/O and no allocation
 * once the buffer is big enough.
 *
 * <p>A buffer may hold several messages back to back (a batch sent in one {@code sendmsg}).
 * Each message is {@link #beginMessage begun}, filled with an optional fixed header and
 * attributes, and {@link #finish finished}, which patches {@code nlmsg_len}:
 *
 * <pre>
 *   w.reset();
 *   w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
 *   w.putIfInfoMsg(AF_UNSPEC, 0, 0, 0, 0);
 *   w.putString(IFLA_IFNAME, "veth0");
 *   int info = w.beginNested(IFLA_LINKINFO);
 *   w.putString(IFLA_INFO_KIND, "veth");
 *   w.endNested(info);
 *   w.finish(seq);
 * </pre>
 *
 * <p>Layout rules follow the kernel's {@code NLMSG_ALIGN}/{@code NLA_ALIGN}: every message
 * and attribute starts on a 4-byte boundary, padding bytes are zero (iproute2 writes zeros
 * and the golden-byte tests compare whole messages), and {@code nla_len} counts the header
 * and payload but not the trailing padding. Integers are in host order (netlink's order),
 * except the {@code putBe16/putBe32} family used for network-order fields such as ports
 * and addresses.
 *
 * <p>Not thread-safe: one writer per thread (or per request under a lock).
 */
public final class NetlinkMessageWriter {
    /** The largest buffer a writer grows to; a netlink message's length is a u32 but the kernel caps a request at the socket's send buffer, far below this. */
    public static final int MAX_CAPACITY = 1 << 26;

    private ByteBuffer buffer;
    private int position;
    private int messageStart = -1;
    private int messageCount;

    /** A writer over a fresh direct buffer of {@code initialCapacity} bytes; it grows (reallocating once) when a message needs more. */
    public NetlinkMessageWriter(int initialCapacity) {
        if (initialCapacity < NlMsgHdr.LENGTH || initialCapacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity " + initialCapacity + " outside [" + NlMsgHdr.LENGTH + ", " + MAX_CAPACITY + "]");
        }
        this.buffer = ByteBuffer.allocateDirect(initialCapacity).order(ByteOrder.nativeOrder());
    }

    /** The buffer holding the messages from offset 0 to {@link #length()}; replaced when the writer grows, so fetch it after writing. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Bytes written so far (all messages, including the one in progress). */
    public int length() {
        return position;
    }

    /** Messages begun since the last {@link #reset()}. */
    public int messageCount() {
        return messageCount;
    }

    /** Offset of the message in progress, or -1 when none is. */
    public int currentMessageOffset() {
        return messageStart;
    }

    /** Forget everything written; the buffer is kept. */
    public NetlinkMessageWriter reset() {
        position = 0;
        messageStart = -1;
        messageCount = 0;
        return this;
    }

    /**
     * Starts a message with the given {@code nlmsg_type} and {@code nlmsg_flags}; seq and
     * port id are written as 0 and seq is set by {@link #finish(int)} (or by the socket
     * layer, which numbers the messages of a batch).
     *
     * @return the offset of the message's {@code nlmsghdr} in {@link #buffer()}
     */
    public int beginMessage(int type, int flags) {
        if (messageStart >= 0) {
            throw new IllegalStateException("message at offset " + messageStart + " not finished");
        }
        int off = reserve(NlMsgHdr.LENGTH);
        buffer.putShort(off + NlMsgHdr.TYPE, (short) type);
        buffer.putShort(off + NlMsgHdr.FLAGS, (short) flags);
        messageStart = off;
        messageCount++;
        return off;
    }

    /**
     * Ends the message in progress: patches {@code nlmsg_len} and {@code nlmsg_seq}.
     *
     * @return the message's length in bytes
     */
    public int finish(int seq) {
        if (messageStart < 0) {
            throw new IllegalStateException("no message in progress");
        }
        int len = position - messageStart;
        buffer.putInt(messageStart + NlMsgHdr.LEN, len);
        buffer.putInt(messageStart + NlMsgHdr.SEQ, seq);
        messageStart = -1;
        return len;
    }

    /**
     * Reserves {@code n} zeroed bytes (rounded up to 4) for a fixed header or any other raw
     * structure, and returns their offset; fill them through a flyweight
     * ({@link IfInfoMsg}, {@link TcMsg}, {@link GenlMsgHdr}) or the buffer directly.
     */
    public int reserve(int n) {
        int aligned = align(n);
        ensure(aligned);
        int off = position;
        for (int i = 0; i < aligned; i += 4) {
            buffer.putInt(off + i, 0);
        }
        position += aligned;
        return off;
    }

    /** Writes a {@code struct ifinfomsg} (rtnetlink links) and returns its offset. */
    public int putIfInfoMsg(int family, int type, int index, int flags, int change) {
        int off = reserve(IfInfoMsg.LENGTH);
        buffer.put(off + IfInfoMsg.FAMILY, (byte) family);
        buffer.putShort(off + IfInfoMsg.TYPE, (short) type);
        buffer.putInt(off + IfInfoMsg.INDEX, index);
        buffer.putInt(off + IfInfoMsg.FLAGS, flags);
        buffer.putInt(off + IfInfoMsg.CHANGE, change);
        return off;
    }

    /** Writes a {@code struct tcmsg} (qdiscs, classes, filters, actions' parent) and returns its offset. */
    public int putTcMsg(int family, int ifindex, int handle, int parent, int info) {
        int off = reserve(TcMsg.LENGTH);
        buffer.put(off + TcMsg.FAMILY, (byte) family);
        buffer.putInt(off + TcMsg.IFINDEX, ifindex);
        buffer.putInt(off + TcMsg.HANDLE, handle);
        buffer.putInt(off + TcMsg.PARENT, parent);
        buffer.putInt(off + TcMsg.INFO, info);
        return off;
    }

    /** Writes a {@code struct genlmsghdr} and returns its offset. */
    public int putGenlMsgHdr(int cmd, int version) {
        int off = reserve(GenlMsgHdr.LENGTH);
        buffer.put(off + GenlMsgHdr.CMD, (byte) cmd);
        buffer.put(off + GenlMsgHdr.VERSION, (byte) version);
        return off;
    }

    public NetlinkMessageWriter putU8(int type, int value) {
        int p = attr(type, 1);
        buffer.put(p, (byte) value);
        return this;
    }

    public NetlinkMessageWriter putU16(int type, int value) {
        int p = attr(type, 2);
        buffer.putShort(p, (short) value);
        return this;
    }

    public NetlinkMessageWriter putU32(int type, int value) {
        int p = attr(type, 4);
        buffer.putInt(p, value);
        return this;
    }

    public NetlinkMessageWriter putU64(int type, long value) {
        int p = attr(type, 8);
        buffer.putLong(p, value);
        return this;
    }

    /** A 16-bit value in network byte order (ports, ethertypes, VLAN ids in flower keys). */
    public NetlinkMessageWriter putBe16(int type, int value) {
        int p = attr(type, 2);
        buffer.putShort(p, buffer.order() == ByteOrder.BIG_ENDIAN ? (short) value : Short.reverseBytes((short) value));
        return this;
    }

    /** A 32-bit value in network byte order (IPv4 addresses and masks). */
    public NetlinkMessageWriter putBe32(int type, int value) {
        int p = attr(type, 4);
        buffer.putInt(p, buffer.order() == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value));
        return this;
    }

    /** A NUL-terminated string ({@code NLA_NUL_STRING}/{@code NLA_STRING} as iproute2 writes them: ASCII/UTF-8 plus one NUL). */
    public NetlinkMessageWriter putString(int type, CharSequence value) {
        int n = value.length();
        int p = attr(type, n + 1);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == 0 || c > 0x7f) {
                // Interface names and kinds are ASCII; anything else takes the slow, exact path.
                position = p - NlAttr.HEADER_LENGTH;
                return putBytes(type, (value.toString() + '\0').getBytes(StandardCharsets.UTF_8));
            }
            buffer.put(p + i, (byte) c);
        }
        buffer.put(p + n, (byte) 0);
        return this;
    }

    /**
     * A string without the trailing NUL — what iproute2 writes for some {@code NLA_STRING}
     * attributes (e.g. {@code IFLA_INFO_KIND}); the kernel accepts both forms there, and
     * matching iproute2 byte for byte keeps golden tests exact. ASCII only.
     */
    public NetlinkMessageWriter putStringUnterminated(int type, CharSequence value) {
        int n = value.length();
        int p = attr(type, n);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == 0 || c > 0x7f) {
                position = p - NlAttr.HEADER_LENGTH;
                throw new IllegalArgumentException("attribute type " + type + ": non-ASCII or NUL in \"" + value + "\"");
            }
            buffer.put(p + i, (byte) c);
        }
        return this;
    }

    public NetlinkMessageWriter putBytes(int type, byte[] value) {
        return putBytes(type, value, 0, value.length);
    }

    public NetlinkMessageWriter putBytes(int type, byte[] value, int offset, int length) {
        int p = attr(type, length);
        buffer.put(p, value, offset, length);
        return this;
    }

    /** Copies {@code length} bytes of {@code src} from {@code srcOffset} as the payload (e.g. a raw struct such as {@code tc_mirred}). */
    public NetlinkMessageWriter putBytes(int type, ByteBuffer src, int srcOffset, int length) {
        int p = attr(type, length);
        buffer.put(p, src, srcOffset, length);
        return this;
    }

    /**
     * Starts an attribute of {@code length} payload bytes (zeroed) and returns the payload
     * offset, for structs written field by field.
     */
    public int putStruct(int type, int length) {
        int p = attr(type, length);
        // The buffer is reused across messages: a struct written field by field must not
        // inherit the last message's bytes (a stale tc_gen.index binds a filter to some
        // other existing action, silently).
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            buffer.putLong(p + i, 0L);
        }
        for (; i < length; i++) {
            buffer.put(p + i, (byte) 0);
        }
        return p;
    }

    /** A zero-length attribute whose presence is the value ({@code NLA_FLAG}). */
    public NetlinkMessageWriter putFlag(int type) {
        attr(type, 0);
        return this;
    }

    /**
     * Starts a nested attribute; its length is patched by {@link #endNested(int)}. The type
     * is written as given: OR in {@link org.offloadbridge.netlink.uapi.NetlinkConstants#NLA_F_NESTED}
     * where the family asks for it (generic netlink families with strict validation);
     * rtnetlink, like iproute2, leaves it out.
     *
     * @return the offset of the nested attribute's header, to pass to {@link #endNested} or {@link #cancelNested}
     */
    public int beginNested(int type) {
        int off = position;
        attr(type, 0);
        return off;
    }

    /** Closes the nested attribute begun at {@code offset}: its length becomes everything written since. */
    public void endNested(int offset) {
        checkNestOffset(offset);
        int len = position - offset;
        if (len > 0xffff) {
            throw new IllegalStateException("nested attribute at offset " + offset + " is " + len + " bytes, over nla_len's 65535");
        }
        buffer.putShort(offset + NlAttr.LEN, (short) len);
    }

    /** Drops the nested attribute begun at {@code offset} and everything written inside it. */
    public void cancelNested(int offset) {
        checkNestOffset(offset);
        position = offset;
    }

    private void checkNestOffset(int offset) {
        if (offset < 0 || offset + NlAttr.HEADER_LENGTH > position || (messageStart >= 0 && offset < messageStart)) {
            throw new IllegalArgumentException("no nested attribute begun at offset " + offset + " (written " + position + ")");
        }
    }

    /** Writes an attribute header, reserves the padded payload (padding zeroed) and returns the payload offset. */
    private int attr(int type, int payload) {
        int len = NlAttr.HEADER_LENGTH + payload;
        if (len > 0xffff) {
            throw new IllegalArgumentException("attribute type " + type + " payload of " + payload + " bytes exceeds nla_len's 65535");
        }
        int aligned = align(len);
        ensure(aligned);
        int off = position;
        buffer.putInt(off + aligned - 4, 0);
        buffer.putShort(off + NlAttr.LEN, (short) len);
        buffer.putShort(off + NlAttr.TYPE, (short) type);
        position += aligned;
        return off + NlAttr.HEADER_LENGTH;
    }

    private void ensure(int n) {
        int need = position + n;
        if (need <= buffer.capacity()) {
            return;
        }
        if (need > MAX_CAPACITY) {
            throw new IllegalStateException("netlink message buffer would exceed " + MAX_CAPACITY + " bytes (need " + need + ")");
        }
        int cap = Math.min(MAX_CAPACITY, Math.max(need, buffer.capacity() * 2));
        ByteBuffer bigger = ByteBuffer.allocateDirect(cap).order(ByteOrder.nativeOrder());
        bigger.put(0, buffer, 0, position);
        buffer = bigger;
    }

    /** {@code NLMSG_ALIGN}/{@code NLA_ALIGN}: round up to 4. */
    public static int align(int n) {
        return (n + 3) & ~3;
    }
}
