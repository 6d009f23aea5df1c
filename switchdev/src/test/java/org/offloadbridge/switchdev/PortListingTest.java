package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.switchdev.cli.SwitchdevCli;

class PortListingTest {

    @Test
    void textOneLinePerNetdev(@TempDir Path tmp) throws Exception {
        final var s = Mlx5FixturesTest.modelFromSysfs(SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp)).snapshot();
        final String[] lines = PortListing.text(s).split("\n");
        assertEquals("NETDEV          IFINDEX  ROLE    ESWITCH           VF    DEVLINK-PORT  MODE  HW-TC-OFFLOAD", lines[0]);
        // header, 7 netdevs, then the problems: no devlink answered for the e-switch in this sysfs-only model
        assertEquals(1 + 7 + 3, lines.length);
        assertEquals("", lines[8]);
        assertEquals("problems:", lines[9]);
        assertEquals("  pci/0000:06:00.0: e-switch mode unknown (devlink did not answer)", lines[10]);
        assertEquals("ens2f0np0       4        uplink  248a070300b3d112  -     -             -     ?", lines[1]);
        assertEquals("ens2f0npf0vf0   10       vf-rep  248a070300b3d112  0     -             -     ?", lines[4]);
        assertEquals("ens2f0npf0sf88  12       sf-rep  248a070300b3d112  sf88  -             -     ?", lines[6]);
        assertEquals("veth0           20       plain   -                 -     -             -     ?", lines[7]);
    }

    @Test
    void jsonIsValidAndComplete(@TempDir Path tmp) throws Exception {
        SysfsTree.materialize("mlx5-connectx-switchdev.sysfs", tmp);
        // one unreadable attribute, so problems show up in the JSON too
        final Path sid = tmp.resolve("devices/pci0000:00/0000:00:02.0/0000:06:00.0/net/ens2f0npf0sf88/phys_switch_id");
        Files.delete(sid);
        Files.createDirectory(sid);
        final var s = Mlx5FixturesTest.modelFromSysfs(tmp).snapshot();
        @SuppressWarnings("unchecked")
        final Map<String, Object> root = (Map<String, Object>) TinyJson.parse(PortListing.json(s));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> ports = (List<Map<String, Object>>) root.get("ports");
        assertEquals(7, ports.size());
        final Map<String, Object> vf1 = ports.stream().filter(p -> "ens2f0npf0vf1".equals(p.get("netdev"))).findFirst().orElseThrow();
        assertEquals("vf-rep", vf1.get("role"));
        assertEquals(1L, vf1.get("vf"));
        assertEquals(0L, vf1.get("pf"));
        assertEquals("pf0vf1", vf1.get("phys_port_name"));
        assertEquals("248a070300b3d112", vf1.get("switch_id"));
        assertEquals("pci/0000:06:00.0", vf1.get("devlink"));
        assertEquals(null, vf1.get("hw_tc_offload"));
        final Map<String, Object> sf = ports.stream().filter(p -> "ens2f0npf0sf88".equals(p.get("netdev"))).findFirst().orElseThrow();
        assertEquals(null, sf.get("switch_id"));
        assertEquals(1, ((List<?>) sf.get("problems")).size());
        @SuppressWarnings("unchecked")
        final Map<String, Object> esw = ((List<Map<String, Object>>) root.get("eswitches")).getFirst();
        assertEquals(Map.of("0", "ens2f0npf0vf0", "1", "ens2f0npf0vf1"), esw.get("vf_representors"));
        assertEquals(List.of("ens2f0np0"), esw.get("uplinks"));
        // the text view lists the same problem at the end
        assertTrue(PortListing.text(s).contains("\nproblems:\n  " + tmp.resolve("class/net/ens2f0npf0sf88/phys_switch_id")));
    }

    @Test
    void functionColumn() {
        final Port extVf = new Port(7, "pf0vf0", PortRole.VF_REPRESENTOR, null, PhysPortName.parse("c1pf0vf0"), null, null,
                null, null, HwTcOffload.UNKNOWN, List.of());
        assertEquals("c1:0", PortListing.function(extVf));
        final Port hostPf = new Port(5, "pf0hpf", PortRole.HOST_PF_REPRESENTOR, null, PhysPortName.parse("c1pf0"), null, null,
                null, null, HwTcOffload.UNKNOWN, List.of());
        assertEquals("c1:pf0", PortListing.function(hostPf));
    }

    @Test
    void cliUsageErrorsExitTwoWithoutTouchingTheKernel() {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertEquals(2, SwitchdevCli.run(new String[] {"offload", "eth0"}, new PrintWriter(out), new PrintWriter(err)));
        assertTrue(err.toString().contains("Missing required parameter"), err.toString());
        final StringWriter err2 = new StringWriter();
        assertEquals(2, SwitchdevCli.run(new String[] {"frobnicate"}, new PrintWriter(out), new PrintWriter(err2)));
        assertTrue(err2.toString().contains("Unmatched argument"), err2.toString());
    }

    @Test
    void cliBadHandleIsNamed() {
        final StringWriter err = new StringWriter();
        assertEquals(1, SwitchdevCli.run(new String[] {"eswitch", "0000:08:00.0"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err, true)));
        assertEquals("switchdev: not a devlink handle (want BUS/DEVICE, e.g. pci/0000:08:00.0): '0000:08:00.0'\n", err.toString());
    }
}
