package org.offloadbridge.tc.internal;

import java.nio.ByteBuffer;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkParseException;

/** Attribute payloads the netlink writer and table have no method for: raw structs, MACs, 128-bit addresses. */
final class FlowerAttrs {
    private FlowerAttrs() {}

    /**
     * Checks that attribute {@code type} of {@code t} (present) holds at least {@code n} bytes
     * before a raw read of its payload: a short one from the kernel is malformed input.
     *
     * @throws NetlinkParseException naming the attribute's offset otherwise
     */
    static void need(AttributeTable t, int type, int n) {
        if (t.length(type) < n) {
            throw new NetlinkParseException("attribute type " + type + " has a " + t.length(type) + "-byte payload, need " + n,
                    t.offset(type) - 4);
        }
    }

    /** {@code n} bytes at {@code off} as a big-endian number. */
    static long readBe(ByteBuffer b, int off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 8 | (b.get(off + i) & 0xff);
        }
        return v;
    }

    /**
     * An attribute holding a raw struct, payload zeroed. (NetlinkMessageWriter.putStruct leaves
     * old buffer bytes in the payload; a stale {@code tc_gen.index} there makes the kernel bind
     * the filter to some existing action with that index instead of creating one.)
     */
    static int struct(NetlinkMessageWriter w, int type, int length) {
        int p = w.putStruct(type, length);
        ByteBuffer b = w.buffer();
        for (int i = 0; i < length; i++) {
            b.put(p + i, (byte) 0);
        }
        return p;
    }

    static void putMac(NetlinkMessageWriter w, int type, long mac) {
        int p = struct(w, type, 6);
        ByteBuffer b = w.buffer();
        for (int i = 0; i < 6; i++) {
            b.put(p + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    static void put128(NetlinkMessageWriter w, int type, long hi, long lo) {
        int p = struct(w, type, 16);
        ByteBuffer b = w.buffer();
        for (int i = 0; i < 8; i++) {
            b.put(p + i, (byte) (hi >>> (56 - 8 * i)));
            b.put(p + 8 + i, (byte) (lo >>> (56 - 8 * i)));
        }
    }
}
