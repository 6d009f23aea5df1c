package org.offloadbridge.flow;

/**
 * Where an installed flow lives. A flow is in exactly one layer at a time.
 *
 * <p>The texts are the project's one vocabulary for layers (flow dumps' {@code dp:} and
 * {@code offloaded:} columns, metrics labels, {@code obctl explain}).
 */
public enum FlowLayer {
    /** A tc flower filter the NIC's e-switch holds ({@code in_hw}). */
    TC_HW("tc-hw", "tc", true),
    /** A tc flower filter in the kernel's software path only ({@code not_in_hw}). */
    TC_SW("tc-sw", "tc", false),
    /** A megaflow in the daemon's DPDK datapath. */
    DPDK("dpdk", "dpdk", false),
    /** In no layer: its packets are executed one by one by the handler (slow path). */
    NONE("none", "none", false);

    private final String text;
    private final String dp;
    private final boolean offloaded;

    FlowLayer(String text, String dp, boolean offloaded) {
        this.text = text;
        this.dp = dp;
        this.offloaded = offloaded;
    }

    /** {@code tc-hw}, {@code tc-sw}, {@code dpdk}, {@code none}. */
    public String text() {
        return text;
    }

    /** The dump's {@code dp:} column: {@code tc}, {@code dpdk}. */
    public String dp() {
        return dp;
    }

    /** The dump's {@code offloaded:yes}: only a flow in NIC hardware. */
    public boolean offloaded() {
        return offloaded;
    }

    /** True for the two tc layers. */
    public boolean isTc() {
        return this == TC_HW || this == TC_SW;
    }

    @Override
    public String toString() {
        return text;
    }
}
