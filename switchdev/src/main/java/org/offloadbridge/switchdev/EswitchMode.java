package org.offloadbridge.switchdev;

/** {@code enum devlink_eswitch_mode}: DEVLINK_ESWITCH_MODE_LEGACY = 0, _SWITCHDEV = 1. */
public enum EswitchMode {
    LEGACY(0, "legacy"),
    SWITCHDEV(1, "switchdev");

    private final int value;
    private final String label;

    EswitchMode(int value, String label) {
        this.value = value;
        this.label = label;
    }

    public int value() {
        return value;
    }

    public String label() {
        return label;
    }

    public static EswitchMode ofValue(int v) {
        for (EswitchMode m : values()) {
            if (m.value == v) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown devlink eswitch mode " + v);
    }

    public static EswitchMode ofLabel(String s) {
        for (EswitchMode m : values()) {
            if (m.label.equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown eswitch mode '" + s + "' (want legacy or switchdev)");
    }
}
