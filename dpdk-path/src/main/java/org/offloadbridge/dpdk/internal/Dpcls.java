package org.offloadbridge.dpdk.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;

/**
 * The megaflow classifier: a tuple-space search as OVS's dpcls. Flows are grouped by mask into
 * subtables; a lookup hashes the packet key under each subtable's mask
 * ({@link FlowKey#maskedHash(FlowMask, long)} over the mask's non-zero words, the project's one
 * masked hash) and probes that subtable's hash table. Megaflows never overlap (the translation makes them disjoint), so the first hit
 * is the answer and there are no priorities.
 *
 * <h2>Concurrency (RCU-like)</h2>
 * One writer at a time (callers serialise: {@code FlowTable} holds a lock), any number of lock-
 * free readers (PMD threads). Readers see:
 * <ul>
 *   <li>the subtable array — immutable, replaced by a volatile store when a mask appears or goes;</li>
 *   <li>each subtable's bucket array — replaced by a volatile store on resize;</li>
 *   <li>bucket chains of immutable nodes — a bucket head is replaced with a release store; a
 *       removal copies the nodes in front of the removed one.</li>
 * </ul>
 * A reader therefore always walks a consistent chain, allocation-free. A removed flow may still
 * be returned to a reader that started before the removal; {@link Rcu#synchronize()} is how the
 * writer waits for such readers to finish.
 */
public final class Dpcls {

    private static final Subtable[] NONE = new Subtable[0];

    private volatile Subtable[] subtables = NONE;
    private final Map<FlowMask, Subtable> byMask = new HashMap<>();
    private int size;

    /** The flow matching {@code packet}, or null. Lock-free, allocation-free. */
    public InstalledFlow lookup(FlowKey packet) {
        Subtable[] st = subtables;
        for (Subtable s : st) {
            InstalledFlow f = s.lookup(packet);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** A caller's scratch space for {@link #lookupBatch} (one per PMD thread; not shared). */
    public static final class Batch {
        /** The most packets one {@link #lookupBatch} call takes. */
        public static final int MAX = 64;
        final int[] hash = new int[MAX];
        final Node[] head = new Node[MAX];
    }

    /**
     * Looks up {@code n} packets at once ({@code keys[idx[j]]}, j &lt; n &le; {@link Batch#MAX}),
     * writing each one's flow, or null, to {@code out[idx[j]]}. Lock-free, allocation-free.
     *
     * <p>Why a batch (as dpcls_lookup over a PMD's burst): subtable by subtable, it first hashes
     * every packet still unmatched and loads its bucket head, then walks the chains. With
     * 100,000 flows the bucket and the node are cache misses; loaded for one packet after the
     * other, each miss waits for the one before, while a loop of independent loads lets the CPU
     * have many in flight at once. Packets matched in one subtable skip the next.
     */
    public void lookupBatch(FlowKey[] keys, int[] idx, int n, InstalledFlow[] out, Batch scratch) {
        if (n > Batch.MAX) {
            throw new IllegalArgumentException("at most " + Batch.MAX + " packets per batch, got " + n);
        }
        long left = n == Batch.MAX ? -1L : (1L << n) - 1;
        for (int j = 0; j < n; j++) {
            out[idx[j]] = null;
        }
        for (Subtable s : subtables) {
            if (left == 0) {
                break;
            }
            left = s.lookupBatch(keys, idx, left, out, scratch);
        }
    }

    /** Number of flows. Writer side. */
    public int size() {
        return size;
    }

    public int subtableCount() {
        return subtables.length;
    }

    /** The flow with exactly this masked key and mask, or null. Writer side. */
    public InstalledFlow find(FlowKey maskedKey, FlowMask mask) {
        Subtable s = byMask.get(mask);
        return s == null ? null : s.lookup(maskedKey);
    }

    /** Adds a flow (caller checked it is not a duplicate). Writer side. */
    public void insert(InstalledFlow flow) {
        Subtable s = byMask.get(flow.mask);
        if (s == null) {
            s = new Subtable(flow.mask);
            byMask.put(flow.mask, s);
            Subtable[] old = subtables;
            Subtable[] n = java.util.Arrays.copyOf(old, old.length + 1);
            n[old.length] = s;
            subtables = n;
        }
        s.insert(flow);
        size++;
    }

    /** Removes a flow; true when it was there. Writer side. */
    public boolean remove(InstalledFlow flow) {
        Subtable s = byMask.get(flow.mask);
        if (s == null || !s.remove(flow)) {
            return false;
        }
        size--;
        if (s.count == 0) {
            byMask.remove(flow.mask);
            List<Subtable> keep = new ArrayList<>(List.of(subtables));
            keep.remove(s);
            subtables = keep.toArray(NONE);
        }
        return true;
    }

    /** Every flow, in no particular order. Writer side (or any thread for a racy snapshot). */
    public List<InstalledFlow> flows() {
        List<InstalledFlow> out = new ArrayList<>(size);
        for (Subtable s : subtables) {
            s.collect(out);
        }
        return out;
    }

    /**
     * A chain link. It carries the flow's masked key words for up to {@link #INLINE} mask words
     * (most megaflow masks touch few words), so a probe compares without visiting the flow and
     * its key: with 100k flows every hop is a cache miss.
     */
    private static final class Node {
        static final int INLINE = 4;
        final int hash;
        final InstalledFlow flow;
        final Node next;
        final long k0;
        final long k1;
        final long k2;
        final long k3;

        Node(int hash, InstalledFlow flow, Node next, int[] words) {
            this.hash = hash;
            this.flow = flow;
            this.next = next;
            FlowKey k = flow.key;
            int n = words.length;
            this.k0 = n > 0 ? k.word(words[0]) : 0;
            this.k1 = n > 1 ? k.word(words[1]) : 0;
            this.k2 = n > 2 ? k.word(words[2]) : 0;
            this.k3 = n > 3 ? k.word(words[3]) : 0;
        }

        Node relink(Node newNext, int[] words) {
            return new Node(hash, flow, newNext, words);
        }
    }

    private static final VarHandle BUCKET = MethodHandles.arrayElementVarHandle(Node[].class);

    private static final class Subtable {
        final FlowMask mask;
        /** The mask's non-zero words as a bitmap (hash) and as indices with their masks (compare). */
        final long wordBitmap;
        final int[] words;
        final long[] maskWords;
        volatile Node[] buckets = new Node[16];
        int count;

        Subtable(FlowMask mask) {
            this.mask = mask;
            this.wordBitmap = mask.wordBitmap();
            int n = 0;
            for (int i = 0; i < Field.WORDS; i++) {
                if (mask.word(i) != 0) {
                    n++;
                }
            }
            words = new int[n];
            maskWords = new long[n];
            n = 0;
            for (int i = 0; i < Field.WORDS; i++) {
                if (mask.word(i) != 0) {
                    words[n] = i;
                    maskWords[n++] = mask.word(i);
                }
            }
        }

        InstalledFlow lookup(FlowKey packet) {
            int h = packet.maskedHash(mask, wordBitmap);
            Node[] b = buckets;
            return walk((Node) BUCKET.getAcquire(b, h & (b.length - 1)), packet, h);
        }

        /** {@link Dpcls#lookupBatch} in this subtable: returns the packets still unmatched. */
        long lookupBatch(FlowKey[] keys, int[] idx, long left, InstalledFlow[] out, Batch sc) {
            Node[] b = buckets;
            int m = b.length - 1;
            int[] hs = sc.hash;
            Node[] heads = sc.head;
            for (long x = left; x != 0; x &= x - 1) {
                int j = Long.numberOfTrailingZeros(x);
                int h = keys[idx[j]].maskedHash(mask, wordBitmap);
                hs[j] = h;
                heads[j] = (Node) BUCKET.getAcquire(b, h & m);
            }
            for (long x = left; x != 0; x &= x - 1) {
                int j = Long.numberOfTrailingZeros(x);
                Node head = heads[j];
                if (head != null) {
                    heads[j] = null; // the scratch keeps no node (nor its flow) reachable
                    InstalledFlow f = walk(head, keys[idx[j]], hs[j]);
                    if (f != null) {
                        out[idx[j]] = f;
                        left &= ~(1L << j);
                    }
                }
            }
            return left;
        }

        private InstalledFlow walk(Node n, FlowKey packet, int h) {
            if (words.length <= Node.INLINE) {
                long p0 = masked(packet, 0);
                long p1 = masked(packet, 1);
                long p2 = masked(packet, 2);
                long p3 = masked(packet, 3);
                for (; n != null; n = n.next) {
                    if (n.hash == h && n.k0 == p0 && n.k1 == p1 && n.k2 == p2 && n.k3 == p3) {
                        return n.flow;
                    }
                }
                return null;
            }
            for (; n != null; n = n.next) {
                if (n.hash == h && matches(n.flow.key, packet)) {
                    return n.flow;
                }
            }
            return null;
        }

        private long masked(FlowKey packet, int j) {
            return j < words.length ? packet.word(words[j]) & maskWords[j] : 0;
        }

        private boolean matches(FlowKey maskedKey, FlowKey packet) {
            for (int j = 0; j < words.length; j++) {
                int w = words[j];
                if ((packet.word(w) & maskWords[j]) != maskedKey.word(w)) {
                    return false;
                }
            }
            return true;
        }

        void insert(InstalledFlow flow) {
            if (count + 1 > buckets.length * 3 / 4) {
                resize(buckets.length * 2);
            }
            int h = flow.key.maskedHash(mask, wordBitmap);
            Node[] b = buckets;
            int i = h & (b.length - 1);
            BUCKET.setRelease(b, i, new Node(h, flow, (Node) b[i], words));
            count++;
        }

        boolean remove(InstalledFlow flow) {
            int h = flow.key.maskedHash(mask, wordBitmap);
            Node[] b = buckets;
            int i = h & (b.length - 1);
            Node head = b[i];
            Node n = head;
            while (n != null && n.flow != flow) {
                n = n.next;
            }
            if (n == null) {
                return false;
            }
            // Rebuild the part in front of n; readers holding the old chain still see a valid list.
            Node rebuilt = n.next;
            for (Node p = head; p != n; p = p.next) {
                rebuilt = p.relink(rebuilt, words);
            }
            BUCKET.setRelease(b, i, rebuilt);
            count--;
            return true;
        }

        private void resize(int len) {
            Node[] old = buckets;
            Node[] n = new Node[len];
            for (Node head : old) {
                for (Node x = head; x != null; x = x.next) {
                    int i = x.hash & (len - 1);
                    n[i] = x.relink(n[i], words);
                }
            }
            buckets = n; // volatile publish: a reader uses either the whole old or the whole new table
        }

        void collect(List<InstalledFlow> out) {
            for (Node head : buckets) {
                for (Node x = head; x != null; x = x.next) {
                    out.add(x.flow);
                }
            }
        }
    }
}
