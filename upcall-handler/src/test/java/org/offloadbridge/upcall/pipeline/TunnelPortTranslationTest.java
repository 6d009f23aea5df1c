package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Tunnel;

/**
 * Tunnel ports sharing one VXLAN device (datapath port 20), as OVS's vxlan ports share
 * {@code vxlan_sys_4789}: a received packet's port is chosen by its outer addresses and key in
 * tnl_find's order, and its megaflow matches exactly those; output builds {@code set(tunnel(…))}
 * from the port's options — fixed or {@code flow} remote and key, inherited TOS/TTL, checksum.
 */
class TunnelPortTranslationTest {
    static final int LOCAL = (int) Packets.ip("10.9.0.1");
    static final int R2 = (int) Packets.ip("10.9.0.2");
    static final int R3 = (int) Packets.ip("10.9.0.3");
    static final PortTable PORTS = PortTable.of(
        new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12),
        new BridgePort("vx1", 10, 20, new Tunnel("vxlan", LOCAL, R2, 4789, 42)),
        new BridgePort("vx2", 11, 20, new Tunnel("vxlan", LOCAL, R3, 4789, 42)),
        new BridgePort("vxk", 12, 20, new Tunnel("vxlan", LOCAL, R2, 4789, 0, false, true, 0, 64, false)),
        new BridgePort("vxf", 13, 20, new Tunnel("vxlan", LOCAL, 0, 4789, 0, true, true, Tunnel.INHERIT, Tunnel.INHERIT, true)));

    final Pipeline pipeline = new Pipeline(PORTS, () -> 1_000, 300_000, 42);

    static FlowKey fromTunnel(long vni, int remote, int local) {
        FlowKey k = Packets.on(20).eth(0x020000000001L, 0x020000000002L, 0x0800).ipv4("192.168.42.2", "192.168.42.1", 17, 64)
            .ports(7000, 7001).key();
        k.set(Field.TUN_ID, vni);
        k.set(Field.TUN_IPV4_SRC, remote & 0xffffffffL);
        k.set(Field.TUN_IPV4_DST, local & 0xffffffffL);
        k.set(Field.TUN_TTL, 64);
        k.set(Field.TUN_TP_DST, 4789);
        k.set(Field.TUN_FLAGS, FlowKey.TUN_F_KEY);
        k.addAttr(KeyAttr.TUNNEL);
        return k;
    }

    static FlowKey fromP2(int tos, int ttl) {
        FlowKey k = Packets.on(12).eth(0x020000000002L, 0x020000000001L, 0x0800).ipv4("192.168.42.1", "192.168.42.2", 17, ttl)
            .ports(7001, 7000).key();
        k.set(Field.NW_TOS, tos);
        return k;
    }

    @Test
    void aReceivedPacketsPortIsChosenByRemoteAndKeyInTnlFindsOrder() throws Exception {
        pipeline.loadRulesFile("""
            in_port=vx1,actions=output:p1
            in_port=vx2,actions=output:p2
            in_port=vxk,actions=set_field:1->tun_id,output:p1,output:p2
            in_port=vxf,actions=output:p2,output:p1
            """);
        Translation t = pipeline.translate(fromTunnel(42, R2, LOCAL));
        assertNull(t.error());
        assertEquals("11", t.actions().toString(), "remote .2 and key 42: vx1");
        assertEquals(-1L, t.mask().get(Field.TUN_ID), "the key decided the port: matched exactly");
        assertEquals(0xffffffffL, t.mask().get(Field.TUN_IPV4_SRC));
        assertEquals(0xffffffffL, t.mask().get(Field.TUN_IPV4_DST));
        assertEquals(0xffffL, t.mask().get(Field.TUN_TP_DST), "the device's UDP port: mlx5 takes a decap filter only with it");
        assertEquals("tunnel(tun_id=0x2a,src=10.9.0.2,dst=10.9.0.1,tos=0/0x3,tp_dst=4789,flags(+key))",
            org.offloadbridge.flow.FlowFormat.formatMatch(t.key(), t.mask(), null, false).replaceAll(",recirc_id.*", ""),
            "as OVS prints a tc decap flow (the outer ECN: ecnCrossesTheTunnelAsRfc6040Says)");
        assertEquals("12", pipeline.translate(fromTunnel(42, R3, LOCAL)).actions().toString(), "remote .3: vx2");
        assertEquals("11,12", pipeline.translate(fromTunnel(43, R2, LOCAL)).actions().toString(), "remote .2, another key: vxk (key=flow)");
        assertEquals("12,11", pipeline.translate(fromTunnel(42, (int) Packets.ip("10.9.0.9"), LOCAL)).actions().toString(),
            "an unknown remote: vxf (remote_ip=flow)");
        Translation none = pipeline.translate(fromTunnel(42, R2, (int) Packets.ip("10.9.0.99")));
        assertTrue(none.actions().isDrop());
        assertTrue(none.error().contains("matches no tunnel port"), none.error());
        assertTrue(none.cacheable(), "its drop is installed, as OVS's: such packets stop coming up one by one");
        for (Field f : new Field[] {Field.TUN_ID, Field.TUN_IPV4_SRC, Field.TUN_IPV4_DST}) {
            assertEquals(f == Field.TUN_ID ? -1L : 0xffffffffL, none.mask().get(f), f + " decided there is no port: matched exactly");
        }
    }

    /**
     * Rules see a received packet's tunnel: outer source and destination, ToS, TTL and the oam
     * flag, each matched in the megaflow only where a rule looked at it.
     */
    @Test
    void rulesMatchTheTunnelsAddressesTosTtlAndFlags() throws Exception {
        pipeline.loadRulesFile("""
            priority=40,in_port=vxf,tun_src=10.9.0.9,tun_dst=10.9.0.1,tun_ttl=5,actions=output:p2
            priority=30,in_port=vxf,tun_tos=40,actions=output:p1
            priority=20,in_port=vxf,tun_flags=-oam,actions=output:p1,output:p2
            priority=0,actions=drop
            """);
        int remote = (int) Packets.ip("10.9.0.9");
        FlowKey ttl5 = fromTunnel(42, remote, LOCAL);
        ttl5.set(Field.TUN_TTL, 5);
        Translation a = pipeline.translate(ttl5);
        assertEquals("12", a.actions().toString(), "outer source, destination and TTL 5: the first rule");
        assertEquals(0xffL, a.mask().get(Field.TUN_TTL));

        FlowKey tos = fromTunnel(42, remote, LOCAL);
        tos.set(Field.TUN_TOS, 40);
        Translation b = pipeline.translate(tos);
        assertEquals("11", b.actions().toString(), "outer ToS 40 (TTL 64): the second rule");
        assertEquals(0xffL, b.mask().get(Field.TUN_TOS));
        assertEquals(0xffL, b.mask().get(Field.TUN_TTL), "the first rule looked at the TTL");

        Translation c = pipeline.translate(fromTunnel(42, remote, LOCAL));
        assertEquals("11,12", c.actions().toString(), "no oam flag: the third rule");
        assertEquals((long) (FlowKey.TUN_F_OAM | FlowKey.TUN_F_KEY), c.mask().get(Field.TUN_FLAGS),
            "the oam bit the rule read and the key bit every tunnel flow matches; not csum or df");

        FlowKey oam = fromTunnel(42, remote, LOCAL);
        oam.set(Field.TUN_FLAGS, FlowKey.TUN_F_KEY | FlowKey.TUN_F_OAM);
        assertTrue(pipeline.translate(oam).actions().isDrop(), "an oam packet: none of them");

        FlowKey csumDf = fromTunnel(42, R2, LOCAL);
        csumDf.set(Field.TUN_FLAGS, FlowKey.TUN_F_KEY | FlowKey.TUN_F_CSUM | FlowKey.TUN_F_DONT_FRAGMENT);
        assertEquals(0L, pipeline.translate(csumDf).mask().get(Field.TUN_FLAGS) & (FlowKey.TUN_F_CSUM | FlowKey.TUN_F_DONT_FRAGMENT),
            "csum and df are never matched (no rule can read them; tc could not match them)");
    }

    @Test
    void outputBuildsTheTunnelFromThePortsOptions() throws Exception {
        pipeline.loadRulesFile("""
            in_port=p1,actions=output:vx2
            in_port=p2,ip,nw_dst=192.168.42.2,actions=set_field:10.9.0.7->tun_dst,set_field:99->tun_id,output:vxf
            in_port=p2,ip,nw_dst=192.168.42.3,actions=output:vxf
            """);
        Translation fixed = pipeline.translate(Packets.on(11).eth(1, 2, 0x0800).ipv4("192.168.42.1", "192.168.42.2", 6, 64).key());
        assertEquals("set(tunnel(tun_id=0x2a,src=10.9.0.1,dst=10.9.0.3,ttl=64,tp_dst=4789,flags(key))),20", fixed.actions().toString());

        Translation flow = pipeline.translate(fromP2(0x28, 33));
        assertEquals("set(tunnel(tun_id=0x63,src=10.9.0.1,dst=10.9.0.7,tos=0x28,ttl=33,tp_dst=4789,flags(csum|key))),20",
            flow.actions().toString(), "remote and key from the rule, TOS and TTL inherited, checksum on");
        assertEquals(0xffL, flow.mask().get(Field.NW_TOS), "an inherited TOS is the packet's: matched");
        assertEquals(0xffL, flow.mask().get(Field.NW_TTL), "an inherited TTL is the packet's: matched");

        Translation noDst = pipeline.translate(Packets.on(12).eth(2, 1, 0x0800).ipv4("192.168.42.1", "192.168.42.3", 17, 64).key());
        assertTrue(noDst.actions().isDrop(), "remote_ip=flow and no tun_dst set: nowhere to send it; got " + noDst.actions());
    }

    @Test
    void floodTreatsEveryTunnelPortAsAPort() throws Exception {
        pipeline.loadRulesFile("actions=flood");
        String fromVx1 = pipeline.translate(fromTunnel(42, R2, LOCAL)).actions().toString();
        assertEquals("11,12,set(tunnel(tun_id=0x2a,src=10.9.0.1,dst=10.9.0.3,ttl=64,tp_dst=4789,flags(key))),20,"
            + "set(tunnel(tun_id=0x2a,src=10.9.0.1,dst=10.9.0.2,ttl=64,tp_dst=4789,flags(key))),20", fromVx1,
            "to the plain ports, to vx2, to vxk with the received key; not back to vx1; vxf has no tun_dst but the received one, ours");
    }

    /**
     * NORMAL and a {@code remote_ip=flow} port, as OVS: a MAC learned from a packet of that port
     * is reached through it, and the outer destination is whatever the rules set as tun_dst —
     * not where the learned packet came from; without a tun_dst there is nowhere to send it.
     */
    @Test
    void normalReachesAMacLearnedOnAFlowRemotePortWhereTheRulesSay() throws Exception {
        pipeline.loadRulesFile("""
            priority=10,in_port=p1,actions=set_field:10.9.0.7->tun_dst,set_field:99->tun_id,normal
            priority=0,actions=normal
            """);
        Translation learn = pipeline.translate(fromTunnel(42, (int) Packets.ip("10.9.0.9"), LOCAL));
        assertTrue(learn.actions().toString().contains("11") && learn.actions().toString().contains("12"),
            "an unknown destination: flooded, " + learn.actions());
        FlowKey toLearned = Packets.on(11).eth(0x020000000002L, 0x020000000001L, 0x0800).ipv4("192.168.42.1", "192.168.42.2", 17, 64)
            .ports(7000, 7001).key();
        assertEquals("set(tunnel(tun_id=0x63,src=10.9.0.1,dst=10.9.0.7,ttl=64,tp_dst=4789,flags(csum|key))),20",
            pipeline.translate(toLearned).actions().toString(), "learned on vxf: out of vxf, to the rules' tun_dst and key");
        FlowKey noDst = Packets.on(12).eth(0x020000000003L, 0x020000000001L, 0x0800).ipv4("192.168.42.3", "192.168.42.2", 17, 64)
            .ports(7000, 7001).key();
        assertTrue(pipeline.translate(noDst).actions().isDrop(), "from p2 no rule sets tun_dst: nowhere to send it");
    }

    /** obctl trace 'in_port=vx2,…': the packet arrives with vx2's own tunnel, so the trace follows vx2's rules. */
    @Test
    void aTracedPacketFromATunnelPortCarriesThatPortsTunnel() throws Exception {
        pipeline.loadRulesFile("""
            in_port=vx1,actions=output:p1
            in_port=vx2,actions=output:p2
            in_port=vxk,actions=output:p1,output:p2
            """);
        FlowKey k = pipeline.packetKey(pipeline.parser().parseFlow("in_port=vx2,udp,nw_dst=192.168.42.1"));
        assertEquals(20, k.inPort(), "the tunnel device's datapath port");
        assertEquals(R3 & 0xffffffffL, k.get(Field.TUN_IPV4_SRC));
        assertEquals(42, k.get(Field.TUN_ID));
        assertTrue(k.hasAttr(KeyAttr.TUNNEL));
        assertEquals("12", pipeline.translate(k).actions().toString());
        FlowKey other = pipeline.packetKey(pipeline.parser().parseFlow("in_port=vxk,tun_id=7,udp"));
        assertEquals(7, other.get(Field.TUN_ID), "what the flow says wins");
        assertEquals("11,12", pipeline.translate(other).actions().toString());
    }

    /** An IPv6 underlay: the port is chosen by the IPv6 outer addresses, and output sets an IPv6 tunnel. */
    @Test
    void anIpv6UnderlaysPortIsChosenAndSetByItsIpv6Addresses() throws Exception {
        long pfx = 0xfd00002000000000L; // fd00:20::/64
        Tunnel v6 = new Tunnel("vxlan", 0, 0, 4789, 42, false, false, 0, 64, false, new Tunnel.Ipv6(pfx, 1, pfx, 2));
        Pipeline p6 = new Pipeline(PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("vx6", 10, 20, v6)), () -> 1_000, 300_000, 42);
        p6.loadRulesFile("in_port=vx6,actions=output:p1\nin_port=p1,actions=output:vx6\n");
        FlowKey k = Packets.on(20).eth(1, 2, 0x0800).ipv4("192.168.42.2", "192.168.42.1", 17, 64).key();
        k.set(Field.TUN_ID, 42);
        k.set(Field.TUN_IPV6_SRC_HI, pfx);
        k.set(Field.TUN_IPV6_SRC_LO, 2);
        k.set(Field.TUN_IPV6_DST_HI, pfx);
        k.set(Field.TUN_IPV6_DST_LO, 1);
        k.addAttr(KeyAttr.TUNNEL);
        Translation in = p6.translate(k);
        assertNull(in.error());
        assertEquals("11", in.actions().toString());
        assertEquals(-1L, in.mask().get(Field.TUN_IPV6_SRC_LO), "the IPv6 remote decided the port: matched exactly");
        assertEquals(0L, in.mask().get(Field.TUN_IPV4_SRC), "the IPv4 fields decide nothing here");
        k.set(Field.TUN_IPV6_SRC_LO, 3);
        assertTrue(p6.translate(k).actions().isDrop(), "another remote: no port");
        Translation out = p6.translate(Packets.on(11).eth(2, 1, 0x0800).ipv4("192.168.42.1", "192.168.42.2", 17, 64).key());
        assertEquals("set(tunnel(tun_id=0x2a,ipv6_src=fd00:20::1,ipv6_dst=fd00:20::2,ttl=64,tp_dst=4789,flags(key))),20",
            out.actions().toString());
    }

    /**
     * A device with IPv4 and IPv6 tunnel ports decides the family by the packet's IPv6 outer
     * destination, so its megaflows match that (and the IPv4 one) exactly; a device of one family
     * pins nothing of the other (MegaflowCorrectnessPropertyTest found the unpinned decision).
     */
    @Test
    void aMixedFamilyDevicePinsWhatDecidedTheFamily() throws Exception {
        long pfx = 0xfd00002000000000L;
        Tunnel v6 = new Tunnel("vxlan", 0, 0, 4789, 42, false, false, 0, 64, false, new Tunnel.Ipv6(pfx, 1, pfx, 2));
        Pipeline mixed = new Pipeline(PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("vx1", 10, 20, new Tunnel("vxlan", LOCAL, R2, 4789, 42)),
            new BridgePort("vx6", 11, 20, v6)), () -> 1_000, 300_000, 42);
        mixed.loadRulesFile("in_port=vx1,actions=output:p1\nin_port=vx6,actions=drop\n");
        Translation t = mixed.translate(fromTunnel(42, R2, LOCAL));
        assertEquals("11", t.actions().toString());
        assertEquals(-1L, t.mask().get(Field.TUN_IPV6_DST_HI), "the family was decided by the IPv6 destination (0): pinned");
        assertEquals(-1L, t.mask().get(Field.TUN_IPV6_DST_LO));
        Translation one = pipeline.translate(fromTunnel(42, R2, LOCAL));
        assertEquals(0L, one.mask().get(Field.TUN_IPV6_DST_HI), "an IPv4-only device decides nothing by IPv6 fields");
    }

    /**
     * What a revalidator does after any wide change (rules, ports): translate each flow again
     * from its megaflow's key, without learning. Under NORMAL the decap and the encap flows come
     * back the same — mask and actions — or the revalidator would evict them and their next
     * packets upcall again.
     */
    @Test
    void normalTunnelFlowsTranslateAgainFromTheirMegaflowToTheSameMegaflow() throws Exception {
        pipeline.loadRulesFile("priority=0,actions=normal\n");
        FlowKey out = Packets.on(11).eth(0x020000000002L, 0x020000000001L, 0x0800).ipv4("192.168.42.1", "192.168.42.2", 1, 64).key();
        pipeline.translate(out); // floods: .01 not learned yet
        Translation decap = pipeline.translate(fromTunnel(42, R2, LOCAL)); // learns .01 behind vx1
        Translation encap = pipeline.translate(out); // now unicast to vx1
        for (Translation t : new Translation[] {decap, encap}) {
            org.offloadbridge.flow.Megaflow m = t.megaflow();
            Translation again = pipeline.translate(m.key(), false);
            assertNull(again.error(), m.toString());
            assertEquals(m.mask(), again.mask(), "mask of " + m);
            assertEquals(m.actions(), again.actions(), "actions of " + m);
        }
    }

    /**
     * ECN across the tunnel (RFC 6040; OVS's tnl_port_send / tnl_port_receive; the kernel's VXLAN
     * device): on encap the outer ECN is the inner packet's whatever tos says, CE sent as ECT(0),
     * and the flow matches the inner ECN (a NIC builds an offloaded flow's outer header once); on
     * decap an outer CE marks an ECN-capable inner packet CE and drops one that is not — the outer
     * ECN matched always, the inner only when the outer is CE.
     */
    @Test
    void ecnCrossesTheTunnelAsRfc6040Says() throws Exception {
        pipeline.loadRulesFile("""
            in_port=p1,actions=output:vx2
            in_port=p2,actions=set_field:10.9.0.7->tun_dst,set_field:99->tun_id,output:vxf
            in_port=vx1,actions=output:p1
            """);
        String[] outerEcn = {"", "tos=0x1,", "tos=0x2,", "tos=0x2,"}; // not-ECT, ECT(1), ECT(0), CE -> ECT(0)
        for (int ecn = 0; ecn < 4; ecn++) {
            FlowKey k = Packets.on(11).eth(1, 2, 0x0800).ipv4("192.168.42.1", "192.168.42.2", 6, 64).key();
            k.set(Field.NW_TOS, 0xb8 | ecn); // DSCP EF
            Translation t = pipeline.translate(k);
            assertEquals("set(tunnel(tun_id=0x2a,src=10.9.0.1,dst=10.9.0.3," + outerEcn[ecn] + "ttl=64,tp_dst=4789,flags(key))),20",
                t.actions().toString(), "tos 0 fixed (vx2): the DSCP is the port's, the ECN the packet's; inner ECN " + ecn);
            assertEquals(0x03L, t.mask().get(Field.NW_TOS), "the inner ECN decides the outer one: matched, the DSCP not");
        }
        Translation inherit = pipeline.translate(fromP2(0xbb, 33)); // EF + CE
        assertTrue(inherit.actions().toString().contains("tos=0xba,"), "tos inherit (vxf): the DSCP copied, CE sent as ECT(0): " + inherit.actions());
        assertEquals(0xffL, inherit.mask().get(Field.NW_TOS));
        FlowKey arp = Packets.on(11).eth(1, 2, 0x0806).key();
        assertEquals(0L, pipeline.translate(arp).mask().get(Field.NW_TOS), "not IP: no ECN to carry");

        FlowKey ect0 = fromTunnel(42, R2, LOCAL);
        ect0.set(Field.NW_TOS, 0x02);
        Translation plain = pipeline.translate(ect0);
        assertEquals("11", plain.actions().toString(), "outer not CE: the inner packet as it came");
        assertEquals(0x03L, plain.mask().get(Field.TUN_TOS), "the outer ECN decided that: matched (the outer DSCP not)");
        assertEquals(0L, plain.mask().get(Field.NW_TOS), "the inner ToS decided nothing");

        FlowKey ce = fromTunnel(42, R2, LOCAL);
        ce.set(Field.TUN_TOS, 0x03);
        ce.set(Field.NW_TOS, 0x2a); // ECT(0)
        Translation marked = pipeline.translate(ce);
        assertNull(marked.error());
        assertEquals("set(ipv4(tos=0x3/0x3)),11", marked.actions().toString(), "outer CE, inner ECT(0): the inner packet marked CE");
        assertEquals(0x03L, marked.mask().get(Field.TUN_TOS));
        assertEquals(0x03L, marked.mask().get(Field.NW_TOS), "the inner ECN decided the mark: matched");

        ce.set(Field.NW_TOS, 0x28); // not-ECT
        Translation dropped = pipeline.translate(ce);
        assertNull(dropped.error(), "a drop flow like any other, so these packets do not upcall one by one");
        assertTrue(dropped.actions().isDrop(), "outer CE, inner not ECN-capable: dropped; got " + dropped.actions());
        assertEquals(0x03L, dropped.mask().get(Field.TUN_TOS));
        assertEquals(0x03L, dropped.mask().get(Field.NW_TOS));

        FlowKey ceArp = fromTunnel(42, R2, LOCAL);
        ceArp.set(Field.ETH_TYPE, 0x0806);
        ceArp.set(Field.TUN_TOS, 0x03);
        assertEquals("11", pipeline.translate(ceArp).actions().toString(), "outer CE over a frame that is not IP: nothing to mark");
    }
}
