/**
 * The flower codec: {@link org.offloadbridge.tc.internal.FlowerEncoder} (megaflow → one
 * RTM_NEWTFILTER request, byte-identical to what iproute2's {@code tc filter add ... flower}
 * sends for the same match and actions) and {@link org.offloadbridge.tc.internal.FlowerDecoder}
 * (echo/get/dump message → megaflow, ufid, flags, stats). No I/O here; refusals are
 * {@link org.offloadbridge.tc.internal.Refusal}s naming the field or action.
 *
 * <p>Also the pure parts of {@code TcOffload}: {@link org.offloadbridge.tc.internal.SkipFlags}
 * (preference × tc-policy → skip flags, through {@code flow.Placement}),
 * {@link org.offloadbridge.tc.internal.PrioAllocator} (prios per device and canonical mask
 * shape) and {@link org.offloadbridge.tc.internal.KernelReasons} (errno + extack → reason).
 */
package org.offloadbridge.tc.internal;
