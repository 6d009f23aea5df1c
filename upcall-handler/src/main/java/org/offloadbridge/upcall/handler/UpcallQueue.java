package org.offloadbridge.upcall.handler;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * A bounded many-producer, one-consumer queue of upcalls: what the daemon's receivers
 * {@link #offer} into and one handler drains. A full queue refuses (and counts) instead of
 * blocking the producer, which may be a PMD thread.
 */
public final class UpcallQueue implements UpcallSource {
    private final ManyToOneConcurrentArrayQueue<Upcall> queue;
    private final LongAdder dropped = new LongAdder();

    public UpcallQueue(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("upcall queue capacity must be >= 2, got " + capacity);
        }
        this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
    }

    /** Queues {@code u}; false (and counted) when the queue is full. */
    public boolean offer(Upcall u) {
        if (queue.offer(u)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    @Override
    public int drain(Consumer<Upcall> sink, int max) {
        return queue.drain(sink::accept, max);
    }

    /** Upcalls refused because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    public int size() {
        return queue.size();
    }
}
