package org.offloadbridge.netlink.uapi;

/**
 * Constants of the kernel uapi header {@code <linux/gen_stats.h>}: the statistics nest
 * ({@code TCA_ACT_STATS}, {@code TCA_STATS2}) that tc actions, filters and qdiscs report.
 * Linux 6.1; written by hand (tc-flower needed them before the generator listed this header).
 *
 * <pre>
 * struct gnet_stats_basic { __u64 bytes; __u32 packets; }   // 12 bytes, padded to 16 in the attribute
 * </pre>
 */
@SuppressWarnings("unused")
public final class GenStats {
    private GenStats() {
    }

    // enum (anonymous)
    public static final int TCA_STATS_UNSPEC = 0;
    public static final int TCA_STATS_BASIC = 1;
    public static final int TCA_STATS_RATE_EST = 2;
    public static final int TCA_STATS_QUEUE = 3;
    public static final int TCA_STATS_APP = 4;
    public static final int TCA_STATS_RATE_EST64 = 5;
    public static final int TCA_STATS_PAD = 6;
    public static final int TCA_STATS_BASIC_HW = 7;
    public static final int TCA_STATS_PKT64 = 8;
    // #define
    public static final int TCA_STATS_MAX = 8;

    /** {@code struct gnet_stats_basic}: offset of {@code bytes} (u64). */
    public static final int GNET_STATS_BASIC_BYTES = 0;
    /** {@code struct gnet_stats_basic}: offset of {@code packets} (u32). */
    public static final int GNET_STATS_BASIC_PACKETS = 8;
}
