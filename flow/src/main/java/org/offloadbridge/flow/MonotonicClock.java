package org.offloadbridge.flow;

/**
 * The one clock of the project: monotonic milliseconds ({@link System#nanoTime()} based), so
 * idle expiry, MAC aging and "used" never jump when NTP steps the wall clock. Every component
 * that needs time takes one of these (tests pass a fake they advance by hand). Values are only
 * meaningful relative to each other within one process.
 *
 * <p>Flow statistics carry {@code used} as a reading of this clock ({@link FlowStats}); a layer
 * that reports "milliseconds ago" (tc's {@code tcf_t.lastuse}) converts once, at dump time.
 */
@FunctionalInterface
public interface MonotonicClock {
    /** The system's monotonic clock in milliseconds. */
    MonotonicClock SYSTEM = () -> System.nanoTime() / 1_000_000;

    /** Now, in monotonic milliseconds. */
    long millis();
}
