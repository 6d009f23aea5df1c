/**
 * The native surface of sd_notify: {@code socket}, {@code sendto}, {@code close} and
 * {@code clock_gettime} from libc through JNA, with {@code isAvailable()} /
 * {@code unavailabilityCause()}. Nothing outside this module uses it.
 */
package org.offloadbridge.systemd.internal;
