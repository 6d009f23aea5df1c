/**
 * Living under systemd: {@link org.offloadbridge.systemd.SdNotify} tells the service manager
 * READY, STATUS, WATCHDOG, RELOADING and STOPPING ({@code sd_notify(3)}), and reads the
 * watchdog interval it expects. The unit file ({@code systemd/offload-bridge.service}) and the
 * sysusers.d file for the daemon's user sit at the module's root; the tests verify them with
 * {@code systemd-analyze verify} and {@code systemd-sysusers --dry-run}.
 */
package org.offloadbridge.systemd;
