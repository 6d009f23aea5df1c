/** The native call behind {@link org.offloadbridge.ebpf.Bpf}: nothing else in the module touches native code. */
package org.offloadbridge.ebpf.internal;
