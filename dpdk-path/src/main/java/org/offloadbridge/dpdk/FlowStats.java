package org.offloadbridge.dpdk;

/**
 * Statistics of one datapath flow, as revalidators read them: packets, bytes, the last time a
 * packet hit it (epoch ms, 0 = never) and the OR of TCP flags seen (12 bits, OVS tcp_flags).
 */
public record FlowStats(long packets, long bytes, long usedMillis, int tcpFlags) {
}
