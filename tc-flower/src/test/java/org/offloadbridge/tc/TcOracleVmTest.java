package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.tc.internal.Flows.ip;
import static org.offloadbridge.tc.internal.Flows.ip6;
import static org.offloadbridge.tc.internal.Flows.mac;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.tc.internal.Flows;
import org.offloadbridge.tc.internal.GoldenCases;
import org.offloadbridge.testkit.Shell;

/**
 * iproute2 as the oracle: a table of 40+ flows covering every key and action family, each
 * installed by our code on one veth (o0) and by the equivalent {@code tc filter add} on a
 * twin veth (t0) — tunnel matches on two vxlan devices. {@code tc -j -s filter show} of the
 * two must be identical except handle, cookie and counters; and dumping either device back
 * through our decoder gives the same megaflows (iproute2's filters included).
 */
@Tag("kernel-vm")
class TcOracleVmTest {
    private static final Pattern CMD = Pattern.compile("^# cmd: tc filter add dev (\\S+) ingress prio \\d+ (.*)$");

    record Row(String name, Megaflow flow, String tcArgs, OffloadPreference pref) {}

    @Test
    void ourFiltersEqualIproute2sAndDumpBackToTheSameMegaflows() throws IOException {
        try (VmNet net = new VmNet("oracle")) {
            net.veth("o0", "o9");
            net.veth("t0", "t9");
            net.veth("x1", "x9");
            net.veth("x2", "x8");
            net.sh("ip link add vx0 type vxlan external dstport 4789 && ip link set vx0 up");
            net.sh("ip link add vx1 type vxlan external dstport 4790 && ip link set vx1 up");
            int o0 = net.ifindex("o0");
            int t0 = net.ifindex("t0");
            int x1 = net.ifindex("x1");
            int x2 = net.ifindex("x2");
            int vx0 = net.ifindex("vx0");
            int vx1 = net.ifindex("vx1");
            List<Row> rows = table(o0, x1, x2, vx0);
            assertTrue(rows.size() >= 40, "only " + rows.size() + " flows");

            try (TcOffload tc = net.offload(TcPolicy.NONE)) {
                // Ours: one batch per preference.
                Map<String, TcOutcome> outcomes = new LinkedHashMap<>();
                for (OffloadPreference pref : OffloadPreference.values()) {
                    List<Row> sub = rows.stream().filter(r -> r.pref() == pref).toList();
                    List<TcOutcome> res = tc.installAll(sub.stream().map(Row::flow).toList(), pref);
                    for (int i = 0; i < sub.size(); i++) {
                        outcomes.put(sub.get(i).name(), res.get(i));
                    }
                }
                StringBuilder failures = new StringBuilder();
                outcomes.forEach((n, o) -> {
                    if (!o.ok()) {
                        failures.append(n).append(": ").append(o).append('\n');
                    }
                });
                assertEquals("", failures.toString(), "our installs");

                // The twin, through iproute2, at the prio our allocator chose.
                StringBuilder batch = new StringBuilder();
                for (Row r : rows) {
                    TcOutcome o = outcomes.get(r.name());
                    boolean tunnel = r.flow().key().inPort() == vx0;
                    String cookie = HexFormat.of().formatHex(r.flow().ufid().toCookieBytes());
                    batch.append("filter add dev ").append(tunnel ? "vx1" : "t0").append(" ingress prio ").append(o.id().prio())
                            .append(' ').append(r.tcArgs().replace("COOKIE", cookie)).append('\n');
                }
                Path file = Files.createTempFile("oracle", ".tc");
                Files.writeString(file, batch);
                net.sh("tc qdisc add dev t0 clsact && tc qdisc add dev vx1 clsact && tc -batch " + file);

                Path norm = Files.createTempFile("normalize", ".py");
                try (InputStream in = getClass().getResourceAsStream("/tc-normalize.py")) {
                    Files.write(norm, in.readAllBytes());
                }
                int compared = 0;
                for (String[] pair : new String[][] {{"o0", "t0"}, {"vx0", "vx1"}}) {
                    Map<String, String> ours = normalized(net, pair[0], norm);
                    Map<String, String> theirs = normalized(net, pair[1], norm);
                    for (String v : ours.values()) {
                        compared += v.split(" \\| ").length;
                    }
                    assertEquals(ours.keySet(), theirs.keySet(), "prios on " + pair[0] + " vs " + pair[1]);
                    for (String pref : ours.keySet()) {
                        assertEquals(theirs.get(pref), ours.get(pref), "prio " + pref + " (" + namesAt(rows, outcomes, Integer.parseInt(pref)) + ")");
                    }
                }

                assertEquals(rows.size(), compared, "filters compared with iproute2's");

                // Dump → decode → the same megaflows, for ours and for iproute2's.
                Map<org.offloadbridge.flow.Ufid, Megaflow> expected = new HashMap<>();
                rows.forEach(r -> expected.put(r.flow().ufid(), r.flow()));
                int seen = 0;
                for (int dev : new int[] {o0, vx0}) {
                    for (TcFlow f : tc.dump(dev)) {
                        assertEquals(expected.get(f.flow().ufid()), f.flow(), "our dump of " + f.id());
                        seen++;
                    }
                }
                for (int[] dev : new int[][] {{t0, o0}, {vx1, vx0}}) {
                    for (TcFlow f : tc.dump(dev[0])) {
                        assertEquals(withInPort(expected.get(f.flow().ufid()), dev[0]), f.flow(), "iproute2's filter " + f.id() + " decoded");
                        seen++;
                    }
                }
                assertEquals(2 * rows.size(), seen, "every filter dumped back");
                assertEquals(rows.size(), tc.deleteAllOurs(o0) + tc.deleteAllOurs(vx0));
            }
        }
    }

    private static String namesAt(List<Row> rows, Map<String, TcOutcome> outcomes, int prio) {
        List<String> n = new ArrayList<>();
        for (Row r : rows) {
            if (outcomes.get(r.name()).id().prio() == prio) {
                n.add(r.name());
            }
        }
        return String.join(", ", n);
    }

    private static Megaflow withInPort(Megaflow m, int port) {
        FlowKey k = m.key().copy();
        k.setInPort(port);
        return new Megaflow(k, m.mask(), m.actions(), m.ufid());
    }

    private static Map<String, String> normalized(VmNet net, String dev, Path norm) throws IOException {
        Path json = Files.createTempFile("show-" + dev, ".json");
        net.sh("tc -j -s filter show dev " + dev + " ingress > " + json);
        String out = Shell.sh("python3 " + norm + " " + json);
        Map<String, String> m = new TreeMap<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                int tab = line.indexOf('\t');
                m.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return m;
    }

    /** The golden families (with their iproute2 commands) plus more, on this test's devices. */
    static List<Row> table(int o0, int x1, int x2, int vx0) throws IOException {
        List<Row> rows = new ArrayList<>();
        Map<String, GoldenCases.Case> golden = GoldenCases.all(x1, o0, vx0, false);
        int distinct = 0;
        for (Map.Entry<String, GoldenCases.Case> e : golden.entrySet()) {
            String name = e.getKey();
            if (name.equals("skip_hw")) {
                continue; // same as act_flags_skip_hw minus the action flags our policy always sets
            }
            String cmd = firstLine("/golden/" + name + ".txt");
            Matcher m = CMD.matcher(cmd);
            assertTrue(m.matches(), cmd);
            String args = m.group(2).replace("cookie 00112233445566778899aabbccddeeff", "cookie COOKIE")
                    .replace("dev ob1", "dev x1").replace("dev ob0", "dev o0").replace("dev obvx", "dev vx0");
            Megaflow f = e.getValue().flow();
            if (name.startsWith("act_")) {
                // Action cases share a match; a distinct dst_mac keeps them apart in one prio.
                long mac = 0x020000000100L + ++distinct;
                FlowKey k = f.key().copy();
                FlowMask mk = f.mask().copy();
                k.set(Field.ETH_DST, mac);
                mk.setExact(Field.ETH_DST);
                f = Megaflow.of(k, mk, f.actions());
                String macText = String.format("%012x", mac).replaceAll("(..)(?!$)", "$1:");
                int at = args.contains(" ip_proto ") ? args.indexOf(" ip_proto ") : args.indexOf(" action ");
                args = args.substring(0, at) + " dst_mac " + macText + args.substring(at);
            }
            rows.add(new Row(name, f, args, e.getValue().clsFlags() != 0 ? OffloadPreference.NEVER : OffloadPreference.PREFERRED));
        }
        String to = " action mirred egress redirect dev x1 cookie COOKIE";
        Actions toX1 = Actions.builder().output(x1).build();
        long[] d6 = ip6("2001:db8::2");
        rows.add(row("ipv6_udp_ports", Flows.on(o0).ipv6(17).ipv6Dst(d6[0], d6[1], 128).masked(Field.TP_SRC, 0x1000, 0xf000).exact(Field.TP_DST, 53).actions(toX1),
                "protocol ipv6 flower ip_proto udp dst_ip 2001:db8::2 src_port 0x1000/0xf000 dst_port 53/0xffff" + to));
        rows.add(row("tcp_src_only", Flows.on(o0).ipv4(6).exact(Field.TP_SRC, 22).actions(toX1),
                "protocol ip flower ip_proto tcp src_port 22/0xffff" + to));
        rows.add(row("vlan_pcp_only", Flows.on(o0).vlan(0x8100, -1, 0x86dd).exact(Field.VLAN0_PCP, 5).actions(toX1),
                "protocol 802.1Q flower vlan_prio 5 vlan_ethtype ipv6" + to));
        rows.add(row("arp_reply", Flows.on(o0).eth(0x0806).exact(Field.ARP_TPA, ip("10.0.0.9")).exact(Field.ARP_OP, 2).actions(toX1),
                "protocol arp flower arp_tip 10.0.0.9 arp_op 2" + to));
        rows.add(row("icmp_type_only", Flows.on(o0).ipv4(1).exact(Field.ICMP_TYPE, 0).actions(toX1),
                "protocol ip flower ip_proto icmp type 0" + to));
        rows.add(row("icmpv6_echo", Flows.on(o0).ipv6(58).exact(Field.ICMP_TYPE, 128).exact(Field.ICMP_CODE, 0).actions(toX1),
                "protocol ipv6 flower ip_proto icmpv6 type 128 code 0" + to));
        rows.add(row("ipv4_first_frag", Flows.on(o0).eth(0x0800).exact(Field.NW_FRAG, FlowKey.FRAG_FIRST).actions(toX1),
                "protocol ip flower ip_flags frag/firstfrag" + to));
        // Full datapath baseline on tagged flows too (nw_frag exact): dump → the same megaflow.
        rows.add(row("vlan_udp_nofrag", Flows.on(o0).vlan(0x8100, 30, 0x0800).exact(Field.NW_PROTO, 17).exact(Field.NW_FRAG, FlowKey.FRAG_NO)
                        .exact(Field.TP_DST, 53).actions(toX1),
                "protocol 802.1Q flower vlan_id 30 vlan_ethtype ip ip_proto udp dst_port 53/0xffff ip_flags nofrag" + to));
        rows.add(row("qinq_first_frag", Flows.on(o0).vlan(0x88a8, 11, 0x0800).exact(Field.VLAN1_CFI, 1).exact(Field.VLAN1_TPID, 0x8100)
                        .exact(Field.VLAN1_VID, 21).exact(Field.NW_FRAG, FlowKey.FRAG_FIRST).actions(toX1),
                "protocol 802.1ad flower vlan_id 11 vlan_ethtype 802.1Q cvlan_id 21 cvlan_ethtype ip ip_flags frag/firstfrag" + to));
        rows.add(row("ipv6_later_frag", Flows.on(o0).eth(0x86dd).exact(Field.NW_FRAG, FlowKey.FRAG_LATER_FRAGMENT).actions(toX1),
                "protocol ipv6 flower ip_flags frag/nofirstfrag" + to));
        rows.add(row("ipv6_hlimit", Flows.on(o0).ipv6(6).exact(Field.NW_TTL, 1).actions(toX1),
                "protocol ipv6 flower ip_proto tcp ip_ttl 1/0xff" + to));
        rows.add(row("src_mac_ipv6", Flows.on(o0).eth(0x86dd).exact(Field.ETH_SRC, mac("02:aa:bb:cc:dd:ee")).actions(toX1),
                "protocol ipv6 flower src_mac 02:aa:bb:cc:dd:ee" + to));
        rows.add(row("pedit_three_headers", Flows.on(o0).ipv4(17).exact(Field.ETH_DST, mac("02:00:00:00:09:01")).actions(Actions.builder()
                        .setField(KeyAttr.ETHERNET, Field.ETH_SRC, mac("02:00:00:00:00:09")).setField(KeyAttr.IPV4, Field.IPV4_DST, ip("10.7.7.7"))
                        .setField(KeyAttr.UDP, Field.TP_DST, 7000).output(x1).build()),
                "protocol ip flower dst_mac 02:00:00:00:09:01 ip_proto udp action pedit ex munge eth src set 02:00:00:00:00:09 munge ip dst set 10.7.7.7"
                        + " munge udp dport set 7000 pipe cookie COOKIE action csum iph and udp pipe cookie COOKIE" + to));
        rows.add(row("mirror_push_redirect", Flows.on(o0).eth(0x0800).exact(Field.ETH_DST, mac("02:00:00:00:09:02"))
                        .actions(Actions.builder().output(x2).pushVlan(0x8100, 7, 0).output(x1).build()),
                "protocol ip flower dst_mac 02:00:00:00:09:02 action mirred egress mirror dev x2 cookie COOKIE"
                        + " action vlan push id 7 protocol 802.1Q priority 0 pipe cookie COOKIE" + to));
        return rows;
    }

    private static Row row(String name, Flows f, String args) {
        return new Row(name, f.build(), args, OffloadPreference.PREFERRED);
    }

    private static String firstLine(String resource) throws IOException {
        try (InputStream in = TcOracleVmTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        }
    }
}
