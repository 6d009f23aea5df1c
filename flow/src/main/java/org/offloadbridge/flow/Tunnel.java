package org.offloadbridge.flow;

/**
 * The one description of a tunnel port, for every module (the rule pipeline's tunnel ports,
 * the DPDK path's VXLAN ports, the daemon's config). Output to the port wraps the packet
 * in this tunnel, with the key set by {@code set_tunnel} (or {@link #key()} when the rule sets
 * none).
 *
 * @param type      "vxlan", "geneve" or "gre", as in OVS's interface type
 * @param localIp   outer IPv4 source, host order
 * @param remoteIp  outer IPv4 destination, host order
 * @param dstPort   outer UDP destination port (4789 for vxlan); 0 for gre
 * @param key       the default tunnel key (OVS's options:key), used when no set_tunnel ran
 */
public record Tunnel(String type, int localIp, int remoteIp, int dstPort, long key) {
    public Tunnel {
        if (!type.equals("vxlan") && !type.equals("geneve") && !type.equals("gre")) {
            throw new IllegalArgumentException("tunnel type must be vxlan, geneve or gre, not \"" + type + "\"");
        }
        if (dstPort < 0 || dstPort > 0xffff) {
            throw new IllegalArgumentException("tunnel dst_port out of range: " + dstPort);
        }
    }

    /** A VXLAN tunnel on the IANA port 4789 with key 0. */
    public static Tunnel vxlan(int localIp, int remoteIp) {
        return new Tunnel("vxlan", localIp, remoteIp, 4789, 0);
    }
}
