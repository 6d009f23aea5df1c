/**
 * Handler threads and the table of installed flows: upcalls in, a translated, executed packet
 * and a megaflow placed in exactly one layer out. {@link org.offloadbridge.upcall.handler.Ukey}s
 * live here, beside the handler, because a handler creates each one before it installs; the
 * revalidator module owns them afterwards. The install decision is pure and works only against
 * {@link org.offloadbridge.flow.FlowTarget}, never a concrete layer. The thread model is
 * described in {@link org.offloadbridge.upcall}.
 */
package org.offloadbridge.upcall.handler;
