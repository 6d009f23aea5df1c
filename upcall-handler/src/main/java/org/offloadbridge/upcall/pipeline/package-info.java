/**
 * The rule pipeline: OpenFlow-like rules in the {@code ovs-ofctl} flow syntax, a multi-table
 * classifier, MAC learning behind {@code normal}, and translation of a packet's flow key into
 * datapath actions plus the widest correct megaflow mask.
 *
 * <p>Public face: {@link org.offloadbridge.upcall.pipeline.Pipeline} (load rules, set ports,
 * translate, sequence number), {@link org.offloadbridge.upcall.pipeline.RuleParser},
 * {@link org.offloadbridge.upcall.pipeline.PortTable}, and the rule model
 * ({@link org.offloadbridge.upcall.pipeline.Rule}, {@link org.offloadbridge.upcall.pipeline.Match},
 * {@link org.offloadbridge.upcall.pipeline.OfAction}). Classifier, prefix tries and the
 * translator live in {@code .internal}. docs/rules.md describes the syntax.
 */
package org.offloadbridge.upcall.pipeline;
