package org.offloadbridge.testkit;

/**
 * Two VXLAN "hypervisors" for the tunnel tests: {@code sw} (where the daemon runs) with a VM,
 * {@code h1} (192.168.42.1, behind port {@code p1}), and an underlay veth {@code u1} (10.20.0.1)
 * to {@code hv2} (10.20.0.2 on {@code u2}), a plain Linux host whose VXLAN device {@code vx42}
 * (VNI 42, UDP 4789, remote 10.20.0.1) and the veth {@code v2} to its own VM, {@code vm2}
 * (192.168.42.2), are ports of its bridge {@code br0} — a hypervisor as a Linux bridge builds
 * one. Inner neighbours are static (no ARP through the tunnel), neither VM nor hv2's bridge has
 * IPv6, and the bridge neither snoops multicast (it would send IGMP reports of its own) nor
 * floods multicast into vx42, so only the traffic a test sends crosses.
 */
public record TunnelNet(Topology t, Topology.Host sw, Topology.Host h1, Topology.Host hv2, Topology.Host vm2) implements AutoCloseable {
    /** vm2's MAC (its eth0's). */
    public static final String VM2_MAC = "02:00:00:00:42:02";

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
            Topology.Host vm2 = t.host("vm2");
            t.veth(sw, "p1", h1, "eth0");
            t.veth(sw, "u1", hv2, "u2");
            t.veth(hv2, "v2", vm2, "eth0");
            h1.noIpv6();
            vm2.noIpv6();
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
            // mcast_snooping 0: a snooping bridge sends IGMPv3 reports of its own (from 0.0.0.0 to
            // 224.0.0.22, seconds after it comes up), and floods what it sends itself to every port
            // whatever mcast_flood says: they crossed the tunnel as traffic no test sent.
            hv2.sh("ip link add br0 type bridge mcast_snooping 0 && ip link set br0 addrgenmode none"
                + " && sysctl -qw net.ipv6.conf.br0.disable_ipv6=1 net.ipv6.conf.v2.disable_ipv6=1"
                + " && ip link add vx42 type vxlan id 42 remote " + remote + " local " + local + " dstport 4789"
                + " && ip link set vx42 addrgenmode none && ip link set vx42 master br0 && ip link set v2 master br0"
                // No multicast into the tunnel (a VM's IGMP reports would cross it as traffic no test sent).
                + " && bridge link set dev vx42 mcast_flood off && ip link set vx42 up && ip link set br0 up");
            vm2.sh("ip link set eth0 address " + VM2_MAC);
            vm2.addr("eth0", "192.168.42.2/24");
            h1.addr("eth0", "192.168.42.1/24");
            h1.neigh("eth0", "192.168.42.2", VM2_MAC);
            vm2.neigh("eth0", "192.168.42.1", h1.mac("eth0"));
            return new TunnelNet(t, sw, h1, hv2, vm2);
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
