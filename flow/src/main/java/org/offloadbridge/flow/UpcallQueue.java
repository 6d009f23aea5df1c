package org.offloadbridge.flow;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The bounded queue between a datapath's miss path (producers: the DPDK datapath's PMD threads,
 * or the daemon's socket slow path) and the handler threads (consumers, through
 * {@link UpcallSource}). A full queue refuses instead of blocking the producer, which may be a
 * PMD thread: the upcall is lost, as a kernel queue overrun would lose it.
 *
 * <p>Two ways in. {@link #offer} queues an upcall as it is (the socket slow path's misses, whose
 * key the handler parses). {@link #offerMiss} bounds what one new flow costs: while a key has an
 * upcall pending (queued, or taken by a handler that has not yet completed it — {@link #drain}
 * completes each upcall once the handler returns), at most {@link #PACKETS_PER_PENDING_KEY} more
 * packets with that key are queued — the handler that takes one finds the flow's ukey and only
 * executes the packet, so the second and third packet of a new flow are delivered, not lost while
 * the first is being installed — and further ones are not queued (DEDUPLICATED: a flood of one new
 * flow makes a handful of upcalls, not thousands). A pending mark expires after
 * {@code pendingTimeoutMillis}, in case a handler never completes. Memory stays bounded by the
 * capacity (the pending set is swept when it grows past a few times the capacity).
 *
 * <p>{@link #offerMiss} allocates only when it really queues an upcall (copies of key and
 * packet); a duplicate or a drop costs a map probe with the producer's reusable key. The queue
 * keeps no counters of its own: each producer counts its outcomes in its own counters (no
 * contended atomics) — the PMDs in {@code DatapathCounters}, the socket slow path in its own.
 *
 * <p>An {@link ArrayBlockingQueue} used only through its non-blocking {@code offer}/{@code poll}
 * (a short lock, no allocation per element): Agrona's lock-free queues need
 * {@code --add-exports java.base/jdk.internal.misc} on JDK 25, which every launcher and test JVM
 * would have to carry. Idle handlers sleep in {@link #await} on a condition of their own; a
 * producer pays for the wake-up only while one is asleep (one volatile read otherwise), so a PMD
 * thread never takes a lock for nothing.
 */
public final class UpcallQueue implements UpcallSource {
    /** {@link #offerMiss} outcomes, counted by the calling thread (no shared counter here). */
    public static final int QUEUED = 0;
    public static final int DEDUPLICATED = 1;
    public static final int DROPPED = 2;

    /**
     * Packets of a key queued while its first upcall is pending (beyond it: DEDUPLICATED). As many
     * as a flow's first packets usually are while a handler installs it (a ping's, a UDP stream's
     * first milliseconds), few enough that one flooding flow can't crowd the queue.
     */
    public static final int PACKETS_PER_PENDING_KEY = 32;

    /** A key with an upcall pending: since when, and how many more of its packets were queued. */
    private static final class Pending {
        final long since;
        final java.util.concurrent.atomic.AtomicInteger more = new java.util.concurrent.atomic.AtomicInteger();

        Pending(long since) {
            this.since = since;
        }
    }

    private final ArrayBlockingQueue<Upcall> queue;
    /** Handlers asleep in {@link #await}: producers signal only when there are some. */
    private final AtomicInteger sleepers = new AtomicInteger();
    private final ReentrantLock sleepLock = new ReentrantLock();
    private final Condition arrived = sleepLock.newCondition();
    private final Map<FlowKey, Pending> pending = new ConcurrentHashMap<>();
    private final int capacity;
    private final long pendingTimeoutMillis;

    /**
     * @param capacity             upcalls queued at most
     * @param pendingTimeoutMillis how long a key {@link #offerMiss} queued stays pending when no
     *                             handler completes it
     */
    public UpcallQueue(int capacity, long pendingTimeoutMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("upcall queue capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.pendingTimeoutMillis = pendingTimeoutMillis;
    }

    /** Queues {@code u} as it is (no deduplication); false when the queue is full. */
    public boolean offer(Upcall u) {
        return push(u);
    }

    /** Queues {@code u}, waking a sleeping handler; false when full. */
    private boolean push(Upcall u) {
        if (!queue.offer(u)) {
            return false;
        }
        // Dekker with await(): we queued then read sleepers; a sleeper counts itself then re-reads the queue.
        if (sleepers.get() > 0) {
            sleepLock.lock();
            try {
                arrived.signal();
            } finally {
                sleepLock.unlock();
            }
        }
        return true;
    }

    /** The pending mark of this key, or null when none is (or it expired). */
    private Pending pendingOf(FlowKey key, long nowMillis) {
        Pending p = pending.get(key);
        return p != null && nowMillis - p.since < pendingTimeoutMillis ? p : null;
    }

    /**
     * Queues a miss unless one for the same key is pending. {@code key} may be the caller's
     * reusable key (it is copied when queued); {@code packet} is read only when the upcall is
     * really queued.
     *
     * @return {@link #QUEUED}, {@link #DEDUPLICATED} or {@link #DROPPED}
     */
    public int offerMiss(FlowKey key, int inPort, Supplier<byte[]> packet, long nowMillis) {
        Pending p = pendingOf(key, nowMillis);
        if (p != null) {
            if (p.more.incrementAndGet() > PACKETS_PER_PENDING_KEY) {
                return DEDUPLICATED;
            }
            // queued for delivery: the handler finds the flow (being) installed and executes it
            return push(new Upcall(Upcall.Kind.MISS, inPort, key.copy(), packet.get(), null)) ? QUEUED : DROPPED;
        }
        if (queue.remainingCapacity() == 0) {
            return DROPPED;
        }
        FlowKey copy = key.copy();
        Pending mine = new Pending(nowMillis);
        Pending prev = pending.put(copy, mine);
        if (prev != null && nowMillis - prev.since < pendingTimeoutMillis) {
            pending.put(copy, prev); // another producer won the race: this packet rides along
            return push(new Upcall(Upcall.Kind.MISS, inPort, copy, packet.get(), null)) ? QUEUED : DROPPED;
        }
        if (!push(new Upcall(Upcall.Kind.MISS, inPort, copy, packet.get(), null))) {
            pending.remove(copy);
            return DROPPED;
        }
        if (pending.size() > 4 * capacity) {
            sweep(nowMillis);
        }
        return QUEUED;
    }

    /**
     * Queues a userspace-action upcall (never deduplicated: each packet was asked for), with a
     * copy of {@code key}; false when full.
     */
    public boolean offerAction(FlowKey key, int inPort, byte[] packet, String userdata) {
        return push(new Upcall(Upcall.Kind.ACTION, inPort, key.copy(), packet, userdata));
    }

    private void sweep(long nowMillis) {
        for (Iterator<Map.Entry<FlowKey, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            if (nowMillis - it.next().getValue().since >= pendingTimeoutMillis) {
                it.remove();
            }
        }
    }

    /** Hands up to {@code max} upcalls to {@code sink}, completing each once {@code sink} is done with it. */
    public int drain(Consumer<Upcall> sink, int max) {
        int n = 0;
        Upcall u;
        while (n < max && (u = queue.poll()) != null) {
            try {
                sink.accept(u);
            } finally {
                complete(u);
            }
            n++;
        }
        return n;
    }

    @Override
    public int take(Upcall[] into, int max) {
        int n = 0;
        Upcall u;
        while (n < max && (u = queue.poll()) != null) {
            into[n++] = u;
        }
        return n;
    }

    @Override
    public void await(int timeoutMillis) {
        sleepers.incrementAndGet();
        sleepLock.lock();
        try {
            if (queue.isEmpty()) {
                arrived.await(timeoutMillis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sleepLock.unlock();
            sleepers.decrementAndGet();
        }
    }

    /** The next upcall, or null; the taker calls {@link #complete} when done with it. */
    public Upcall poll() {
        return queue.poll();
    }

    /**
     * A handler is done with this upcall (flow installed, or decided not to): new misses for
     * its key may come up again.
     */
    @Override
    public void complete(Upcall u) {
        if (u.kind() == Upcall.Kind.MISS && u.key() != null) {
            pending.remove(u.key());
        }
    }

    public int size() {
        return queue.size();
    }

    /** True when an offer would be refused now: a producer that can wait (a socket reader) leaves its packets where they are. */
    public boolean full() {
        return queue.remainingCapacity() == 0;
    }

    public int capacity() {
        return capacity;
    }

    public int pendingKeys() {
        return pending.size();
    }
}
