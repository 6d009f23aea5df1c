/**
 * The in-process DPDK datapath through Java FFM: EAL, ports, mempools, PMD threads, exact-match
 * cache and megaflow classifier, action execution (including VXLAN encap/decap through
 * {@link org.offloadbridge.dpdk.DpdkDatapath#addVxlanPort tunnel ports}), upcalls on miss.
 *
 * <p>Entry points: {@link org.offloadbridge.dpdk.Dpdk#isAvailable()} (and its cause),
 * {@link org.offloadbridge.dpdk.Eal} (once per JVM), {@link org.offloadbridge.dpdk.Mempool},
 * {@link org.offloadbridge.dpdk.EthdevPort}, {@link org.offloadbridge.dpdk.DpdkDatapath} and its
 * {@link org.offloadbridge.dpdk.DpdkFlowTarget} (the datapath as a {@code flow.FlowTarget}, layer DPDK).
 * Native calls live in
 * {@code org.offloadbridge.dpdk.internal.rte}; the classifier, caches and packet codecs in
 * {@code org.offloadbridge.dpdk.internal}.
 */
package org.offloadbridge.dpdk;
