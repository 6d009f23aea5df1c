package org.offloadbridge.switchdev;

/**
 * A devlink uapi enum value with the word devlink(8) prints for it. The e-switch mode
 * enums implement this so one lookup serves them all, with errors that list the choices.
 */
interface DevlinkValue {
    /** The uapi value, as in {@code enum devlink_eswitch_*}. */
    int value();

    /** The word devlink(8) shows and takes. */
    String label();

    static <E extends Enum<E> & DevlinkValue> E ofValue(E[] all, int v, String what) {
        for (E e : all) {
            if (e.value() == v) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown devlink " + what + " " + v);
    }

    static <E extends Enum<E> & DevlinkValue> E ofLabel(E[] all, String s, String what) {
        for (E e : all) {
            if (e.label().equals(s)) {
                return e;
            }
        }
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < all.length; i++) {
            want.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].label());
        }
        throw new IllegalArgumentException("unknown " + what + " '" + s + "' (want " + want + ")");
    }
}
