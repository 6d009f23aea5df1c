/**
 * Kernel-VM system tests of the running daemon on a kernel with cls_flower: flows land in tc and
 * stay there, what tc can't take goes to the software layer with its reason, policy and rules
 * change at runtime, idle flows go, a filter deleted behind our back comes back at once, netdevsim
 * representors are found and attached, and a restart (clean or kill -9) adopts what tc holds
 * without losing a packet.
 */
package org.offloadbridge.tests.daemon;
