package org.offloadbridge.switchdev;

/**
 * The {@code hw-tc-offload} (NETIF_F_HW_TC) feature of one netdev, as ethtool netlink reports
 * it: whether it is active, and whether the driver lets anyone change it.
 */
public enum HwTcOffload {
    ON("on"),
    OFF("off"),
    /** Active and the driver does not let it be turned off. */
    FIXED_ON("on [fixed]"),
    /** Off and cannot be turned on: tc filters on this port stay in software. */
    FIXED_OFF("off [fixed]"),
    /** Not read (ethtool netlink unavailable, or the netdev went away). */
    UNKNOWN("?");

    private final String label;

    HwTcOffload(String label) {
        this.label = label;
    }

    /** As {@code ethtool -k} prints it. */
    public String label() {
        return label;
    }

    public boolean active() {
        return this == ON || this == FIXED_ON;
    }

    public static HwTcOffload of(boolean active, boolean changeable) {
        if (changeable) {
            return active ? ON : OFF;
        }
        return active ? FIXED_ON : FIXED_OFF;
    }
}
