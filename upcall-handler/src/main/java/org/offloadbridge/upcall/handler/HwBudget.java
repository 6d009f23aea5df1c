package org.offloadbridge.upcall.handler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Capacity-aware placement's admission check for new flows (docs/hardware-table.md): how many
 * flows each e-switch's NIC table holds, as the last revalidation round counted them plus what
 * handlers have put there since, against {@code hw-capacity} and {@code hw-watermark}. A new
 * best-effort flow is offered to the NIC only below the watermark, a critical one only below
 * the capacity; the round's planner sorts out the rest (a critical flow kept out of a full
 * table is promoted as it demotes the coldest best-effort one). Lock-free; any thread.
 */
public final class HwBudget {
    private volatile int capacity;
    private volatile int watermark;
    private final Map<String, AtomicInteger> inHw = new ConcurrentHashMap<>();

    /** {@code capacity} flows per e-switch (0: no check), {@code watermarkPercent} of it for best-effort flows. */
    public void limits(int capacity, int watermarkPercent) {
        this.watermark = (int) Math.max(1, (long) capacity * watermarkPercent / 100);
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** A round counted {@code n} flows in {@code eswitch}'s NIC table (moves it planned included). */
    public void counted(String eswitch, int n) {
        inHw.computeIfAbsent(eswitch, k -> new AtomicInteger()).set(n);
    }

    /** Whether a new flow of this class may be offered to {@code eswitch}'s NIC now. */
    public boolean admits(String eswitch, boolean critical) {
        int cap = capacity;
        if (cap <= 0 || eswitch == null) {
            return true;
        }
        AtomicInteger n = inHw.get(eswitch);
        int held = n == null ? 0 : n.get();
        return held < (critical ? cap : watermark);
    }

    /** A handler's new flow landed in {@code eswitch}'s NIC table. */
    public void landed(String eswitch) {
        if (eswitch != null && capacity > 0) {
            inHw.computeIfAbsent(eswitch, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Flows {@code eswitch}'s table holds, as far as this count knows. */
    public int held(String eswitch) {
        AtomicInteger n = inHw.get(eswitch);
        return n == null ? 0 : n.get();
    }
}
