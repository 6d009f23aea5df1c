/**
 * The {@code tc-flower} operator tool (picocli, as switchdev's): add, modify, delete, get, dump
 * and flush our flower filters in the {@code ovs-dpctl} flow syntax, through
 * {@link org.offloadbridge.tc.TcOffload}. Errors are one line on stderr; exit 0 ok, 1 refused
 * or failed, 2 usage.
 */
package org.offloadbridge.tc.cli;
