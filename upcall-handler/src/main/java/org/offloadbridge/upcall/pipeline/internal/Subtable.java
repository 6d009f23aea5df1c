package org.offloadbridge.upcall.pipeline.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 */
final class Subtable {
    static final int TRIE_STAGE = 2;

    final FlowMask mask;
    private final FlowMask[] cum;
    private final IntHashSet[] stageHashes;
    private final int trieStageIndex;
    /** Per prefix field (see {@link Table#PREFIX_FIELDS}): the CIDR length this mask has, 0 = not tracked. */
    final int[] plen = new int[4];
    private final Map<FlowKey, CompiledRule[]> buckets;
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
        this.stageHashes = new IntHashSet[Math.max(0, cum.length - 1)];
        for (int i = 0; i < stageHashes.length; i++) {
            stageHashes[i] = new IntHashSet(rules.size());
            for (CompiledRule r : rules) {
                stageHashes[i].add(r.value.maskedHash(cum[i]));
            }
        }
        for (int k = 0; k < 4; k++) {
            plen[k] = trieIdx < 0 ? 0 : Table.prefixLength(mask, k);
        }
        Map<FlowKey, List<CompiledRule>> tmp = new HashMap<>();
        int maxP = -1;
        for (CompiledRule r : rules) {
            tmp.computeIfAbsent(r.value, k -> new ArrayList<>()).add(r);
            maxP = Math.max(maxP, r.priority());
        }
        this.buckets = new HashMap<>(tmp.size() * 2);
        for (Map.Entry<FlowKey, List<CompiledRule>> e : tmp.entrySet()) {
            CompiledRule[] arr = e.getValue().toArray(new CompiledRule[0]);
            java.util.Arrays.sort(arr, CompiledRule::compare);
            buckets.put(e.getKey(), arr);
        }
        this.maxPriority = maxP;
        this.size = rules.size();
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
            if (!stageHashes[i].contains(key.maskedHash(cum[i]))) {
                wc.or(cum[i]);
                return null;
            }
        }
        if (last >= 0 && last == trieStageIndex && trieSkip(key, wc, table, sc)) {
            return null;
        }
        key.and(mask, sc.probe);
        CompiledRule[] bucket = buckets.get(sc.probe);
        wc.or(mask);
        return bucket == null ? null : bucket[0];
    }

    /**
     * True when a prefix trie proves no rule here can match; then un-wildcards only the
     * trie bits that prove it (plus eth_type, so address bits never appear without the
     * ethertype that gives them meaning).
     */
    private boolean trieSkip(FlowKey key, FlowMask wc, Table table, LookupScratch sc) {
        for (int k = 0; k < 4; k++) {
            int p = plen[k];
            if (p == 0) {
                continue;
            }
            int d = sc.lcp(table, key, k);
            if (p > d) {
                Table.unwildcardPrefix(wc, k, d + 1);
                wc.setExact(Field.ETH_TYPE);
                return true;
            }
        }
        return false;
    }
}
