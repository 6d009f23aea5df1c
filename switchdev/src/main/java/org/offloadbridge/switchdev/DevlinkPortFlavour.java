package org.offloadbridge.switchdev;

/**
 * {@code enum devlink_port_flavour} from {@code <linux/devlink.h>}, with the kernel's values
 * and iproute2's printed names.
 */
public enum DevlinkPortFlavour {
    PHYSICAL(0, "physical"),
    CPU(1, "cpu"),
    DSA(2, "dsa"),
    PCI_PF(3, "pcipf"),
    PCI_VF(4, "pcivf"),
    VIRTUAL(5, "virtual"),
    UNUSED(6, "unused"),
    PCI_SF(7, "pcisf");

    private final int value;
    private final String iproute2Name;

    DevlinkPortFlavour(int value, String iproute2Name) {
        this.value = value;
        this.iproute2Name = iproute2Name;
    }

    public int value() {
        return value;
    }

    /** As {@code devlink port show} prints it. */
    public String iproute2Name() {
        return iproute2Name;
    }

    /** The flavour with that kernel value, or null for one newer than this code. */
    public static DevlinkPortFlavour ofValue(int value) {
        for (DevlinkPortFlavour f : values()) {
            if (f.value == value) {
                return f;
            }
        }
        return null;
    }

    /** The flavour iproute2 prints under that name, or null. */
    public static DevlinkPortFlavour ofIproute2Name(String name) {
        for (DevlinkPortFlavour f : values()) {
            if (f.iproute2Name.equals(name)) {
                return f;
            }
        }
        return null;
    }
}
