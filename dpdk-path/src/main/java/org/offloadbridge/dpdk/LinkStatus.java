package org.offloadbridge.dpdk;

/** {@code struct rte_eth_link}: speed in Mbps (0 when unknown), up/down, full duplex, autoneg. */
public record LinkStatus(int speedMbps, boolean up, boolean fullDuplex, boolean autoneg) {
}
