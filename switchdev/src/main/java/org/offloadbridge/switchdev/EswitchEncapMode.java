package org.offloadbridge.switchdev;

/** {@code enum devlink_eswitch_encap_mode}: whether the e-switch may do tunnel encap/decap. */
public enum EswitchEncapMode {
    NONE(0, "none"),
    BASIC(1, "basic");

    private final int value;
    private final String label;

    EswitchEncapMode(int value, String label) {
        this.value = value;
        this.label = label;
    }

    public int value() {
        return value;
    }

    public String label() {
        return label;
    }

    public static EswitchEncapMode ofValue(int v) {
        for (EswitchEncapMode m : values()) {
            if (m.value == v) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown devlink eswitch encap mode " + v);
    }

    public static EswitchEncapMode ofLabel(String s) {
        for (EswitchEncapMode m : values()) {
            if (m.label.equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown encap mode '" + s + "' (want none or basic)");
    }
}
