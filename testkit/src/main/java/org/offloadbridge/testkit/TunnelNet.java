package org.offloadbridge.testkit;

/**
 * Two VXLAN "hypervisors" for the tunnel tests: {@code sw} (where the daemon runs) with a VM,
 * {@code h1} (192.168.42.1, behind port {@code p1}), and an underlay veth {@code u1} (10.20.0.1)
 * to {@code hv2} (10.20.0.2 on {@code u2}), whose plain Linux VXLAN device {@code vx42} (VNI 42,
 * UDP 4789, remote 10.20.0.1) holds 192.168.42.2. Inner neighbours are static (no ARP through
 * the tunnel) and h1 has no IPv6, so only the traffic a test sends crosses.
 */
public record TunnelNet(Topology t, Topology.Host sw, Topology.Host h1, Topology.Host hv2) implements AutoCloseable {
    /** hv2's inner MAC (vx42's). */
    public static final String HV2_MAC = "02:00:00:00:42:02";

    public static TunnelNet create(String purpose) {
        return create(purpose, false);
    }

    /**
     * With {@code ipv6Underlay} the underlay is fd00:20::1 (sw) -- fd00:20::2 (hv2) instead, and
     * vx42's remote fd00:20::1: the VMs' packets are IPv4 inside IPv6 VXLAN.
     */
    public static TunnelNet create(String purpose, boolean ipv6Underlay) {
        Topology t = Topology.create(purpose);
        try {
            Topology.Host sw = t.host("sw");
            Topology.Host h1 = t.host("h1");
            Topology.Host hv2 = t.host("hv2");
            t.veth(sw, "p1", h1, "eth0");
            t.veth(sw, "u1", hv2, "u2");
            h1.noIpv6();
            if (ipv6Underlay) {
                // nodad: the addresses are usable at once (duplicate address detection takes a second or more)
                sw.sh("ip -6 addr add fd00:20::1/64 dev u1 nodad");
                hv2.sh("ip -6 addr add fd00:20::2/64 dev u2 nodad");
            } else {
                sw.addr("u1", "10.20.0.1/24");
                hv2.addr("u2", "10.20.0.2/24");
            }
            String local = ipv6Underlay ? "fd00:20::2" : "10.20.0.2";
            String remote = ipv6Underlay ? "fd00:20::1" : "10.20.0.1";
            hv2.sh("ip link add vx42 address " + HV2_MAC + " type vxlan id 42 remote " + remote + " local " + local + " dstport 4789"
                + " && ip link set vx42 addrgenmode none && ip addr add 192.168.42.2/24 dev vx42 && ip link set vx42 up");
            h1.addr("eth0", "192.168.42.1/24");
            h1.neigh("eth0", "192.168.42.2", HV2_MAC);
            hv2.neigh("vx42", "192.168.42.1", h1.mac("eth0"));
            return new TunnelNet(t, sw, h1, hv2);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    @Override
    public void close() {
        t.close();
    }
}
