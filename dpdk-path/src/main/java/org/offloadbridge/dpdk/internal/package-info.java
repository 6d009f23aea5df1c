/**
 * The native surface of the DPDK datapath: java.lang.foreign downcalls into the librte_*.so.23
 * libraries Debian ships (DPDK 22.11), one class per DPDK library area, method handles named
 * exactly like the C functions they call.
 *
 * <ul>
 *   <li>{@link org.offloadbridge.dpdk.internal.NativeLibs} — loads the libraries once, records why
 *       not when they are missing.</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.RteEal} — librte_eal: init, thread registration,
 *       device probe, errno.</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.RteMempool} — librte_mempool and the pktmbuf pool
 *       constructor.</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.RteMbuf} — the {@code struct rte_mbuf} layout and
 *       the exported (non-inline) mbuf helpers.</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.RteEthdev} — librte_ethdev control calls and the
 *       {@code rte_eth_fp_ops} table through which rx/tx bursts are called without C.</li>
 * </ul>
 *
 * <p>Packet codecs on raw memory, no I/O: {@link org.offloadbridge.dpdk.internal.PacketEdit}
 * (set-field rewrites with checksum fix-up), {@link org.offloadbridge.dpdk.internal.Vxlan}
 * (VXLAN/IPv4 outer headers for encap and decap). The classifier, EMC and RCU are here too.
 *
 * <p>Struct offsets are constants checked against the installed headers by {@code AbiTest}
 * (compiles {@code offsetof} with gcc), so an ABI change fails the build loudly.
 */
package org.offloadbridge.dpdk.internal;
