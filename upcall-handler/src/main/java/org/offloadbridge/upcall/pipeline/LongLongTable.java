package org.offloadbridge.upcall.pipeline;

import java.util.Arrays;

/**
 * A fixed-capacity map of long → positive long (open addressing, no boxing): the pipeline's
 * log of MAC entry → number of its latest change. Not thread-safe; the pipeline guards it.
 */
final class LongLongTable {
    private final long[] keys;
    /** 0 = empty slot (every value stored is positive). */
    private final long[] values;
    private final int maxEntries;
    private int size;

    LongLongTable(int maxEntries) {
        this.maxEntries = maxEntries;
        int cap = Integer.highestOneBit(maxEntries * 2 - 1) << 1;
        keys = new long[cap];
        values = new long[cap];
    }

    /** The value of {@code key}, or 0 when absent. */
    long get(long key) {
        int m = keys.length - 1;
        for (int i = slot(key); values[i] != 0; i = (i + 1) & m) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return 0;
    }

    /** Sets {@code key} to {@code value} (positive); false, changing nothing, when a new key finds the table full. */
    boolean put(long key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("values must be positive: " + value);
        }
        int m = keys.length - 1;
        int i = slot(key);
        for (; values[i] != 0; i = (i + 1) & m) {
            if (keys[i] == key) {
                values[i] = value;
                return true;
            }
        }
        if (size >= maxEntries) {
            return false;
        }
        keys[i] = key;
        values[i] = value;
        size++;
        return true;
    }

    void clear() {
        Arrays.fill(values, 0);
        size = 0;
    }

    int size() {
        return size;
    }

    private int slot(long k) {
        long h = k * 0x9e3779b97f4a7c15L;
        return (int) (h ^ (h >>> 32)) & (keys.length - 1);
    }
}
