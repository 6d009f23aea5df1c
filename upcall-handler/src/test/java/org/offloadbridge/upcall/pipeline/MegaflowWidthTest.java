package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;

/**
 * Megaflow masks for canonical rule sets are what a careful engineer expects: only what the
 * lookups consulted, with staged lookup and prefix tracking keeping them wide.
 */
class MegaflowWidthTest {
    static final PortTable PORTS = PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12), new BridgePort("p3", 3, 13));
    final Pipeline pipeline = new Pipeline(PORTS, () -> 0, 300_000, 0);

    static final Field[] L3_L4 = {Field.IPV4_SRC, Field.IPV4_DST, Field.NW_PROTO, Field.NW_TOS, Field.NW_TTL,
        Field.TP_SRC, Field.TP_DST, Field.TCP_FLAGS, Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, Field.IPV6_DST_HI, Field.IPV6_DST_LO};

    FlowKey tcp(String src, String dst, int sport, int dport) {
        return Packets.on(11).eth(0x020000000001L, 0x020000000002L, 0x0800).ipv4(src, dst, 6, 64).ports(sport, dport).key();
    }

    /** The mask's fields as text, for readable failures. */
    static String show(FlowMask m) {
        return m.toString();
    }

    @Test
    void anL2RuleSetNeverUnwildcardsIpFields() throws Exception {
        pipeline.loadRulesFile("""
                dl_dst=02:00:00:00:00:02,actions=output:p2
                dl_dst=02:00:00:00:00:03,actions=output:p3
                priority=0,actions=drop
                """);
        for (String dst : new String[] {"10.0.0.1", "192.168.7.7"}) {
            Translation t = pipeline.translate(tcp("10.1.1.1", dst, 999, 80));
            assertEquals(List.of(new Action.Output(12)), t.actions().toList());
            FlowMask m = t.mask();
            assertTrue(m.isExact(Field.ETH_DST), show(m));
            assertTrue(m.isWildcard(Field.ETH_SRC), show(m));
            for (Field f : L3_L4) {
                assertTrue(m.isWildcard(f), f + " must stay wildcarded: " + show(m));
            }
        }
        // The expected megaflow, whole: in_port, eth_type, recirc_id, VLAN tag presence and
        // TPID (an untagged packet's flow must not cover tagged ones), nw_frag (IP), eth_dst.
        FlowMask expect = new FlowMask();
        for (Field f : new Field[] {Field.IN_PORT, Field.RECIRC_ID, Field.ETH_TYPE, Field.VLAN0_CFI,
                Field.VLAN0_TPID, Field.NW_FRAG, Field.ETH_DST}) {
            expect.setExact(f);
        }
        assertEquals(expect, pipeline.translate(tcp("10.1.1.1", "1.2.3.4", 1, 2)).mask());
    }

    @Test
    void a24RouteTableUnwildcardsNoMoreThanTheRouteAndPrefixTrackingNarrowsMisses() throws Exception {
        StringBuilder rules = new StringBuilder();
        for (int x = 0; x < 256; x++) {
            rules.append("ip,nw_dst=10.0.").append(x).append(".0/24,actions=output:p").append(2 + (x & 1)).append('\n');
        }
        rules.append("priority=0,actions=drop\n");
        pipeline.loadRulesFile(rules.toString());

        Translation hit = pipeline.translate(tcp("172.16.0.1", "10.0.5.7", 1000, 22));
        assertEquals(List.of(new Action.Output(13)), hit.actions().toList());
        assertEquals(24, hit.mask().prefixLength(Field.IPV4_DST), show(hit.mask()));
        assertTrue(hit.mask().isWildcard(Field.IPV4_SRC));
        assertTrue(hit.mask().isWildcard(Field.TP_DST));
        assertTrue(hit.mask().isWildcard(Field.NW_PROTO));

        // 192.168.1.1 leaves the trie at the first bit (every route starts with 0): one bit
        // of nw_dst proves no /24 can match, so the drop megaflow covers 128.0.0.0/1.
        Translation far = pipeline.translate(tcp("172.16.0.1", "192.168.1.1", 1000, 22));
        assertTrue(far.actions().isDrop());
        assertEquals(1, far.mask().prefixLength(Field.IPV4_DST), show(far.mask()));
        // 10.1.0.1 shares 15 bits with 10.0.0.0/16 routes: 16 bits prove the miss.
        Translation near = pipeline.translate(tcp("172.16.0.1", "10.1.0.1", 1000, 22));
        assertEquals(16, near.mask().prefixLength(Field.IPV4_DST), show(near.mask()));

        // A more specific /32 at higher priority: a packet in its /24 but not the host pins
        // only the bits up to where it leaves the /32's path (29 for .7 vs .9), not all 32.
        pipeline.addRule("priority=40000,ip,nw_dst=10.0.5.9,actions=output:p1");
        Translation inSubnet = pipeline.translate(tcp("172.16.0.1", "10.0.5.7", 1000, 22));
        assertEquals(List.of(new Action.Output(13)), inSubnet.actions().toList());
        assertEquals(29, inSubnet.mask().prefixLength(Field.IPV4_DST), show(inSubnet.mask()));
        Translation host = pipeline.translate(Packets.on(12).eth(1, 2, 0x0800).ipv4("1.1.1.1", "10.0.5.9", 6, 64).key());
        assertEquals(List.of(new Action.Output(11)), host.actions().toList());
        assertEquals(32, host.mask().prefixLength(Field.IPV4_DST));
    }

    @Test
    void anAclOnTpDstPinsOnlyTheTransportFieldsItNeeds() throws Exception {
        pipeline.loadRulesFile("""
                priority=100,tcp,tp_dst=22,actions=drop
                priority=100,tcp,tp_dst=80,actions=output:p2
                priority=0,actions=output:p3
                """);
        Translation web = pipeline.translate(tcp("10.0.0.1", "10.0.0.2", 5555, 80));
        assertEquals(List.of(new Action.Output(12)), web.actions().toList());
        FlowMask m = web.mask();
        assertTrue(m.isExact(Field.TP_DST), show(m));
        assertTrue(m.isExact(Field.NW_PROTO), show(m));
        assertTrue(m.isWildcard(Field.TP_SRC), show(m));
        assertTrue(m.isWildcard(Field.IPV4_SRC), show(m));
        assertTrue(m.isWildcard(Field.IPV4_DST), show(m));
        assertTrue(m.isWildcard(Field.ETH_SRC), show(m));
        assertTrue(m.isWildcard(Field.ETH_DST), show(m));

        // Staged lookup: a UDP packet misses at the L3 stage (nw_proto), so its megaflow does
        // not pin UDP ports at all.
        FlowKey udp = Packets.on(11).eth(1, 2, 0x0800).ipv4("10.0.0.1", "10.0.0.2", 17, 64).ports(5555, 80).key();
        Translation u = pipeline.translate(udp);
        assertEquals(List.of(new Action.Output(13)), u.actions().toList());
        assertTrue(u.mask().isExact(Field.NW_PROTO), show(u.mask()));
        assertTrue(u.mask().isWildcard(Field.TP_DST), show(u.mask()));
        assertTrue(u.mask().isWildcard(Field.TP_SRC), show(u.mask()));

        // An ARP packet misses at L2 (eth_type): nothing beyond the always-exact fields.
        FlowKey arp = Packets.on(11).eth(1, 2, 0x0806).key();
        FlowMask am = pipeline.translate(arp).mask();
        FlowMask expect = new FlowMask();
        expect.setExact(Field.IN_PORT);
        expect.setExact(Field.RECIRC_ID);
        expect.setExact(Field.ETH_TYPE);
        expect.setExact(Field.VLAN0_CFI);
        expect.setExact(Field.VLAN0_TPID);
        assertEquals(expect, am);
    }

    @Test
    void ipv6PrefixesAreTrackedToo() throws Exception {
        pipeline.loadRulesFile("""
                ipv6,ipv6_dst=2001:db8:1::/48,actions=output:p2
                ipv6,ipv6_dst=2001:db8:2::/48,actions=output:p3
                """);
        FlowKey in = Packets.on(11).eth(1, 2, 0x86dd).ipv6(0x20010db8_00090000L, 1, 0x20010db8_00020000L, 5, 6).key();
        Translation t = pipeline.translate(in);
        assertEquals(List.of(new Action.Output(13)), t.actions().toList());
        assertEquals(48, t.mask().prefixLength128(Field.IPV6_DST_HI, Field.IPV6_DST_LO));
        assertTrue(t.mask().isWildcard(Field.IPV6_SRC_HI));
        FlowKey out = Packets.on(11).eth(1, 2, 0x86dd).ipv6(0, 1, 0xfe80000000000000L, 5, 6).key();
        Translation miss = pipeline.translate(out);
        assertTrue(miss.actions().isDrop());
        assertEquals(1, miss.mask().prefixLength128(Field.IPV6_DST_HI, Field.IPV6_DST_LO), show(miss.mask()));
    }

    @Test
    void normalPinsL2AndInPortButNoIp() throws Exception {
        pipeline.loadRulesFile("actions=normal");
        Translation t = pipeline.translate(tcp("10.0.0.1", "10.0.0.2", 1, 2));
        FlowMask m = t.mask();
        assertTrue(m.isExact(Field.ETH_SRC) && m.isExact(Field.ETH_DST) && m.isExact(Field.IN_PORT), show(m));
        // Untagged: the tag's absence is pinned, its (absent) VID is not (as OVS).
        assertTrue(m.isExact(Field.VLAN0_CFI) && m.isWildcard(Field.VLAN0_VID), show(m));
        for (Field f : L3_L4) {
            assertTrue(m.isWildcard(f), f + ": " + show(m));
        }
        // Tagged: the learning VLAN is the tag's VID, so it is pinned.
        FlowKey tagged = Packets.on(11).eth(0x020000000001L, 0x020000000002L, 0x0800).vlan(10, 0).ipv4("10.0.0.1", "10.0.0.2", 6, 64).key();
        FlowMask tm = pipeline.translate(tagged).mask();
        assertTrue(tm.isExact(Field.VLAN0_VID) && tm.isWildcard(Field.VLAN0_PCP), show(tm));
    }

    @Test
    void lookupsOnFieldsARuleSetToAConstantPinNothing() throws Exception {
        pipeline.loadRulesFile("""
                table=0,ip,actions=mod_nw_dst:10.0.7.1,set_tunnel:5,resubmit(,1)
                table=1,ip,nw_dst=10.0.7.0/24,tun_id=5,actions=output:p2
                table=1,ip,nw_dst=10.0.8.0/24,actions=output:p3
                """);
        Translation t = pipeline.translate(tcp("1.1.1.1", "192.168.0.1", 1, 2));
        assertEquals(2, t.actions().size(), t.actions().toString());
        assertTrue(t.mask().isWildcard(Field.IPV4_DST), "nw_dst was 10.0.7.1 for every packet by then: " + show(t.mask()));
        assertTrue(t.mask().isWildcard(Field.TUN_ID), show(t.mask()));
    }

    FlowKey udp(int sport, int dport) {
        return Packets.on(11).eth(0x020000000001L, 0x020000000002L, 0x0800).ipv4("10.0.0.1", "10.0.0.2", 17, 64).ports(sport, dport).key();
    }

    /**
     * Issue #11: a port ACL's miss pins only the port bits that prove it (OVS's ports trie):
     * 20000 and 65000 differ in the first bit, so one megaflow {@code src=20000/0x8000} serves
     * every source port 0..32767, where an exact port made one megaflow per port.
     */
    @Test
    void aPortAclMissPinsOnlyThePortBitsThatProveIt() throws Exception {
        pipeline.loadRulesFile("""
                priority=10,udp,actions=normal
                priority=20,udp,tp_src=65000,actions=drop
                """);
        Translation t = pipeline.translate(udp(20000, 53));
        assertEquals(0x8000, t.mask().get(Field.TP_SRC), show(t.mask()));
        assertTrue(t.mask().isWildcard(Field.TP_DST), show(t.mask()));
        assertTrue(t.mask().isExact(Field.NW_PROTO), show(t.mask()));
        java.util.Set<FlowMask> masks = new java.util.HashSet<>();
        java.util.Set<FlowKey> megaflows = new java.util.HashSet<>();
        for (int sport = 20000; sport < 22000; sport++) {
            Translation x = pipeline.translate(udp(sport, 53));
            masks.add(x.mask());
            megaflows.add(x.key());
            assertEquals(t.actions(), x.actions());
        }
        assertEquals(1, megaflows.size(), "one megaflow for source ports 20000..21999");
        assertEquals(1, masks.size());
        // The rule's own port still pins the port exactly (it decided a hit).
        Translation hit = pipeline.translate(udp(65000, 53));
        assertTrue(hit.actions().isDrop());
        assertTrue(hit.mask().isExact(Field.TP_SRC), show(hit.mask()));
        // A port sharing 8 leading bits with 65000 (0xfde8): 0xfd00 pins the first 9+ bits.
        Translation near = pipeline.translate(udp(0xfd00, 53));
        assertEquals(FlowMask.prefixBits(16, 9), near.mask().get(Field.TP_SRC), show(near.mask()));
    }

    /** {@code tcp,tp_dst=80} and a packet to 443: 80 and 443 differ at bit 8, so {@code dst=443/0xff00}. */
    @Test
    void aTpDstRuleMissPinsAPrefixOfTheDestinationPort() throws Exception {
        pipeline.loadRulesFile("""
                priority=100,tcp,tp_dst=80,actions=output:p2
                priority=0,actions=output:p3
                """);
        Translation t = pipeline.translate(tcp("10.0.0.1", "10.0.0.2", 5555, 443));
        assertEquals(List.of(new Action.Output(13)), t.actions().toList());
        assertEquals(0xff00, t.mask().get(Field.TP_DST), show(t.mask()));
        assertTrue(t.mask().isWildcard(Field.TP_SRC), show(t.mask()));
        Translation web = pipeline.translate(tcp("10.0.0.1", "10.0.0.2", 5555, 80));
        assertTrue(web.mask().isExact(Field.TP_DST));
    }

    /** After a resubmit the same holds: 8080 (0x1f90) leaves 80's path at bit 4, so {@code /0xf000}. */
    @Test
    void aPortMissAfterResubmitPinsAPrefixToo() throws Exception {
        pipeline.loadRulesFile("""
                table=0,ip,actions=resubmit(,1)
                table=1,priority=100,tcp,tp_dst=80,actions=output:p2
                table=1,priority=0,actions=output:p3
                """);
        Translation t = pipeline.translate(tcp("10.0.0.1", "10.0.0.2", 5555, 8080));
        assertEquals(List.of(new Action.Output(13)), t.actions().toList());
        assertEquals(0xf000, t.mask().get(Field.TP_DST), show(t.mask()));
        assertTrue(t.mask().isWildcard(Field.TP_SRC), show(t.mask()));
    }

    /** Both ports in one rule form one 32-bit word: a source mismatch pins no destination bit. */
    @Test
    void bothPortsFormOneWordSourceFirst() throws Exception {
        pipeline.loadRulesFile("""
                priority=100,tcp,tp_src=1000,tp_dst=80,actions=output:p2
                priority=0,actions=output:p3
                """);
        Translation srcOff = pipeline.translate(tcp("10.0.0.1", "10.0.0.2", 0x8000, 80));
        assertEquals(0x8000, srcOff.mask().get(Field.TP_SRC), show(srcOff.mask()));
        assertTrue(srcOff.mask().isWildcard(Field.TP_DST), show(srcOff.mask()));
        Translation dstOff = pipeline.translate(tcp("10.0.0.1", "10.0.0.2", 1000, 0x8000));
        assertTrue(dstOff.mask().isExact(Field.TP_SRC), show(dstOff.mask()));
        assertEquals(0x8000, dstOff.mask().get(Field.TP_DST), show(dstOff.mask()));
    }

    /** ICMP type and code share the trick (OVS keeps them in tp_src/tp_dst): type 0 vs 8 pins 0xf8. */
    @Test
    void anIcmpTypeMissPinsAPrefixOfTheType() throws Exception {
        pipeline.loadRulesFile("""
                priority=100,icmp,icmp_type=8,actions=drop
                priority=0,actions=output:p3
                """);
        FlowKey reply = Packets.on(11).eth(1, 2, 0x0800).ipv4("10.0.0.1", "10.0.0.2", 1, 64).set(Field.ICMP_TYPE, 0).key();
        Translation t = pipeline.translate(reply);
        assertEquals(List.of(new Action.Output(13)), t.actions().toList());
        assertEquals(0xf8, t.mask().get(Field.ICMP_TYPE), show(t.mask()));
        assertTrue(t.mask().isWildcard(Field.ICMP_CODE), show(t.mask()));
    }

    /** A miss caused by another L4 field (tcp_flags) with matching ports pins the whole mask. */
    @Test
    void aMissOnTcpFlagsWithMatchingPortsPinsTheWholeMask() throws Exception {
        pipeline.loadRulesFile("""
                priority=100,tcp,tp_dst=80,tcp_flags=+syn,actions=drop
                priority=0,actions=output:p3
                """);
        FlowKey ack = Packets.on(11).eth(1, 2, 0x0800).ipv4("10.0.0.1", "10.0.0.2", 6, 64).ports(1, 80).set(Field.TCP_FLAGS, 0x10).key();
        Translation t = pipeline.translate(ack);
        assertEquals(List.of(new Action.Output(13)), t.actions().toList());
        assertTrue(t.mask().isExact(Field.TP_DST), show(t.mask()));
        assertEquals(0x02, t.mask().get(Field.TCP_FLAGS), show(t.mask()));
        // Ports off the rule's: the ports alone prove it, tcp_flags stays wildcarded.
        FlowKey other = Packets.on(11).eth(1, 2, 0x0800).ipv4("10.0.0.1", "10.0.0.2", 6, 64).ports(1, 443).set(Field.TCP_FLAGS, 0x10).key();
        Translation o = pipeline.translate(other);
        assertEquals(0xff00, o.mask().get(Field.TP_DST), show(o.mask()));
        assertTrue(o.mask().isWildcard(Field.TCP_FLAGS), show(o.mask()));
    }
}
