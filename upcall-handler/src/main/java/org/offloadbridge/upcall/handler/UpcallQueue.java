package org.offloadbridge.upcall.handler;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A bounded many-producer, one-consumer queue of upcalls: what the daemon's receivers
 * {@link #offer} into and one handler drains. A full queue refuses (and counts) instead of
 * blocking the producer, which may be a PMD thread.
 *
 * <p>An {@link ArrayBlockingQueue} used only through its non-blocking {@code offer}/{@code poll}
 * (a short lock, no allocation per element): Agrona's lock-free queues need
 * {@code --add-exports java.base/jdk.internal.misc} on JDK 25, which every launcher and test JVM
 * would have to carry.
 */
public final class UpcallQueue implements UpcallSource {
    private final ArrayBlockingQueue<Upcall> queue;
    private final LongAdder dropped = new LongAdder();

    public UpcallQueue(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("upcall queue capacity must be >= 2, got " + capacity);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
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
        int n = 0;
        Upcall u;
        while (n < max && (u = queue.poll()) != null) {
            sink.accept(u);
            n++;
        }
        return n;
    }

    /** Upcalls refused because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    public int size() {
        return queue.size();
    }
}
