package org.offloadbridge.upcall.handler;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram of durations with fixed bucket bounds, for measurements on hot paths (an upcall's
 * handling, a revalidator round): {@link #record} is a scan over at most a few dozen bounds and
 * two {@code LongAdder} adds — no lock, no allocation (a {@code LongAdder} allocates its cells
 * once, on its first contention, never per add). It is what a Prometheus classic histogram
 * needs and no more: per-bucket counts and the sum; the daemon's metrics render it as
 * {@code _bucket{le=...}}, {@code _sum}, {@code _count}.
 *
 * <p>Readers take a {@link #snapshot()} from any thread. The buckets are read one after the
 * other, so a snapshot taken while writers record may be off by the values recorded meanwhile;
 * its {@code count} is the sum of its own buckets, so {@code _count} and the {@code +Inf}
 * bucket always agree.
 */
public final class FixedHistogram {
    private final long[] bounds;
    private final LongAdder[] counts;
    private final LongAdder sum = new LongAdder();

    /**
     * @param boundsNanos the buckets' inclusive upper bounds (Prometheus's {@code le}), in
     *                    nanoseconds, strictly ascending; the {@code +Inf} bucket is implied
     */
    public FixedHistogram(long... boundsNanos) {
        if (boundsNanos.length == 0) {
            throw new IllegalArgumentException("a histogram needs at least one bucket bound");
        }
        for (int i = 0; i < boundsNanos.length; i++) {
            if (boundsNanos[i] <= 0 || (i > 0 && boundsNanos[i] <= boundsNanos[i - 1])) {
                throw new IllegalArgumentException("bucket bounds must be positive and strictly ascending: "
                    + Arrays.toString(boundsNanos));
            }
        }
        this.bounds = boundsNanos.clone();
        this.counts = new LongAdder[boundsNanos.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Counts one duration (negative ones, from a clock that stepped, as zero). Allocation-free. */
    public void record(long nanos) {
        long v = Math.max(nanos, 0);
        int i = 0;
        while (i < bounds.length && v > bounds[i]) {
            i++;
        }
        counts[i].increment();
        sum.add(v);
    }

    /**
     * One reading.
     *
     * @param boundsNanos the upper bounds, without {@code +Inf}
     * @param counts      per bucket, not cumulative: {@code counts[i]} values in
     *                    {@code (bounds[i-1], bounds[i]]}; the last element is the {@code +Inf} bucket
     * @param sumNanos    the sum of every recorded duration
     */
    public record Snapshot(long[] boundsNanos, long[] counts, long sumNanos) {
        /** Every recorded duration. */
        public long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }
    }

    public Snapshot snapshot() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return new Snapshot(bounds.clone(), c, sum.sum());
    }

    /** {@code ms} milliseconds in nanoseconds. */
    public static long millis(double ms) {
        return Math.round(ms * 1_000_000);
    }
}
