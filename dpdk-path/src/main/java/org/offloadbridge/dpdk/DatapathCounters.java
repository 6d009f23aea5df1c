package org.offloadbridge.dpdk;

/**
 * A snapshot of the datapath's counters, summed over PMD threads (for metrics and
 * {@code dpctl/show}-like output). Values read from PMD threads may lag by an iteration.
 *
 * @param rxPackets        packets received on all ports
 * @param emcHits          lookups answered by an exact-match cache
 * @param classifierHits   lookups answered by the megaflow classifier
 * @param misses           packets that matched no flow
 * @param upcallsQueued    upcalls put on the queue
 * @param upcallsDeduplicated misses not queued because their key was already pending
 * @param upcallsDropped   upcalls dropped because the queue was full
 * @param runts            frames shorter than an Ethernet header (dropped)
 * @param txPackets        packets the ports' tx queues took
 * @param txDropped        packets a tx queue did not take (freed)
 * @param unknownPortDrops packets output to a port that no longer exists
 * @param editFailures     set/push/pop actions that could not apply
 */
public record DatapathCounters(long rxPackets, long emcHits, long classifierHits, long misses, long upcallsQueued,
                               long upcallsDeduplicated, long upcallsDropped, long runts, long txPackets,
                               long txDropped, long unknownPortDrops, long editFailures) {
}
