package org.offloadbridge.dpdk;

import java.util.Arrays;

/**
 * Datapath port number → DPDK port or VXLAN tunnel port, read lock-free by PMD threads
 * (volatile copy-on-write arrays), written by the control thread.
 */
final class Ports {

    /** Datapath port numbers are 0..MAX_PORTS-1. */
    static final int MAX_PORTS = 256;

    private volatile EthdevPort[] table = new EthdevPort[MAX_PORTS];
    private volatile VxlanPort[] tunnels = new VxlanPort[MAX_PORTS];
    /** underlay datapath port → the tunnel port decapsulating on it, or -1. */
    private volatile int[] tunnelByUnderlay = filled();

    /**
     * Datapath port → the UDP port of the kernel VXLAN device it is the miss device of (its
     * frames carry {@code flow.TunnelFrame}'s miss header; output to it takes the inject
     * trailer), or 0 for a plain port.
     */
    private volatile int[] tunnelDeviceUdp = new int[MAX_PORTS];

    private static int[] filled() {
        int[] a = new int[MAX_PORTS];
        Arrays.fill(a, -1);
        return a;
    }

    EthdevPort get(int dpPort) {
        return table[dpPort];
    }

    synchronized void set(int dpPort, EthdevPort p) {
        EthdevPort[] n = table.clone();
        n[dpPort] = p;
        table = n;
    }

    /** The tunnel behind a datapath port, or null (also for out-of-range numbers). */
    VxlanPort tunnel(int dpPort) {
        return dpPort >= 0 && dpPort < MAX_PORTS ? tunnels[dpPort] : null;
    }

    /** The tunnel port that decapsulates on underlay port {@code dpPort}, or -1. */
    int tunnelOn(int underlay) {
        return tunnelByUnderlay[underlay];
    }

    /** The tunnel device UDP port of {@code dpPort} (0: a plain port, also for out-of-range numbers). */
    int tunnelDeviceUdp(int dpPort) {
        return dpPort >= 0 && dpPort < MAX_PORTS ? tunnelDeviceUdp[dpPort] : 0;
    }

    synchronized void setTunnelDevice(int dpPort, int udpPort) {
        int[] n = tunnelDeviceUdp.clone();
        n[dpPort] = udpPort;
        tunnelDeviceUdp = n;
    }

    synchronized void setTunnel(int dpPort, VxlanPort c) {
        VxlanPort old = tunnels[dpPort];
        VxlanPort[] n = tunnels.clone();
        n[dpPort] = c;
        int[] u = tunnelByUnderlay.clone();
        if (old != null) {
            u[old.underlayPort()] = -1;
        }
        if (c != null) {
            u[c.underlayPort()] = dpPort;
        }
        tunnels = n;
        tunnelByUnderlay = u;
    }
}
