package org.offloadbridge.upcall;

import java.util.Locale;
import org.offloadbridge.flow.TcPolicy;

/**
 * The settings of the handler and revalidator threads, named exactly as OVS's
 * {@code other_config} keys, validated in one place ({@link #conclude()}, as Aeron's
 * {@code Context.conclude()}): set what you have, by typed setter or by {@link #set(String, String)}
 * with the OVS key; {@code conclude()} checks every value, fills the defaults, and freezes the
 * object. Reading before {@code conclude()} is refused, so no thread ever sees a half-made config.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code hw-offload}</td><td>false</td><td>true | false</td></tr>
 *   <tr><td>{@code tc-policy}</td><td>none</td><td>none | skip_sw | skip_hw</td></tr>
 *   <tr><td>{@code max-idle}</td><td>10000 ms</td><td>≥ 100</td></tr>
 *   <tr><td>{@code max-revalidator}</td><td>500 ms</td><td>≥ 10</td></tr>
 *   <tr><td>{@code flow-limit}</td><td>200000</td><td>≥ 1</td></tr>
 *   <tr><td>{@code n-handler-threads}</td><td>number of cores</td><td>1..1024</td></tr>
 *   <tr><td>{@code n-revalidator-threads}</td><td>handlers / 4 + 1</td><td>1..1024</td></tr>
 *   <tr><td>{@code hw-capacity}</td><td>0 (off)</td><td>0..10000000 flows per e-switch</td></tr>
 *   <tr><td>{@code hw-watermark}</td><td>100</td><td>1..100 (percent of hw-capacity)</td></tr>
 * </table>
 */
public final class DatapathConfig {
    public static final String HW_OFFLOAD = "hw-offload";
    public static final String TC_POLICY = "tc-policy";
    public static final String MAX_IDLE = "max-idle";
    public static final String MAX_REVALIDATOR = "max-revalidator";
    public static final String FLOW_LIMIT = "flow-limit";
    public static final String N_HANDLER_THREADS = "n-handler-threads";
    public static final String N_REVALIDATOR_THREADS = "n-revalidator-threads";
    /** Ours: capacity-aware placement (docs/hardware-table.md); no OVS key. */
    public static final String HW_CAPACITY = "hw-capacity";
    public static final String HW_WATERMARK = "hw-watermark";

    public static final long DEFAULT_MAX_IDLE_MILLIS = 10_000;
    public static final long DEFAULT_MAX_REVALIDATOR_MILLIS = 500;
    /** The smallest {@code max-idle}. */
    public static final long MIN_MAX_IDLE_MILLIS = 100;
    /** The smallest {@code max-revalidator} (the config file's range starts here too). */
    public static final long MIN_MAX_REVALIDATOR_MILLIS = 10;
    /** OVS's default {@code flow-limit}. */
    public static final int DEFAULT_FLOW_LIMIT = 200_000;
    private static final int MAX_THREADS = 1024;

    private boolean concluded;
    private Boolean hwOffload;
    private TcPolicy tcPolicy;
    private Long maxIdle;
    private Long maxRevalidator;
    private Integer flowLimit;
    private Integer handlers;
    private Integer revalidators;
    private Integer hwCapacity;
    private Integer hwWatermark;
    private int cores = Runtime.getRuntime().availableProcessors();

    public DatapathConfig hwOffload(boolean v) { mutable(); hwOffload = v; return this; }
    public DatapathConfig tcPolicy(TcPolicy v) { mutable(); tcPolicy = v; return this; }
    public DatapathConfig maxIdleMillis(long v) { mutable(); maxIdle = v; return this; }
    public DatapathConfig maxRevalidatorMillis(long v) { mutable(); maxRevalidator = v; return this; }
    public DatapathConfig flowLimit(int v) { mutable(); flowLimit = v; return this; }
    public DatapathConfig handlerThreads(int v) { mutable(); handlers = v; return this; }
    public DatapathConfig revalidatorThreads(int v) { mutable(); revalidators = v; return this; }
    /** Flows per e-switch capacity-aware placement puts in NIC hardware at most; 0: off (first come, first served). */
    public DatapathConfig hwCapacity(int v) { mutable(); hwCapacity = v; return this; }
    /** Percent of {@code hw-capacity} above which only critical flows go to hardware. */
    public DatapathConfig hwWatermark(int v) { mutable(); hwWatermark = v; return this; }
    /** The core count the thread defaults derive from (the machine's, unless a test says otherwise). */
    public DatapathConfig cores(int v) { mutable(); cores = v; return this; }

    /**
     * Sets one setting by its OVS key from text (a config file, {@code obctl set}).
     *
     * @throws IllegalArgumentException naming the key, the text, and what is expected
     */
    public DatapathConfig set(String key, String value) {
        mutable();
        String v = value == null ? "" : value.trim();
        switch (key) {
            case HW_OFFLOAD -> {
                switch (v.toLowerCase(Locale.ROOT)) {
                    case "true" -> hwOffload = true;
                    case "false" -> hwOffload = false;
                    default -> throw new IllegalArgumentException(HW_OFFLOAD + "=\"" + value + "\": expected true or false");
                }
            }
            case TC_POLICY -> {
                try {
                    tcPolicy = TcPolicy.parse(v);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(TC_POLICY + "=\"" + value + "\": expected none, skip_sw or skip_hw");
                }
            }
            case MAX_IDLE -> maxIdle = number(key, v);
            case MAX_REVALIDATOR -> maxRevalidator = number(key, v);
            case FLOW_LIMIT -> flowLimit = (int) Math.min(Integer.MAX_VALUE, number(key, v));
            case N_HANDLER_THREADS -> handlers = (int) Math.min(Integer.MAX_VALUE, number(key, v));
            case N_REVALIDATOR_THREADS -> revalidators = (int) Math.min(Integer.MAX_VALUE, number(key, v));
            case HW_CAPACITY -> hwCapacity = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number(key, v)));
            case HW_WATERMARK -> hwWatermark = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number(key, v)));
            default -> throw new IllegalArgumentException("unknown setting \"" + key + "\": expected one of " + HW_OFFLOAD + ", "
                + TC_POLICY + ", " + MAX_IDLE + ", " + MAX_REVALIDATOR + ", " + FLOW_LIMIT + ", " + N_HANDLER_THREADS + ", "
                + N_REVALIDATOR_THREADS + ", " + HW_CAPACITY + ", " + HW_WATERMARK);
        }
        return this;
    }

    private static long number(String key, String v) {
        try {
            // ASCII digits only: Long.parseLong would take max-idle=١٠٠٠ as 1000
            return org.offloadbridge.flow.AsciiNumber.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=\"" + org.offloadbridge.flow.Excerpt.escape(v, 40) + "\": expected a whole number ("
                + e.getMessage() + ")");
        }
    }

    /**
     * Checks every setting, fills the defaults, and freezes this object.
     *
     * @throws IllegalArgumentException naming the first bad setting and its range
     */
    public DatapathConfig conclude() {
        if (concluded) {
            return this;
        }
        if (hwOffload == null) {
            hwOffload = false;
        }
        if (tcPolicy == null) {
            tcPolicy = TcPolicy.NONE;
        }
        maxIdle = atLeast(MAX_IDLE, maxIdle, DEFAULT_MAX_IDLE_MILLIS, MIN_MAX_IDLE_MILLIS);
        maxRevalidator = atLeast(MAX_REVALIDATOR, maxRevalidator, DEFAULT_MAX_REVALIDATOR_MILLIS, MIN_MAX_REVALIDATOR_MILLIS);
        flowLimit = (int) atLeast(FLOW_LIMIT, flowLimit == null ? null : (long) flowLimit, DEFAULT_FLOW_LIMIT, 1);
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be >= 1, got " + cores);
        }
        handlers = threads(N_HANDLER_THREADS, handlers, cores);
        revalidators = threads(N_REVALIDATOR_THREADS, revalidators, handlers / 4 + 1);
        hwCapacity = hwCapacity == null ? 0 : hwCapacity;
        if (hwCapacity < 0 || hwCapacity > 10_000_000) {
            throw new IllegalArgumentException(HW_CAPACITY + "=" + hwCapacity + ": must be 0 (off) or 1..10000000 flows");
        }
        hwWatermark = hwWatermark == null ? 100 : hwWatermark;
        if (hwWatermark < 1 || hwWatermark > 100) {
            throw new IllegalArgumentException(HW_WATERMARK + "=" + hwWatermark + ": must be 1..100 (percent of " + HW_CAPACITY + ")");
        }
        concluded = true;
        return this;
    }

    private static long atLeast(String key, Long v, long dflt, long min) {
        long x = v == null ? dflt : v;
        if (x < min) {
            throw new IllegalArgumentException(key + "=" + x + ": must be >= " + min);
        }
        return x;
    }

    private static int threads(String key, Integer v, int dflt) {
        int x = v == null ? dflt : v;
        if (x < 1 || x > MAX_THREADS) {
            throw new IllegalArgumentException(key + "=" + x + ": must be 1.." + MAX_THREADS);
        }
        return x;
    }

    private void mutable() {
        if (concluded) {
            throw new IllegalStateException("DatapathConfig is concluded; settings can't change (make a new one)");
        }
    }

    private void read() {
        if (!concluded) {
            throw new IllegalStateException("DatapathConfig read before conclude()");
        }
    }

    public boolean hwOffload() { read(); return hwOffload; }
    public TcPolicy tcPolicy() { read(); return tcPolicy; }
    public long maxIdleMillis() { read(); return maxIdle; }
    public long maxRevalidatorMillis() { read(); return maxRevalidator; }
    public int flowLimit() { read(); return flowLimit; }
    public int handlerThreads() { read(); return handlers; }
    public int revalidatorThreads() { read(); return revalidators; }
    public int hwCapacity() { read(); return hwCapacity; }
    public int hwWatermark() { read(); return hwWatermark; }

    /**
     * How long a flow in NIC hardware must show no counter movement beyond max-idle before it is
     * idle: two revalidator rounds, at least two seconds. Drivers read hardware counters lazily
     * (mlx5 refreshes them about once a second), so a live flow's counters and {@code used} can
     * stand still for a while; OVS users lose live offloaded flows to exactly that.
     */
    public long hwStatsGraceMillis() {
        read();
        return hwStatsGraceMillis(maxRevalidator);
    }

    /** {@link #hwStatsGraceMillis()} for a {@code max-revalidator} set while running. */
    public static long hwStatsGraceMillis(long maxRevalidatorMillis) {
        return Math.max(2 * maxRevalidatorMillis, 2_000);
    }

    @Override
    public String toString() {
        return concluded
            ? HW_OFFLOAD + "=" + hwOffload + " " + TC_POLICY + "=" + tcPolicy.ovsName() + " " + MAX_IDLE + "=" + maxIdle + " "
                + MAX_REVALIDATOR + "=" + maxRevalidator + " " + FLOW_LIMIT + "=" + flowLimit + " " + N_HANDLER_THREADS + "="
                + handlers + " " + N_REVALIDATOR_THREADS + "=" + revalidators
            : "DatapathConfig (not concluded)";
    }
}
