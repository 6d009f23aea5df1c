/**
 * The in-process DPDK datapath through Java FFM: EAL, ports, mempools, PMD threads, exact-match cache and megaflow classifier, action execution, upcalls on miss.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.dpdk;
