package org.offloadbridge.switchdev;

/** {@code enum devlink_eswitch_mode}: DEVLINK_ESWITCH_MODE_LEGACY = 0, _SWITCHDEV = 1. */
public enum EswitchMode implements DevlinkValue {
    LEGACY(0, "legacy"),
    SWITCHDEV(1, "switchdev");

    private final int value;
    private final String label;

    EswitchMode(int value, String label) {
        this.value = value;
        this.label = label;
    }

    @Override
    public int value() {
        return value;
    }

    @Override
    public String label() {
        return label;
    }

    public static EswitchMode ofValue(int v) {
        return DevlinkValue.ofValue(values(), v, "eswitch mode");
    }

    public static EswitchMode ofLabel(String s) {
        return DevlinkValue.ofLabel(values(), s, "eswitch mode");
    }
}
