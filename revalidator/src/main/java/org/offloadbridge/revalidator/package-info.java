/**
 * Revalidator threads over the ukey table: counters from every layer's dump, idle expiry (with
 * a rule for hardware counters that lag), re-translation when the pipeline's seq moves (keep,
 * modify in place, or delete), the flow limit's adaptation, reconcile with what each layer
 * really holds (extra flows deleted, missing ones put back, tc deletion events, resync), moves
 * between layers make-before-break when the policy changes, and adoption at start.
 * {@link org.offloadbridge.revalidator.Revalidators} is the module's face; the thread model is
 * described in {@link org.offloadbridge.upcall}.
 */
package org.offloadbridge.revalidator;
