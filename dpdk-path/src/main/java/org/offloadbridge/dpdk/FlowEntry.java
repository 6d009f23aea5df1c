package org.offloadbridge.dpdk;

import org.offloadbridge.flow.Megaflow;

/** One flow of a dump: its megaflow (with the current actions) and statistics. */
public record FlowEntry(Megaflow megaflow, FlowStats stats) {
}
