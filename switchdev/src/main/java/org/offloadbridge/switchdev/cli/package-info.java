/**
 * {@code switchdev} command line: show ports joined with their e-switch and devlink port
 * (text or {@code --json}), set e-switch mode, hw-tc-offload and VF count. The daemon's obctl
 * reuses {@link org.offloadbridge.switchdev.cli.SwitchdevCli} as a subcommand.
 */
package org.offloadbridge.switchdev.cli;
