package org.offloadbridge.switchdev;

/** {@code enum devlink_eswitch_inline_mode}: how much of each packet the VF must inline (ConnectX-4 Lx). */
public enum EswitchInlineMode {
    NONE(0, "none"),
    LINK(1, "link"),
    NETWORK(2, "network"),
    TRANSPORT(3, "transport");

    private final int value;
    private final String label;

    EswitchInlineMode(int value, String label) {
        this.value = value;
        this.label = label;
    }

    public int value() {
        return value;
    }

    public String label() {
        return label;
    }

    public static EswitchInlineMode ofValue(int v) {
        for (EswitchInlineMode m : values()) {
            if (m.value == v) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown devlink eswitch inline mode " + v);
    }

    public static EswitchInlineMode ofLabel(String s) {
        for (EswitchInlineMode m : values()) {
            if (m.label.equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown inline mode '" + s + "' (want none, link, network or transport)");
    }
}
