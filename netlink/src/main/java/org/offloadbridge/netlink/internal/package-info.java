/**
 * The native surface of the netlink module: libc's socket calls and setns(2) through JNA
 * direct mapping, named like the C API. Nothing here is API; the public face is
 * {@link org.offloadbridge.netlink.NetlinkSocket#isAvailable()} and
 * {@link org.offloadbridge.netlink.NetlinkSocket#unavailabilityCause()}.
 */
package org.offloadbridge.netlink.internal;
