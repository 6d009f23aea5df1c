package org.offloadbridge.daemon.logging;

import java.util.concurrent.atomic.AtomicLong;
import org.offloadbridge.flow.MonotonicClock;
import org.slf4j.Logger;

/**
 * A log line for a hot path's failures: at most one line per interval, saying how many were
 * suppressed since the last one. The hot path counts every event in its counters record; this
 * only keeps the journal readable under a flood.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final MonotonicClock clock;
    private final long intervalMillis;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, MonotonicClock clock, long intervalMillis) {
        this.log = log;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
    }

    /** Logs {@code message} as a warning unless one was logged less than the interval ago. */
    public boolean warn(String message) {
        long now = clock.millis();
        long next = nextAllowed.get();
        if (next != Long.MIN_VALUE && now < next || !nextAllowed.compareAndSet(next, now + intervalMillis)) {
            suppressed.incrementAndGet();
            return false;
        }
        long s = suppressed.getAndSet(0);
        log.warn(s == 0 ? message : message + " (" + s + " similar suppressed)");
        return true;
    }
}
