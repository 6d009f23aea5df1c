package org.offloadbridge.dpdk;

/**
 * The DPDK datapath's counters, one snapshot (for metrics and {@code dpctl/show}-like output):
 * {@link DpdkDatapath#counters()} sums them over PMD threads and packet-out, {@link PmdThread#counters()}
 * gives one thread's. Each thread writes its own counters; values read here may lag by an iteration.
 *
 * @param rxPackets             packets received on all ports
 * @param emcHits               lookups answered by an exact-match cache (or by the packet before: same key)
 * @param classifierHits        lookups answered by the megaflow classifier
 * @param misses                packets that matched no flow
 * @param upcallsQueued         upcalls put on the queue (misses and userspace actions)
 * @param upcallsDeduplicated   misses not queued because their key was already pending
 * @param upcallsDropped        upcalls dropped because the queue was full
 * @param runts                 frames shorter than an Ethernet header (dropped)
 * @param txPackets             packets the ports' tx queues took
 * @param txDropped             packets a tx queue did not take (freed)
 * @param unknownPortDrops      packets output to a port that no longer exists
 * @param editFailures          set/push/pop actions that could not apply (headers outside the
 *                              first segment, no headroom)
 * @param copyFailures          outputs not sent because the copy for a non-last output failed
 * @param tunnelEncaps          packets VXLAN-encapsulated and handed to the underlay port
 * @param tunnelDecaps          VXLAN frames decapsulated and classified as inner packets
 * @param tunnelMalformed       frames addressed to a VXLAN endpoint with bad outer headers (short,
 *                              fragment, bad IPv4 checksum/lengths, wrong VXLAN flags), dropped
 * @param tunnelHeadroomDrops   encaps dropped because the mbuf had fewer than 50 bytes of headroom
 * @param tunnelNoMetadataDrops outputs to a VXLAN port without a preceding set(tunnel(...)), dropped
 * @param pmdErrors             exceptions PMD runners caught from doWork (each is a bug; the runner
 *                              keeps polling; {@link DpdkDatapath#lastPmdError()} is the last)
 */
public record DatapathCounters(long rxPackets, long emcHits, long classifierHits, long misses, long upcallsQueued,
                               long upcallsDeduplicated, long upcallsDropped, long runts, long txPackets,
                               long txDropped, long unknownPortDrops, long editFailures, long copyFailures,
                               long tunnelEncaps, long tunnelDecaps, long tunnelMalformed, long tunnelHeadroomDrops,
                               long tunnelNoMetadataDrops, long pmdErrors) {

    public static final DatapathCounters ZERO = new DatapathCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The field-by-field sum (to add up threads). */
    public DatapathCounters plus(DatapathCounters o) {
        return new DatapathCounters(rxPackets + o.rxPackets, emcHits + o.emcHits, classifierHits + o.classifierHits,
            misses + o.misses, upcallsQueued + o.upcallsQueued, upcallsDeduplicated + o.upcallsDeduplicated,
            upcallsDropped + o.upcallsDropped, runts + o.runts, txPackets + o.txPackets, txDropped + o.txDropped,
            unknownPortDrops + o.unknownPortDrops, editFailures + o.editFailures, copyFailures + o.copyFailures,
            tunnelEncaps + o.tunnelEncaps, tunnelDecaps + o.tunnelDecaps, tunnelMalformed + o.tunnelMalformed,
            tunnelHeadroomDrops + o.tunnelHeadroomDrops, tunnelNoMetadataDrops + o.tunnelNoMetadataDrops,
            pmdErrors + o.pmdErrors);
    }
}
