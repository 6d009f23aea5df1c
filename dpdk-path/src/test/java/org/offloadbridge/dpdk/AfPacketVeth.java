package org.offloadbridge.dpdk;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;

/**
 * The link of the netns tests: a host's veth whose peer stays in the initial namespace, where
 * this JVM's datapath opens it as a net_af_packet port. IPv4 only on both ends (no router
 * solicitations or MLD among the packets a test counts), and the offloads named turned off
 * on both ends, so af_packet reads complete frames (software checksums, VLAN tags in the frame).
 */
final class AfPacketVeth {

    private AfPacketVeth() {
    }

    /** Links {@code host}'s {@code hostDev} to a new device in the initial namespace, named {@code rootBase} plus a unique suffix, which it returns. */
    static String attach(Topology t, Topology.Host host, String hostDev, String rootBase, String... offloadsOff) {
        String rootDev = t.uniqueDevice(rootBase);
        host.noIpv6();
        t.veth(t.root(), rootDev, host, hostDev);
        host.ok(ethtoolOff(hostDev, offloadsOff));
        Shell.ok(ethtoolOff(rootDev, offloadsOff));
        Shell.ok("sysctl", "-qw", "net.ipv6.conf." + rootDev + ".disable_ipv6=1");
        return rootDev;
    }

    /** The DPDK device string of a net_af_packet port on {@code rootDev}. */
    static String devargs(String rootDev) {
        return "net_af_packet_" + rootDev + ",iface=" + rootDev;
    }

    private static String[] ethtoolOff(String dev, String... features) {
        List<String> argv = new ArrayList<>(List.of("ethtool", "-K", dev));
        for (String f : features) {
            argv.add(f);
            argv.add("off");
        }
        return argv.toArray(String[]::new);
    }
}
