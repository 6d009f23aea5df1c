package org.offloadbridge.switchdev;

import java.util.Objects;

/**
 * A devlink instance: {@code DEVLINK_ATTR_BUS_NAME} / {@code DEVLINK_ATTR_DEV_NAME}, written
 * as iproute2 does ({@code pci/0000:08:00.0}, {@code netdevsim/netdevsim1}).
 */
public record DevlinkHandle(String bus, String device) implements Comparable<DevlinkHandle> {
    public DevlinkHandle {
        Objects.requireNonNull(bus, "bus");
        Objects.requireNonNull(device, "device");
        if (bus.isEmpty() || device.isEmpty() || bus.contains("/")) {
            throw new IllegalArgumentException("bad devlink handle " + bus + "/" + device);
        }
    }

    /** Parses {@code bus/device}; the device part may itself not contain a slash. */
    public static DevlinkHandle parse(String text) {
        final int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("not a devlink handle (want BUS/DEVICE, e.g. pci/0000:08:00.0): '" + text + "'");
        }
        return new DevlinkHandle(text.substring(0, slash), text.substring(slash + 1));
    }

    @Override
    public int compareTo(DevlinkHandle o) {
        final int c = bus.compareTo(o.bus);
        return c != 0 ? c : device.compareTo(o.device);
    }

    @Override
    public String toString() {
        return bus + "/" + device;
    }
}
