package org.offloadbridge.dpdk;

/**
 * Where one PMD thread's time went, as OVS's {@code dpif-netdev/pmd-stats-show} splits its
 * cycles: passes over the rx queues that received packets (busy) and passes that found nothing
 * (idle; a busy-spinning PMD is never asleep, so busy / (busy + idle) is its load).
 *
 * @param pmd       the PMD's index
 * @param busyNanos time in passes that received packets
 * @param idleNanos time in passes that received nothing
 */
public record PmdTime(int pmd, long busyNanos, long idleNanos) {}
