package org.offloadbridge.tc;

import java.util.Locale;

/**
 * A flow's own wish about hardware, set by the rule that produced it. Combined with the
 * global {@link TcPolicy}:
 *
 * <table>
 * <caption>flags tried, in order</caption>
 * <tr><th>preference</th><th>policy none</th><th>policy skip_sw</th><th>policy skip_hw</th></tr>
 * <tr><td>required</td><td>skip_sw</td><td>skip_sw</td><td>refused (policy forbids hw)</td></tr>
 * <tr><td>preferred</td><td>none</td><td>skip_sw, then none</td><td>skip_hw</td></tr>
 * <tr><td>never</td><td>skip_hw</td><td>skip_hw</td><td>skip_hw</td></tr>
 * </table>
 *
 * <p>{@code preferred} never falls back silently: the outcome says {@code not_in_hw} when the
 * filter landed in software, and counts the fallback.
 */
public enum OffloadPreference {
    /** Hardware or nothing: the caller falls back to the DPDK path on failure. */
    REQUIRED,
    /** Hardware when the device takes it, kernel software tc otherwise. */
    PREFERRED,
    /** Kernel software tc only ({@code skip_hw}). */
    NEVER;

    public static OffloadPreference parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "required" -> REQUIRED;
            case "preferred" -> PREFERRED;
            case "never" -> NEVER;
            default -> throw new IllegalArgumentException("offload preference '" + text + "': expected required, preferred or never");
        };
    }
}
