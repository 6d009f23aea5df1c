package org.offloadbridge.dpdk;

/** The totals of {@code struct rte_eth_stats} for one port. */
public record PortStats(long ipackets, long opackets, long ibytes, long obytes, long imissed,
                        long ierrors, long oerrors, long rxNombuf) {
}
