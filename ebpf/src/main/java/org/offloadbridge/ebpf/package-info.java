/**
 * eBPF without a compiler: {@link org.offloadbridge.ebpf.Asm} assembles the few instructions
 * our tc programs need, {@link org.offloadbridge.ebpf.Bpf} loads them with bpf(2) and reports a
 * refusal with the verifier's log ({@link org.offloadbridge.ebpf.BpfException}). What the
 * programs do is the tc module's business (the tunnel slow path); this module knows nothing of
 * packets.
 */
package org.offloadbridge.ebpf;
