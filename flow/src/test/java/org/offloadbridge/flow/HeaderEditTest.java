package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Cases;

/**
 * Incremental checksum fix-up against full recomputation: random packets, random rewrites of
 * addresses, ports, TOS and TTL (masked and whole), with and without VLAN tags.
 */
class HeaderEditTest {

    static byte[] frame(SplittableRandom r, int proto, boolean vlan, boolean udpNoChecksum) {
        int payload = r.nextInt(40);
        int l4len = (proto == 6 ? 20 : 8) + payload;
        int l2 = vlan ? 18 : 14;
        ByteBuffer b = ByteBuffer.allocate(l2 + 20 + l4len);
        b.putLong(r.nextLong()).putInt(r.nextInt());
        if (vlan) {
            b.putShort((short) 0x8100).putShort((short) r.nextInt(4096));
        }
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) r.nextInt(256)).putShort((short) (20 + l4len)).putShort((short) r.nextInt())
            .putShort((short) 0).put((byte) r.nextInt(256)).put((byte) proto).putShort((short) 0)
            .putInt(r.nextInt()).putInt(r.nextInt());
        for (int i = 0; i < l4len; i++) {
            b.put((byte) r.nextInt());
        }
        byte[] f = b.array();
        MemorySegment s = MemorySegment.ofArray(f);
        HeaderEdit.put16(s, l2 + 10, HeaderEdit.checksum(s, l2, 20, 0));
        int csumAt = l2 + 20 + (proto == 6 ? 16 : 6);
        HeaderEdit.put16(s, csumAt, 0);
        if (!(proto == 17 && udpNoChecksum)) {
            int c = l4(s, l2);
            HeaderEdit.put16(s, csumAt, proto == 17 && c == 0 ? 0xffff : c);
        }
        return f;
    }

    static int l4(MemorySegment s, int l3) {
        int total = HeaderEdit.u16(s, l3 + 2);
        int proto = Byte.toUnsignedInt(s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, l3 + 9));
        long pseudo = HeaderEdit.u16(s, l3 + 12) + HeaderEdit.u16(s, l3 + 14) + HeaderEdit.u16(s, l3 + 16)
            + HeaderEdit.u16(s, l3 + 18) + proto + (total - 20);
        return HeaderEdit.checksum(s, l3 + 20, total - 20, pseudo);
    }

    @Test
    void incrementalChecksumsEqualFullRecomputation() {
        Field[] ipFields = {Field.IPV4_SRC, Field.IPV4_DST, Field.NW_TOS, Field.NW_TTL};
        Cases.check(5000, List.of(), r -> r.nextLong(), seed -> String.format("edit seed 0x%016x", seed), seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int proto = r.nextBoolean() ? 6 : 17;
            boolean vlan = r.nextBoolean();
            boolean noCsum = r.nextInt(5) == 0;
            byte[] f = frame(r, proto, vlan, noCsum);
            MemorySegment s = MemorySegment.ofArray(f);
            int l3 = vlan ? 18 : 14;
            long mask = r.nextBoolean() ? -1L : r.nextLong();
            if (r.nextBoolean()) {
                Field fld = ipFields[r.nextInt(ipFields.length)];
                assertTrue(HeaderEdit.setIpv4(s, 0, f.length, fld, r.nextLong() & fld.valueMask(), mask & fld.valueMask()));
            } else {
                assertTrue(HeaderEdit.setL4Port(s, 0, f.length, proto, r.nextBoolean(), r.nextInt(65536), mask & 0xffff));
            }
            assertEquals(0, HeaderEdit.checksum(s, l3, 20, 0), "IPv4 header checksum");
            int csumAt = l3 + 20 + (proto == 6 ? 16 : 6);
            if (proto == 17 && noCsum) {
                assertEquals(0, HeaderEdit.u16(s, csumAt), "UDP without checksum stays without");
            } else {
                assertEquals(0, l4(s, l3), "L4 checksum");
            }
        });
    }

    @Test
    void refusesWhatThePacketDoesNotCarry() {
        // One case: a random untagged UDP frame.
        Cases.check(50, List.of(), r -> frame(r, 17, false, false), HexFormat.of()::formatHex, input -> {
            byte[] f = input.clone(); // the case as drawn stays printable
            MemorySegment s = MemorySegment.ofArray(f);
            assertFalse(HeaderEdit.setIpv4(s, 0, 30, Field.IPV4_SRC, 1, -1L), "IPv4 header cut short");
            assertFalse(HeaderEdit.setL4Port(s, 0, f.length, 6, true, 1, 0xffff), "not TCP");
            assertFalse(HeaderEdit.setL4Port(s, 0, 38, 17, true, 1, 0xffff), "UDP header cut short");
            assertFalse(HeaderEdit.setMac(s, 0, 13, true, 1, -1L), "runt");
            f[12] = (byte) 0x86;
            f[13] = (byte) 0xdd;
            assertFalse(HeaderEdit.setIpv4(s, 0, f.length, Field.NW_TTL, 1, 0xff), "IPv6 frame");
        });
    }
}
