package org.offloadbridge.tc.internal;

import static org.offloadbridge.tc.internal.Flows.ip;
import static org.offloadbridge.tc.internal.Flows.ip6;
import static org.offloadbridge.tc.internal.Flows.mac;

import java.util.LinkedHashMap;
import java.util.Map;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;

/**
 * The megaflow equivalent of every iproute2 command in {@code golden/capture.sh}: case name →
 * flow and the skip flags the command used. In the capture's netns ob1 = ifindex 2,
 * ob0 = 3 (where the filters go), obvx = 4 (a vxlan device); ports here are ifindexes.
 */
public final class GoldenCases {
    public static final int OB1 = 2;
    public static final int OB0 = 3;
    public static final int OBVX = 4;

    public record Case(Megaflow flow, int clsFlags, int actFlags) {}

    private int OB1v;
    private int OB0v;
    private int OBVXv;
    private boolean golden;

    private GoldenCases() {}

    Actions toOb1() {
        return Actions.builder().output(OB1v).build();
    }

    /** The cases with the capture's ifindexes and the capture's cookie. */
    public static Map<String, Case> all() {
        return all(OB1, OB0, OBVX, true);
    }

    /**
     * The cases with other devices: {@code ob1}/{@code ob0}/{@code obvx} are the ports standing
     * for the capture's ob1, ob0 and obvx; {@code goldenUfid} false gives each flow its own ufid.
     */
    public static Map<String, Case> all(int ob1, int ob0, int obvx, boolean goldenUfid) {
        GoldenCases g = new GoldenCases();
        g.OB1v = ob1;
        g.OB0v = ob0;
        g.OBVXv = obvx;
        g.golden = goldenUfid;
        return g.build();
    }

    private Map<String, Case> build() {
        int OB1 = OB1v;
        int OB0 = OB0v;
        int OBVX = OBVXv;
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("eth_all", plain(Flows.on(OB0).exact(Field.ETH_DST, mac("00:11:22:33:44:55"))
                .masked(Field.ETH_SRC, mac("66:77:88:00:00:00"), mac("ff:ff:ff:00:00:00"))));
        c.put("eth_ip", plain(Flows.on(OB0).eth(0x0800).exact(Field.ETH_DST, mac("00:11:22:33:44:55"))));
        c.put("ipv4_tcp", plain(Flows.on(OB0).ipv4(6).exact(Field.IPV4_SRC, ip("10.0.0.1")).prefix(Field.IPV4_DST, ip("10.1.0.0"), 16)
                .exact(Field.TP_SRC, 1234).exact(Field.TP_DST, 80)));
        c.put("ipv4_udp", plain(Flows.on(OB0).ipv4(17).exact(Field.IPV4_SRC, ip("10.0.0.1")).exact(Field.IPV4_DST, ip("10.0.0.2"))
                .exact(Field.TP_SRC, 5000).masked(Field.TP_DST, 0x3500, 0xff00)));
        c.put("ipv4_sctp", plain(Flows.on(OB0).ipv4(132).exact(Field.IPV4_DST, ip("10.0.0.2")).exact(Field.TP_DST, 9)));
        c.put("ipv4_tos_ttl", plain(Flows.on(OB0).ipv4(6).masked(Field.NW_TOS, 0x10, 0xfc).exact(Field.NW_TTL, 64)));
        c.put("tcp_flags", plain(Flows.on(OB0).ipv4(6).masked(Field.TCP_FLAGS, 0x2, 0x12)));
        c.put("ipv4_frag", plain(Flows.on(OB0).eth(0x0800).exact(Field.NW_FRAG, FlowKey.FRAG_LATER_FRAGMENT)));
        c.put("ipv4_nofrag", plain(Flows.on(OB0).ipv4(17).exact(Field.NW_FRAG, FlowKey.FRAG_NO)));
        c.put("icmp", plain(Flows.on(OB0).ipv4(1).exact(Field.ICMP_TYPE, 8).exact(Field.ICMP_CODE, 0)));
        long[] s6 = ip6("2001:db8::1");
        long[] d6 = ip6("2001:db8:1::");
        c.put("ipv6_tcp", plain(Flows.on(OB0).ipv6(6).ipv6Src(s6[0], s6[1], 128).ipv6Dst(d6[0], d6[1], 48).exact(Field.TP_DST, 443)));
        c.put("icmpv6", plain(Flows.on(OB0).ipv6(58).exact(Field.ICMP_TYPE, 135).exact(Field.ICMP_CODE, 0)));
        c.put("arp", plain(Flows.on(OB0).eth(0x0806).exact(Field.ARP_SPA, ip("10.0.0.1")).prefix(Field.ARP_TPA, ip("10.0.0.0"), 24)
                .exact(Field.ARP_OP, 1).exact(Field.ARP_SHA, mac("00:11:22:33:44:55")).exact(Field.ARP_THA, 0)));
        c.put("vlan", plain(Flows.on(OB0).vlan(0x8100, 100, 0x0800).exact(Field.VLAN0_PCP, 3).exact(Field.NW_PROTO, 17)));
        c.put("qinq", plain(Flows.on(OB0).vlan(0x88a8, 10, 0x0800).exact(Field.VLAN1_CFI, 1).exact(Field.VLAN1_TPID, 0x8100)
                .exact(Field.VLAN1_VID, 20).exact(Field.VLAN1_PCP, 5)));
        c.put("tun_match", plain(Flows.on(OBVX).eth(0x0800).exact(Field.TUN_IPV4_SRC, ip("192.168.0.1")).exact(Field.TUN_IPV4_DST, ip("192.168.0.2"))
                .exact(Field.TUN_ID, 42).exact(Field.TUN_TP_DST, 4789).exact(Field.TUN_TOS, 0).exact(Field.TUN_TTL, 64)
                .masked(Field.TUN_FLAGS, FlowKey.TUN_F_KEY, FlowKey.TUN_F_KEY))); // enc_key_id implies flags(+key)
        long[] a6 = ip6("2001:db8::a");
        long[] b6 = ip6("2001:db8::b");
        c.put("tun_match6", plain(Flows.on(OBVX).eth(0x0800).exact(Field.TUN_IPV6_SRC_HI, a6[0]).exact(Field.TUN_IPV6_SRC_LO, a6[1])
                .exact(Field.TUN_IPV6_DST_HI, b6[0]).exact(Field.TUN_IPV6_DST_LO, b6[1]).exact(Field.TUN_ID, 7).exact(Field.TUN_TP_DST, 4789)
                .masked(Field.TUN_FLAGS, FlowKey.TUN_F_KEY, FlowKey.TUN_F_KEY)));
        c.put("skip_hw", new Case(Flows.on(OB0).eth(0x0800).actions(toOb1()).ufid(golden ? Flows.GOLDEN_UFID : null).build(), 1, 0));
        c.put("act_drop", act(Flows.on(OB0).eth(0x0800), Actions.DROP));
        c.put("act_mirror", act(Flows.on(OB0).eth(0x0800), Actions.builder().output(OB1).output(OB0).output(OB1).build()));
        c.put("act_push_vlan", act(Flows.on(OB0).eth(0x0800), Actions.builder().pushVlan(0x8100, 100, 3).output(OB1).build()));
        c.put("act_push_vlan_ad", act(Flows.on(OB0).eth(0x0800), Actions.builder().pushVlan(0x88a8, 200, 0).output(OB1).build()));
        c.put("act_pop_vlan", act(Flows.on(OB0).vlan(0x8100, 5, -1), Actions.builder().popVlan().output(OB1).build()));
        c.put("act_modify_vlan", act(Flows.on(OB0).vlan(0x8100, 5, -1), Actions.builder().beginSet(KeyAttr.VLAN, true)
                .field(Field.VLAN0_VID, 6, 0xfff).field(Field.VLAN0_PCP, 0, 7).endSet().output(OB1).build()));
        c.put("act_pedit_eth", act(Flows.on(OB0).eth(0x0800), Actions.builder().beginSet(KeyAttr.ETHERNET, true)
                .field(Field.ETH_DST, mac("02:00:00:00:00:01"), -1L).field(Field.ETH_SRC, mac("02:00:00:00:00:02"), -1L).endSet().output(OB1).build()));
        c.put("act_pedit_ip4", act(Flows.on(OB0).ipv4(6), Actions.builder().beginSet(KeyAttr.IPV4, true)
                .field(Field.IPV4_SRC, ip("10.9.9.9"), -1L).field(Field.NW_TTL, 9, -1L).endSet().output(OB1).build()));
        c.put("act_pedit_ports", act(Flows.on(OB0).ipv4(17), Actions.builder().beginSet(KeyAttr.UDP, true)
                .field(Field.TP_SRC, 1111, -1L).field(Field.TP_DST, 2222, -1L).endSet().output(OB1).build()));
        c.put("act_pedit_tcp", act(Flows.on(OB0).ipv4(6), Actions.builder().setField(KeyAttr.TCP, Field.TP_DST, 8080).output(OB1).build()));
        long[] p6 = ip6("2001:db8::99");
        c.put("act_pedit_ip6", act(Flows.on(OB0).ipv6(17), Actions.builder().beginSet(KeyAttr.IPV6, true)
                .field(Field.IPV6_DST_HI, p6[0], -1L).field(Field.IPV6_DST_LO, p6[1], -1L).field(Field.NW_TTL, 7, -1L).endSet().output(OB1).build()));
        c.put("act_pedit_tos", act(Flows.on(OB0).eth(0x0800), Actions.builder().setField(KeyAttr.IPV4, Field.NW_TOS, 0x20).output(OB1).build()));
        c.put("act_tunnel_set", act(Flows.on(OB0).eth(0x0800), Actions.builder()
                .setTunnelIpv4(42, (int) ip("192.168.0.1"), (int) ip("192.168.0.2"), 0, 64, 0, 4789, FlowKey.TUN_F_CSUM).output(OBVX).build()));
        c.put("act_tunnel_set6", act(Flows.on(OB0).eth(0x0800), Actions.builder().beginSet(KeyAttr.TUNNEL, false)
                .field(Field.TUN_ID, 7, -1L).field(Field.TUN_IPV6_SRC_HI, a6[0], -1L).field(Field.TUN_IPV6_SRC_LO, a6[1], -1L)
                .field(Field.TUN_IPV6_DST_HI, b6[0], -1L).field(Field.TUN_IPV6_DST_LO, b6[1], -1L)
                .field(Field.TUN_TTL, 64, -1L).field(Field.TUN_TP_DST, 4789, -1L)
                .field(Field.TUN_FLAGS, FlowKey.TUN_F_KEY, -1L).endSet().output(OBVX).build()));
        c.put("act_flags_skip_hw", new Case(Flows.on(OB0).eth(0x0800).actions(toOb1()).ufid(golden ? Flows.GOLDEN_UFID : null).build(), 1, 2));
        return c;
    }

    private Case plain(Flows f) {
        return new Case(f.actions(toOb1()).ufid(golden ? Flows.GOLDEN_UFID : null).build(), 0, 0);
    }

    private Case act(Flows f, Actions a) {
        return new Case(f.actions(a).ufid(golden ? Flows.GOLDEN_UFID : null).build(), 0, 0);
    }
}
