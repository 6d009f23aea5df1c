/**
 * JMH benchmarks of the flow/ module: packet parse per frame shape and memory kind, and the
 * masked hash + compare a megaflow classifier does per subtable. Figures and the command
 * that produced them: docs/benchmarks-flow.md.
 */
package org.offloadbridge.benchmarks.flow;
