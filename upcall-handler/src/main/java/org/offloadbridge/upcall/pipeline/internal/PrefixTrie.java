package org.offloadbridge.upcall.pipeline.internal;

import java.util.Arrays;

/**
 * A binary trie of the address prefixes (nw_src, nw_dst, ipv6_src or ipv6_dst) that the
 * rules of one table match on: OVS's classifier prefix tracking, in our own shape.
 *
 * <p>The one question it answers is {@link #lcp}: how many leading bits of a packet's address
 * agree with some stored prefix. If that is {@code d}, then no rule whose prefix is longer
 * than {@code d} can match, and every address that shares the packet's first {@code d + 1}
 * bits leaves the trie at the same node — so a subtable of /24 rules can be skipped for a
 * packet while the megaflow un-wildcards only {@code d + 1} bits instead of 24. Without
 * this, one lookup miss would pin a whole /24 and split traffic into many megaflows.
 *
 * <p>Nodes live in parallel int arrays (no per-node objects: 100 000 /24 routes are a few
 * million nodes). Each node counts the prefixes stored at or below it; removal decrements
 * counts, and a node with count 0 is treated as absent, so {@link #lcp} stays exact.
 * Lookups allocate nothing.
 */
public final class PrefixTrie {
    private final int width;
    private int[] zero = new int[64];
    private int[] one = new int[64];
    private int[] count = new int[64];
    private int nodes = 1;

    /** A trie over addresses of {@code width} bits (32 or 128). */
    public PrefixTrie(int width) {
        this.width = width;
    }

    public int width() {
        return width;
    }

    /** Number of prefixes stored (with multiplicity). */
    public int size() {
        return count[0];
    }

    /** Bit {@code i} (0 = most significant) of an address given as hi/lo. */
    private int bit(long hi, long lo, int i) {
        if (width <= 64) {
            return (int) (lo >>> (width - 1 - i)) & 1;
        }
        return i < 64 ? (int) (hi >>> (63 - i)) & 1 : (int) (lo >>> (127 - i)) & 1;
    }

    /** Stores one prefix of length {@code plen} (0..width). */
    public void insert(long hi, long lo, int plen) {
        int n = 0;
        count[0]++;
        for (int i = 0; i < plen; i++) {
            int[] side = bit(hi, lo, i) == 0 ? zero : one;
            int c = side[n];
            if (c == 0) {
                c = newNode();
                side = bit(hi, lo, i) == 0 ? zero : one; // arrays may have grown
                side[n] = c;
            }
            n = c;
            count[n]++;
        }
    }

    /** Removes one earlier-inserted prefix. */
    public void remove(long hi, long lo, int plen) {
        int n = 0;
        count[0]--;
        for (int i = 0; i < plen; i++) {
            n = bit(hi, lo, i) == 0 ? zero[n] : one[n];
            if (n == 0) {
                throw new IllegalStateException("removing a prefix that was never inserted");
            }
            count[n]--;
        }
    }

    /** Length of the longest common prefix of the address and any stored prefix. */
    public int lcp(long hi, long lo) {
        int n = 0;
        int d = 0;
        while (d < width) {
            int c = bit(hi, lo, d) == 0 ? zero[n] : one[n];
            if (c == 0 || count[c] == 0) {
                return d;
            }
            n = c;
            d++;
        }
        return d;
    }

    private int newNode() {
        if (nodes == zero.length) {
            int len = zero.length * 2;
            zero = Arrays.copyOf(zero, len);
            one = Arrays.copyOf(one, len);
            count = Arrays.copyOf(count, len);
        }
        return nodes++;
    }
}
