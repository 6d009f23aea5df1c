package org.offloadbridge.upcall.handler;

import java.util.concurrent.atomic.AtomicLong;
import org.offloadbridge.flow.MonotonicClock;

/** A clock tests move by hand. */
public final class ManualClock implements MonotonicClock {
    private final AtomicLong now;

    public ManualClock(long start) {
        now = new AtomicLong(start);
    }

    @Override
    public long millis() {
        return now.get();
    }

    public long advance(long millis) {
        return now.addAndGet(millis);
    }
}
