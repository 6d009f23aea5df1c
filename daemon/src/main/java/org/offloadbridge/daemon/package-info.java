/**
 * The composition root: {@link org.offloadbridge.daemon.Daemon} builds the running daemon
 * (ports, slow path, tc and DPDK layers, pipeline, handlers, revalidators) from
 * {@link org.offloadbridge.daemon.DaemonSettings}; the obctl commands read and change it —
 * {@link org.offloadbridge.daemon.DaemonCommands} (dumps, explain, trace, counters, log levels,
 * policy), {@link org.offloadbridge.daemon.RuleCommands} (ovs-ofctl's rule commands) and
 * {@link org.offloadbridge.daemon.Reloader} (reload and SIGHUP). Subpackages: {@code config}
 * (the file, its validation, {@code check}), {@code control} (the socket and obctl),
 * {@code ports}, {@code slowpath}, {@code logging}, {@code metrics}. docs/obctl.md and
 * docs/configuration.md are the operator's side of it.
 */
package org.offloadbridge.daemon;
