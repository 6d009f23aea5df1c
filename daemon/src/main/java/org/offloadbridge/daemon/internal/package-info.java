/**
 * The daemon's own native surface: the libc calls of the slow path's packet sockets (JNA,
 * direct mapping). Nothing outside the daemon module uses it.
 */
package org.offloadbridge.daemon.internal;
