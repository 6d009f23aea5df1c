package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Tunnel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.KeyAttr;

/** What translations do: actions, ports, multi-table, sets, VLANs, tunnels, limits, atomic loads. */
class TranslationTest {
    static final long MAC1 = 0x020000000001L;
    static final long MAC2 = 0x020000000002L;
    static final PortTable PORTS = PortTable.of(
            new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12), new BridgePort("p3", 3, 13),
            new BridgePort("vx0", 10, 20, new Tunnel("vxlan", (int) Packets.ip("192.168.0.1"), (int) Packets.ip("192.168.0.2"), 4789, 7)));

    final long[] now = {1_000};
    final Pipeline pipeline = new Pipeline(PORTS, () -> now[0], 300_000, 42);

    void load(String rules) throws RuleSyntaxException {
        pipeline.loadRulesFile(rules);
    }

    FlowKey tcp(int inDp, String src, String dst, int dport) {
        return Packets.on(inDp).eth(MAC1, MAC2, 0x0800).ipv4(src, dst, 6, 64).ports(1234, dport).key();
    }

    List<Action> actions(Translation t) {
        return t.actions().toList();
    }

    @Test
    void outputUsesDatapathPortNumbersAndSkipsInPort() throws Exception {
        load("actions=output:p1,output:p2,p3");
        Translation t = pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80));
        assertEquals(List.of(new Action.Output(12), new Action.Output(13)), actions(t), "output to in_port p1 is skipped");
        assertNull(t.error());
        assertEquals(1, t.rulesHit().size());
    }

    @Test
    void inPortActionAndFloodExcludingInPort() throws Exception {
        load("in_port=p1,actions=in_port\nin_port=p2,actions=flood");
        assertEquals(List.of(new Action.Output(11)), actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80))));
        List<Action> flood = actions(pipeline.translate(tcp(12, "1.1.1.1", "2.2.2.2", 80)));
        assertTrue(flood.contains(new Action.Output(11)));
        assertTrue(flood.contains(new Action.Output(13)));
        assertTrue(flood.contains(new Action.Output(20)));
        assertFalse(flood.contains(new Action.Output(12)));
    }

    @Test
    void missAndUnknownInPortDrop() throws Exception {
        load("in_port=p1,actions=output:p2");
        assertTrue(pipeline.translate(tcp(12, "1.1.1.1", "2.2.2.2", 80)).actions().isDrop());
        Translation t = pipeline.translate(tcp(99, "1.1.1.1", "2.2.2.2", 80));
        assertTrue(t.actions().isDrop());
        assertNotNull(t.error());
        assertTrue(t.error().contains("99"), t.error());
    }

    @Test
    void resubmitAndGotoSeeModifiedFields() throws Exception {
        load("""
             table=0,ip,actions=mod_nw_dst:10.9.9.9,resubmit(,1),goto_table:2
             table=1,ip,nw_dst=10.9.9.9,actions=output:p2
             table=2,ip,nw_dst=10.9.9.9,actions=output:p3
             """);
        Translation t = pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80));
        List<Action> a = actions(t);
        assertEquals(3, a.size(), a.toString());
        Action.SetField set = (Action.SetField) a.get(0);
        assertEquals(KeyAttr.IPV4, set.attr());
        assertTrue(set.masked());
        assertEquals(List.of(new Action.FieldValue(Field.IPV4_DST, Packets.ip("10.9.9.9"), 0xffffffffL)), set.fields());
        assertEquals(new Action.Output(12), a.get(1));
        assertEquals(new Action.Output(13), a.get(2));
        assertEquals(3, t.rulesHit().size());
    }

    @Test
    void resubmitWithPortLooksUpAsThatPortThenRestoresIt() throws Exception {
        load("""
             table=0,in_port=p1,actions=resubmit(p2,1),in_port
             table=1,in_port=p2,actions=output:p3
             """);
        assertEquals(List.of(new Action.Output(13), new Action.Output(11)), actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80))));
    }

    @Test
    void resubmitLoopHitsTheDepthLimitAndDrops() throws Exception {
        load("actions=output:p2,resubmit(,0)");
        Translation t = pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80));
        assertTrue(t.actions().isDrop());
        assertTrue(t.error().contains("nested"), t.error());
    }

    @Test
    void vlanActions() throws Exception {
        load("""
             in_port=p1,actions=mod_vlan_vid:10,output:p2
             in_port=p2,actions=strip_vlan,output:p1
             in_port=p3,actions=push_vlan:0x88a8,mod_vlan_vid:100,output:p1
             """);
        assertEquals(List.of(new Action.PushVlan(0x8100, 10, 0), new Action.Output(12)),
                actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80))));
        FlowKey tagged = Packets.on(11).eth(MAC1, MAC2, 0x0800).vlan(5, 3).ipv4("1.1.1.1", "2.2.2.2", 6, 64).key();
        assertEquals(List.of(new Action.PopVlan(), new Action.PushVlan(0x8100, 10, 3), new Action.Output(12)),
                actions(pipeline.translate(tagged)), "mod_vlan_vid on a tagged packet rewrites the VID, keeps the PCP");
        FlowKey fromP2 = Packets.on(12).eth(MAC1, MAC2, 0x0800).vlan(5, 0).key();
        assertEquals(List.of(new Action.PopVlan(), new Action.Output(11)), actions(pipeline.translate(fromP2)));
        FlowKey qinq = Packets.on(13).eth(MAC1, MAC2, 0x0800).vlan(5, 0).key();
        assertEquals(List.of(new Action.PushVlan(0x88a8, 100, 0), new Action.Output(11)), actions(pipeline.translate(qinq)));
    }

    @Test
    void decTtlSetsTtlAndDropsAtOne() throws Exception {
        load("ip,actions=dec_ttl,output:p2");
        Translation t = pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80));
        Action.SetField s = (Action.SetField) actions(t).get(0);
        assertEquals(new Action.FieldValue(Field.NW_TTL, 63, 0xff), s.fields().get(0));
        assertTrue(t.mask().isExact(Field.NW_TTL));
        FlowKey ttl1 = Packets.on(11).eth(MAC1, MAC2, 0x0800).ipv4("1.1.1.1", "2.2.2.2", 6, 1).key();
        assertTrue(pipeline.translate(ttl1).actions().isDrop());
    }

    @Test
    void tunnelOutputCarriesEncapMetadata() throws Exception {
        load("in_port=p1,actions=set_tunnel:0x64,output:vx0\nin_port=p2,actions=output:vx0");
        List<Action> a = actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80)));
        assertEquals(2, a.size());
        Action.SetField tun = (Action.SetField) a.get(0);
        assertEquals(KeyAttr.TUNNEL, tun.attr());
        assertTrue(tun.fields().contains(new Action.FieldValue(Field.TUN_ID, 0x64, -1L)));
        assertTrue(tun.fields().contains(new Action.FieldValue(Field.TUN_IPV4_DST, Packets.ip("192.168.0.2"), 0xffffffffL)));
        assertTrue(tun.fields().contains(new Action.FieldValue(Field.TUN_TP_DST, 4789, 0xffff)));
        assertEquals(new Action.Output(20), a.get(1));
        Action.SetField dflt = (Action.SetField) actions(pipeline.translate(tcp(12, "1.1.1.1", "2.2.2.2", 80))).get(0);
        assertTrue(dflt.fields().contains(new Action.FieldValue(Field.TUN_ID, 7, -1L)), "the port's own key when no set_tunnel ran");
    }

    @Test
    void controllerIsUserspaceAndNeverOffloaded() throws Exception {
        load("tcp,tp_dst=80,offload=required,actions=controller");
        Translation t = pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80));
        assertTrue(t.needsUserspace());
        Action.Userspace u = (Action.Userspace) actions(t).get(0);
        assertEquals(42, u.pid());
        assertEquals(OffloadPreference.NEVER, t.offload());
    }

    @Test
    void offloadPreferenceIsTheMostRestrictiveOfTheRulesHit() throws Exception {
        load("""
             table=0,offload=required,actions=resubmit(,1),resubmit(,2)
             table=1,actions=output:p2
             table=2,tcp,offload=never,actions=output:p3
             table=2,udp,actions=output:p3
             """);
        assertEquals(OffloadPreference.NEVER, pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80)).offload());
        FlowKey udp = Packets.on(11).eth(MAC1, MAC2, 0x0800).ipv4("1.1.1.1", "2.2.2.2", 17, 64).key();
        assertEquals(OffloadPreference.REQUIRED, pipeline.translate(udp).offload());
        load("actions=output:p2");
        assertEquals(OffloadPreference.PREFERRED, pipeline.translate(udp).offload());
    }

    @Test
    void tpSetsGoUnderTheTransportAttribute() throws Exception {
        load("tcp,actions=mod_tp_dst:8080,mod_dl_src:02:00:00:00:00:09,output:p2");
        List<Action> a = actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80)));
        assertEquals(KeyAttr.ETHERNET, ((Action.SetField) a.get(0)).attr());
        assertEquals(KeyAttr.TCP, ((Action.SetField) a.get(1)).attr());
        assertEquals(new Action.FieldValue(Field.TP_DST, 8080, 0xffff), ((Action.SetField) a.get(1)).fields().get(0));
    }

    @Test
    void aBadRulesFileLosesNothingAlreadyLoaded() throws Exception {
        load("in_port=p1,actions=output:p2");
        long seq = pipeline.seq();
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class,
                () -> pipeline.loadRulesFile("in_port=p1,actions=output:p3\nin_port=p9,actions=drop\n"));
        assertEquals(2, e.line());
        assertEquals(9, e.column());
        assertEquals(seq, pipeline.seq(), "a rejected load changes nothing");
        assertEquals(1, pipeline.rules().size());
        assertEquals(List.of(new Action.Output(12)), actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80))));
        assertThrows(RuleSyntaxException.class, () -> pipeline.addRule("tcp,tp_dst=80,foo=1,actions=drop"));
        assertEquals(1, pipeline.rules().size());
    }

    @Test
    void everyChangeBumpsTheSequenceNumber() throws Exception {
        long s0 = pipeline.seq();
        load("actions=normal");
        long s1 = pipeline.seq();
        assertTrue(s1 > s0);
        pipeline.addRule("priority=1,actions=drop");
        long s2 = pipeline.seq();
        assertTrue(s2 > s1);
        assertEquals(1, pipeline.deleteRules(r -> r.priority() == 1));
        long s3 = pipeline.seq();
        assertTrue(s3 > s2);
        pipeline.setPorts(PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12)));
        long s4 = pipeline.seq();
        assertTrue(s4 > s3);
        Translation t = pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80)); // learns MAC1 on p1
        assertEquals(s4, t.seq());
        long s5 = pipeline.seq();
        assertTrue(s5 > s4, "learning a new MAC bumps");
        pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80));
        assertEquals(s5, pipeline.seq(), "refreshing a MAC does not");
        FlowKey moved = Packets.on(12).eth(MAC1, MAC2, 0x0800).key();
        pipeline.translate(moved, false);
        assertEquals(s5, pipeline.seq(), "revalidation (mayLearn=false) learns nothing");
        pipeline.translate(moved);
        assertTrue(pipeline.seq() > s5, "a MAC moving to another port bumps");
    }

    @Test
    void addRuleReplacesSameMatchAndPriority() throws Exception {
        pipeline.addRule("tcp,tp_dst=80,actions=output:p2");
        pipeline.addRule("tcp,tp_dst=80,actions=output:p3");
        assertEquals(1, pipeline.rules().size());
        assertEquals(List.of(new Action.Output(13)), actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80))));
    }

    @Test
    void incrementalAddAndDeleteKeepOtherTablesWorking() throws Exception {
        load("""
             table=0,priority=10,ip,actions=resubmit(,1)
             table=0,priority=20,tcp,tp_dst=22,actions=drop
             table=1,ip,nw_dst=2.2.2.0/24,actions=output:p2
             """);
        assertTrue(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 22)).actions().isDrop());
        pipeline.addRule("table=1,priority=40000,ip,nw_dst=2.2.2.2,actions=output:p3");
        assertEquals(List.of(new Action.Output(13)), actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 80))));
        assertEquals(1, pipeline.deleteRules(r -> r.table() == 0 && r.priority() == 20));
        assertEquals(List.of(new Action.Output(13)), actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.2", 22))));
        assertEquals(List.of(new Action.Output(12)), actions(pipeline.translate(tcp(11, "1.1.1.1", "2.2.2.9", 22))));
        assertEquals(3, pipeline.rules().size());
    }
}
