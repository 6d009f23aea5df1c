package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.MonotonicClock;

/**
 * The MAC learning table behind the {@code normal} action: (VLAN, MAC) → OpenFlow port, with
 * aging driven by an injected clock (so tests age entries by hand).
 *
 * <p>Learning a new address, or an address moving to another port, changes how packets to
 * it translate, so the table tells its listener which entry changed (the pipeline bumps its
 * sequence number and notes the entry: revalidators re-check the megaflows that looked it
 * up); refreshing an entry does not. Expiry and eviction tell it too: {@link #expire()} runs
 * from a periodic agent, and a lookup never returns an entry older than the aging time, so
 * translation and revalidation agree even between expiry passes.
 *
 * <p>Open addressing over primitive arrays with backward-shift deletion: learning and lookup
 * allocate nothing. The entries are also on a list in the order they were last learned or
 * refreshed (least recent first, links by slot, mended when a deletion shifts an entry): that
 * order is also by age, so expiry pops from its head until an entry is young enough, and a
 * full table evicts its head (OVS's mac_learning keeps the same LRU) — each O(entries
 * removed), where a scan of the whole table per new address made every learn on a full
 * table, under this lock, cost two passes over its 16,384 slots. One lock: handlers learn
 * concurrently, and the critical sections are a few array probes.
 */
public final class MacLearningTable {
    /** OVS's default mac-aging-time. */
    public static final long DEFAULT_AGING_MILLIS = 300_000;
    /** OVS's default mac-table-size. */
    public static final int DEFAULT_MAX_ENTRIES = 8192;

    private final MonotonicClock clock;
    private final long agingMillis;
    private final int maxEntries;
    private final Listener onChange;
    private final long[] keys;
    private final int[] ports;
    private final long[] seen;
    private final boolean[] used;
    /** The LRU list by slot: least recently learned or refreshed at {@link #head}; -1 ends it. */
    private final int[] prev;
    private final int[] next;
    private int head = -1;
    private int tail = -1;
    private int size;

    /**
     * @param clock        the monotonic clock aging runs on
     * @param agingMillis  an entry not refreshed for this long is forgotten
     * @param maxEntries   capacity
     * @param onChange     told (under the table lock) of each entry whose change may change a translation
     */
    public MacLearningTable(MonotonicClock clock, long agingMillis, int maxEntries, Listener onChange) {
        if (agingMillis <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("aging time and capacity must be positive");
        }
        this.clock = clock;
        this.agingMillis = agingMillis;
        this.maxEntries = maxEntries;
        this.onChange = onChange;
        int cap = Integer.highestOneBit(maxEntries * 2 - 1) << 1;
        keys = new long[cap];
        ports = new int[cap];
        seen = new long[cap];
        used = new boolean[cap];
        prev = new int[cap];
        next = new int[cap];
    }

    /** Told of each entry that was learned, moved, expired, evicted or flushed. */
    @FunctionalInterface
    public interface Listener {
        /** {@code entry} is {@link #key}(vlan, mac); called under the table's lock. */
        void changed(long entry);
    }

    /** The entry key of {@code mac} on {@code vlan}: what {@link Listener#changed} names. */
    public static long key(int vlan, long mac) {
        return ((long) (vlan & 0xfff) << 48) | (mac & 0xffffffffffffL);
    }

    private int slot(long k) {
        long h = k * 0x9e3779b97f4a7c15L;
        return (int) (h ^ (h >>> 32)) & (keys.length - 1);
    }

    private int find(long k) {
        int m = keys.length - 1;
        for (int i = slot(k); used[i]; i = (i + 1) & m) {
            if (keys[i] == k) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Records that {@code mac} on {@code vlan} was seen on {@code ofPort}. Multicast sources
     * are never learned. Returns true when this changed where the address lives.
     */
    public synchronized boolean learn(int vlan, long mac, int ofPort) {
        if (isMulticast(mac)) {
            return false;
        }
        long now = clock.millis();
        long k = key(vlan, mac);
        int i = find(k);
        if (i >= 0) {
            boolean expired = now - seen[i] >= agingMillis;
            seen[i] = now;
            if (i != tail) {
                unlink(i);
                append(i);
            }
            if (ports[i] != ofPort || expired) {
                ports[i] = ofPort;
                onChange.changed(k);
                return true;
            }
            return false;
        }
        if (size >= maxEntries) {
            expireLocked(now);
            if (size >= maxEntries) {
                evictOldest();
            }
        }
        int m = keys.length - 1;
        i = slot(k);
        while (used[i]) {
            i = (i + 1) & m;
        }
        used[i] = true;
        keys[i] = k;
        ports[i] = ofPort;
        seen[i] = now;
        append(i);
        size++;
        onChange.changed(k);
        return true;
    }

    /** The port {@code mac} on {@code vlan} was last seen on, or -1 if unknown or aged out. */
    public synchronized int lookup(int vlan, long mac) {
        int i = find(key(vlan, mac));
        if (i < 0 || clock.millis() - seen[i] >= agingMillis) {
            return -1;
        }
        return ports[i];
    }

    /** Forgets aged entries; returns how many. Run it periodically. */
    public synchronized int expire() {
        return expireLocked(clock.millis());
    }

    /** Forgets every entry learned on {@code ofPort} (the port went away). */
    public synchronized int flushPort(int ofPort) {
        int removed = 0;
        for (int i = 0; i < keys.length; i++) {
            while (used[i] && ports[i] == ofPort) {
                onChange.changed(keys[i]);
                delete(i);
                removed++;
            }
        }
        return removed;
    }

    public synchronized int size() {
        return size;
    }

    /** Forgets aged entries: the list's head while it is aged (the list is in age order). */
    private int expireLocked(long now) {
        int removed = 0;
        while (head >= 0 && now - seen[head] >= agingMillis) {
            onChange.changed(keys[head]);
            delete(head);
            removed++;
        }
        return removed;
    }

    private void evictOldest() {
        onChange.changed(keys[head]);
        delete(head);
    }

    private void append(int i) {
        prev[i] = tail;
        next[i] = -1;
        if (tail >= 0) {
            next[tail] = i;
        } else {
            head = i;
        }
        tail = i;
    }

    private void unlink(int i) {
        if (prev[i] >= 0) {
            next[prev[i]] = next[i];
        } else {
            head = next[i];
        }
        if (next[i] >= 0) {
            prev[next[i]] = prev[i];
        } else {
            tail = prev[i];
        }
    }

    /** The entry at slot {@code from} now lives at slot {@code to}: its neighbours point there. */
    private void relink(int from, int to) {
        prev[to] = prev[from];
        next[to] = next[from];
        if (prev[to] >= 0) {
            next[prev[to]] = to;
        } else {
            head = to;
        }
        if (next[to] >= 0) {
            prev[next[to]] = to;
        } else {
            tail = to;
        }
    }

    /** Backward-shift deletion: keeps probe chains intact without tombstones. */
    private void delete(int i) {
        int m = keys.length - 1;
        unlink(i);
        used[i] = false;
        size--;
        int j = i;
        while (true) {
            j = (j + 1) & m;
            if (!used[j]) {
                return;
            }
            int home = slot(keys[j]);
            // Move j back to i if its home is not cyclically in (i, j].
            boolean inRange = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!inRange) {
                keys[i] = keys[j];
                ports[i] = ports[j];
                seen[i] = seen[j];
                used[i] = true;
                used[j] = false;
                relink(j, i);
                i = j;
            }
        }
    }

    static boolean isMulticast(long mac) {
        return (mac & 0x010000000000L) != 0;
    }
}
