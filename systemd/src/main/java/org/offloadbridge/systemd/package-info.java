/**
 * The unit file, sd_notify (READY, WATCHDOG, STATUS, STOPPING) and the install layout.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.systemd;
