package org.offloadbridge.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.HeaderEdit;

/**
 * {@link Vxlan.Header} against a header written field by field with a ByteBuffer (RFC 791 /
 * 768 / 7348 offsets), for random tunnels and packets; the IPv4 checksum must verify and
 * {@link Vxlan#decapOffset} must accept what was stamped.
 */
class VxlanHeaderTest {

    @Test
    void stampedHeaderIsTheFieldByFieldHeader() {
        SplittableRandom r = new SplittableRandom(0x5eed);
        Vxlan.Header h = new Vxlan.Header();
        for (int round = 0; round < 2000; round++) {
            long dstMac = r.nextLong() >>> 16;
            long srcMac = r.nextLong() >>> 16;
            int srcIp = r.nextInt();
            int dstIp = r.nextInt();
            int tos = r.nextInt(256);
            int ttl = r.nextInt(256);
            boolean df = r.nextBoolean();
            int dstPort = 1 + r.nextInt(65535);
            int vni = r.nextInt(1 << 24);
            h.prepare(dstMac, srcMac, srcIp, dstIp, tos, ttl, df, dstPort, vni);
            for (int p = 0; p < 4; p++) {
                int id = r.nextInt(65536);
                int sport = r.nextInt(65536);
                int innerLen = 14 + r.nextInt(9000);
                MemorySegment s = MemorySegment.ofArray(new byte[Vxlan.ENCAP_LEN + 8]);
                h.stamp(s, 4, id, sport, innerLen);
                byte[] expected = reference(dstMac, srcMac, srcIp, dstIp, tos, ttl, df, id, sport, dstPort, vni, innerLen);
                byte[] got = s.asSlice(4, Vxlan.ENCAP_LEN).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                assertArrayEquals(expected, got, "round " + round + " packet " + p);
                assertEquals(0, HeaderEdit.checksum(s, 4 + 14, 20, 0), "the IPv4 header checksum verifies");
            }
        }
    }

    @Test
    void decapAcceptsWhatEncapStamped() {
        Vxlan.Header h = new Vxlan.Header();
        h.prepare(0x02000000aa02L, 0x02000000aa01L, 0xac1f0001, 0xac1f0002, 0, 64, true, 4789, 42);
        MemorySegment s = MemorySegment.ofArray(new byte[Vxlan.ENCAP_LEN + 60]);
        h.stamp(s, 0, 0, 50000, 60);
        assertEquals(Vxlan.ENCAP_LEN, Vxlan.decapOffset(s, 0, (int) s.byteSize(), 0xac1f0002, 4789));
        assertEquals(60, Vxlan.innerLength(s, 0, Vxlan.ENCAP_LEN));
    }

    private static byte[] reference(long dstMac, long srcMac, int srcIp, int dstIp, int tos, int ttl, boolean df, int id,
                                    int sport, int dport, int vni, int innerLen) {
        ByteBuffer b = ByteBuffer.allocate(Vxlan.ENCAP_LEN);
        b.putShort((short) (dstMac >>> 32)).putInt((int) dstMac).putShort((short) (srcMac >>> 32)).putInt((int) srcMac)
            .putShort((short) 0x0800);
        int ipLen = 20 + 8 + 8 + innerLen;
        b.put((byte) 0x45).put((byte) tos).putShort((short) ipLen).putShort((short) id)
            .putShort((short) (df ? 0x4000 : 0)).put((byte) ttl).put((byte) 17).putShort((short) 0)
            .putInt(srcIp).putInt(dstIp);
        long sum = 0;
        for (int k = 14; k < 34; k += 2) {
            sum += Short.toUnsignedInt(b.getShort(k));
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        b.putShort(24, (short) ~sum);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (ipLen - 20)).putShort((short) 0);
        b.putInt(0x08000000).putInt(vni << 8);
        return b.array();
    }
}
