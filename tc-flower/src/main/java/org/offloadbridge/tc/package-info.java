/**
 * Megaflows as tc flower filters: the offload path to the kernel's software tc and, through
 * switchdev representors, to the NIC's e-switch.
 *
 * <p>{@link org.offloadbridge.tc.TcFlowTarget} is tc behind the {@code flow.FlowTarget} seam:
 * batched put/modify/delete/get/dump/flush with {@code flow.FlowResult}s, counters on the
 * monotonic clock. Underneath, {@link org.offloadbridge.tc.TcOffload} installs, replaces,
 * deletes, reads and dumps filters on a port's ingress (clsact qdisc, chain 0), one filter per
 * megaflow, and reports each result as a {@link org.offloadbridge.tc.TcOutcome}: where the flow
 * landed ({@code in_hw} with {@code in_hw_count}, or {@code not_in_hw}) or a reason from the one
 * vocabulary ({@code flow.FlowResult.Reason}) — found before any kernel call when flower can't
 * express the flow, or the kernel's errno and extack text otherwise. The global
 * {@code flow.TcPolicy} and the flow's {@code flow.OffloadPreference} decide the skip flags
 * through {@code flow.Placement}, the project's one table.
 *
 * <p>Identity: every action carries the flow's ufid as its {@code TCA_ACT_COOKIE}, so a dump
 * maps each filter back to its flow, and filters without our cookie (someone else's) are left
 * alone. Priorities are allocated per (protocol, canonical mask shape); handles come from the kernel.
 *
 * <p>{@code .cli} holds the operator tool ({@code add/mod/del/get/dump} in the {@code ovs-dpctl}
 * flow syntax). {@code .internal} holds the codec (flower keys and actions, both directions,
 * pure and tested against iproute2's own bytes) and the small parts TcOffload is built from:
 * skip flags, prio allocation, errno → reason.
 */
package org.offloadbridge.tc;
