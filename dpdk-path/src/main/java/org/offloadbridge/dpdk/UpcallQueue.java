package org.offloadbridge.dpdk;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.offloadbridge.flow.FlowKey;

/**
 * The bounded queue between PMD threads (producers) and handler threads (consumers).
 *
 * <p>Misses are deduplicated by full key: while a key has an upcall pending (queued, or taken by
 * a handler that has not yet called {@link #complete}), further packets with that key are not
 * queued again — so a burst of one new flow makes one upcall. A pending mark expires after
 * {@code pendingTimeoutMillis}, in case a handler never completes. When the queue is full the
 * upcall is dropped and counted; memory stays bounded by the capacity (the pending set is swept
 * when it grows past a few times the capacity).
 *
 * <p>The PMD side allocates only when it really queues an upcall (copies of key and packet);
 * a duplicate or a drop costs a map probe with the PMD's reusable key. The queue keeps no counters
 * of its own: each PMD counts its outcomes in its own counters (no contended atomics), and
 * {@link DpdkDatapath#counters()} sums them.
 */
public final class UpcallQueue {

    private final ArrayBlockingQueue<Upcall> queue;
    private final Map<FlowKey, Long> pending = new ConcurrentHashMap<>();
    private final int capacity;
    private final long pendingTimeoutMillis;
    /** {@link #offerMiss} outcomes, counted by the calling thread (no shared counter here). */
    static final int QUEUED = 0;
    static final int DEDUPLICATED = 1;
    static final int DROPPED = 2;

    public UpcallQueue(int capacity, long pendingTimeoutMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("upcall queue capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.pendingTimeoutMillis = pendingTimeoutMillis;
    }

    /** True when an upcall for this key is already pending (the packet needs no new upcall). */
    boolean isPending(FlowKey key, long nowMillis) {
        Long t = pending.get(key);
        return t != null && nowMillis - t < pendingTimeoutMillis;
    }

    /**
     * Queues a miss unless one for the same key is pending. {@code packet} is read only when
     * the upcall is really queued.
     *
     * @return {@link #QUEUED}, {@link #DEDUPLICATED} or {@link #DROPPED}
     */
    int offerMiss(FlowKey key, int inPort, java.util.function.Supplier<byte[]> packet, long nowMillis) {
        if (isPending(key, nowMillis)) {
            return DEDUPLICATED;
        }
        if (queue.remainingCapacity() == 0) {
            return DROPPED;
        }
        FlowKey copy = key.copy();
        Long prev = pending.put(copy, nowMillis);
        if (prev != null && nowMillis - prev < pendingTimeoutMillis) {
            pending.put(copy, prev); // another PMD won the race
            return DEDUPLICATED;
        }
        if (!queue.offer(new Upcall(Upcall.Kind.MISS, inPort, copy, packet.get(), null))) {
            pending.remove(copy);
            return DROPPED;
        }
        if (pending.size() > 4 * capacity) {
            sweep(nowMillis);
        }
        return QUEUED;
    }

    /** Queues a userspace-action upcall (never deduplicated: each packet was asked for); false when full. */
    boolean offerAction(FlowKey key, int inPort, byte[] packet, String userdata) {
        return queue.offer(new Upcall(Upcall.Kind.ACTION, inPort, key.copy(), packet, userdata));
    }

    private void sweep(long nowMillis) {
        for (Iterator<Map.Entry<FlowKey, Long>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            if (nowMillis - it.next().getValue() >= pendingTimeoutMillis) {
                it.remove();
            }
        }
    }

    /** The next upcall, or null. */
    public Upcall poll() {
        return queue.poll();
    }

    public Upcall poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }

    public int drainTo(Collection<? super Upcall> out, int max) {
        return queue.drainTo(out, max);
    }

    /**
     * A handler is done with this upcall (flow installed, or decided not to): new misses for
     * its key may come up again.
     */
    public void complete(Upcall u) {
        if (u.kind() == Upcall.Kind.MISS) {
            pending.remove(u.key());
        }
    }

    public int size() {
        return queue.size();
    }

    public int capacity() {
        return capacity;
    }

    public int pendingKeys() {
        return pending.size();
    }
}
