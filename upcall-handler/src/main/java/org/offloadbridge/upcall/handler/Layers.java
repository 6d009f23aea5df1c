package org.offloadbridge.upcall.handler;

import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowTarget;

/**
 * The datapath layers the daemon runs: the tc target (tc in the NIC and in the kernel) and the
 * DPDK target. Either may be null: not running on this host (no cls_flower; DPDK unavailable or
 * turned off). Without DPDK, the DPDK attempts become the slow path: installed nowhere, packets
 * executed by the handler.
 */
public record Layers(FlowTarget tc, FlowTarget dpdk) {
    /** The target holding flows of {@code layer}, or null (none, or not running). */
    public FlowTarget of(FlowLayer layer) {
        return switch (layer) {
            case TC_HW, TC_SW -> tc;
            case DPDK -> dpdk;
            case NONE -> null;
        };
    }
}
