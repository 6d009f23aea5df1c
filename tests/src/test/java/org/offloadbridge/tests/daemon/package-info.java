/**
 * Kernel-VM system tests of the running daemon ({@code org.offloadbridge.daemon.Daemon}) on a
 * kernel with cls_flower: flows land in tc, what tc can't take goes to the software layer with
 * its reason, policy changes at runtime, a filter deleted behind our back comes back, a
 * restart adopts what tc holds.
 */
package org.offloadbridge.tests.daemon;
