package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.offloadbridge.switchdev.internal.RoleClassifier;
import org.offloadbridge.switchdev.internal.LinkIdentity;

/**
 * What netdevsim showed in the kernel VM (golden/*.out, recorded by golden/capture.sh next to
 * the strace captures): `devlink port show -j` and `ip -d link show` after 2 VFs and switchdev.
 */
class NetdevsimRecordedTest {
    @Test
    void switchdevNetdevsimClassifiesAsOneEswitch() throws Exception {
        @SuppressWarnings("unchecked")
        final Map<String, Map<String, Object>> ports = (Map<String, Map<String, Object>>) ((Map<String, Object>)
                TinyJson.parse(StraceGolden.text("devlink-port-show-json.out").lines().skip(1).reduce("", String::concat))).get("port");
        final Map<String, DevlinkPort> byNetdev = new HashMap<>();
        ports.forEach((id, attrs) -> {
            final Map<String, String> kv = new HashMap<>();
            attrs.forEach((k, v) -> kv.put(k, String.valueOf(v)));
            final int slash = id.lastIndexOf('/');
            final DevlinkPort dp = DevlinkShowText.toPort(DevlinkHandle.parse(id.substring(0, slash)),
                    Long.parseLong(id.substring(slash + 1)), kv);
            byNetdev.put(dp.netdevName(), dp);
        });
        assertEquals(3, byNetdev.size());

        // `ip -d link` first lines: "N: name: <flags> …"; the devlink port of each joins by netdev name.
        final List<Port> classified = new ArrayList<>();
        for (String line : StraceGolden.text("ip-d-link.out").split("\n")) {
            final String joined = line;
            if (!Character.isDigit(joined.isEmpty() ? ' ' : joined.charAt(0))) {
                continue;
            }
            final int ifindex = Integer.parseInt(joined.substring(0, joined.indexOf(':')));
            final String name = joined.substring(joined.indexOf(' ') + 1, joined.indexOf(':', joined.indexOf(' ')));
            classified.add(RoleClassifier.classify(new LinkIdentity(ifindex, name, null, null, null, null, null), null,
                    byNetdev.get(name), null));
        }
        // portname/switchid/parentdev sit on each link's continuation line.
        final String all = StraceGolden.text("ip-d-link.out");
        final Matcher m = Pattern.compile("portname (\\S+) switchid (\\S+) parentbus (\\S+) parentdev (\\S+)").matcher(all);
        final List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
            assertEquals("netdevsim", m.group(3));
        }
        assertEquals(List.of("p1", "pf0vf0", "pf0vf1"), names);
        assertEquals(PhysPortName.Kind.PHYSICAL, PhysPortName.parse(names.get(0)).kind());
        assertEquals(1, PhysPortName.parse(names.get(2)).vf());

        final Map<String, Port> byName = new HashMap<>();
        classified.forEach(p -> byName.put(p.name(), p));
        assertEquals(PortRole.PLAIN, byName.get("lo").role());
        assertEquals(PortRole.UPLINK, byName.get("eth0").role());
        assertEquals(PortRole.VF_REPRESENTOR, byName.get("eth1").role());
        assertEquals(1, byName.get("eth2").vf());
    }

    @Test
    void iproute2TruncatesA32ByteSwitchIdButSysfsDoesNot() throws Exception {
        // netdevsim's switch id is 32 random bytes; `ip -d link` (6.1) prints only 31 of them.
        final String sysfs = StraceGolden.text("sysfs.out");
        final Matcher s = Pattern.compile("eth0 ppn=p1 sid=([0-9a-f]+)").matcher(sysfs);
        assertTrue(s.find());
        assertEquals(32, SwitchId.parseHex(s.group(1)).bytes().length);
        final Matcher ip = Pattern.compile("portname p1 switchid ([0-9a-f]+)").matcher(StraceGolden.text("ip-d-link.out"));
        assertTrue(ip.find());
        assertEquals(62, ip.group(1).length());
        assertTrue(s.group(1).startsWith(ip.group(1)));
    }
}
