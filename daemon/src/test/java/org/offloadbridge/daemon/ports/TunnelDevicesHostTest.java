package org.offloadbridge.daemon.ports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.testkit.Shell;

/**
 * The tunnel ports' VXLAN devices on this machine's kernel, iproute2 the oracle: ours created as
 * OVS creates {@code vxlan_sys_4789}, kept across a second start, deleted on release; and the bad
 * configurations — a local IP the host lacks, a UDP port another VXLAN device holds, a named
 * device that is missing or of the wrong kind — refused with every problem named and nothing
 * created.
 */
@Tag("host")
class TunnelDevicesHostTest {
    private static final String NS = "obtnl" + ProcessHandle.current().pid();

    private static Config.TunnelPort port(String name, String local, String remote, long key, int dstPort, String device) throws Exception {
        return new Config.TunnelPort(name, Optional.empty(), InetAddress.getByName(local), Optional.of(InetAddress.getByName(remote)),
            OptionalLong.of(key), dstPort, OptionalInt.of(0), OptionalInt.of(64), false, Optional.ofNullable(device));
    }

    private static String sh(String script) {
        return Shell.sh("ip netns exec " + NS + " sh -c '" + script.replace("'", "'\\''") + "'");
    }

    private static NetNs underlay() {
        NetNs ns = NetNs.create(NS);
        sh("ip link add u1 type veth peer name u2 && ip addr add 10.9.0.1/24 dev u1 && ip link set u1 up && ip link set u2 up");
        return ns;
    }

    @Test
    void ourDeviceIsCreatedAsOvsCreatesItsOwnKeptAndReleased() throws Exception {
        try (NetNs ns = underlay(); NetlinkConnection rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            TunnelDevices td = new TunnelDevices(rt);
            List<Config.TunnelPort> ports = List.of(port("vx1", "10.9.0.1", "10.9.0.2", 42, 4789, null),
                port("vx2", "10.9.0.1", "10.9.0.3", 42, 4789, null), port("vx3", "10.9.0.1", "10.9.0.2", 7, 4790, null));
            assertEquals(List.of(), td.check(ports));
            List<TunnelDevices.Device> devs = td.ensure(ports);
            assertEquals(List.of("obvx4789", "obvx4790"), devs.stream().map(TunnelDevices.Device::name).toList(), "one device per UDP port");
            String shown = sh("ip -d link show dev obvx4789");
            assertTrue(shown.contains("vxlan external") && shown.contains("dstport 4789") && shown.contains("nolearning"), shown);
            assertTrue(shown.contains("mtu 65000") && shown.contains(",UP") && shown.contains("addrgenmode none"), shown);
            assertTrue(shown.contains("udp6zerocsumrx"), shown);
            assertEquals(devs, td.ensure(ports), "a second start keeps the same devices");
            assertEquals(2, td.present().size());
            for (TunnelDevices.Device d : devs) {
                assertTrue(d.ours());
                td.release(d);
            }
            assertFalse(sh("ip link show").contains("obvx"));
            assertTrue(td.present().isEmpty());
        }
    }

    @Test
    void aLocalIpTheHostLacksIsRefusedAndNothingIsCreated() throws Exception {
        try (NetNs ns = underlay(); NetlinkConnection rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            TunnelDevices td = new TunnelDevices(rt);
            List<Config.TunnelPort> ports = List.of(port("vx1", "10.9.0.1", "10.9.0.2", 42, 4789, null),
                port("vx9", "10.9.0.77", "10.9.0.2", 43, 4790, null));
            var e = assertThrows(TunnelDevices.TunnelConfigException.class, () -> td.ensure(ports));
            assertEquals(List.of("port vx9: local-ip 10.9.0.77 is not an address of this host (ip addr shows none such); "
                + "the outer source must be one of ours"), e.problems());
            assertFalse(sh("ip link show").contains("obvx"), "not even the good port's device");
        }
    }

    @Test
    void aUdpPortAnotherVxlanDeviceHoldsIsRefusedWithItsName() throws Exception {
        try (NetNs ns = underlay(); NetlinkConnection rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE))) {
            sh("ip link add vxfix type vxlan id 5 dstport 4789 local 10.9.0.1 && ip link set vxfix up"
                + " && ip link add vxext type vxlan external dstport 4790 && ip link set vxext up && ip link add br9 type bridge");
            TunnelDevices td = new TunnelDevices(rt);
            var e = assertThrows(TunnelDevices.TunnelConfigException.class,
                () -> td.ensure(List.of(port("vx1", "10.9.0.1", "10.9.0.2", 42, 4789, null))));
            assertEquals(List.of("port vx1: dst-port 4789 is taken by VXLAN device vxfix (VNI 5), which config does not name; choose another dst-port"),
                e.problems());
            var e2 = assertThrows(TunnelDevices.TunnelConfigException.class,
                () -> td.ensure(List.of(port("vx2", "10.9.0.1", "10.9.0.2", 42, 4790, null))));
            assertTrue(e2.problems().get(0).contains("taken by VXLAN device vxext (external)") && e2.problems().get(0).contains("device = \"vxext\""),
                e2.problems().toString());
            assertFalse(sh("ip link show").contains("obvx"), "nothing created");

            // Named by config: used, and left alone on release.
            List<TunnelDevices.Device> named = td.ensure(List.of(port("vx2", "10.9.0.1", "10.9.0.2", 42, 4790, "vxext")));
            assertEquals(1, named.size());
            assertFalse(named.get(0).ours());
            td.release(named.get(0));
            assertTrue(sh("ip link show").contains("vxext"), "a device we did not create stays");

            List<String> wrong = td.check(List.of(port("a1", "10.9.0.1", "10.9.0.2", 1, 4789, "vxfix"),
                port("a2", "10.9.0.1", "10.9.0.2", 1, 4791, "nosuch"), port("a3", "10.9.0.1", "10.9.0.2", 1, 4792, "br9"),
                port("a4", "10.9.0.1", "10.9.0.2", 1, 4793, "vxext")));
            assertEquals(4, wrong.size(), wrong.toString());
            assertTrue(wrong.get(0).contains("vxfix has VNI 5 fixed; a tunnel port needs a collect-metadata device"), wrong.get(0));
            assertTrue(wrong.get(1).contains("device nosuch (device = \"nosuch\") does not exist"), wrong.get(1));
            assertTrue(wrong.get(2).contains("device br9 exists and is a bridge device, not VXLAN"), wrong.get(2));
            assertTrue(wrong.get(3).contains("vxext listens on UDP port 4790, not dst-port 4793"), wrong.get(3));
        }
    }
}
