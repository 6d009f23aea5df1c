package org.offloadbridge.netlink;

import java.nio.ByteBuffer;

/**
 * Flyweight over {@code struct tcmsg}, the fixed header of RTM_*QDISC, RTM_*TCLASS,
 * RTM_*TFILTER and RTM_*CHAIN.
 *
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  | tcm_family u8 | tcm__pad1 u8  |       tcm__pad2 (u16)         |  0
 *  +---------------+---------------+-------------------------------+
 *  |                     tcm_ifindex (s32)                         |  4
 *  +---------------------------------------------------------------+
 *  |                     tcm_handle (u32)                          |  8
 *  +---------------------------------------------------------------+
 *  |                     tcm_parent (u32)                          | 12
 *  +---------------------------------------------------------------+
 *  |  tcm_info (u32): filters pack prio (high 16) | protocol (be16)| 16
 *  +---------------------------------------------------------------+
 * </pre>
 * For filters, {@code tcm_info = TC_H_MAKE(prio << 16, htons(protocol))}; see {@link #filterInfo}.
 */
public final class TcMsg {
    public static final int FAMILY = 0;
    public static final int IFINDEX = 4;
    public static final int HANDLE = 8;
    public static final int PARENT = 12;
    public static final int INFO = 16;
    public static final int LENGTH = 20;

    private ByteBuffer buffer;
    private int offset;

    /** {@code tcm_info} of a filter: priority in the high 16 bits, the ethertype in network order in the low 16 (as tc does on a little-endian host). */
    public static int filterInfo(int prio, int ethertype) {
        return (prio << 16) | (Short.reverseBytes((short) ethertype) & 0xffff);
    }

    /** {@code TC_H_MAKE(maj, min)}: a handle from a major (high 16 bits, given in place) and a minor. */
    public static int tcHMake(int maj, int min) {
        return (maj & 0xffff0000) | (min & 0xffff);
    }

    /** {@code TC_H_MAJ(h)}. */
    public static int tcHMaj(int h) {
        return h & 0xffff0000;
    }

    /** {@code TC_H_MIN(h)}. */
    public static int tcHMin(int h) {
        return h & 0xffff;
    }

    public TcMsg wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int family() {
        return buffer.get(offset + FAMILY) & 0xff;
    }

    public int ifindex() {
        return buffer.getInt(offset + IFINDEX);
    }

    public int handle() {
        return buffer.getInt(offset + HANDLE);
    }

    public int parent() {
        return buffer.getInt(offset + PARENT);
    }

    public int info() {
        return buffer.getInt(offset + INFO);
    }

    public TcMsg family(int v) {
        buffer.put(offset + FAMILY, (byte) v);
        return this;
    }

    public TcMsg ifindex(int v) {
        buffer.putInt(offset + IFINDEX, v);
        return this;
    }

    public TcMsg handle(int v) {
        buffer.putInt(offset + HANDLE, v);
        return this;
    }

    public TcMsg parent(int v) {
        buffer.putInt(offset + PARENT, v);
        return this;
    }

    public TcMsg info(int v) {
        buffer.putInt(offset + INFO, v);
        return this;
    }
}
