package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.tc.internal.FlowerCanonicalRoundTripTest;
import org.offloadbridge.tc.internal.FlowerCanonicalRoundTripTest.Shape;
import org.offloadbridge.tc.internal.Flows;
import org.offloadbridge.testkit.Cases;

/**
 * Through the real kernel: megaflows of every key and action family, with and without their
 * optional parts, are installed with {@link TcOffload#installAll} and {@link TcOffload#get}
 * gives each back equal to what was installed (match, actions, ufid) — the revalidator's
 * check. Pipeline-shaped megaflows (parsed frames, the datapath baseline, fields pinned whatever
 * the packet holds, see {@link FlowerCanonicalRoundTripTest}) make up most of the set.
 */
@Tag("kernel-vm")
class FlowerKernelRoundTripVmTest {

    @Test
    void whatWeInstallIsWhatTheKernelGivesBack() {
        try (VmNet net = new VmNet("roundtrip")) {
            net.veth("o0", "o9");
            net.veth("x1", "x9");
            net.veth("x2", "x8");
            net.sh("ip link add vx0 type vxlan external dstport 4789 && ip link set vx0 up");
            int o0 = net.ifindex("o0");
            int x1 = net.ifindex("x1");
            int x2 = net.ifindex("x2");
            int vx0 = net.ifindex("vx0");

            Map<Ufid, Megaflow> flows = new LinkedHashMap<>();
            for (Megaflow f : families(o0, x1, x2, vx0)) {
                flows.put(f.ufid(), f);
            }
            int families = flows.size();
            List<Shape> shapes = new ArrayList<>(FlowerCanonicalRoundTripTest.EDGES);
            for (int i = 0; i < 150; i++) {
                SplittableRandom r = Cases.random(i);
                shapes.add(FlowerCanonicalRoundTripTest.shape(r));
            }
            for (Shape s : shapes) {
                Megaflow f = FlowerCanonicalRoundTripTest.megaflow(s, o0, vx0, x1, vx0);
                flows.putIfAbsent(f.ufid(), f);
            }
            assertTrue(flows.size() > families + 50, "only " + flows.size() + " distinct megaflows");

            try (TcOffload tc = net.offload(TcPolicy.NONE)) {
                List<Megaflow> list = new ArrayList<>(flows.values());
                List<TcOutcome> res = tc.installAll(list, OffloadPreference.PREFERRED);
                StringBuilder failures = new StringBuilder();
                for (int i = 0; i < list.size(); i++) {
                    if (!res.get(i).ok()) {
                        failures.append(show(list.get(i))).append(": ").append(res.get(i)).append('\n');
                    }
                }
                assertEquals("", failures.toString(), "installs (seed 0x" + Long.toHexString(Cases.SEED) + ")");

                StringBuilder diffs = new StringBuilder();
                for (Megaflow f : list) {
                    Optional<TcFlow> got = tc.get(f.ufid());
                    if (got.isEmpty()) {
                        diffs.append("missing ").append(show(f)).append('\n');
                    } else if (!f.equals(got.get().flow())) {
                        diffs.append("installed ").append(show(f)).append("\n   dumped ").append(show(got.get().flow())).append('\n');
                    }
                }
                assertEquals("", diffs.toString(), "get(ufid) gives back what was installed (seed 0x" + Long.toHexString(Cases.SEED) + ")");
                assertEquals(list.size(), tc.deleteAllOurs(o0) + tc.deleteAllOurs(vx0));
            }
        }
    }

    /** The flow text, or (set(vlan(..)) has no text form in flow/ yet) the match and the action records. */
    static String show(Megaflow f) {
        try {
            return f.toString();
        } catch (IllegalArgumentException e) {
            return f.ufid() + ", " + org.offloadbridge.flow.FlowFormat.formatMatch(f.key(), f.mask(), null, false) + ", actions:" + f.actions().toList();
        }
    }

    /** One megaflow per key and action family, with and without the optional parts. */
    static List<Megaflow> families(int o0, int x1, int x2, int vx0) {
        Actions toX1 = Actions.builder().output(x1).build();
        long mac = 0x020000000900L;
        List<Megaflow> f = new ArrayList<>();
        // Keys: untagged / tagged / QinQ, IPv4 / IPv6 / ARP, fragments, L4, tunnel matches with and without a key.
        f.add(Flows.on(o0).ipv4(17).exact(Field.TP_DST, 53).exact(Field.NW_FRAG, FlowKey.FRAG_NO).actions(toX1).build());
        f.add(Flows.on(o0).ipv6(6).exact(Field.TP_SRC, 22).exact(Field.TCP_FLAGS, 0x002).actions(toX1).build());
        f.add(Flows.on(o0).eth(0x0800).exact(Field.NW_FRAG, FlowKey.FRAG_LATER_FRAGMENT).actions(toX1).build());
        f.add(Flows.on(o0).eth(0x86dd).exact(Field.NW_FRAG, FlowKey.FRAG_FIRST).actions(toX1).build());
        f.add(Flows.on(o0).eth(0x0806).exact(Field.ARP_OP, 1).exact(Field.ARP_TPA, 0x0a000009L).actions(toX1).build());
        f.add(Flows.on(o0).vlan(0x8100, 30, 0x0800).exact(Field.NW_PROTO, 1).exact(Field.ICMP_TYPE, 8).actions(toX1).build());
        f.add(Flows.on(o0).vlan(0x8100, -1, 0x86dd).exact(Field.VLAN0_PCP, 3).actions(toX1).build());
        f.add(Flows.on(o0).vlan(0x88a8, 11, 0x0800).exact(Field.VLAN1_CFI, 1).exact(Field.VLAN1_TPID, 0x8100).exact(Field.VLAN1_VID, 21)
                .actions(toX1).build());
        f.add(Flows.on(vx0).eth(0x0800).exact(Field.TUN_IPV4_SRC, 0xc0000201L).exact(Field.TUN_IPV4_DST, 0xc0000203L).exact(Field.TUN_ID, 0x77)
                .exact(Field.TUN_TP_DST, 4789).masked(Field.TUN_FLAGS, FlowKey.TUN_F_KEY, FlowKey.TUN_F_KEY).actions(toX1).build());
        f.add(Flows.on(vx0).eth(0x0800).exact(Field.TUN_IPV4_DST, 0xc0000203L).exact(Field.TUN_TTL, 64).actions(toX1).build());
        // Actions: every family, and tunnel sets with/without an id, IPv4/IPv6 endpoints.
        List<Actions> acts = List.of(
                Actions.builder().output(x2).output(x1).build(),
                Actions.DROP,
                Actions.builder().pushVlan(0x8100, 7, 2).output(x1).build(),
                Actions.builder().pushVlan(0x88a8, 8, 0).output(x1).build(),
                Actions.builder().setField(KeyAttr.ETHERNET, Field.ETH_SRC, 0x020000000099L).output(x1).build(),
                Actions.builder().beginSet(KeyAttr.IPV4, true).field(Field.IPV4_SRC, 0x0a090909L, -1L).field(Field.NW_TTL, 9, -1L).endSet().output(x1).build(),
                Actions.builder().setField(KeyAttr.UDP, Field.TP_DST, 7000).output(x1).build(),
                Actions.builder().setTunnelIpv4(0x99, 0xc0000201, 0xc0000204, 0, 64, 0, 4789, FlowKey.TUN_F_CSUM).output(vx0).build(),
                Actions.builder().setTunnelIpv4(0, 0xc0000201, 0xc0000204, 0x10, 32, 0, 4789, 0).output(vx0).build(),
                FlowParser.parseActions("set(tunnel(src=192.0.2.1,dst=192.0.2.3,ttl=64,tp_dst=4789,flags(csum))),"+ vx0, PortNames.NONE),
                FlowParser.parseActions("set(tunnel(tun_id=0x5,ipv6_src=2001:db8::1,ipv6_dst=2001:db8::3,ttl=64,tp_dst=4789,flags(key))),"+ vx0,
                        PortNames.NONE),
                FlowParser.parseActions("set(tunnel(ipv6_src=2001:db8::1,ipv6_dst=2001:db8::3,ttl=64,tp_dst=4789,flags(csum))),"+ vx0,
                        PortNames.NONE));
        for (Actions a : acts) {
            f.add(Flows.on(o0).ipv4(17).exact(Field.ETH_DST, ++mac).actions(a).build());
        }
        f.add(Flows.on(o0).vlan(0x8100, 40, 0x0800).exact(Field.ETH_DST, ++mac).actions(Actions.builder().popVlan().output(x1).build()).build());
        f.add(Flows.on(o0).vlan(0x8100, 41, 0x0800).exact(Field.ETH_DST, ++mac).actions(Actions.builder()
                .beginSet(KeyAttr.VLAN, true).field(Field.VLAN0_VID, 42, 0xfff).field(Field.VLAN0_PCP, 1, 7).endSet().output(x1).build()).build());
        long[] d6 = Flows.ip6("2001:db8::99");
        f.add(Flows.on(o0).ipv6(6).exact(Field.ETH_DST, ++mac).actions(Actions.builder().beginSet(KeyAttr.IPV6, true)
                .field(Field.IPV6_DST_HI, d6[0], -1L).field(Field.IPV6_DST_LO, d6[1], -1L).endSet().output(x1).build()).build());
        f.add(Flows.on(o0).ipv4(6).exact(Field.ETH_DST, ++mac).actions(Actions.builder().setField(KeyAttr.TCP, Field.TP_SRC, 8080).output(x1).build()).build());
        return f;
    }
}
