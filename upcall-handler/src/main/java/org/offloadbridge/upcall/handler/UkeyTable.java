package org.offloadbridge.upcall.handler;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.offloadbridge.flow.Ufid;

/**
 * The one table of placed flows: {@link #shards()} concurrent maps by a hash of the ufid.
 * Handlers insert and look up anywhere; revalidator {@code i} of {@code n} owns the shards
 * {@code s % n == i} and is the only thread that removes from them (see the essay in
 * {@link org.offloadbridge.upcall}). There is no table-wide lock.
 *
 * <p>{@link #totals()} adds up, as ukeys come, change and go, how many flows each layer holds
 * and what each port's flows carried: the answers metrics need without a walk of the table.
 */
public final class UkeyTable {
    private final ConcurrentHashMap<Ufid, Ukey>[] shards;
    private final int mask;
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dumpGeneration = new AtomicLong(1);
    private final LayerTotals totals = new LayerTotals();

    /** @param shards a power of two (OVS uses 512 umaps; 64 is plenty for our thread counts) */
    @SuppressWarnings("unchecked")
    public UkeyTable(int shards) {
        if (shards < 1 || Integer.bitCount(shards) != 1) {
            throw new IllegalArgumentException("ukey shards must be a power of two >= 1, got " + shards);
        }
        this.shards = new ConcurrentHashMap[shards];
        for (int i = 0; i < shards; i++) {
            this.shards[i] = new ConcurrentHashMap<>();
        }
        this.mask = shards - 1;
    }

    public int shards() {
        return shards.length;
    }

    public int shardOf(Ufid ufid) {
        long h = ufid.hi() * 0x9e3779b97f4a7c15L ^ ufid.lo();
        h ^= h >>> 29;
        return (int) h & mask;
    }

    public Ukey get(Ufid ufid) {
        return shards[shardOf(ufid)].get(ufid);
    }

    /**
     * Inserts a {@link UkeyState#CREATED} ukey and makes it {@link UkeyState#VISIBLE}; when the
     * ufid is there already the ukey is marked {@link UkeyState#DELETED} (it lost the race) and
     * the one in the table is returned. Null means inserted.
     */
    public Ukey insert(Ukey u) {
        Ukey other = shards[shardOf(u.ufid())].putIfAbsent(u.ufid(), u);
        if (other != null) {
            u.transition(UkeyState.DELETED);
            return other;
        }
        size.incrementAndGet();
        u.joined(totals);
        u.transition(UkeyState.VISIBLE);
        return null;
    }

    /** Removes an {@link UkeyState#EVICTED} ukey (owner only) and marks it deleted. */
    public void remove(Ukey u) {
        if (shards[shardOf(u.ufid())].remove(u.ufid(), u)) {
            size.decrementAndGet();
            u.left();
        }
        u.transition(UkeyState.DELETED);
    }

    /** Every ukey of shard {@code shard}, weakly consistent (inserts during the walk may be missed). */
    public void forEach(int shard, Consumer<Ukey> action) {
        shards[shard].values().forEach(action);
    }

    /** Number of ukeys (OVS's n_flows for the flow limit). */
    public int size() {
        return size.get();
    }

    /** Flows by layer and traffic by port, kept as the ukeys change (O(1) to read; see {@link LayerTotals}). */
    public LayerTotals totals() {
        return totals;
    }

    /** The current dump generation (stamped on a ukey after each placement). */
    public long generation() {
        return dumpGeneration.get();
    }

    /** Starts a dump: returns the new generation; ukeys stamped below it were placed before the dump. */
    public long nextGeneration() {
        return dumpGeneration.incrementAndGet();
    }
}
