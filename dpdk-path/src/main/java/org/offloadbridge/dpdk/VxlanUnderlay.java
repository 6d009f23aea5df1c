package org.offloadbridge.dpdk;

/**
 * What a VXLAN port of the DPDK datapath needs beyond its {@link org.offloadbridge.flow.Tunnel}:
 * the underlay — the datapath port that carries the encapsulated frames, our MAC on it and the
 * next hop's MAC. Everything is static: there is no ARP and no route lookup here (the control
 * plane resolves the next hop and reconfigures). MACs are host-order 48-bit numbers
 * ({@code 0x020000000001L} = 02:00:00:00:00:01).
 *
 * @param dpPort     the datapath port the tunnel sends on and decapsulates from
 * @param localMac   outer Ethernet source
 * @param nextHopMac outer Ethernet destination
 */
public record VxlanUnderlay(int dpPort, long localMac, long nextHopMac) {

    public VxlanUnderlay {
        if (dpPort < 0 || dpPort >= Ports.MAX_PORTS) {
            throw new IllegalArgumentException("vxlan underlay port " + dpPort + " out of 0.." + (Ports.MAX_PORTS - 1));
        }
        if ((localMac >>> 48) != 0 || (nextHopMac >>> 48) != 0) {
            throw new IllegalArgumentException("vxlan MAC addresses must fit 48 bits: local "
                + Long.toHexString(localMac) + ", next hop " + Long.toHexString(nextHopMac));
        }
    }
}
