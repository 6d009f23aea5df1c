package org.offloadbridge.switchdev;

/** {@code enum devlink_eswitch_encap_mode}: whether the e-switch may do tunnel encap/decap. */
public enum EswitchEncapMode implements DevlinkValue {
    NONE(0, "none"),
    BASIC(1, "basic");

    private final int value;
    private final String label;

    EswitchEncapMode(int value, String label) {
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

    public static EswitchEncapMode ofValue(int v) {
        return DevlinkValue.ofValue(values(), v, "eswitch encap mode");
    }

    public static EswitchEncapMode ofLabel(String s) {
        return DevlinkValue.ofLabel(values(), s, "encap mode");
    }
}
