/**
 * Internals of the rule pipeline: binding rule fields to the flow shape, the multi-table
 * classifier (tuple-space search with staged lookup, stride-4 prefix tries over addresses per
 * table and over the L4 ports word per subtable, as OVS's classifier), immutable
 * rule-set snapshots, and the translator that turns a packet key into datapath actions plus a
 * megaflow mask. Nothing here is API; use {@link org.offloadbridge.upcall.pipeline.Pipeline}.
 */
package org.offloadbridge.upcall.pipeline.internal;
