/**
 * The control socket, modelled on OVS's unixctl / {@code ovs-appctl}: a unix stream socket
 * ({@code /run/offload-bridge/obctl.sock}) over which {@code obctl} sends one command and reads
 * one reply. {@link org.offloadbridge.daemon.control.ControlServer} is an Agent that accepts,
 * checks the peer's credentials, reads the request, dispatches it to a registered
 * {@link org.offloadbridge.daemon.control.CommandHandler}, and writes the reply;
 * {@link org.offloadbridge.daemon.control.ControlClient} and
 * {@link org.offloadbridge.daemon.control.ObctlMain} are the other end. The wire format is in
 * {@link org.offloadbridge.daemon.control.ControlProtocol} and docs/obctl.md.
 */
package org.offloadbridge.daemon.control;
