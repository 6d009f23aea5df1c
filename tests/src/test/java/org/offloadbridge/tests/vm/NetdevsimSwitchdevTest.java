package org.offloadbridge.tests.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;

/**
 * netdevsim as a switchdev e-switch with two VFs, created as the kernel selftests do
 * (tools/testing/selftests/drivers/net/netdevsim): the stand-in for a NIC with VF
 * representors that our offload path programs.
 */
@Tag("kernel-vm")
class NetdevsimSwitchdevTest {
    private static final int ID = 10;
    private static final String DEVLINK = "netdevsim/netdevsim" + ID;
    private static final Path BUS = Path.of("/sys/bus/netdevsim");

    private Topology topo;
    private Topology.Host ns;

    @BeforeEach
    void switchdevWithTwoVfs() throws IOException {
        topo = Topology.create("nsim");
        ns = topo.host("sw");
        // Ports are created in the namespace of the process that writes new_device.
        ns.ok("sh", "-c", "echo '" + ID + " 1' > " + BUS.resolve("new_device"));
        Files.writeString(BUS.resolve("devices/netdevsim" + ID + "/sriov_numvfs"), "2");
        ns.ok("devlink", "dev", "eswitch", "set", DEVLINK, "mode", "switchdev");
    }

    @AfterEach
    void deleteDeviceThenNamespace() throws IOException {
        try {
            Files.writeString(BUS.resolve("del_device"), Integer.toString(ID));
        } finally {
            topo.close();
        }
    }

    @Test
    void eswitchIsInSwitchdevMode() {
        String mode = ns.ok("devlink", "dev", "eswitch", "show", DEVLINK);
        assertTrue(mode.contains("mode switchdev"), mode);
    }

    @Test
    void representorsHaveVfPortNamesAndShareOneSwitchId() {
        Map<String, String> portNameByDev = sysfsByNetdev("phys_port_name");
        Map<String, String> switchIdByDev = sysfsByNetdev("phys_switch_id");
        assertTrue(portNameByDev.values().containsAll(Set.of("pf0vf0", "pf0vf1")),
                "no VF representors: phys_port_name by device " + portNameByDev);
        assertEquals(3, portNameByDev.size(), "uplink + 2 VF representors expected: " + portNameByDev);
        assertEquals(1, Set.copyOf(switchIdByDev.values()).size(), "one e-switch, one id: " + switchIdByDev);
        String id = switchIdByDev.values().iterator().next();
        assertTrue(id.matches("[0-9a-f]{2,}"), "phys_switch_id '" + id + "'");

        // devlink agrees: the representors are pcivf ports 0 and 1 of PF 0.
        Map<String, Map<String, String>> ports = devlinkPortsByNetdev();
        for (String vf : new String[] {"0", "1"}) {
            String dev = devWithPortName(portNameByDev, "pf0vf" + vf);
            Map<String, String> port = ports.get(dev);
            assertEquals("pcivf", port.get("flavour"), dev + ": " + port);
            assertEquals("0", port.get("pfnum"), dev + ": " + port);
            assertEquals(vf, port.get("vfnum"), dev + ": " + port);
        }
    }

    @Test
    void skipSwFlowerOnRepresentorNeedsHwTcOffloadThenLandsInHardware() {
        // netdevsim as the VM builds it (tests/vm/netdevsim-flower-6.1.patch) takes flower; as a
        // NIC's driver, only with hw-tc-offload on (off by default on netdevsim ports).
        String rep = devWithPortName(sysfsByNetdev("phys_port_name"), "pf0vf0");
        ns.ip("link", "set", rep, "up");
        ns.tc("qdisc", "add", "dev", rep, "ingress");

        Shell.Result r = ns.run("tc", "filter", "add", "dev", rep, "ingress", "protocol", "ip", "prio", "1",
                "flower", "skip_sw", "dst_ip", "10.0.0.2", "action", "drop");
        assertFalse(r.ok(), "hw-tc-offload off: skip_sw flower must fail: " + r);
        // The kernel's extack text, not a generic errno: proof the request reached the driver's check.
        assertTrue(r.err().contains("TC offload is disabled on net device"), r.toString());

        ns.ok("ethtool", "-K", rep, "hw-tc-offload", "on");
        ns.ok("tc", "filter", "add", "dev", rep, "ingress", "protocol", "ip", "prio", "1",
                "flower", "skip_sw", "dst_ip", "10.0.0.2", "action", "drop");
        String show = ns.ok("tc", "filter", "show", "dev", rep, "ingress");
        assertTrue(show.contains("in_hw in_hw_count 1"), show);
    }

    /**
     * One sysfs attribute of every netdevsim port in the namespace (all but lo), by netdev
     * name. One shell for all of them: under TCG each process start costs about a second.
     */
    private Map<String, String> sysfsByNetdev(String attribute) {
        String script = "for d in /sys/class/net/*; do n=${d##*/}; [ \"$n\" = lo ] && continue;"
                + " printf '%s %s\\n' \"$n\" \"$(cat \"$d/" + attribute + "\")\" || exit 1; done";
        Map<String, String> byDev = new TreeMap<>();
        for (String line : ns.ok("sh", "-c", script).split("\n")) {
            String[] words = line.strip().split(" ", 2);
            if (words.length != 2 || words[1].isEmpty()) {
                throw new AssertionError("no " + attribute + " in line '" + line + "' of " + script);
            }
            byDev.put(words[0], words[1]);
        }
        return byDev;
    }

    /** {@code devlink port show}: "netdevsim/netdevsim10/128: type eth netdev eth1 flavour pcivf ...". */
    private Map<String, Map<String, String>> devlinkPortsByNetdev() {
        Map<String, Map<String, String>> byNetdev = new HashMap<>();
        for (String line : ns.ok("devlink", "port", "show").split("\n")) {
            String[] words = line.strip().split("\\s+");
            Map<String, String> attrs = new HashMap<>();
            for (int i = 1; i + 1 < words.length; i += 2) {
                attrs.put(words[i], words[i + 1]);
            }
            if (attrs.containsKey("netdev")) {
                byNetdev.put(attrs.get("netdev"), attrs);
            }
        }
        return byNetdev;
    }

    private static String devWithPortName(Map<String, String> portNameByDev, String portName) {
        return portNameByDev.entrySet().stream().filter(e -> e.getValue().equals(portName)).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new AssertionError("no device with phys_port_name " + portName
                        + ": " + portNameByDev));
    }
}
