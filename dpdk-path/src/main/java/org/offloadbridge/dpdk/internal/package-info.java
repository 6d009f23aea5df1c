/**
 * The datapath's own machinery, pure Java over raw memory, no native calls (those are in
 * {@link org.offloadbridge.dpdk.internal.rte}):
 *
 * <ul>
 *   <li>{@link org.offloadbridge.dpdk.internal.Dpcls} — the megaflow classifier (tuple-space
 *       search, as OVS's dpcls), lock-free for readers;</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.InstalledFlow} — one megaflow as the PMD threads
 *       see it, with per-thread statistics slots;</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.Emc} — the per-PMD exact-match cache;</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.Rcu} — grace periods between flow-table writers
 *       and the PMD threads;</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.PacketEdit} — every in-place header edit (set
 *       fields with checksum fix-up, VLAN push/pop);</li>
 *   <li>{@link org.offloadbridge.dpdk.internal.Vxlan} — VXLAN/IPv4 outer headers for encap and
 *       decap.</li>
 * </ul>
 */
package org.offloadbridge.dpdk.internal;
