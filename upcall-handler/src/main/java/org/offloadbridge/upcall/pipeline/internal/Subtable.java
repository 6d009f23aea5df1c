package org.offloadbridge.upcall.pipeline.internal;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;

/**
 * All rules of one table that share one mask: tuple-space search's hash table, with
 * staged lookup.
 *
 * <p>The mask is cut into cumulative stages (metadata, +L2, +L3, +L4; empty stages
 * dropped). For every stage but the last we keep the set of hashes of the rules' values
 * under that stage's cumulative mask. A lookup walks the stages and stops at the first
 * whose hash is absent: no rule can match, and only the bits of the stages consulted so far
 * need to be un-wildcarded — an L4 ACL does not pin L4 ports of packets whose addresses
 * already rule it out. A hash collision only makes us look further (and un-wildcard more),
 * never miss a match.
 *
 * <h2>The L4 trie</h2>
 * When the final (L4) stage misses, un-wildcarding the whole subtable mask would pin the
 * packet's ports exactly: a table of {@code udp} plus {@code udp,tp_src=65000} would make one
 * megaflow per source port. Like OVS's per-subtable ports trie, we keep the rules' L4 word —
 * {@code tp_src:tp_dst} as one 32-bit value (ICMP {@code type:code} in the same layout, as OVS
 * stores them in tp_src/tp_dst) — in a {@link PrefixTrie} under the mask's prefix length. On
 * a miss the trie tells how many leading bits of the packet's word differ from every rule's:
 * with {@code d} common bits, any packet sharing the first {@code d + 1} bits misses too, so
 * only those (within the mask) are pinned, plus the earlier stages (they hold the
 * prerequisites a datapath flow needs: eth_type, nw_proto). Other L4 fields (tcp_flags) need
 * no pinning then: the ports alone prove the miss.
 */
final class Subtable {
    static final int TRIE_STAGE = 2;

    final FlowMask mask;
    private final FlowMask[] cum;
    private final IntHashSet[] stageHashes;
    private final int trieStageIndex;
    /** Per prefix field (see {@link Table#PREFIX_FIELDS}): the CIDR length this mask has, 0 = not tracked. */
    final int[] plen = new int[4];
    /** Words each stage's cumulative mask covers ({@link FlowMask#wordBitmap}), so its hash visits only those. */
    private final long[] cumBitmap;
    private final MaskedRuleTable byValue;
    /** Which fields form the L4 word: {@link #L4_NONE}, {@link #L4_PORTS}, {@link #L4_ICMP}. */
    private final int l4Kind;
    /** The subtable mask over the L4 word (unsigned 32 bits). */
    private final long l4Mask;
    /** Prefix length of {@link #l4Mask} up to its last set bit (OVS's ports_mask_len); 0 = no trie. */
    private final int l4Len;
    private final PrefixTrie l4Trie;
    static final int L4_NONE = 0;
    static final int L4_PORTS = 1;
    static final int L4_ICMP = 2;
    final int maxPriority;
    final int size;

    Subtable(FlowMask mask, List<CompiledRule> rules) {
        this.mask = mask;
        List<FlowMask> stages = new ArrayList<>();
        int trieIdx = -1;
        FlowMask acc = new FlowMask();
        for (int s = 0; s < 4; s++) {
            FlowMask part = mask.copy();
            part.and(Binding.STAGE_FIELDS[s]);
            if (part.isZero()) {
                continue;
            }
            if (s == TRIE_STAGE) {
                trieIdx = stages.size();
            }
            acc.or(part);
            stages.add(acc.copy());
        }
        this.cum = stages.toArray(new FlowMask[0]);
        this.trieStageIndex = trieIdx;
        this.cumBitmap = new long[cum.length];
        for (int i = 0; i < cum.length; i++) {
            cumBitmap[i] = cum[i].wordBitmap();
        }
        this.stageHashes = new IntHashSet[Math.max(0, cum.length - 1)];
        for (int i = 0; i < stageHashes.length; i++) {
            stageHashes[i] = new IntHashSet(rules.size());
            for (CompiledRule r : rules) {
                stageHashes[i].add(r.value.maskedHash(cum[i], cumBitmap[i]));
            }
        }
        for (int k = 0; k < 4; k++) {
            plen[k] = trieIdx < 0 ? 0 : Table.prefixLength(mask, k);
        }
        int maxP = -1;
        for (CompiledRule r : rules) {
            maxP = Math.max(maxP, r.priority());
        }
        this.byValue = new MaskedRuleTable(mask, rules);
        this.maxPriority = maxP;
        this.size = rules.size();

        long pm = l4Word(mask, L4_PORTS);
        long im = l4Word(mask, L4_ICMP);
        this.l4Kind = pm != 0 ? L4_PORTS : im != 0 ? L4_ICMP : L4_NONE;
        this.l4Mask = pm != 0 ? pm : im;
        this.l4Len = l4Mask == 0 ? 0 : 32 - Long.numberOfTrailingZeros(l4Mask);
        if (l4Len > 0) {
            PrefixTrie.Builder b = new PrefixTrie.Builder(32);
            for (CompiledRule r : rules) {
                b.insert(0, l4Word(r.value, l4Kind) & l4Mask, l4Len);
            }
            l4Trie = b.build();
        } else {
            l4Trie = null;
        }
    }

    /** The L4 word of a key: {@code tp_src << 16 | tp_dst}, or {@code icmp_type << 16 | icmp_code}. */
    static long l4Word(FlowKey k, int kind) {
        return kind == L4_PORTS ? k.get(Field.TP_SRC) << 16 | k.get(Field.TP_DST)
                : kind == L4_ICMP ? k.get(Field.ICMP_TYPE) << 16 | k.get(Field.ICMP_CODE) : 0;
    }

    private static long l4Word(FlowMask m, int kind) {
        return kind == L4_PORTS ? m.get(Field.TP_SRC) << 16 | m.get(Field.TP_DST)
                : m.get(Field.ICMP_TYPE) << 16 | m.get(Field.ICMP_CODE);
    }

    /**
     * The best rule of this subtable matching {@code key}, or null; ORs into {@code wc}
     * exactly the bits that decided the answer.
     */
    CompiledRule lookup(FlowKey key, FlowMask wc, Table table, LookupScratch sc) {
        int last = cum.length - 1;
        for (int i = 0; i < last; i++) {
            if (i == trieStageIndex && trieSkip(key, wc, table, sc)) {
                return null;
            }
            if (!stageHashes[i].contains(key.maskedHash(cum[i], cumBitmap[i]))) {
                wc.or(cum[i]);
                return null;
            }
        }
        if (last >= 0 && last == trieStageIndex && trieSkip(key, wc, table, sc)) {
            return null;
        }
        CompiledRule best = byValue.get(key);
        if (best == null && l4Len > 0 && l4MissProven(key, wc, last)) {
            return null;
        }
        wc.or(mask);
        return best;
    }

    /**
     * After a final-stage miss: true when the L4 trie proves it from a prefix of the L4 word
     * shorter than the mask; then pins the earlier stages and only that prefix.
     */
    private boolean l4MissProven(FlowKey key, FlowMask wc, int last) {
        long v = l4Word(key, l4Kind) & l4Mask;
        int answer = l4Trie.lookup(0, v);
        if (PrefixTrie.lcpOf(answer) >= l4Len) {
            return false; // some rule has these L4 bits: the miss came from another field
        }
        if (last > 0) {
            wc.or(cum[last - 1]);
        }
        long bits = l4Mask & FlowMask.prefixBits(32, PrefixTrie.proofOf(answer));
        Field hi = l4Kind == L4_PORTS ? Field.TP_SRC : Field.ICMP_TYPE;
        Field lo = l4Kind == L4_PORTS ? Field.TP_DST : Field.ICMP_CODE;
        wc.unwildcard(hi, bits >>> 16);
        wc.unwildcard(lo, bits & 0xffff);
        return true;
    }

    /**
     * True when a prefix trie proves no rule here can match; then un-wildcards only the
     * trie bits that prove it ({@link PrefixTrie#lookup}'s proof bits) (plus eth_type, so address bits never appear without the
     * ethertype that gives them meaning).
     */
    private boolean trieSkip(FlowKey key, FlowMask wc, Table table, LookupScratch sc) {
        for (int k = 0; k < 4; k++) {
            int p = plen[k];
            if (p == 0) {
                continue;
            }
            int answer = sc.trie(table, key, k);
            if (p > PrefixTrie.lcpOf(answer)) {
                Table.unwildcardPrefix(wc, k, PrefixTrie.proofOf(answer));
                wc.setExact(Field.ETH_TYPE);
                return true;
            }
        }
        return false;
    }
}
