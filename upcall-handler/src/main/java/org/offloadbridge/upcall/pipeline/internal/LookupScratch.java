package org.offloadbridge.upcall.pipeline.internal;

import org.offloadbridge.flow.FlowKey;

/**
 * Per-thread scratch for classifier lookups, so a lookup allocates nothing: the prefix-trie
 * answers for the table being searched.
 */
public final class LookupScratch {
    private final int[] lcp = new int[4];
    private Table lcpTable;
    private int lcpValid;

    /** Forgets trie answers (call per table lookup: the key may have changed). */
    void reset() {
        lcpValid = 0;
        lcpTable = null;
    }

    /** The packed {@link PrefixTrie#lookup} answer for prefix field {@code k}, computed once per table lookup. */
    int trie(Table table, FlowKey key, int k) {
        if (lcpTable != table) {
            lcpTable = table;
            lcpValid = 0;
        }
        if ((lcpValid & (1 << k)) == 0) {
            lcp[k] = table.trieLookup(key, k);
            lcpValid |= 1 << k;
        }
        return lcp[k];
    }
}
