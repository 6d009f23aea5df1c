/**
 * Upcall handling: the rule pipeline, handler threads, and the decision where each megaflow
 * is installed (tc flower, else the DPDK datapath), with fallback.
 *
 * <p>Built so far: the rule pipeline in {@link org.offloadbridge.upcall.pipeline} (ovs-ofctl
 * rules, multi-table classifier, MAC learning, translation of a packet key into datapath
 * actions and the widest correct megaflow mask). Handler threads and the install decision are
 * not built yet.
 */
package org.offloadbridge.upcall;
