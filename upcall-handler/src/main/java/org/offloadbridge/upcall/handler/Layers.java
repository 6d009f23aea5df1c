package org.offloadbridge.upcall.handler;

import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowTarget;

/**
 * The datapath layers the daemon runs: the tc target (tc in the NIC and in the kernel) and the
 * DPDK target. Either may be null: not running on this host (no cls_flower; DPDK unavailable or
 * turned off). Without DPDK, the DPDK attempts become the slow path: installed nowhere, packets
 * executed by the handler. {@code counters} counts what every caller asked of them and how it
 * went (handlers and revalidators share one).
 */
public record Layers(FlowTarget tc, FlowTarget dpdk, LayerCounters counters) {
    public Layers {
        if (counters == null) {
            throw new IllegalArgumentException("layer counters must not be null");
        }
    }

    /** The two layers with counters of their own. */
    public Layers(FlowTarget tc, FlowTarget dpdk) {
        this(tc, dpdk, new LayerCounters());
    }

    /** The target holding flows of {@code layer}, or null (none, or not running). */
    public FlowTarget of(FlowLayer layer) {
        return switch (layer) {
            case TC_HW, TC_SW -> tc;
            case DPDK -> dpdk;
            case NONE -> null;
        };
    }
}
