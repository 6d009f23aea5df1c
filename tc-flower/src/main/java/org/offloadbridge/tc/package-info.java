/**
 * Megaflows as tc flower filters: the offload path to the kernel's software tc and, through
 * switchdev representors, to the NIC's e-switch.
 *
 * <p>{@link org.offloadbridge.tc.TcOffload} installs, replaces, deletes, reads and dumps
 * filters on a port's ingress (clsact qdisc, chain 0), one filter per megaflow, and reports
 * every result as a {@link org.offloadbridge.tc.TcOutcome}: where the flow landed
 * ({@code in_hw} with {@code in_hw_count}, or {@code not_in_hw}) or a typed reason why not —
 * found before any kernel call when flower can't express the flow, or the kernel's errno and
 * extack text otherwise. {@link org.offloadbridge.tc.TcPolicy} (global {@code tc-policy}) and
 * {@link org.offloadbridge.tc.OffloadPreference} (per flow) decide the skip flags.
 *
 * <p>Identity: every action carries the flow's ufid as its {@code TCA_ACT_COOKIE}, so a dump
 * maps each filter back to its flow, and filters without our cookie (someone else's) are left
 * alone. Priorities are allocated per (protocol, mask shape); handles come from the kernel.
 *
 * <p>{@link org.offloadbridge.tc.TcCli} is the operator tool ({@code add/mod/del/get/dump}
 * in the {@code ovs-dpctl} flow syntax). The codec (flower keys and actions, both directions)
 * lives in {@code .internal}, pure and tested against iproute2's own bytes.
 */
package org.offloadbridge.tc;
