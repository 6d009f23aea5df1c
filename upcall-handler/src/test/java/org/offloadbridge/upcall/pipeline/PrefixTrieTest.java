package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Cases;
import org.offloadbridge.upcall.pipeline.internal.PrefixTrie;

/** The prefix trie's lcp and proof bits against a brute-force scan over the stored prefixes. */
class PrefixTrieTest {
    @Test
    void examples() {
        PrefixTrie.Builder b = new PrefixTrie.Builder(32);
        assertEquals(0, b.build().lcp(0, 0x0a000001L));
        b.insert(0, 0x0a000500L, 24);
        assertEquals(24, b.build().lcp(0, 0x0a000507L));
        assertEquals(0, b.build().lcp(0, 0xc0a80101L));
        assertEquals(15, b.build().lcp(0, 0x0a010001L));
        b.insert(0, 0x0a000509L, 32);
        assertEquals(28, b.build().lcp(0, 0x0a000507L));
        assertEquals(32, b.build().lcp(0, 0x0a000509L));
        b.insert(0, 0, 0);
        assertEquals(0, b.build().lcp(0, 0xc0a80101L), "a /0 stores no bits");
        b.insert(0, 0x80000000L, 1);
        assertEquals(1, b.build().lcp(0, 0xc0a80101L));
        assertEquals(4, b.build().size());
    }

    /** OVS's leaf rule: a path that ends in the trie needs no extra bit to prove the lcp. */
    @Test
    void aPathThatEndsNeedsNoExtraBit() {
        PrefixTrie t = new PrefixTrie.Builder(32)
            .insert(0, 0x0a000000L, 8)      // 10/8
            .insert(0, 0xc0a80000L, 16)     // 192.168/16
            .build();
        // 10.1.2.3 runs 8 bits down 10/8, and nothing stored goes further: 8 bits prove it.
        assertEquals(8, t.lcp(0, 0x0a010203L));
        assertEquals(8, t.proofBits(0, 0x0a010203L));
        // 192.169.0.1 leaves 192.168/16 at bit 16: that bit is part of the proof.
        assertEquals(15, t.lcp(0, 0xc0a90001L));
        assertEquals(16, t.proofBits(0, 0xc0a90001L));
        // 172.16.0.1 = 1010 1100…: shares 1 bit with 192 = 1100 0000…, none with 10 = 0000 1010…;
        // 192.168/16 runs on past that bit, so 2 bits prove it.
        assertEquals(1, t.lcp(0, 0xac100001L));
        assertEquals(2, t.proofBits(0, 0xac100001L));
    }

    @Test
    void randomAgainstBruteForce() {
        // One case: one random trie and 50 queries against it.
        Cases.check(200, List.of(), rnd -> rnd, rnd -> "a random trie (replay with -Dob.case)", r -> {
            int width = r.nextBoolean() ? 32 : 128;
            PrefixTrie.Builder b = new PrefixTrie.Builder(width);
            int n = 1 + r.nextInt(50);
            long[][] stored = new long[n][3];
            long base = r.nextLong();
            for (int i = 0; i < n; i++) {
                // Share leading bits often, so paths overlap.
                long hi = width == 128 ? (base & (-1L << r.nextInt(64))) | (r.nextLong() & ~(-1L << r.nextInt(64))) : 0;
                long lo = width == 32 ? ((base ^ (r.nextLong() & ((1L << r.nextInt(33)) - 1))) & 0xffffffffL) : r.nextLong();
                int plen = r.nextInt(width + 1);
                stored[i] = new long[] {hi, lo, plen};
                b.insert(hi, lo, plen);
            }
            PrefixTrie t = b.build();
            for (int q = 0; q < 50; q++) {
                long[] s = stored[r.nextInt(n)];
                long hi = s[0] ^ (r.nextInt(3) == 0 ? r.nextLong() : 0);
                long lo = width == 32 ? (s[1] ^ (1L << r.nextInt(32))) & 0xffffffffL : s[1] ^ (1L << r.nextInt(64));
                int expect = 0;
                for (long[] p : stored) {
                    expect = Math.max(expect, Math.min((int) p[2], common(width, hi, lo, p[0], p[1])));
                }
                assertEquals(expect, t.lcp(hi, lo));
                // Proof bits: lcp + 1 exactly when a stored prefix longer than lcp shares the
                // address's first lcp bits (so bit lcp + 1 is what keeps the address off it).
                boolean continues = false;
                for (long[] p : stored) {
                    continues |= p[2] > expect && common(width, hi, lo, p[0], p[1]) >= expect;
                }
                int look = t.lookup(hi, lo);
                assertEquals(expect, PrefixTrie.lcpOf(look));
                assertEquals(continues ? expect + 1 : expect, PrefixTrie.proofOf(look));
            }
        });
    }

    private static int common(int width, long h1, long l1, long h2, long l2) {
        if (width == 32) {
            return Math.min(32, Long.numberOfLeadingZeros((l1 ^ l2) & 0xffffffffL) - 32);
        }
        if (h1 != h2) {
            return Long.numberOfLeadingZeros(h1 ^ h2);
        }
        return 64 + Long.numberOfLeadingZeros(l1 ^ l2);
    }
}
