package org.offloadbridge.flow;

import org.offloadbridge.testkit.Cases;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowKeyMaskTest {

    @Test
    void fieldsDoNotOverlapAndFitTheirWord() {
        long[] used = new long[Field.WORDS];
        for (Field f : Field.values()) {
            assertTrue(f.word() < Field.WORDS, f + " word");
            assertTrue(f.shift() + f.width() <= 64, f + " crosses its word");
            assertEquals(0, used[f.word()] & f.wordMask(), f + " overlaps another field");
            used[f.word()] |= f.wordMask();
        }
    }

    @Test
    void setAndGetEveryFieldIndependently() {
        FlowKey k = new FlowKey();
        for (Field f : Field.values()) {
            k.set(f, -1L);
        }
        for (Field f : Field.values()) {
            assertEquals(f.valueMask(), k.get(f), f.name());
        }
        k.set(Field.TP_DST, 80);
        assertEquals(80, k.get(Field.TP_DST));
        assertEquals(0xffff, k.get(Field.TP_SRC), "neighbour untouched");
        assertEquals(0xfff, k.get(Field.TCP_FLAGS), "neighbour untouched");
    }

    @Test
    void typedAccessorsAgreeWithFields() {
        FlowKey k = new FlowKey();
        k.setInPort(-2);
        k.set(Field.ETH_TYPE, 0x86dd);
        k.set(Field.NW_PROTO, 17);
        k.set(Field.IPV4_SRC, 0xc0a80001L);
        k.set(Field.IPV4_DST, 0xffffffffL);
        k.set(Field.TP_SRC, 65535);
        k.set(Field.TP_DST, 53);
        k.set(Field.ETH_SRC, 0x020000000001L);
        k.set(Field.ETH_DST, 0xffffffffffffL);
        k.set(Field.VLAN0_CFI, 1);
        assertEquals(-2, k.inPort());
        assertEquals(0xfffffffeL, k.get(Field.IN_PORT));
        assertEquals(0x86dd, k.ethType());
        assertEquals(17, k.nwProto());
        assertEquals(0xc0a80001, k.ipv4Src());
        assertEquals(-1, k.ipv4Dst());
        assertEquals(65535, k.tpSrc());
        assertEquals(53, k.tpDst());
        assertEquals(0x020000000001L, k.ethSrc());
        assertEquals(0xffffffffffffL, k.ethDst());
        assertTrue(k.hasVlan());
        assertFalse(k.hasTwoVlans());
    }

    @Test
    void maskedEqualsAndHashIgnoreWildcardedBits() {
        FlowKey a = new FlowKey();
        FlowKey b = new FlowKey();
        a.set(Field.IPV4_DST, 0x0a000001L);
        b.set(Field.IPV4_DST, 0x0a0000feL);
        a.set(Field.TP_SRC, 1111);
        b.set(Field.TP_SRC, 2222);
        FlowMask m = new FlowMask();
        m.setPrefix(Field.IPV4_DST, 24);
        assertTrue(a.maskedEquals(m, b));
        assertTrue(FlowKey.maskedEquals(a, m, b));
        assertEquals(a.maskedHash(m), b.maskedHash(m));
        m.setExact(Field.TP_SRC);
        assertFalse(a.maskedEquals(m, b));

        FlowKey out = new FlowKey();
        a.and(m, out);
        assertEquals(0x0a000000L, out.get(Field.IPV4_DST));
        assertEquals(1111, out.get(Field.TP_SRC));
        assertTrue(out.maskedEquals(m, a));
    }

    @Test
    void keysAreHashMapKeysWithAReusableProbe() {
        Map<FlowKey, String> table = new HashMap<>();
        FlowKey probe = new FlowKey();
        for (int port = 0; port < 100; port++) {
            probe.clear();
            probe.set(Field.TP_DST, port);
            table.put(probe.copy(), "p" + port);
        }
        probe.clear();
        probe.set(Field.TP_DST, 42);
        assertEquals("p42", table.get(probe));
        probe.set(Field.TP_DST, 4242);
        assertNull(table.get(probe));
    }

    @Test
    void attrsTravelWithCopiesButDoNotAffectEquality() {
        FlowKey a = new FlowKey();
        a.addAttr(KeyAttr.IPV4);
        FlowKey b = a.copy();
        assertTrue(b.hasAttr(KeyAttr.IPV4));
        b.removeAttr(KeyAttr.IPV4);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        b.clear();
        assertEquals(0, b.attrs());
    }

    @Test
    void keysAreTotallyOrderedConsistentlyWithEquals() {
        FlowKey a = new FlowKey();
        FlowKey b = new FlowKey();
        assertEquals(0, a.compareTo(b));
        b.set(Field.TP_DST, 1);
        assertTrue(a.compareTo(b) < 0 && b.compareTo(a) > 0);
        a.set(Field.IN_PORT, 0xffffffffL); // word 0 decides, compared unsigned
        assertTrue(a.compareTo(b) > 0);
        java.util.TreeSet<FlowKey> sorted = new java.util.TreeSet<>(java.util.List.of(a, b, b.copy()));
        assertEquals(2, sorted.size());
        FlowMask m1 = new FlowMask();
        FlowMask m2 = new FlowMask();
        m2.setExact(Field.ETH_DST);
        assertTrue(m1.compareTo(m2) < 0);
    }

    @Test
    void prefixes() {
        FlowMask m = new FlowMask();
        m.setPrefix(Field.IPV4_SRC, 24);
        assertEquals(0xffffff00L, m.get(Field.IPV4_SRC));
        assertEquals(24, m.prefixLength(Field.IPV4_SRC));
        m.setPrefix(Field.IPV4_SRC, 0);
        assertTrue(m.isWildcard(Field.IPV4_SRC));
        assertEquals(0, m.prefixLength(Field.IPV4_SRC));
        m.setPrefix(Field.IPV4_SRC, 32);
        assertTrue(m.isExact(Field.IPV4_SRC));
        m.setWildcard(Field.IPV4_SRC);
        m.unwildcard(Field.IPV4_SRC, 0x00ff0000L);
        assertEquals(-1, m.prefixLength(Field.IPV4_SRC));

        m.setPrefix128(Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, 64);
        assertEquals(-1L, m.get(Field.IPV6_SRC_HI));
        assertEquals(0L, m.get(Field.IPV6_SRC_LO));
        assertEquals(64, m.prefixLength128(Field.IPV6_SRC_HI, Field.IPV6_SRC_LO));
        m.setPrefix128(Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, 100);
        assertEquals(100, m.prefixLength128(Field.IPV6_SRC_HI, Field.IPV6_SRC_LO));
        m.setPrefix128(Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, 3);
        assertEquals(0xe000000000000000L, m.get(Field.IPV6_SRC_HI));
        assertEquals(3, m.prefixLength128(Field.IPV6_SRC_HI, Field.IPV6_SRC_LO));
        assertThrows(IllegalArgumentException.class, () -> m.setPrefix(Field.IPV4_SRC, 33));
    }

    /** Every (width, length ≤ width) pair: 2144 cases, all of them, where random tries saw 300. */
    @Test
    void prefixRoundTrip() {
        List<int[]> all = new ArrayList<>();
        for (int width = 1; width <= 64; width++) {
            for (int len = 0; len <= width; len++) {
                all.add(new int[] {len, width});
            }
        }
        Cases.check(0, all, r -> { throw new AssertionError("exhaustive"); }, c -> "len=" + c[0] + " width=" + c[1],
                c -> assertEquals(c[0], FlowMask.prefixLengthOf(FlowMask.prefixBits(c[1], c[0]), c[1])));
    }

    @Test
    void unionSubsetAndWordBitmap() {
        FlowMask a = new FlowMask();
        FlowMask b = new FlowMask();
        a.setExact(Field.ETH_DST);
        b.setExact(Field.TP_DST);
        assertFalse(a.isSubsetOf(b));
        FlowMask u = a.copy();
        u.or(b);
        assertTrue(a.isSubsetOf(u));
        assertTrue(b.isSubsetOf(u));
        assertFalse(u.isSubsetOf(a));
        assertEquals((1L << Field.ETH_DST.word()) | (1L << Field.TP_DST.word()), u.wordBitmap());
        u.and(a);
        assertEquals(a, u);
        FlowMask all = new FlowMask();
        all.setAll();
        assertTrue(u.isSubsetOf(all));
        assertTrue(new FlowMask().isZero());
    }

    record Words(long w0, long w1, long m0, int word) { }

    /** Edges first: first and last word with 0, -1 and single-bit values; random w1 is often w0 changed only where m0 is 0, so equal-under-mask cases are common. */
    static List<Words> wordEdges() {
        List<Words> edges = new ArrayList<>();
        long[] vals = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE};
        for (int word : new int[] {0, Field.WORDS - 1}) {
            for (long w0 : vals) {
                for (long w1 : vals) {
                    for (long m0 : vals) {
                        edges.add(new Words(w0, w1, m0, word));
                    }
                }
            }
        }
        return edges;
    }

    static Words randomWords(SplittableRandom r) {
        long w0 = Cases.oneLong(r);
        long m0 = Cases.oneLong(r);
        long w1 = switch (r.nextInt(4)) {
            case 0 -> Cases.oneLong(r);
            case 1 -> w0;
            case 2 -> w0 ^ (r.nextLong() & ~m0);                 // equal under the mask
            default -> w0 ^ (1L << r.nextInt(64));                // one bit apart
        };
        return new Words(w0, w1, m0, Cases.intIn(r, 0, Field.WORDS - 1));
    }

    @Test
    void maskedEqualsIsConsistentWithAndEquality() {
        Cases.check(500, wordEdges(), FlowKeyMaskTest::randomWords, Words::toString, c -> {
            FlowKey a = new FlowKey();
            FlowKey b = new FlowKey();
            FlowMask m = new FlowMask();
            a.setWord(c.word(), c.w0());
            b.setWord(c.word(), c.w1());
            m.setWord(c.word(), c.m0());
            FlowKey am = new FlowKey();
            FlowKey bm = new FlowKey();
            a.and(m, am);
            b.and(m, bm);
            assertEquals(am.equals(bm), a.maskedEquals(m, b));
            assertEquals(a.maskedEquals(m, b), a.maskedEquals(m, b, m.wordBitmap()));
            assertEquals(a.maskedHash(m), a.maskedHash(m, m.wordBitmap()));
            if (a.maskedEquals(m, b)) {
                assertEquals(a.maskedHash(m), b.maskedHash(m));
            }
        });
    }

    @Test
    void maskedHashSpreads() {
        FlowMask m = new FlowMask();
        m.setExact(Field.IPV4_DST);
        m.setExact(Field.TP_DST);
        FlowKey k = new FlowKey();
        Set<Integer> buckets = new HashSet<>();
        for (int i = 0; i < 4096; i++) {
            k.set(Field.IPV4_DST, 0x0a000000L + i);
            buckets.add(k.maskedHash(m) & 1023);
        }
        assertTrue(buckets.size() > 900, "4096 keys fill only " + buckets.size() + " of 1024 buckets");
    }
}
