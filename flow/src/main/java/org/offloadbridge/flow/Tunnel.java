package org.offloadbridge.flow;

/**
 * The one description of a tunnel port, for every module (the rule pipeline's tunnel ports,
 * the DPDK path's VXLAN ports, the daemon's config). Output to the port wraps the packet
 * in this tunnel, with the key set by {@code set_tunnel} (or {@link #key()} when the rule sets
 * none). Options as OVS's tunnel interfaces spell them ({@code options:remote_ip=flow} …).
 *
 * @param type       "vxlan", "geneve" or "gre", as in OVS's interface type
 * @param localIp    outer IPv4 source, host order
 * @param remoteIp   outer IPv4 destination, host order; 0 with {@code remoteFlow}
 * @param dstPort    outer UDP destination port (4789 for vxlan); 0 for gre
 * @param key        the default tunnel key (OVS's options:key), used when no set_tunnel ran
 * @param remoteFlow {@code remote_ip=flow}: the destination is the flow's tun_dst (rules set it)
 * @param keyFlow    {@code key=flow}: the key is the flow's tun_id (rules set it)
 * @param tos        outer TOS, or {@link #INHERIT} (the inner IP packet's)
 * @param ttl        outer TTL, or {@link #INHERIT} (the inner IP packet's)
 * @param csum       the outer UDP header carries a checksum
 * @param ipv6       the outer addresses when the underlay is IPv6 ({@code localIp}/{@code remoteIp}
 *                   are then 0), else null
 */
public record Tunnel(String type, int localIp, int remoteIp, int dstPort, long key, boolean remoteFlow, boolean keyFlow,
                     int tos, int ttl, boolean csum, Ipv6 ipv6) {
    /**
     * IPv6 outer addresses, each as two longs in network order (as the flow key holds them).
     * The remote is 0/0 with {@code remote_ip=flow}.
     */
    public record Ipv6(long localHi, long localLo, long remoteHi, long remoteLo) {}

    /** {@link #tos} / {@link #ttl}: copy the inner packet's. */
    public static final int INHERIT = -1;
    /** OVS's default outer TTL. */
    public static final int DEFAULT_TTL = 64;

    public Tunnel {
        if (!type.equals("vxlan") && !type.equals("geneve") && !type.equals("gre")) {
            throw new IllegalArgumentException("tunnel type must be vxlan, geneve or gre, not \"" + type + "\"");
        }
        if (dstPort < 0 || dstPort > 0xffff) {
            throw new IllegalArgumentException("tunnel dst_port out of range: " + dstPort);
        }
        if (tos < INHERIT || tos > 255 || ttl < INHERIT || ttl > 255 || ttl == 0) {
            throw new IllegalArgumentException("tunnel tos " + tos + " / ttl " + ttl + " out of range");
        }
    }

    /** An IPv4 tunnel. */
    public Tunnel(String type, int localIp, int remoteIp, int dstPort, long key, boolean remoteFlow, boolean keyFlow,
                  int tos, int ttl, boolean csum) {
        this(type, localIp, remoteIp, dstPort, key, remoteFlow, keyFlow, tos, ttl, csum, null);
    }

    /** An IPv4 tunnel with a fixed remote and key, TOS 0, TTL 64, no UDP checksum (OVS's defaults). */
    public Tunnel(String type, int localIp, int remoteIp, int dstPort, long key) {
        this(type, localIp, remoteIp, dstPort, key, false, false, 0, DEFAULT_TTL, false);
    }

    public boolean isIpv6() {
        return ipv6 != null;
    }

    /** A VXLAN tunnel on the IANA port 4789 with key 0. */
    public static Tunnel vxlan(int localIp, int remoteIp) {
        return new Tunnel("vxlan", localIp, remoteIp, 4789, 0);
    }
}
