package org.offloadbridge.dpdk;

/**
 * A VXLAN tunnel endpoint for {@link DpdkDatapath#addVxlanPort}: the local IPv4 address, the UDP
 * port it listens on and sends to, and the underlay it uses — the datapath port that carries
 * the encapsulated frames, our MAC on it and the next hop's MAC. Everything is static: there is
 * no ARP and no route lookup (the control plane resolves the next hop and reconfigures).
 * Addresses are host-order numbers ({@code 0x0a000001} = 10.0.0.1, {@code 0x020000000001L}).
 */
public record VxlanConfig(int localIp, int udpPort, int underlayPort, long localMac, long nextHopMac) {

    /** IANA's VXLAN port (RFC 7348 §5), the default. */
    public static final int DEFAULT_UDP_PORT = 4789;

    public VxlanConfig {
        if (localIp == 0) {
            throw new IllegalArgumentException("vxlan localIp must not be 0.0.0.0");
        }
        if (udpPort < 1 || udpPort > 0xffff) {
            throw new IllegalArgumentException("vxlan udpPort " + udpPort + " out of 1..65535");
        }
        if (underlayPort < 0 || underlayPort >= Ports.MAX_PORTS) {
            throw new IllegalArgumentException("vxlan underlayPort " + underlayPort + " out of 0.."
                + (Ports.MAX_PORTS - 1));
        }
        if ((localMac >>> 48) != 0 || (nextHopMac >>> 48) != 0) {
            throw new IllegalArgumentException("vxlan MAC addresses must fit 48 bits: local "
                + Long.toHexString(localMac) + ", next hop " + Long.toHexString(nextHopMac));
        }
    }

    /** An endpoint on the default UDP port 4789. */
    public static VxlanConfig of(int localIp, int underlayPort, long localMac, long nextHopMac) {
        return new VxlanConfig(localIp, DEFAULT_UDP_PORT, underlayPort, localMac, nextHopMac);
    }
}
