package org.offloadbridge.upcall.handler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Capacity-aware placement's limits and admission check (docs/hardware-table.md): for each
 * e-switch, how many flows its NIC table may hold ({@code hw-capacity}: the config's global value,
 * or the e-switch's own from its {@code [[port]]} table) and the watermark above which only
 * critical flows go there; and how many it holds, as the last revalidation round counted them plus
 * what handlers have put there since. A new best-effort flow is offered to the NIC only below the
 * watermark, a critical one only below the capacity; the round's planner sorts out the rest (a
 * critical flow kept out of a full table is promoted as it demotes the coldest best-effort one).
 * Lock-free; any thread.
 */
public final class HwBudget {
    /** Limits: capacity in flows (0: placement off), watermark in flows. */
    private record Limits(int capacity, int watermark) {
        static Limits of(int capacity, int watermarkPercent) {
            return new Limits(capacity, (int) Math.max(1, (long) capacity * watermarkPercent / 100));
        }
    }

    private volatile Limits global = new Limits(0, 1);
    private volatile Map<String, Limits> perEswitch = Map.of();
    private final Map<String, AtomicInteger> inHw = new ConcurrentHashMap<>();

    /** The global limits: {@code capacity} flows per e-switch (0: off), {@code watermarkPercent} of it for best-effort flows. */
    public void limits(int capacity, int watermarkPercent) {
        global = Limits.of(capacity, watermarkPercent);
    }

    /** Every e-switch's own limits ({@code {capacity, watermarkPercent}} by devlink handle), replacing the ones before. */
    public void eswitchLimits(Map<String, int[]> limits) {
        Map<String, Limits> m = new ConcurrentHashMap<>();
        limits.forEach((k, v) -> m.put(k, Limits.of(v[0], v[1])));
        perEswitch = Map.copyOf(m);
    }

    private Limits of(String eswitch) {
        Limits l = eswitch == null ? null : perEswitch.get(eswitch);
        return l != null ? l : global;
    }

    /** Placement is on for some e-switch. */
    public boolean on() {
        if (global.capacity() > 0) {
            return true;
        }
        for (Limits l : perEswitch.values()) {
            if (l.capacity() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Placement is on for {@code eswitch} (null: a port on no e-switch, never). */
    public boolean on(String eswitch) {
        return eswitch != null && of(eswitch).capacity() > 0;
    }

    /** {@code eswitch}'s capacity in flows (0: placement off there). */
    public int capacity(String eswitch) {
        return of(eswitch).capacity();
    }

    /** {@code eswitch}'s watermark in flows. */
    public int watermark(String eswitch) {
        return of(eswitch).watermark();
    }

    /** A round counted {@code n} flows in {@code eswitch}'s NIC table (moves it planned included). */
    public void counted(String eswitch, int n) {
        inHw.computeIfAbsent(eswitch, k -> new AtomicInteger()).set(n);
    }

    /** Whether a new flow of this class may be offered to {@code eswitch}'s NIC now. */
    public boolean admits(String eswitch, boolean critical) {
        Limits l = of(eswitch);
        if (l.capacity() <= 0 || eswitch == null) {
            return true;
        }
        return held(eswitch) < (critical ? l.capacity() : l.watermark());
    }

    /** A handler's new flow landed in {@code eswitch}'s NIC table. */
    public void landed(String eswitch) {
        if (on(eswitch)) {
            inHw.computeIfAbsent(eswitch, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Flows {@code eswitch}'s table holds, as far as this count knows. */
    public int held(String eswitch) {
        AtomicInteger n = eswitch == null ? null : inHw.get(eswitch);
        return n == null ? 0 : n.get();
    }
}
