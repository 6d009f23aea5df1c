package org.offloadbridge.switchdev;

/** {@code enum devlink_eswitch_inline_mode}: how much of each packet the VF must inline (ConnectX-4 Lx). */
public enum EswitchInlineMode implements DevlinkValue {
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

    @Override
    public int value() {
        return value;
    }

    @Override
    public String label() {
        return label;
    }

    public static EswitchInlineMode ofValue(int v) {
        return DevlinkValue.ofValue(values(), v, "eswitch inline mode");
    }

    public static EswitchInlineMode ofLabel(String s) {
        return DevlinkValue.ofLabel(values(), s, "inline mode");
    }
}
