package org.offloadbridge.upcall.pipeline.internal;

/** An open-addressing set of ints (no boxing); built once, then only read. */
final class IntHashSet {
    private int[] slots;
    private boolean hasZero;
    private int size;

    IntHashSet(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        slots = new int[cap];
    }

    void add(int v) {
        if (v == 0) {
            hasZero = true;
            return;
        }
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        int m = slots.length - 1;
        int i = spread(v) & m;
        while (slots[i] != 0) {
            if (slots[i] == v) {
                return;
            }
            i = (i + 1) & m;
        }
        slots[i] = v;
        size++;
    }

    boolean contains(int v) {
        if (v == 0) {
            return hasZero;
        }
        int m = slots.length - 1;
        int i = spread(v) & m;
        int s;
        while ((s = slots[i]) != 0) {
            if (s == v) {
                return true;
            }
            i = (i + 1) & m;
        }
        return false;
    }

    private void grow() {
        int[] old = slots;
        slots = new int[old.length * 2];
        size = 0;
        for (int v : old) {
            if (v != 0) {
                add(v);
            }
        }
    }

    private static int spread(int h) {
        h *= 0x9e3779b9;
        return h ^ (h >>> 16);
    }
}
