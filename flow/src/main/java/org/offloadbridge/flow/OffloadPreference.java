package org.offloadbridge.flow;

/**
 * A flow's own wish about NIC hardware, from the {@code offload=} of the rules that made it.
 * There is exactly one meaning, crossed with the global {@code hw-offload} and
 * {@code tc-policy} in one table (docs/rules.md, "Where a flow goes"):
 *
 * <ul>
 *   <li>{@link #REQUIRED}: in NIC hardware (tc {@code skip_sw}) or in no datapath layer at all.
 *       When hardware can't take it the flow is not installed anywhere; its packets are
 *       executed one by one on the slow path (counted), and the reason is kept on the flow.</li>
 *   <li>{@link #PREFERRED} (the default): hardware when the policy and device allow it, else
 *       software — kernel tc, then the DPDK path — with the reason recorded, never silently.</li>
 *   <li>{@link #NEVER}: never in NIC hardware: kernel software tc ({@code skip_hw}) when the
 *       policy allows it, else the DPDK path.</li>
 * </ul>
 *
 * <p>A translation that hits several rules carries the most restrictive preference of them
 * ({@link #combine}): {@code never} beats {@code required} beats {@code preferred}. {@code never}
 * wins over {@code required} because keeping traffic out of hardware is the one promise every
 * layer can keep, so a rule that forbids offload is never overridden by another rule in the chain.
 */
public enum OffloadPreference {
    REQUIRED("required", 1),
    PREFERRED("preferred", 0),
    NEVER("never", 2);

    private final String text;
    /** Restrictiveness for {@link #combine}; explicit, never the declaration order. */
    private final int rank;

    OffloadPreference(String text, int rank) {
        this.text = text;
        this.rank = rank;
    }

    /** The spelling rules and config use: {@code required}, {@code preferred}, {@code never}. */
    public String text() {
        return text;
    }

    /** The more restrictive of this and {@code other}. */
    public OffloadPreference combine(OffloadPreference other) {
        return other.rank > rank ? other : this;
    }

    /**
     * Parses {@code required|preferred|never} (exact lower case, as rules and config spell it).
     *
     * @throws IllegalArgumentException naming the text and the three choices
     */
    public static OffloadPreference parse(String s) {
        for (OffloadPreference p : values()) {
            if (p.text.equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("offload preference \"" + s + "\": expected required, preferred or never");
    }

    @Override
    public String toString() {
        return text;
    }
}
