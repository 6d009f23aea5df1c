/**
 * Megaflows as tc flower filters: key/mask and actions to flower attributes, qdisc setup, priority and handle allocation, install/replace/delete/get/dump with stats and in_hw flags, and the offload policy.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.tc;
