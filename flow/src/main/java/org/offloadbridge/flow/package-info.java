/**
 * The shared vocabulary: flow key and mask, actions, megaflows and ufids, the packet parser, and the OVS-compatible text format for datapath flows.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.flow;
