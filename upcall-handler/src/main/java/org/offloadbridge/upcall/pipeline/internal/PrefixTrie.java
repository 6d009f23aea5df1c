package org.offloadbridge.upcall.pipeline.internal;

import java.util.Arrays;

/**
 * A trie of the address prefixes (nw_src, nw_dst, ipv6_src or ipv6_dst) that the rules of
 * one table match on: OVS's classifier prefix tracking, in our own shape.
 *
 * <p>The one question it answers is {@link #lcp}: how many leading bits of a packet's address
 * agree with some stored prefix. If that is {@code d}, then no rule whose prefix is longer
 * than {@code d} can match, and every address that shares the packet's first {@code d + 1}
 * bits leaves the trie at the same place — so a subtable of /24 rules can be skipped for a
 * packet while the megaflow un-wildcards only {@code d + 1} bits instead of 24. Without
 * this, one lookup miss would pin a whole /24 and split traffic into many megaflows.
 *
 * <h2>Layout</h2>
 * A stride-4 trie (a "tree bitmap"): each node covers 4 address bits. A lookup walks 8 nodes
 * for IPv4 (32 for IPv6) and resolves the bits within each nibble from the node's presence map,
 * a 30-bit map of the binary sub-trie inside the nibble (bit {@code 2^j - 2 + t} set when some
 * prefix passes through the depth-{@code j} sub-node {@code t}, j = 1..4).
 *
 * <p>A built trie is one {@code int[]} of 4-int (16-byte) nodes: the presence map, a 16-bit
 * map of which nibble values have a child, the index of the first child, and padding to keep
 * nodes on 16-byte boundaries — a node's children
 * are stored together in nibble order (breadth-first), so child {@code t} is the first plus the
 * number of children before {@code t}. A node never straddles a cache line, so a lookup reads
 * one line per 4 bits. The {@link Builder}'s form, 16 child slots beside the map (68 bytes, the
 * map usually a line away from the slot a lookup reads), took two lines per 4 bits and four
 * times the memory — what decides lookup speed once 100,000 routes no longer fit in cache.
 * Lookups allocate nothing.
 *
 * <p>{@link #lookup}'s proof bits refine the lcp, as OVS's trie lookup does: when no stored
 * prefix runs on past the {@code d} common bits along the packet's path (the path ends in the
 * trie), the {@code d} bits alone already prove that nothing longer matches — every address
 * sharing them leaves the trie at the same dead end — so {@code d}, not {@code d + 1}, bits are
 * pinned.
 *
 * <p>Immutable: built once per table by a {@link Builder} (rule sets are copy-on-write), read by
 * any number of threads.
 */
public final class PrefixTrie {
    private static final int NODE = 4;
    private static final int MAP = 0;
    private static final int CHILDREN = 1;
    private static final int FIRST_CHILD = 2;

    private final int width;
    private final int[] nodes;
    private final int size;

    private PrefixTrie(int width, int[] nodes, int size) {
        this.width = width;
        this.nodes = nodes;
        this.size = size;
    }

    public int width() {
        return width;
    }

    /** Number of prefixes stored. */
    public int size() {
        return size;
    }

    /** Nibble {@code level} (0 = most significant 4 bits) of an address given as hi/lo. */
    private static int nibble(int width, long hi, long lo, int level) {
        if (width == 32) {
            return (int) (lo >>> (28 - 4 * level)) & 0xf;
        }
        return level < 16 ? (int) (hi >>> (60 - 4 * level)) & 0xf : (int) (lo >>> (124 - 4 * level)) & 0xf;
    }

    /** Presence-map bit of the depth-{@code j} (1..4) sub-node reached by nibble {@code t}. */
    private static int mapBit(int j, int t) {
        return (1 << j) - 2 + (t >>> (4 - j));
    }

    /** Length of the longest common prefix of the address and any stored prefix. */
    public int lcp(long hi, long lo) {
        return lcpOf(lookup(hi, lo));
    }

    /**
     * The lcp ({@link #lcp}) and the number of leading address bits that prove it: {@code d + 1}
     * when some stored prefix continues past bit {@code d} on the other branch (bit
     * {@code d + 1} decides), else {@code d} (no stored prefix extends the path at all).
     * Every address sharing that many bits has the same lcp, or a smaller one when
     * {@code d} bits are enough, and no stored prefix longer than {@code d} matches it.
     * Packed as {@code lcp << 8 | proofBits} so one walk answers both; see {@link #lcpOf},
     * {@link #proofOf}.
     */
    public int lookup(long hi, long lo) {
        int[] nodes = this.nodes;
        int n = 0;
        int d = 0;
        int levels = width / 4;
        for (int level = 0; level < levels; level++) {
            int t = nibble(width, hi, lo, level);
            int map = nodes[n + MAP];
            for (int j = 1; j <= 4; j++) {
                if ((map & (1 << mapBit(j, t))) == 0) {
                    // No prefix takes the address's next bit; does one take the other value?
                    boolean other = (map & (1 << mapBit(j, t ^ (1 << (4 - j))))) != 0;
                    return d << 8 | (other ? d + 1 : d);
                }
                d++;
            }
            int children = nodes[n + CHILDREN];
            if ((children & (1 << t)) == 0) {
                return d << 8 | d; // nothing stored runs past these bits
            }
            n = (nodes[n + FIRST_CHILD] + Integer.bitCount(children & ((1 << t) - 1))) * NODE;
        }
        return d << 8 | d;
    }

    /** The lcp part of a {@link #lookup} answer. */
    public static int lcpOf(int lookup) {
        return lookup >>> 8;
    }

    /** The proof-bits part of a {@link #lookup} answer. */
    public static int proofOf(int lookup) {
        return lookup & 0xff;
    }

    /** See {@link #lookup}. */
    public int proofBits(long hi, long lo) {
        return proofOf(lookup(hi, lo));
    }

    /**
     * Collects prefixes in the insertion form (16 child slots and the map per node, 17 ints),
     * then lays them out compactly; {@link #build} may be called again after more inserts.
     */
    public static final class Builder {
        private static final int BLOCK = 17;
        private static final int BMAP = 16;

        private final int width;
        private int[] nodes = new int[BLOCK * 64];
        private int used = BLOCK; // node 0 = root
        private int size;

        /** A builder of a trie over addresses of {@code width} bits (32 or 128). */
        public Builder(int width) {
            if (width != 32 && width != 128) {
                throw new IllegalArgumentException("width must be 32 or 128");
            }
            this.width = width;
        }

        /** Stores one prefix of length {@code plen} (0..width). */
        public Builder insert(long hi, long lo, int plen) {
            if (plen < 0 || plen > width) {
                throw new IllegalArgumentException("prefix length " + plen + " out of 0.." + width);
            }
            size++;
            int n = 0;
            int level = 0;
            int rest = plen;
            while (rest > 0) {
                int t = nibble(width, hi, lo, level);
                int depth = Math.min(rest, 4);
                for (int j = 1; j <= depth; j++) {
                    nodes[n + BMAP] |= 1 << mapBit(j, t);
                }
                rest -= 4;
                if (rest <= 0) {
                    break;
                }
                int c = nodes[n + t];
                if (c == 0) {
                    c = newNode();
                    nodes[n + t] = c;
                }
                n = c;
                level++;
            }
            return this;
        }

        /** The trie of the prefixes inserted so far. */
        public PrefixTrie build() {
            int count = used / BLOCK;
            int[] out = new int[count * NODE];
            // Breadth-first: a node's children get consecutive numbers, in nibble order.
            int[] queue = new int[count];
            int head = 0;
            int tail = 0;
            queue[tail++] = 0;
            while (head < tail) {
                int from = queue[head];
                int at = head * NODE;
                head++;
                out[at + MAP] = nodes[from + BMAP];
                int children = 0;
                out[at + FIRST_CHILD] = tail;
                for (int t = 0; t < 16; t++) {
                    int c = nodes[from + t];
                    if (c != 0) {
                        children |= 1 << t;
                        queue[tail++] = c;
                    }
                }
                out[at + CHILDREN] = children;
            }
            return new PrefixTrie(width, out, size);
        }

        private int newNode() {
            if (used + BLOCK > nodes.length) {
                nodes = Arrays.copyOf(nodes, nodes.length * 2);
            }
            int n = used;
            used += BLOCK;
            return n;
        }
    }
}
