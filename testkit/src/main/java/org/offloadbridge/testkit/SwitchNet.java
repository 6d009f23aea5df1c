package org.offloadbridge.testkit;

/**
 * The daemon's smallest world: a "switch" namespace {@code sw} with ports p1 and p2 (veth) and a
 * host behind each, h1 (10.9.0.1) and h2 (10.9.0.2) on their {@code eth0}, with static neighbours
 * and IPv6 off, so the only traffic is what a test sends. The host tests of the daemon and the
 * service and the revalidation benchmark run on it.
 */
public record SwitchNet(Topology topology, Topology.Host sw, Topology.Host h1, Topology.Host h2) implements AutoCloseable {

    public static SwitchNet create(String purpose) {
        Topology t = Topology.create(purpose);
        try {
            Topology.Host sw = t.host("sw");
            Topology.Host h1 = t.host("h1");
            Topology.Host h2 = t.host("h2");
            t.veth(sw, "p1", h1, "eth0");
            t.veth(sw, "p2", h2, "eth0");
            // Only the traffic a test sends: no IPv6 (router solicitations, DAD, MLD) and no ARP.
            h1.noIpv6();
            h2.noIpv6();
            h1.addr("eth0", "10.9.0.1/24");
            h2.addr("eth0", "10.9.0.2/24");
            h1.neigh("eth0", "10.9.0.2", h2.mac("eth0"));
            h2.neigh("eth0", "10.9.0.1", h1.mac("eth0"));
            return new SwitchNet(t, sw, h1, h2);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    @Override
    public void close() {
        topology.close();
    }
}
