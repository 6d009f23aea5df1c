package org.offloadbridge.upcall.pipeline;

/**
 * The per-rule {@code offload=} extension: where a megaflow built from this rule may live.
 *
 * <p>A translation that hits several rules carries the most restrictive preference of them:
 * {@link #NEVER} beats {@link #REQUIRED} beats {@link #PREFERRED}. NEVER wins over REQUIRED
 * because keeping traffic out of hardware is the one promise the install layer can always
 * keep (software paths accept anything), so a rule that forbids offload must not be
 * overridden by another rule in the same chain.
 */
public enum OffloadPreference {
    /** Offload when the target accepts the flow, else fall back to software (the default). */
    PREFERRED("preferred"),
    /** Offload or fail: the install layer reports an error instead of falling back. */
    REQUIRED("required"),
    /** Never offload: software datapath only. */
    NEVER("never");

    private final String text;

    OffloadPreference(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The more restrictive of this and {@code other}. */
    public OffloadPreference combine(OffloadPreference other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /** Parses {@code required|preferred|never}, or returns null. */
    public static OffloadPreference parse(String s) {
        for (OffloadPreference p : values()) {
            if (p.text.equals(s)) {
                return p;
            }
        }
        return null;
    }
}
