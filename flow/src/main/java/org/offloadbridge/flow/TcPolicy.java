package org.offloadbridge.flow;

import java.util.Locale;

/**
 * The global {@code tc-policy}, as in OVS's {@code other_config:tc-policy}: where filters may
 * live. It becomes {@code TCA_CLS_FLAGS_SKIP_*} on the filter and the matching
 * {@code TCA_ACT_FLAGS_SKIP_*} on its actions; see {@link Placement} for how a flow's
 * own preference combines with it.
 */
public enum TcPolicy {
    /** No skip flag: the kernel installs in software and also tries the device (in_hw when it can). */
    NONE,
    /** Hardware only: a filter the device refuses is refused. */
    SKIP_SW,
    /** Software only: never offered to the device. */
    SKIP_HW;

    /** Parses {@code none}, {@code skip_sw}, {@code skip_hw} (OVS spelling). */
    public static TcPolicy parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "none" -> NONE;
            case "skip_sw" -> SKIP_SW;
            case "skip_hw" -> SKIP_HW;
            default -> throw new IllegalArgumentException("tc-policy '" + text + "': expected none, skip_sw or skip_hw");
        };
    }

    /** The OVS spelling: {@code none}, {@code skip_sw}, {@code skip_hw}. */
    public String ovsName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
