package org.offloadbridge.dpdk;

import org.offloadbridge.flow.Tunnel;

/**
 * A VXLAN port as the PMD threads read it: the tunnel and its underlay, validated by
 * {@link DpdkDatapath#addVxlanPort}. The fields the hot path needs are copied out flat.
 */
record VxlanPort(Tunnel tunnel, VxlanUnderlay underlay, int localIp, int udpPort, int underlayPort,
                 long localMac, long nextHopMac) {

    VxlanPort(Tunnel tunnel, VxlanUnderlay underlay) {
        this(tunnel, underlay, tunnel.localIp(), tunnel.dstPort(), underlay.dpPort(), underlay.localMac(),
            underlay.nextHopMac());
    }
}
