package org.offloadbridge.switchdev;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An e-switch identity: the bytes of {@code IFLA_PHYS_SWITCH_ID} (netdev_phys_item_id, at most
 * 32 bytes), shown as sysfs {@code phys_switch_id} does: lowercase hex without separators.
 * Two ports with equal switch ids sit on the same hardware switch.
 */
public final class SwitchId {
    /** MAX_PHYS_ITEM_ID_LEN in include/linux/netdevice.h. */
    public static final int MAX_LEN = 32;

    private final byte[] id;
    private final String hex;

    private SwitchId(byte[] id) {
        this.id = id;
        this.hex = HexFormat.of().formatHex(id);
    }

    /** From the raw attribute bytes. */
    public static SwitchId of(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > MAX_LEN) {
            throw new IllegalArgumentException("switch id must be 1.." + MAX_LEN + " bytes, got " + bytes.length);
        }
        return new SwitchId(bytes.clone());
    }

    /** From sysfs text such as {@code 0cc47aff8e9a0000} (trailing newline allowed). */
    public static SwitchId parseHex(String text) {
        final String t = text.strip();
        if (t.isEmpty() || (t.length() & 1) != 0 || t.length() > 2 * MAX_LEN) {
            throw new IllegalArgumentException("not a switch id: '" + t + "' (want 2.." + 2 * MAX_LEN + " hex digits)");
        }
        try {
            return new SwitchId(HexFormat.of().parseHex(t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a switch id: '" + t + "': " + e.getMessage(), e);
        }
    }

    public byte[] bytes() {
        return id.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SwitchId s && Arrays.equals(id, s.id);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(id);
    }

    @Override
    public String toString() {
        return hex;
    }
}
