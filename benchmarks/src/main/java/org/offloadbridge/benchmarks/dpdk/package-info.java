/**
 * Benchmarks of the DPDK datapath: a JMH benchmark of one PMD iteration (throughput and, with
 * {@code -prof gc}, allocation per packet) and {@link org.offloadbridge.benchmarks.dpdk.DpdkForwardRun},
 * a scripted run (net_pcap replay → datapath → net_null) reporting Mpps, allocation and GC
 * pauses. Figures and commands: docs/benchmarks-dpdk.md.
 */
package org.offloadbridge.benchmarks.dpdk;
