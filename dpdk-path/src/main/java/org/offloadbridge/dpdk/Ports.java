package org.offloadbridge.dpdk;

/**
 * Datapath port number → DPDK port, read lock-free by PMD threads (volatile copy-on-write
 * array), written by the control thread.
 */
final class Ports {

    /** Datapath port numbers are 0..MAX_PORTS-1. */
    static final int MAX_PORTS = 256;

    private volatile Port[] table = new Port[MAX_PORTS];

    Port get(int dpPort) {
        return table[dpPort];
    }

    synchronized void set(int dpPort, Port p) {
        Port[] n = table.clone();
        n[dpPort] = p;
        table = n;
    }
}
