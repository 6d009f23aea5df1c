package org.offloadbridge.dpdk;

/**
 * VXLAN counters summed over PMD threads and packet-out.
 *
 * @param encaps          packets encapsulated and handed to the underlay port
 * @param decaps          VXLAN frames decapsulated and classified as inner packets
 * @param malformed       frames addressed to an endpoint with bad outer headers (short, fragment,
 *                        bad IPv4 checksum/lengths, wrong VXLAN flags), dropped
 * @param headroomDrops   encaps dropped because the mbuf had fewer than 50 bytes of headroom
 * @param noMetadataDrops outputs to a tunnel port without a preceding set(tunnel(...)), dropped
 */
public record TunnelCounters(long encaps, long decaps, long malformed, long headroomDrops, long noMetadataDrops) {
}
