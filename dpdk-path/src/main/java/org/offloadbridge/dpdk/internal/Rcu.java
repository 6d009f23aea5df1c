package org.offloadbridge.dpdk.internal;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Grace periods for the lock-free flow table. Each PMD thread owns a {@link Reader} and brackets
 * every unit of work (one poll of its queues) with {@link Reader#enter()} / {@link Reader#exit()}.
 * A writer that unpublished something calls {@link #synchronize()}, which returns once every
 * reader that might have seen the old version has left its section. After that no PMD touches
 * the removed flow: its statistics are final and no packet can still be sent by it.
 *
 * <p>The counter is odd inside a section and even outside, as a sequence lock. enter() is a
 * volatile write followed (in program order) by volatile reads of the published tables, and
 * synchronize() reads counters after its volatile publication, so either the reader saw the new
 * tables or the writer saw it inside and waits for it.
 */
public final class Rcu {

    private final CopyOnWriteArrayList<Reader> readers = new CopyOnWriteArrayList<>();
    private final AtomicLong gracePeriods = new AtomicLong();

    public Reader register(String name) {
        Reader r = new Reader(name);
        readers.add(r);
        return r;
    }

    public void unregister(Reader r) {
        readers.remove(r);
    }

    /**
     * Waits until every reader inside a section at call time has left it. A wait can last a whole
     * PMD iteration, so writers batch: unpublish everything, then one synchronize.
     */
    public void synchronize() {
        gracePeriods.incrementAndGet();
        for (Reader r : readers) {
            long c = r.counter;
            if ((c & 1) == 0) {
                continue;
            }
            long spins = 0;
            while (r.counter == c) {
                if (++spins < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(10_000);
                }
            }
        }
    }

    /** How many grace periods writers have waited for (writer-side; tests check batching with it). */
    public long gracePeriods() {
        return gracePeriods.get();
    }

    /** One reader thread's section marker. */
    public static final class Reader {
        private final String name;
        private volatile long counter;

        Reader(String name) {
            this.name = name;
        }

        public void enter() {
            counter = counter + 1; // single writer: this thread
        }

        public void exit() {
            counter = counter + 1;
        }

        public boolean inside() {
            return (counter & 1) != 0;
        }

        @Override
        public String toString() {
            return "rcu reader " + name;
        }
    }
}
