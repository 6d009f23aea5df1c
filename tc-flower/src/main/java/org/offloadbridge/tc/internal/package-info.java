/**
 * The flower codec, in two layers with {@link org.offloadbridge.tc.internal.FlowerFilter} (a
 * filter's keys, protocol and tc actions, in tc's terms — OVS's {@code struct tc_flower})
 * between them, each layer split into match and actions:
 * <ul>
 *   <li>translation, megaflow ↔ filter: {@link org.offloadbridge.tc.internal.FlowerMatchEncoder}
 *       and {@link org.offloadbridge.tc.internal.FlowerActionEncoder} decide what flower can
 *       express (refusals are {@link org.offloadbridge.tc.internal.Refusal}s naming the field or
 *       action); {@link org.offloadbridge.tc.internal.FlowerMatchDecoder} and
 *       {@link org.offloadbridge.tc.internal.FlowerActionDecoder} give back the canonical
 *       megaflow, the ufid and the counters;</li>
 *   <li>layout, filter ↔ attributes: {@link org.offloadbridge.tc.internal.FlowerMatchCodec}
 *       ({@code TCA_FLOWER_KEY_*}, described by {@link org.offloadbridge.tc.internal.FlowerKey})
 *       and {@link org.offloadbridge.tc.internal.FlowerActionCodec} ({@code TCA_FLOWER_ACT}).</li>
 * </ul>
 * {@link org.offloadbridge.tc.internal.FlowerEncoder} (megaflow → one RTM_NEWTFILTER request,
 * byte-identical to what iproute2's {@code tc filter add ... flower} sends for the same match
 * and actions) and {@link org.offloadbridge.tc.internal.FlowerDecoder} (echo/get/dump message →
 * megaflow, ufid, flags, stats) put the layers together. No I/O here.
 *
 * <p>Also the pure parts of {@code TcOffload}: {@link org.offloadbridge.tc.internal.SkipFlags}
 * (preference × tc-policy → skip flags, through {@code flow.Placement}),
 * {@link org.offloadbridge.tc.internal.PrioAllocator} (prios per device and canonical mask
 * shape) and {@link org.offloadbridge.tc.internal.KernelReasons} (errno + extack → reason).
 */
package org.offloadbridge.tc.internal;
