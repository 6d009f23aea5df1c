/**
 * JMH benchmarks of the netlink module: codec encode + parse of a flower filter request
 * (time and allocation per message) and RTM_GETLINK request rates one-per-syscall versus
 * batched. Figures and commands: docs/benchmarks-netlink.md.
 */
package org.offloadbridge.benchmarks.netlink;
