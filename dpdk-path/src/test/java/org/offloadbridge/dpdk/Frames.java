package org.offloadbridge.dpdk;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.offloadbridge.flow.HeaderEdit;

/** Builds test frames with correct checksums, and checks checksums of frames that come out. */
final class Frames {

    static final long MAC_A = 0x020000000001L;
    static final long MAC_B = 0x020000000002L;

    private Frames() {
    }

    /** Ethernet + IPv4 + UDP (proto 17) or TCP (proto 6) with {@code payload} bytes of data. */
    static byte[] ipv4(long srcMac, long dstMac, int srcIp, int dstIp, int proto, int sport, int dport, int payload) {
        int l4len = (proto == 6 ? 20 : 8) + payload;
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4len);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4len)).putShort((short) 0x1234)
            .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0)
            .putInt(srcIp).putInt(dstIp);
        b.putShort((short) sport).putShort((short) dport);
        if (proto == 6) {
            b.putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02).putShort((short) 8192).putShort((short) 0)
                .putShort((short) 0);
        } else {
            b.putShort((short) l4len).putShort((short) 0);
        }
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        byte[] f = b.array();
        MemorySegment s = MemorySegment.ofArray(f);
        HeaderEdit.put16(s, 24, HeaderEdit.checksum(s, 14, 20, 0));
        int l4csum = l4Checksum(f, 14);
        HeaderEdit.put16(s, 34 + (proto == 6 ? 16 : 6), l4csum);
        return f;
    }

    static byte[] udp(int srcIp, int dstIp, int sport, int dport) {
        return ipv4(MAC_A, MAC_B, srcIp, dstIp, 17, sport, dport, 18);
    }

    private static void putMac(ByteBuffer b, long mac) {
        for (int i = 5; i >= 0; i--) {
            b.put((byte) (mac >>> (8 * i)));
        }
    }

    /** TCP/UDP checksum over pseudo-header + segment, with the checksum field as it is. */
    static int l4Checksum(byte[] f, int l3) {
        MemorySegment s = MemorySegment.ofArray(f);
        int ihl = (f[l3] & 0x0f) * 4;
        int total = HeaderEdit.u16(s, l3 + 2);
        int proto = f[l3 + 9] & 0xff;
        int l4len = total - ihl;
        long pseudo = HeaderEdit.u16(s, l3 + 12) + HeaderEdit.u16(s, l3 + 14) + HeaderEdit.u16(s, l3 + 16)
            + HeaderEdit.u16(s, l3 + 18) + proto + l4len;
        return HeaderEdit.checksum(s, l3 + ihl, l4len, pseudo);
    }

    /** True when the IPv4 header and TCP/UDP checksums at l3 verify (sum to 0xffff → 0). */
    static boolean checksumsValid(byte[] f, int l3) {
        MemorySegment s = MemorySegment.ofArray(f);
        int ihl = (f[l3] & 0x0f) * 4;
        if (HeaderEdit.checksum(s, l3, ihl, 0) != 0) {
            return false;
        }
        return l4Checksum(f, l3) == 0;
    }
}
