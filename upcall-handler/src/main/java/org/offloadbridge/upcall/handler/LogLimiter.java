package org.offloadbridge.upcall.handler;

import java.util.concurrent.atomic.AtomicLong;
import org.offloadbridge.flow.MonotonicClock;
import org.slf4j.Logger;

/**
 * At most one log line per interval for one kind of event, saying how many were suppressed in
 * between; hot paths count, this only says that something is wrong. Thread-safe, lock-free; no
 * text is built unless a line is written.
 */
public final class LogLimiter {
    private final Logger log;
    private final MonotonicClock clock;
    private final long intervalMillis;
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public LogLimiter(Logger log, MonotonicClock clock, long intervalMillis) {
        this.log = log;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
    }

    /** Logs {@code format} with {@code args} at warn when the interval has passed, else counts it. */
    public void warn(String format, Object... args) {
        long now = clock.millis();
        long n = next.get();
        if (now >= n && next.compareAndSet(n, now + intervalMillis)) {
            long s = suppressed.getAndSet(0);
            if (log.isWarnEnabled()) {
                log.warn(s == 0 ? format : format + " (" + s + " similar suppressed)", args);
            }
        } else {
            suppressed.incrementAndGet();
        }
    }
}
