package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.tc.TcPorts;

/** Refusals name what flower can't express; a few shapes the golden set does not cover round-trip. */
class FlowerEncoderTest {
    private final FlowerEncoder enc = new FlowerEncoder(TcPorts.IDENTITY);

    private Megaflow roundTrip(Megaflow f) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        enc.encode(w, 0, f, f.key().inPort(), 1, 1, 0, 0);
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        c.next();
        return new FlowerDecoder(TcPorts.IDENTITY).decode(c.message()).flow();
    }

    private Refusal refusal(Megaflow f) {
        return assertThrows(Refusal.class, () -> enc.encode(new NetlinkMessageWriter(128), 0, f, 3, 1, 0, 0, 0));
    }

    @Test
    void outputToAnotherPortRoundTrips() {
        Megaflow ba = Flows.on(3).ipv4(1).actions(Actions.builder().output(2).build()).build();
        assertEquals(ba, roundTrip(ba));
        Megaflow pedit = Flows.on(2).ipv4(17).exact(Field.TP_DST, 5004).actions(Actions.builder().setField(KeyAttr.IPV4, Field.NW_TTL, 33).output(3).build()).build();
        assertEquals(pedit, roundTrip(pedit));
    }

    @Test
    void refusalsNameTheFieldOrAction() {
        Refusal r = refusal(Flows.on(3).ipv6(58).exact(Field.ND_TARGET_HI, 1).build());
        assertEquals(Reason.UNSUPPORTED_KEY, r.reason());
        assertTrue(r.detail().startsWith("nd(target)"), r.detail());
        r = refusal(Flows.on(3).ipv6(6).masked(Field.IPV6_LABEL, 5, 0xfffff).build());
        assertTrue(r.detail().startsWith("ipv6(label)"), r.detail());
        r = refusal(Flows.on(3).eth(0x0800).masked(Field.NW_PROTO, 6, 0x0f).build());
        assertEquals(Reason.UNSUPPORTED_MASK, r.reason());
        r = refusal(Flows.on(3).vlan(0x8100, -1, 0x0800).masked(Field.VLAN0_VID, 5, 0xff).build());
        assertEquals(Reason.UNSUPPORTED_MASK, r.reason());
        assertTrue(r.detail().contains("vlan(vid)"), r.detail());
        r = refusal(Flows.on(3).ipv4(6).exact(Field.SKB_MARK, 1).build());
        assertTrue(r.detail().startsWith("skb_mark"), r.detail());
        r = refusal(Flows.on(3).eth(0x0800).actions(Actions.builder().userspace(1, "").build()).build());
        assertEquals(Reason.USERSPACE_ACTION, r.reason());
        r = refusal(Flows.on(3).eth(0x0806).actions(Actions.builder().setField(KeyAttr.ARP, Field.ARP_SPA, 1).output(2).build()).build());
        assertEquals(Reason.UNSUPPORTED_ACTION, r.reason());
        assertTrue(r.detail().contains("arp"), r.detail());
        r = refusal(Flows.on(3).eth(0x0806).exact(Field.ARP_OP, 300).build());
        assertEquals(Reason.OUT_OF_RANGE, r.reason());
        r = refusal(Flows.on(3).eth(0x0800).exact(Field.TUN_ID, 1L << 33).build());
        assertEquals(Reason.OUT_OF_RANGE, r.reason());
        r = refusal(Flows.on(3).eth(0x0800).actions(Actions.builder().setTunnelIpv4(1, 1, 2, 0, 64, 0, 4789, 0).build()).build());
        assertEquals(Reason.UNSUPPORTED_ACTION, r.reason());
        Actions.Builder many = Actions.builder();
        for (int i = 0; i < 16; i++) {
            many.pushVlan(0x8100, i, 0);
        }
        r = refusal(Flows.on(3).eth(0x0800).actions(many.output(2).build()).build());
        assertEquals(Reason.TOO_MANY_ACTIONS, r.reason());
        assertTrue(r.detail().startsWith("17 tc actions"), r.detail());
        r = refusal(Flows.on(3).ipv4(6).exact(Field.RECIRC_ID, 5).build());
        assertTrue(r.detail().startsWith("recirc_id"), r.detail());
        r = refusal(Flows.on(3).eth(0x0800).actions(Actions.builder().output(0).build()).build());
        assertEquals(Reason.NO_DEVICE, r.reason());
    }

    @Test
    void aReusedWriterEncodesTheSameBytesAsAFreshOne() {
        // Regression: stale bytes in a reused buffer must not leak into struct payloads
        // (a non-zero tc_gen.index binds the filter to someone else's action).
        Megaflow f = GoldenCases.all().get("act_pedit_ip4").flow();
        NetlinkMessageWriter fresh = new NetlinkMessageWriter(1024);
        enc.encode(fresh, 0, f, 3, 1, 0, 0, 0);
        NetlinkMessageWriter dirty = new NetlinkMessageWriter(1024);
        for (int i = 0; i < 1024; i++) {
            dirty.buffer().put(i, (byte) 0x5a);
        }
        enc.encode(dirty, 0, f, 3, 1, 0, 0, 0);
        assertEquals(fresh.length(), dirty.length());
        for (int i = 0; i < fresh.length(); i++) {
            assertEquals(fresh.buffer().get(i), dirty.buffer().get(i), "byte " + i);
        }
    }

    @Test
    void untaggedWithoutEthertypeUsesNumOfVlans() {
        Megaflow f = Flows.on(3).exact(Field.VLAN0_CFI, 0).exact(Field.VLAN0_TPID, 0).exact(Field.ETH_DST, 0x020000000001L).actions(Actions.builder().output(2).build()).build();
        assertEquals(f, roundTrip(f));
        assertEquals(org.offloadbridge.flow.EthType.ALL, enc.protocol());
    }

    private static Action.SetField tunnelSetOf(Megaflow f) {
        return (Action.SetField) f.actions().toList().get(0);
    }

    private static Action.FieldValue fieldOf(Action.SetField s, Field field) {
        return s.fields().stream().filter(fv -> fv.field() == field).findFirst().orElse(null);
    }

    /**
     * Issue #11 defect 2: a tun_id without flags(key) was dropped silently. The id is sent when
     * the action names one (as OVS does) and the dump says what act_tunnel_key holds — the id
     * and the key flag together, or neither — the same way for IPv4 and IPv6 endpoints.
     */
    @Test
    void aTunnelIdIsSentWhenNamedAndDumpedAsTheKernelHoldsIt() {
        for (String addrs : new String[] {"src=192.0.2.1,dst=192.0.2.3", "ipv6_src=2001:db8::1,ipv6_dst=2001:db8::3"}) {
            Actions withId = FlowParser.parseActions("set(tunnel(tun_id=0x77," + addrs + ",tp_dst=4789)),4", PortNames.NONE);
            Action.SetField back = tunnelSetOf(roundTrip(Flows.on(3).eth(0x0800).actions(withId).build()));
            assertEquals(0x77, fieldOf(back, Field.TUN_ID).value(), addrs);
            assertEquals(FlowKey.TUN_F_KEY, fieldOf(back, Field.TUN_FLAGS).value(), addrs + ": key, no csum (none asked)");
            assertEquals(4789, fieldOf(back, Field.TUN_TP_DST).value(), addrs);

            Actions noId = FlowParser.parseActions("set(tunnel(" + addrs + ",tp_dst=4789,flags(csum))),4", PortNames.NONE);
            back = tunnelSetOf(roundTrip(Flows.on(3).eth(0x0800).actions(noId).build()));
            assertEquals(null, fieldOf(back, Field.TUN_ID), addrs + ": no id sent, none dumped");
            assertEquals(FlowKey.TUN_F_CSUM, fieldOf(back, Field.TUN_FLAGS).value(), addrs);
        }
        // The builder's form (what the pipeline emits) round-trips exactly, for both families.
        Megaflow v4 = Flows.on(3).eth(0x0800).actions(Actions.builder().setTunnelIpv4(0x77, 0xc0000201, 0xc0000203, 0, 64, 0, 4789, 0).output(4).build()).build();
        assertEquals(v4, roundTrip(v4));
        Megaflow v6 = Flows.on(3).eth(0x0800).actions(Actions.builder().beginSet(KeyAttr.TUNNEL, false).field(Field.TUN_IPV6_SRC_HI, 0x20010db800000000L, -1L)
                .field(Field.TUN_IPV6_SRC_LO, 1, -1L).field(Field.TUN_IPV6_DST_HI, 0x20010db800000000L, -1L).field(Field.TUN_IPV6_DST_LO, 3, -1L)
                .field(Field.TUN_TOS, 0x10, -1L).field(Field.TUN_TTL, 64, -1L).field(Field.TUN_TP_DST, 4789, -1L).field(Field.TUN_FLAGS, FlowKey.TUN_F_CSUM, -1L)
                .endSet().output(4).build()).build();
        assertEquals(v6, roundTrip(v6), "IPv6 endpoints without an id");
    }

    @Test
    void tunnelFlagsTunnelKeyCannotSetAreRefusedNotDropped() {
        Refusal r = refusal(Flows.on(3).eth(0x0800).actions(Actions.builder()
                .setTunnelIpv4(5, 0xc0000201, 0xc0000203, 0, 64, 0, 4789, FlowKey.TUN_F_DONT_FRAGMENT).output(4).build()).build());
        assertEquals(Reason.UNSUPPORTED_ACTION, r.reason());
        assertTrue(r.detail().startsWith("set(tunnel(flags(df)))"), r.detail());
    }

    /**
     * A matched tunnel key with flags(+key) goes as enc_key_id alone (the key's presence is what
     * it says) and comes back the same; the oam, csum or df bits, or +key without a key, have no
     * flower key on 6.1: refused, naming the field.
     */
    @Test
    void theKeyFlagRidesOnEncKeyIdAndOtherTunnelFlagsAreRefused() {
        Megaflow key = Flows.on(3).eth(0x0800).exact(Field.TUN_ID, 42).masked(Field.TUN_FLAGS, FlowKey.TUN_F_KEY, FlowKey.TUN_F_KEY)
            .actions(Actions.builder().output(4).build()).build();
        assertEquals(key, roundTrip(key));
        for (long[] vm : new long[][] {{FlowKey.TUN_F_OAM, FlowKey.TUN_F_OAM | FlowKey.TUN_F_KEY}, {0, FlowKey.TUN_F_CSUM},
                {FlowKey.TUN_F_DONT_FRAGMENT, FlowKey.TUN_F_DONT_FRAGMENT}, {0, FlowKey.TUN_F_KEY}}) {
            Refusal r = refusal(Flows.on(3).eth(0x0800).exact(Field.TUN_ID, 42).masked(Field.TUN_FLAGS, vm[0], vm[1])
                .actions(Actions.builder().output(4).build()).build());
            assertEquals(Reason.UNSUPPORTED_KEY, r.reason(), r.detail());
            assertTrue(r.detail().contains("tunnel flags need kernel 6.11's enc_flags"), r.detail());
        }
        Refusal noKey = refusal(Flows.on(3).eth(0x0800).masked(Field.TUN_FLAGS, FlowKey.TUN_F_KEY, FlowKey.TUN_F_KEY)
            .actions(Actions.builder().output(4).build()).build());
        assertTrue(noKey.detail().contains("tunnel flags need kernel 6.11's enc_flags"), noKey.detail());
    }

    /** Refusals name fields as the flow text does and mention only what the flow matches. */
    @Test
    void refusalsSayWhatTheUserWrote() {
        // set(ipv4(dst=...)) on a flow with nw_proto wildcarded.
        Refusal r = refusal(Flows.on(3).eth(0x0800).actions(Actions.builder().setField(KeyAttr.IPV4, Field.IPV4_DST, 0x0a000009L).output(2).build()).build());
        assertEquals(Reason.UNSUPPORTED_ACTION, r.reason());
        assertTrue(r.detail().startsWith("set(ipv4(dst)) on a flow that doesn't match ipv4(proto) exactly"), r.detail());
        r = refusal(Flows.on(3).ipv6(58).actions(Actions.builder().setField(KeyAttr.IPV6, Field.IPV6_SRC_LO, 9).output(2).build()).build());
        assertTrue(r.detail().startsWith("set(ipv6(src)) on ICMPv6"), r.detail());
        // A tunnel flags match, nw_proto wildcarded: no "nw_proto 0".
        r = refusal(Flows.on(3).eth(0x0800).exact(Field.TUN_IPV4_DST, 0xc0000201L).masked(Field.TUN_FLAGS, FlowKey.TUN_F_CSUM, FlowKey.TUN_F_CSUM).build());
        assertEquals(Reason.UNSUPPORTED_KEY, r.reason());
        assertTrue(r.detail().startsWith("tunnel(flags): no flower key for it"), r.detail());
        assertTrue(!r.detail().contains("nw_proto"), r.detail());
        // Context only as far as the flow matches it.
        r = refusal(Flows.on(3).ipv6(6).masked(Field.IPV6_LABEL, 5, 0xfffff).build());
        assertTrue(r.detail().endsWith("in this flow (eth_type(0x86dd),ipv6(proto=6))"), r.detail());
        r = refusal(Flows.on(3).eth(0x86dd).masked(Field.IPV6_LABEL, 5, 0xfffff).build());
        assertTrue(r.detail().endsWith("in this flow (eth_type(0x86dd))"), r.detail());
        // Partial masks by their text names.
        r = refusal(Flows.on(3).vlan(0x8100, -1, 0x0800).masked(Field.VLAN0_VID, 5, 0xff).build());
        assertTrue(r.detail().startsWith("vlan(vid): partial mask 0xff"), r.detail());
        r = refusal(Flows.on(3).eth(0x0800).masked(Field.NW_PROTO, 6, 0x0f).build());
        assertTrue(r.detail().startsWith("ipv4(proto): partial mask 0xf"), r.detail());
        r = refusal(Flows.on(3).eth(0x0800).masked(Field.TUN_ID, 5, 0xff).build());
        assertTrue(r.detail().startsWith("tunnel(tun_id=0x5/0xff): partial mask"), r.detail());
    }
}
