/**
 * The native surface of the DPDK datapath, and nothing else: java.lang.foreign downcalls into
 * the librte_*.so.23 libraries Debian ships (DPDK 22.11), one class per DPDK library area,
 * method handles named exactly like the C functions they call.
 *
 * <ul>
 *   <li>{@link org.offloadbridge.dpdk.internal.rte.NativeLibs} — loads the libraries once,
 *       records why not when they are missing.</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.rte.RteEal} — librte_eal: init, thread
 *       registration, device probe, errno.</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.rte.RteMempool} — librte_mempool and the pktmbuf
 *       pool constructor.</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.rte.RteMbuf} — the {@code struct rte_mbuf} layout
 *       and the exported (non-inline) mbuf helpers.</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.rte.RteEthdev} — librte_ethdev control calls and
 *       the {@code rte_eth_fp_ops} table through which rx/tx bursts are called without C.</li>
 * </ul>
 *
 * <p>Struct offsets are constants checked against the installed headers by {@code AbiTest}
 * (compiles {@code offsetof} with gcc), so an ABI change fails the build loudly.
 */
package org.offloadbridge.dpdk.internal.rte;
