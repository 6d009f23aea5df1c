/**
 * System tests across modules: netns topologies, the kernel test VM, peers (iproute2, OVS, dpdk-testpmd).
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.tests;
