package org.offloadbridge.revalidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.offloadbridge.upcall.pipeline.MacLearningTable;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.LayerCounters;
import org.offloadbridge.upcall.handler.LayerCounters.Op;
import org.offloadbridge.upcall.handler.LayerTotals;
import org.offloadbridge.upcall.handler.Layers;
import org.offloadbridge.upcall.handler.Rig;
import org.offloadbridge.upcall.handler.TestPipelines;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.pipeline.Translation;

/** Revalidators driven by hand on one thread with a fake clock, against fake layers. */
class RevalidatorTest {
    static final long MAX_IDLE = 10_000;

    Rig rig = new Rig();
    Revalidators revs = revalidators(1);

    Revalidators revalidators(int n) {
        return new Revalidators(new DatapathConfig().hwOffload(rig.policy.current().hwOffload()).revalidatorThreads(n)
            .handlerThreads(1).maxIdleMillis(MAX_IDLE).maxRevalidatorMillis(500), rig.ukeys, rig.pipeline, rig.layers,
            rig.ports, rig.policy, rig.flowLimit, rig.clock);
    }

    void use(Rig r, int n) {
        rig = r;
        revs = revalidators(n);
    }

    /** One whole round: time passes by {@code millis}, the leader dumps, every revalidator does its part. */
    void round(long millis) {
        long before = revs.counters().rounds();
        rig.clock.advance(millis);
        for (int i = 0; i < 3 && revs.counters().rounds() == before; i++) {
            for (Revalidator r : revs.agents()) {
                r.doWork();
            }
        }
        assertEquals(before + 1, revs.counters().rounds(), "a round ran");
    }

    void doWorkAll() {
        for (Revalidator r : revs.agents()) {
            r.doWork();
        }
    }

    /** The flow named {@code n}: distinct megaflows for distinct {@code n} ({@link TestPipelines#distinct}). */
    static FlowKey flow(int n) {
        return TestPipelines.distinct(n);
    }

    // ---- idle expiry ----

    @Test
    void anIdleFlowExpiresAfterMaxIdleAndATrafficOneStays() {
        use(new Rig(false, TcPolicy.NONE, 200_000), 1);
        Ukey idle = rig.send(flow(53));
        Ukey busy = rig.send(flow(54));
        assertEquals(FlowLayer.DPDK, idle.layer());
        round(0);
        round(5_000);
        rig.dpdk.hit(busy.ufid(), 1, 100, rig.clock.millis());
        round(4_500);
        assertTrue(rig.dpdk.holds(idle.ufid()), "9.5 s idle: not yet");
        rig.dpdk.hit(busy.ufid(), 1, 100, rig.clock.millis());
        round(500);
        assertFalse(rig.dpdk.holds(idle.ufid()), "10 s idle: expired");
        assertNull(rig.ukeys.get(idle.ufid()));
        assertTrue(rig.dpdk.holds(busy.ufid()));
        assertEquals(1, revs.counters().idleExpired());
    }

    /**
     * Idle flows go in batches of {@link Revalidator#IDLE_BATCH} through deleteIdle (tc: no echo
     * per deleted filter), and keep the counters the round's dump read: a delete that reads none
     * takes nothing from them.
     */
    @Test
    void idleFlowsAreDeletedInBatchesAndKeepTheirDumpedCounters() {
        rig.tc.hardware(false);
        List<Ukey> us = new java.util.ArrayList<>();
        for (int i = 0; i < 120; i++) {
            us.add(rig.send(flow(100 + i)));
            assertEquals(FlowLayer.TC_SW, us.get(i).layer());
        }
        round(0);
        for (Ukey u : us) {
            rig.tc.hit(u.ufid(), 3, 300, rig.clock.millis());
        }
        round(1_000);
        long before = us.get(7).stats().packets();
        assertTrue(before >= 3, "the dump's counters: " + us.get(7).stats());
        round(MAX_IDLE);
        for (Ukey u : us) {
            assertFalse(rig.tc.holds(u.ufid()));
            assertNull(rig.ukeys.get(u.ufid()));
        }
        assertEquals(120, revs.counters().idleExpired());
        assertEquals(before, us.get(7).stats().packets(), "the dumped counters stand");
        List<String> batches = rig.tc.log().stream().filter(l -> l.startsWith("deleteIdle")).toList();
        assertEquals(List.of("deleteIdle 50", "deleteIdle 50", "deleteIdle 20"), batches);
    }

    @Test
    void hardwareCountersThatLagDoNotExpireALiveFlow() {
        Ukey hw = rig.send(flow(53));
        rig.tc.hardware(false);
        Ukey sw = rig.send(flow(54));
        assertEquals(FlowLayer.TC_HW, hw.layer());
        assertEquals(FlowLayer.TC_SW, sw.layer());
        round(0);
        long t0 = rig.clock.millis();
        rig.tc.hit(hw.ufid(), 10, 100, t0 + 1_000);
        rig.tc.hit(sw.ufid(), 10, 100, t0 + 1_000);
        round(1_500);
        // traffic goes on, but the driver has not refreshed either flow's counters for 10.1 s
        round(10_100);
        assertTrue(rig.tc.holds(hw.ufid()), "in hardware: flat counters within the grace are not idleness");
        assertFalse(rig.tc.holds(sw.ufid()), "in software counters are exact: 10 s flat is idle");
        rig.tc.hit(hw.ufid(), 500, 100, rig.clock.millis());     // the driver catches up
        round(500);
        assertEquals(510, rig.ukeys.get(hw.ufid()).stats().packets());
        round(MAX_IDLE);
        assertTrue(rig.tc.holds(hw.ufid()), "max-idle after the last growth: still within the grace");
        round(2_000);
        assertFalse(rig.tc.holds(hw.ufid()), "max-idle + grace without growth: idle");
        assertEquals(2, revs.counters().idleExpired());
    }

    // ---- re-translation ----

    @Test
    void retranslationKeepsWhatIsUnchanged() {
        Ukey u = rig.send(flow(53));
        round(0);
        TestPipelines.load(rig.pipeline, Rig.RULES);
        assertTrue(u.seq() < rig.pipeline.seq());
        round(500);
        assertEquals(1, revs.counters().kept());
        assertEquals(rig.pipeline.seq(), u.seq());
        assertEquals(List.of("put " + u.ufid() + " tc-hw"), rig.tc.log(), "nothing sent to the layer");
    }

    /**
     * NORMAL flows after MAC learning: a new host elsewhere changes no flow (current again,
     * nothing re-translated, nothing sent to a layer), while the flows to the host that was
     * learned — they flooded — are re-translated to a unicast output in the next round; a rule
     * change still re-translates every flow.
     */
    @Test
    void macLearningReTranslatesOnlyTheFlowsThatLookedTheAddressUp() {
        TestPipelines.load(rig.pipeline, "priority=0,actions=normal\n");
        // MAC1 → MAC2 from p1 (MAC2 unknown: flood), and MAC1 → MAC3 from p1 (flood)
        Ukey toMac2 = rig.send(TestPipelines.udp(1, 1, 2, 53));
        FlowKey k3 = TestPipelines.udp(1, 1, 3, 53);
        k3.set(Field.ETH_DST, 0x020000000003L);
        Ukey toMac3 = rig.send(k3);
        assertEquals(7, toMac2.megaflow().actions().size(), "MAC2 unknown: flooded to p2..p8");
        assertEquals(List.of(MacLearningTable.key(0, TestPipelines.MAC2)), java.util.Arrays.stream(toMac2.macLookups()).boxed().toList());
        round(0);
        assertEquals(1, revs.counters().untouched(), "the first flow's own learning of MAC1 changed nothing it looked up");
        List<String> layerLog = List.copyOf(rig.tc.log());

        // 50 hosts appear on p5: every flow is older than the pipeline now, none looked them up
        for (int i = 0; i < 50; i++) {
            FlowKey k = TestPipelines.udp(5, 50 + i, 1, 53);
            k.set(Field.ETH_SRC, 0x020000500000L + i);
            k.set(Field.ETH_DST, TestPipelines.MAC1);
            rig.pipeline.translate(k, true);
        }
        assertTrue(toMac2.seq() < rig.pipeline.seq() && toMac3.seq() < rig.pipeline.seq());
        round(500);
        assertEquals(3, revs.counters().untouched(), "both flows current without a re-translation");
        assertEquals(0, revs.counters().kept() + revs.counters().modified(), "nothing re-translated");
        assertEquals(rig.pipeline.seq(), toMac2.seq());
        assertEquals(layerLog, rig.tc.log(), "nothing sent to the layer");

        // MAC2 shows up on p2: only the flow to MAC2 changes, to output:2
        FlowKey fromMac2 = TestPipelines.udp(2, 2, 1, 1001);
        fromMac2.set(Field.ETH_SRC, TestPipelines.MAC2);
        fromMac2.set(Field.ETH_DST, TestPipelines.MAC1);
        rig.pipeline.translate(fromMac2, true);
        round(500);
        assertEquals(1, revs.counters().modified(), "the flow to MAC2 re-translated and modified");
        assertEquals(TestPipelines.output(2), toMac2.megaflow().actions());
        assertEquals(TestPipelines.output(2), rig.tc.megaflowOf(toMac2.ufid()).actions(), "and in its layer");
        assertEquals(4, revs.counters().untouched(), "the flow to MAC3 untouched again");
        assertEquals(7, toMac3.megaflow().actions().size());

        // a rule change touches every flow
        TestPipelines.load(rig.pipeline, "priority=0,actions=normal\n");
        round(500);
        assertEquals(2, revs.counters().kept(), "a rule reload re-translates both");
        assertEquals(4, revs.counters().untouched());
    }

    @Test
    void retranslationModifiesNewActionsInPlaceKeepingCounters() {
        Ukey u = rig.send(flow(53));
        round(0);
        rig.tc.hit(u.ufid(), 5, 100, rig.clock.millis());
        round(500);
        TestPipelines.load(rig.pipeline, Rig.RULES.replace("priority=1,actions=output:p2", "priority=1,actions=output:p5"));
        round(500);
        assertEquals(1, revs.counters().modified());
        assertEquals(List.of(new org.offloadbridge.flow.Action.Output(5)), rig.tc.megaflowOf(u.ufid()).actions().toList());
        assertEquals(TestPipelines.output(5), u.megaflow().actions());
        assertEquals("modify " + u.ufid() + " tc-hw", rig.tc.log().get(1));
        assertEquals(5, u.stats().packets(), "counters kept across the modify");
        round(500);
        assertEquals(5, u.stats().packets());
    }

    /**
     * New rules that consult fewer fields (the tp_dst=99 rule gone): the installed flow, which
     * pins tp_dst, still matches only packets that translate alike — modified in place with the
     * new actions, as OVS does, not deleted for its next packet to upcall again.
     */
    @Test
    void retranslationKeepsAFlowThatPinsMoreThanTheNewRulesNeed() {
        Ukey u = rig.send(flow(53));
        Ufid id = u.ufid();
        round(0);
        TestPipelines.load(rig.pipeline, Rig.RULES.replace("priority=10,udp,tp_dst=99,actions=output:p3\n", "")
            .replace("priority=1,actions=output:p2", "priority=1,actions=output:p5"));
        Translation t = rig.pipeline.translate(flow(53), false);
        assertTrue(t.mask().isSubsetOf(u.megaflow().mask()) && !t.mask().equals(u.megaflow().mask()),
            "the new rules need fewer fields: " + t.mask() + " vs " + u.megaflow().mask());
        round(500);
        assertEquals(0, revs.counters().retranslateDeleted());
        assertEquals(1, revs.counters().modified());
        assertTrue(u == rig.ukeys.get(id), "the same ukey");
        assertTrue(rig.tc.holds(id));
        assertEquals(TestPipelines.output(5), u.megaflow().actions());
        assertEquals(List.of(new org.offloadbridge.flow.Action.Output(5)), rig.tc.megaflowOf(id).actions().toList());
        round(500);
        assertEquals(1, revs.counters().modified(), "current now: nothing more to do");
    }

    /**
     * A rule loop's drop flow (OVS installs a failed translation's drop too) is a flow like any
     * other: kept while the rules still loop for it — its re-translation fails alike, which is no
     * reason to evict it — and modified in place when the loop is mended.
     */
    @Test
    void aRuleLoopsDropFlowStaysWhileTheLoopDoesAndForwardsOnceItIsMended() {
        String loop = Rig.RULES.replace("priority=1,actions=output:p2", "priority=1,actions=resubmit(,1)")
            + "table=1,actions=resubmit(,0)\n";
        TestPipelines.load(rig.pipeline, loop);
        Ukey u = rig.send(flow(53));
        assertTrue(u.megaflow().actions().isDrop(), "the loop's megaflow drops");
        Ufid id = u.ufid();
        round(0);
        TestPipelines.load(rig.pipeline, loop);
        round(500);
        assertEquals(1, revs.counters().kept(), "still a loop: kept");
        assertEquals(0, revs.counters().retranslateDeleted());
        assertTrue(rig.tc.holds(id));

        TestPipelines.load(rig.pipeline, Rig.RULES);
        Translation t = rig.pipeline.translate(flow(53), false);
        assertNull(t.error());
        assertTrue(t.mask().isSubsetOf(u.megaflow().mask()), "the loop consulted what the mended rules do, and no less");
        round(500);
        assertEquals(1, revs.counters().modified());
        assertTrue(u == rig.ukeys.get(id), "the same ukey");
        assertEquals(TestPipelines.output(2), u.megaflow().actions());
        assertEquals(TestPipelines.output(2), rig.tc.megaflowOf(id).actions());
    }

    @Test
    void retranslationDeletesAFlowWhoseMaskChanged() {
        Ukey u = rig.send(flow(53));
        round(0);
        TestPipelines.load(rig.pipeline, Rig.RULES + "priority=15,udp,nw_src=10.0.0.9,actions=output:p6\n");
        Translation t = rig.pipeline.translate(flow(53), false);
        assertFalse(t.mask().equals(u.megaflow().mask()), "the new rules consult nw_src");
        round(500);
        assertFalse(rig.tc.holds(u.ufid()));
        assertNull(rig.ukeys.get(u.ufid()));
        assertEquals(1, revs.counters().retranslateDeleted());
        Ukey again = rig.send(flow(53));
        assertEquals(t.mask(), again.megaflow().mask(), "the next packet installs the new megaflow");
    }

    @Test
    void actionsThatNeedAnotherLayerMoveTheFlow() {
        Ukey u = rig.send(flow(53));
        round(0);
        TestPipelines.load(rig.pipeline, Rig.RULES.replace("priority=1,actions=output:p2", "priority=1,actions=controller"));
        round(500);
        assertEquals(FlowLayer.DPDK, u.layer(), "a controller action can't live in tc");
        assertFalse(rig.tc.holds(u.ufid()));
        assertTrue(rig.dpdk.holds(u.ufid()));
        assertEquals(Reason.USERSPACE_ACTION, u.reason());
    }

    // ---- reconcile ----

    @Test
    void aFlowOfOursWithNoUkeyIsDeleted() {
        Megaflow stray = TestPipelines.exact(1, 9, TestPipelines.output(2));
        rig.tc.plant(stray, FlowLayer.TC_HW, FlowStats.ZERO);
        Ukey u = rig.send(flow(53));
        round(0);
        assertFalse(rig.tc.holds(stray.ufid()));
        assertTrue(rig.tc.holds(u.ufid()));
        assertEquals(1, revs.counters().extraDeleted());
    }

    @Test
    void aCopyInASecondLayerIsDeleted() {
        Ukey u = rig.send(flow(53));
        rig.dpdk.plant(u.megaflow(), FlowLayer.DPDK, FlowStats.ZERO);
        round(0);
        assertFalse(rig.dpdk.holds(u.ufid()), "a flow lives in exactly one layer");
        assertTrue(rig.tc.holds(u.ufid()));
    }

    @Test
    void aMissingFlowIsPutBackWithItsCountersAndAnIdleOneDropped() {
        Ukey live = rig.send(flow(53));
        Ukey idle = rig.send(flow(54));
        round(0);
        rig.tc.hit(live.ufid(), 7, 100, rig.clock.millis());
        round(500);
        rig.clock.advance(10_500);
        rig.tc.hit(live.ufid(), 1, 100, rig.clock.millis());
        round(500);
        assertNotNull(rig.ukeys.get(idle.ufid()), "11.5 s without traffic in hardware: within the grace");
        rig.tc.removeBehindBack(live.ufid());
        rig.tc.removeBehindBack(idle.ufid());
        round(500);
        assertTrue(rig.tc.holds(live.ufid()), "put back");
        assertEquals(FlowLayer.TC_HW, live.layer());
        assertEquals(8, live.stats().packets(), "the lost filter's counters are carried");
        assertNull(rig.ukeys.get(idle.ufid()), "an idle flow that vanished is dropped, not put back");
        assertFalse(rig.tc.holds(idle.ufid()));
        assertEquals(1, revs.counters().missingReinstalled());
        assertEquals(1, revs.counters().missingDropped());
        rig.tc.hit(live.ufid(), 2, 100, rig.clock.millis());
        round(500);
        assertEquals(10, live.stats().packets(), "counters go on from there");
    }

    @Test
    void aFlowCreatedDuringADumpIsNotJudgedMissing() {
        List<Ufid> created = new ArrayList<>();
        rig.tc.onDump(() -> {
            if (created.isEmpty()) {
                created.add(rig.send(flow(60)).ufid()); // a handler installs while the leader dumps
            }
        });
        round(0);
        Ukey u = rig.ukeys.get(created.get(0));
        assertNotNull(u);
        assertEquals(0, revs.counters().missingReinstalled());
        assertEquals(0, revs.counters().extraDeleted());
        assertEquals(1, rig.tc.putsOf(u.ufid()));
        round(500);
        assertEquals(1, rig.tc.putsOf(u.ufid()), "next round it is in the dump");
    }

    /**
     * A handler between its install and making the ukey operational when a round starts: its
     * flow is in the dump, the round's pass sees the ukey not yet operational, and by the
     * round's extra-flow check the handler has finished (placed with the generation it read
     * before the round). The flow is the ukey's own and must stay: deleted, every packet of it
     * would miss again until the next round put it back.
     */
    @Test
    void aFlowWhoseUkeyTurnsOperationalDuringTheRoundIsNotDeletedAsExtra() {
        rig.tc.hardware(false);
        Ukey idle = rig.send(flow(54)); // expires in the racing round: its delete is where the handler finishes
        round(0);
        Megaflow m = TestPipelines.exact(1, 9, TestPipelines.output(2));
        Ukey racing = new Ukey(m, org.offloadbridge.flow.OffloadPreference.PREFERRED, rig.pipeline.seq(), List.of(), rig.clock.millis());
        rig.ukeys.insert(racing); // visible: a handler is placing it
        rig.tc.plant(m, FlowLayer.TC_SW, FlowStats.ZERO); // the handler's install landed
        long genReadByHandler = rig.ukeys.generation(); // ... and it read the table's generation, then was preempted
        rig.tc.onDeleteIdle(() -> {
            if (racing.state() != org.offloadbridge.upcall.handler.UkeyState.OPERATIONAL) {
                racing.placed(new org.offloadbridge.upcall.handler.InstallDecision.Outcome(FlowLayer.TC_SW, Reason.NONE, "", 0, null,
                    FlowStats.ZERO), rig.policy.current().generation(), genReadByHandler, rig.clock.millis());
                racing.transition(org.offloadbridge.upcall.handler.UkeyState.OPERATIONAL);
            }
        });
        round(MAX_IDLE);
        assertNull(rig.ukeys.get(idle.ufid()), "the idle flow expired in that round");
        assertEquals(org.offloadbridge.upcall.handler.UkeyState.OPERATIONAL, racing.state());
        assertTrue(rig.tc.holds(m.ufid()), "the racing ukey's flow stays: " + rig.tc.log());
        assertEquals(0, revs.counters().extraDeleted());
        round(500);
        assertTrue(rig.tc.holds(m.ufid()));
        assertEquals(0, revs.counters().extraDeleted());
        assertEquals(0, revs.counters().missingReinstalled(), "judged next round: in the dump");
    }

    @Test
    void aDeletionEventPutsTheFlowBackWithoutWaitingForADump() {
        Ukey u = rig.send(flow(53));
        round(0);
        long rounds = revs.counters().rounds();
        rig.tc.removeBehindBack(u.ufid());
        revs.onFlowDeleted(u.ufid());
        doWorkAll();
        assertTrue(rig.tc.holds(u.ufid()));
        assertEquals(rounds, revs.counters().rounds(), "no dump was needed");
        assertEquals(1, revs.counters().eventsRestored());
        revs.onFlowDeleted(u.ufid());        // an echo of something that is still there
        revs.onFlowDeleted(Ufid.random());   // not ours
        doWorkAll();
        assertEquals(2, revs.counters().eventsIgnored());
        assertEquals(2, rig.tc.putsOf(u.ufid()));
    }

    @Test
    void resyncStartsARoundAtOnce() {
        rig.send(flow(53));
        round(0);
        long rounds = revs.counters().rounds();
        doWorkAll();
        assertEquals(rounds, revs.counters().rounds(), "not before max-revalidator");
        revs.resync();
        doWorkAll();
        assertEquals(rounds + 1, revs.counters().rounds());
        assertEquals(1, revs.counters().resyncs());
    }

    // ---- moves between layers ----

    @Test
    void hwOffloadOffMovesEveryFlowOutOfTcMakeBeforeBreakAndBack() {
        List<String> journal = new ArrayList<>();
        rig.tc.journal(journal);
        rig.dpdk.journal(journal);
        List<Ukey> flows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            flows.add(rig.send(flow(100 + i)));
        }
        round(0);
        for (Ukey u : flows) {
            rig.tc.hit(u.ufid(), 3, 100, rig.clock.millis());
        }
        round(500);
        revs.repolicy(false, TcPolicy.NONE);
        assertFalse(revs.policyApplied());
        doWorkAll();
        assertTrue(revs.policyApplied());
        assertEquals(0, rig.tc.size(), "hw-offload=false: nothing of ours in tc");
        for (Ukey u : flows) {
            assertEquals(FlowLayer.DPDK, u.layer());
            assertEquals(Reason.HW_OFFLOAD_OFF, u.reason());
            assertEquals(3, u.stats().packets(), "counters carried into the new layer");
            int put = journal.indexOf("dpdk put " + u.ufid() + " dpdk");
            int del = journal.indexOf("tc delete " + u.ufid() + " tc-hw");
            assertTrue(put >= 0 && del > put, "make before break: " + journal);
        }
        for (Ukey u : flows) {
            rig.dpdk.hit(u.ufid(), 2, 100, rig.clock.millis());
        }
        round(500);
        revs.repolicy(true, TcPolicy.NONE);
        doWorkAll();
        assertEquals(5, rig.tc.size());
        assertEquals(0, rig.dpdk.size());
        for (Ukey u : flows) {
            assertEquals(FlowLayer.TC_HW, u.layer());
            assertEquals(5, u.stats().packets(), "counters kept across both moves");
        }
        assertEquals(10, revs.counters().moved());
    }

    @Test
    void tcPolicyChangeModifiesTcFlagsInPlace() {
        Ukey u = rig.send(flow(53));
        round(0);
        rig.tc.hit(u.ufid(), 4, 100, rig.clock.millis());
        round(500);
        revs.repolicy(true, TcPolicy.SKIP_HW);
        doWorkAll();
        assertEquals(FlowLayer.TC_SW, u.layer());
        assertEquals("modify " + u.ufid() + " tc-sw", rig.tc.log().get(1), "tc to tc: one replace, no second filter");
        assertEquals(4, u.stats().packets());
    }

    @Test
    void aFlowTheNewPolicyAllowsNowhereLeavesTc() {
        TestPipelines.load(rig.pipeline, "priority=1,actions=output:p2\n");
        rig.layers = new org.offloadbridge.upcall.handler.Layers(rig.tc, null);
        revs = revalidators(1);
        Ukey u = rig.send(flow(53));
        assertEquals(FlowLayer.TC_HW, u.layer());
        round(0);
        revs.repolicy(false, TcPolicy.NONE);
        doWorkAll();
        assertEquals(0, rig.tc.size(), "no DPDK: the slow path, but nothing stale in tc");
        assertEquals(FlowLayer.NONE, u.layer());
        assertEquals(1, revs.counters().slowPathPlaced());
    }

    // ---- adoption ----

    @Test
    void adoptionTakesBackWhatStillTranslatesTheSameAndDeletesTheRest() {
        Translation t = rig.pipeline.translate(flow(53), false);
        Megaflow same = t.megaflow();
        Megaflow staleActions = rig.pipeline.translate(flow(54), false).megaflow().withActions(TestPipelines.output(6));
        Megaflow otherMask = TestPipelines.exact(1, 1, TestPipelines.output(2));
        rig.tc.plant(same, FlowLayer.TC_HW, new FlowStats(7, 700, rig.clock.millis(), 0));
        rig.tc.plant(staleActions, FlowLayer.TC_HW, FlowStats.ZERO);
        rig.tc.plant(otherMask, FlowLayer.TC_SW, FlowStats.ZERO);
        assertEquals(1, revs.adopt(rig.tc));
        Ukey u = rig.ukeys.get(same.ufid());
        assertNotNull(u);
        assertEquals(FlowLayer.TC_HW, u.layer());
        assertEquals(7, u.stats().packets(), "adopted with its counters");
        assertEquals(1, rig.tc.size());
        assertEquals(2, revs.counters().adoptionDeleted());
        rig.send(flow(53));
        assertEquals(0, rig.tc.putsOf(same.ufid()), "an adopted flow is not installed again");
        round(0);
        assertTrue(rig.tc.holds(same.ufid()), "and the first round keeps it");
        assertEquals(0, revs.counters().moved());
    }

    @Test
    void adoptionLearnsMacsFromTheFlowsSoNormalFlowsAreKeptOnAWideBridge() {
        // Before the restart: MAC2 was seen on p2, so MAC1 → MAC2 from p1 is output:2, not a flood of p2..p8.
        TestPipelines.load(rig.pipeline, "priority=0,actions=normal\n");
        FlowKey back = TestPipelines.udp(2, 2, 1, 1001);
        back.set(Field.ETH_SRC, TestPipelines.MAC2);
        back.set(Field.ETH_DST, TestPipelines.MAC1);
        rig.pipeline.translate(back, true);
        Megaflow learned = rig.pipeline.translate(TestPipelines.udp(1, 1, 2, 53), true).megaflow();
        assertEquals(TestPipelines.output(2), learned.actions());
        Megaflow reverse = rig.pipeline.translate(back, true).megaflow();
        assertEquals(TestPipelines.output(1), reverse.actions());
        rig.tc.plant(learned, FlowLayer.TC_SW, new FlowStats(3, 300, rig.clock.millis(), 0));
        rig.tc.plant(reverse, FlowLayer.TC_SW, new FlowStats(3, 300, rig.clock.millis(), 0));

        // The restart: a new pipeline with an empty MAC table (the fake tc keeps what it holds).
        Rig fresh = new Rig();
        TestPipelines.load(fresh.pipeline, "priority=0,actions=normal\n");
        Revalidators after = new Revalidators(new DatapathConfig().revalidatorThreads(1), fresh.ukeys, fresh.pipeline,
            new Layers(rig.tc, fresh.dpdk), fresh.ports, fresh.policy, fresh.flowLimit, fresh.clock);
        assertEquals(2, after.adopt(rig.tc), "both NORMAL flows adopted: each one's key taught where its source is");
        assertEquals(0, after.counters().adoptionDeleted());
        assertTrue(rig.tc.holds(learned.ufid()) && rig.tc.holds(reverse.ufid()));
        assertEquals(1, fresh.pipeline.macs().lookup(0, TestPipelines.MAC1), "MAC1 learned on p1 from the adopted flow");
    }

    // ---- flow limit ----

    @Test
    void aSlowRoundLowersTheFlowLimitAndOverTheLimitFlowsExpireFast() {
        use(new Rig(true, TcPolicy.NONE, 1_500), 1);
        for (int i = 0; i < 1_200; i++) {
            rig.send(flow(100 + i));
        }
        assertEquals(1_200, rig.ukeys.size());
        rig.tc.onDump(() -> rig.clock.advance(3_000));
        round(0);
        assertEquals(1_000, rig.flowLimit.current(), "1500 / 3 s, but never under 1000");
        rig.tc.onDump(() -> { });
        round(500);
        assertEquals(0, rig.ukeys.size(), "over the limit, max-idle is 100 ms");
        assertEquals(0, rig.tc.size());
    }

    @Test
    void overTwiceTheLimitEveryFlowIsEvicted() {
        use(new Rig(true, TcPolicy.NONE, 1_000), 1);
        for (int i = 0; i < 1_000; i++) {
            rig.send(flow(100 + i));
        }
        // a smaller limit than the table, as after a shrink (configured limits under 1000 stay as set)
        Revalidators small = new Revalidators(new DatapathConfig().revalidatorThreads(1).handlerThreads(1), rig.ukeys,
            rig.pipeline, rig.layers, rig.ports, rig.policy, new org.offloadbridge.upcall.handler.FlowLimit(400), rig.clock);
        for (Revalidator r : small.agents()) {
            r.doWork();
        }
        assertEquals(0, rig.ukeys.size());
        assertEquals(1_000, small.counters().overLimitEvicted());
    }

    // ---- shards ----

    @Test
    void twoRevalidatorsShareTheWorkByShard() {
        use(new Rig(false, TcPolicy.NONE, 200_000), 2);
        for (int i = 0; i < 40; i++) {
            rig.send(flow(100 + i));
        }
        revs.agents().get(1).doWork(); // applies the starting policy to its ukeys
        assertEquals(0, revs.agents().get(1).doWork(), "a non-leader waits for the leader's round");
        round(0);
        round(MAX_IDLE + 1);
        assertEquals(0, rig.ukeys.size());
        assertEquals(40, revs.counters().idleExpired());
        int[] owned = new int[2];
        for (int i = 0; i < 40; i++) {
            owned[revs.owner(rig.ufidOf(flow(100 + i)))]++;
        }
        assertTrue(owned[0] > 0 && owned[1] > 0, "both own some: " + owned[0] + "/" + owned[1]);
    }

    // ---- what the metrics read: traffic by port and layer, the layers' operations, round durations ----

    @Test
    void portTrafficGrowsByWhatEachDumpAndTheFinalDeleteSay() {
        Ukey hw = rig.send(TestPipelines.distinct(1));
        rig.tc.hardware(false);
        Ukey sw = rig.send(TestPipelines.distinct(2));
        assertEquals(FlowLayer.TC_HW, hw.layer());
        assertEquals(FlowLayer.TC_SW, sw.layer());
        LayerTotals t = rig.ukeys.totals();
        round(0);
        rig.tc.hit(hw.ufid(), 10, 100, rig.clock.millis());
        rig.tc.hit(sw.ufid(), 3, 60, rig.clock.millis());
        round(500);
        assertEquals(10, t.packets(1, FlowLayer.TC_HW));
        assertEquals(1000, t.bytes(1, FlowLayer.TC_HW));
        assertEquals(3, t.packets(1, FlowLayer.TC_SW));
        assertEquals(180, t.bytes(1, FlowLayer.TC_SW));
        round(500);
        assertEquals(10, t.packets(1, FlowLayer.TC_HW), "no growth, nothing added");

        // hw-offload off: both move to DPDK; what tc counted since the last dump comes with the delete
        rig.tc.hit(hw.ufid(), 5, 100, rig.clock.millis());
        revs.repolicy(false, TcPolicy.NONE);
        for (Revalidator r : revs.agents()) {
            r.doWork();
        }
        assertEquals(FlowLayer.DPDK, hw.layer());
        assertEquals(15, t.packets(1, FlowLayer.TC_HW), "the final counters of the delete");
        rig.dpdk.hit(hw.ufid(), 2, 100, rig.clock.millis());
        round(500);
        assertEquals(2, t.packets(1, FlowLayer.DPDK));
        assertEquals(15, t.packets(1, FlowLayer.TC_HW), "what tc counted is kept");
        assertEquals(2, t.flows(FlowLayer.DPDK));
        assertEquals(0, t.flows(FlowLayer.TC_HW) + t.flows(FlowLayer.TC_SW));

        LayerCounters c = rig.layers.counters();
        assertEquals(1, c.done(Op.DELETE, FlowLayer.TC_HW));
        assertEquals(1, c.done(Op.DELETE, FlowLayer.TC_SW));
        assertEquals(2, c.done(Op.INSTALL, FlowLayer.DPDK));
        assertEquals(2, c.placements(FlowLayer.DPDK, Reason.HW_OFFLOAD_OFF), "moves are placements, with their reason");
    }

    @Test
    void idleExpiryIsADeleteAndAFlowGoneFromItsLayerCountsNoMore() {
        rig.tc.hardware(false);
        Ukey u = rig.send(TestPipelines.distinct(1));
        round(0);
        round(10_000);
        round(500);
        assertEquals(null, rig.ukeys.get(u.ufid()), "expired");
        assertEquals(0, rig.ukeys.totals().flows(FlowLayer.TC_SW));
        assertEquals(1, rig.layers.counters().done(Op.DELETE, FlowLayer.TC_SW));
    }

    @Test
    void aModifyThatTheLayerRefusesIsAFailureOfThatLayer() {
        rig.send(TestPipelines.distinct(1));
        round(0);
        TestPipelines.load(rig.pipeline, Rig.RULES.replace("priority=1,actions=output:p2", "priority=1,actions=output:p5"));
        round(500);
        assertEquals(1, rig.layers.counters().done(Op.MODIFY, FlowLayer.TC_HW));
        rig.tc.breakIt(new IllegalStateException("socket closed"));
        TestPipelines.load(rig.pipeline, Rig.RULES.replace("priority=1,actions=output:p2", "priority=1,actions=output:p6"));
        round(500);
        rig.tc.breakIt(null);
        assertTrue(rig.layers.counters().failed(Op.MODIFY, FlowLayer.TC_HW, Reason.LAYER_UNAVAILABLE) >= 1,
            "a layer that throws is unavailable");
    }

    @Test
    void everyRoundIsTimed() {
        round(0);
        round(500);
        round(500);
        assertEquals(3, revs.roundDurations().snapshot().count());
        assertEquals(500, revs.config().maxRevalidatorMillis());
    }

    // ---- the NIC's table: lost rules, fallen-back flows promoted ----

    @Test
    void aFlowTheNicLostOnItsOwnIsReplacedInPlaceWithItsCounters() {
        use(new Rig(true, TcPolicy.SKIP_SW, 200_000), 1);
        Ukey u = rig.send(flow(53));
        assertEquals(FlowLayer.TC_HW, u.layer());
        round(0);
        rig.tc.hit(u.ufid(), 5, 100, rig.clock.millis());
        round(500);
        rig.tc.loseInHardware(u.ufid());
        round(500);
        assertEquals(1, revs.counters().deviceLost());
        assertEquals(FlowLayer.TC_HW, rig.tc.layerOf(u.ufid()), "offered to the device again");
        assertEquals(FlowLayer.TC_HW, u.layer());
        assertTrue(rig.tc.log().contains("modify " + u.ufid() + " tc-hw"), "in place, not a second filter: " + rig.tc.log());
        assertEquals(1, rig.tc.putsOf(u.ufid()), "one put ever: the rest were replaces");
        assertEquals(5, u.stats().packets(), "counters kept");
        round(500);
        assertEquals(1, revs.counters().deviceLost(), "held again: nothing more to do");
    }

    @Test
    void aLostFlowWithNoRoomLeftFallsBackAsOnAFirstInstall() {
        use(new Rig(true, TcPolicy.SKIP_SW, 200_000), 1);
        Ukey a = rig.send(flow(53));
        Ukey b = rig.send(flow(54));
        round(0);
        rig.tc.capacity(1);
        rig.tc.loseInHardware(a.ufid());
        round(500);
        assertEquals(FlowLayer.DPDK, a.layer(), "skip_sw: the table is full, DPDK is next");
        assertEquals(Reason.NO_SPACE, a.reason());
        assertFalse(rig.tc.holds(a.ufid()), "no filter left behind in tc");
        assertTrue(rig.dpdk.holds(a.ufid()));
        assertEquals(FlowLayer.TC_HW, b.layer());
    }

    @Test
    void aFlowThatFoundTheTableFullMovesBackWhenRoomFreesMakeBeforeBreak() {
        use(new Rig(true, TcPolicy.SKIP_SW, 200_000), 1);
        rig.tc.capacity(1);
        Ukey a = rig.send(flow(53));
        Ukey b = rig.send(flow(54));
        Ukey quiet = rig.send(flow(55));
        assertEquals(FlowLayer.TC_HW, a.layer());
        assertEquals(FlowLayer.DPDK, b.layer());
        assertEquals(Reason.NO_SPACE, b.reason());
        assertEquals(FlowLayer.DPDK, quiet.layer());
        round(0);
        // b carries traffic; the table is still full: retried after two rounds, refused, b stays in DPDK
        for (int i = 0; i < 3; i++) {
            rig.dpdk.hit(b.ufid(), 10, 100, rig.clock.millis() + 400);
            round(500);
        }
        assertEquals(1, revs.counters().promotionsTried(), "armed on the first round, tried on the third");
        assertEquals(FlowLayer.DPDK, b.layer());
        assertEquals(Reason.NO_SPACE, b.reason());
        assertTrue(rig.dpdk.holds(b.ufid()));
        // room frees; b waits out its backoff (now 2 rounds more), then lands in hardware
        rig.tc.capacity(2);
        for (int i = 0; i < 4 && b.layer() != FlowLayer.TC_HW; i++) {
            rig.dpdk.hit(b.ufid(), 1, 100, rig.clock.millis() + 400);
            round(500);
        }
        assertEquals(FlowLayer.TC_HW, b.layer(), "promoted: " + b);
        assertEquals(Reason.NONE, b.reason());
        assertFalse(rig.dpdk.holds(b.ufid()), "the DPDK copy went after the tc one was in");
        assertEquals(31, b.stats().packets(), "DPDK's counters carried (3 × 10 + 1): nothing goes backwards");
        assertEquals(1, revs.counters().promoted());
        assertEquals(2, revs.counters().promotionsTried(), "one refused, one landed: backoff between");
        // the quiet flow carried no traffic: never retried, still where it fell
        assertEquals(FlowLayer.DPDK, quiet.layer());
        assertEquals(1, rig.tc.putsOf(quiet.ufid()));
        long tried = revs.counters().promotionsTried();
        round(500);
        round(500);
        assertEquals(tried, revs.counters().promotionsTried(), "nothing left to promote: no requests");
    }

    @Test
    void underPolicyNoneAFlowKeptInSoftwareIsOfferedToTheDeviceAgainInPlace() {
        use(new Rig(true, TcPolicy.NONE, 200_000), 1);
        rig.tc.capacity(1);
        Ukey a = rig.send(flow(53));
        Ukey b = rig.send(flow(54));
        assertEquals(FlowLayer.TC_HW, a.layer());
        assertEquals(FlowLayer.TC_SW, b.layer());
        assertEquals(Reason.DEVICE_REFUSED, b.reason());
        assertEquals("netdevsim: hardware flow table is full", b.kernelText(), "the driver's warning is the reason");
        round(0);
        rig.tc.capacity(2);
        for (int i = 0; i < 3 && b.layer() != FlowLayer.TC_HW; i++) {
            rig.tc.hit(b.ufid(), 1, 100, rig.clock.millis() + 400);
            round(500);
        }
        assertEquals(FlowLayer.TC_HW, b.layer());
        assertEquals(1, rig.tc.putsOf(b.ufid()), "replaced in place, not put twice");
        assertEquals(2, b.stats().packets(), "two rounds of traffic before the move, counters kept across it");
        assertEquals(1, revs.counters().promoted());
    }

    /** Issue 16: a flow the kernel refused "for now" twice (EBUSY) is not left in software: placed again in a later round. */
    @Test
    void aFlowRefusedForNowIsPlacedAgainInALaterRound() {
        use(new Rig(true, TcPolicy.SKIP_HW, 200_000), 1);
        boolean[] busy = {true};
        rig.tc.refuse(m -> busy[0] ? org.offloadbridge.flow.FlowResult.failed(m.ufid(), Reason.KERNEL_REFUSED, null, 16, "Device or resource busy") : null);
        Ukey u = rig.send(flow(53));
        assertEquals(FlowLayer.DPDK, u.layer(), "fell back: " + u);
        assertEquals(16, u.errno());
        busy[0] = false;
        round(0);
        for (int i = 0; i < 4 && u.layer() != FlowLayer.TC_SW; i++) {
            round(500);
        }
        assertEquals(FlowLayer.TC_SW, u.layer(), "placed again: " + u);
        assertFalse(rig.dpdk.holds(u.ufid()), "the DPDK copy went after the tc one was in");
        assertTrue(revs.counters().promotionsTried() >= 1);
        long tried = revs.counters().promotionsTried();
        round(500);
        round(500);
        assertEquals(tried, revs.counters().promotionsTried(), "in tc now: nothing more to try");
    }

    @Test
    void anIdleFlowOnTheSlowPathIsNotKeptAliveByRetries() {
        use(new Rig(true, TcPolicy.SKIP_SW, 200_000), 1);
        rig.dpdk.breakIt(new IllegalStateException("no DPDK here"));
        rig.tc.capacity(0);
        Ukey u = rig.send(flow(53));
        assertEquals(FlowLayer.NONE, u.layer());
        round(0);
        for (int i = 0; i < 30 && rig.ukeys.get(u.ufid()) != null; i++) {
            round(1_000);
        }
        assertNull(rig.ukeys.get(u.ufid()), "expired after max-idle: retries are not traffic");
    }

    // ---- capacity-aware placement through the revalidators ----

    /** Flows 0..3 ({@link #flow}) critical by their eth_src, the rest best-effort; eth_src is in every megaflow. */
    static final String CRITICAL_RULES = """
        priority=15,dl_src=02:00:00:00:ff:ff,actions=drop
        priority=12,dl_src=02:00:00:10:00:00/ff:ff:ff:ff:ff:fc,offload_class=critical,actions=output:p2
        priority=1,actions=output:p2
        """;

    @Test
    void capacityAwarePlacementHoldsCriticalThenHottestAndFollowsARateChange() throws Exception {
        use(new Rig(true, TcPolicy.NONE, 200_000), 1);
        rig.pipeline.loadRulesFile(CRITICAL_RULES);
        revs.setHwCapacity(10, 100);
        int n = 30;
        Ukey[] u = new Ukey[n];
        double[] rate = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = rig.send(flow(i));
            rate[i] = i < 4 ? 1 : 10 + i; // critical ones are cold: class first, then rate
        }
        assertTrue(u[0].critical() && !u[4].critical());
        long[] last = new long[n];
        for (int r = 0; r < 10; r++) {
            for (int i = 0; i < n; i++) {
                rig.tc.hit(u[i].ufid(), (long) (rate[i] / 2), 100, rig.clock.millis() + 400);
            }
            round(500);
            doWorkAll(); // the owners make the moves the round planned
            for (int i = 0; i < n; i++) {
                assertTrue(u[i].stats().packets() >= last[i], "counters never go backwards across a move: flow " + i);
                last[i] = u[i].stats().packets();
            }
        }
        Set<Integer> hw = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            if (u[i].layer() == FlowLayer.TC_HW) {
                hw.add(i);
            }
        }
        assertEquals(Set.of(0, 1, 2, 3, 24, 25, 26, 27, 28, 29), hw, "the 4 critical flows, then the 6 hottest");
        assertEquals(FlowLayer.TC_SW, u[5].layer());
        assertEquals(Reason.HW_CAPACITY, u[5].reason(), u[5].toString());
        assertTrue(u[5].reasonDetail().startsWith("best-effort, "), u[5].reasonDetail());
        long moves = revs.counters().capacityDemoted() + revs.counters().capacityPromoted();
        for (int r = 0; r < 5; r++) {
            for (int i = 0; i < n; i++) {
                rig.tc.hit(u[i].ufid(), (long) (rate[i] / 2), 100, rig.clock.millis() + 400);
            }
            round(500);
            doWorkAll();
        }
        assertEquals(moves, revs.counters().capacityDemoted() + revs.counters().capacityPromoted(), "steady rates: nothing moves");

        rate[5] = 1_000; // the coldest best-effort flow becomes the hottest
        int rounds = 0;
        while (u[5].layer() != FlowLayer.TC_HW && rounds < 8) {
            for (int i = 0; i < n; i++) {
                rig.tc.hit(u[i].ufid(), (long) (rate[i] / 2), 100, rig.clock.millis() + 400);
            }
            round(500);
            doWorkAll();
            rounds++;
        }
        assertEquals(FlowLayer.TC_HW, u[5].layer(), "followed the rate change in " + rounds + " rounds");
        assertEquals(FlowLayer.TC_SW, u[24].layer(), "the coldest flow in hardware made room");
        int inHw = 0;
        for (Ukey k : u) {
            inHw += k.layer() == FlowLayer.TC_HW ? 1 : 0;
        }
        assertEquals(10, inHw);
    }

    @Test
    void newFlowsAreAdmittedToTheNicBelowTheWatermarkAndCriticalOnesBelowTheCapacity() throws Exception {
        use(new Rig(true, TcPolicy.NONE, 200_000), 1);
        rig.pipeline.loadRulesFile(CRITICAL_RULES);
        revs.setHwCapacity(4, 50); // best-effort up to 2, critical up to 4
        rig.budget = revs.hwBudget();
        Ukey[] be = new Ukey[4];
        for (int i = 0; i < 4; i++) {
            be[i] = rig.send(flow(10 + i));
        }
        assertEquals(FlowLayer.TC_HW, be[0].layer());
        assertEquals(FlowLayer.TC_HW, be[1].layer());
        assertEquals(FlowLayer.TC_SW, be[2].layer(), "over the watermark: software, no NIC request");
        assertEquals(Reason.HW_CAPACITY, be[2].reason());
        assertTrue(be[2].reasonDetail().contains("hw-watermark reached"), be[2].reasonDetail());
        assertEquals(1, rig.tc.putsOf(be[2].ufid()));
        Ukey c0 = rig.send(flow(0));
        Ukey c1 = rig.send(flow(1));
        Ukey c2 = rig.send(flow(2));
        assertEquals(FlowLayer.TC_HW, c0.layer(), "critical: up to the capacity");
        assertEquals(FlowLayer.TC_HW, c1.layer());
        assertEquals(FlowLayer.TC_SW, c2.layer(), "the table is full");
        // a round: the planner makes room for the critical flow by demoting the coldest best-effort one
        for (int r = 0; r < 3 && c2.layer() != FlowLayer.TC_HW; r++) {
            for (Ukey k : new Ukey[] {be[0], be[1], be[2], be[3], c0, c1, c2}) {
                rig.tc.hit(k.ufid(), 5, 100, rig.clock.millis() + 400);
            }
            round(500);
            doWorkAll();
        }
        assertEquals(FlowLayer.TC_HW, c2.layer(), c2.toString());
        int held = 0;
        for (Ukey k : new Ukey[] {be[0], be[1], be[2], be[3], c0, c1, c2}) {
            held += k.layer() == FlowLayer.TC_HW ? 1 : 0;
        }
        assertEquals(3, held, "3 critical flows: above the watermark (2) no best-effort flow stays in the NIC");
        assertEquals(Reason.HW_CAPACITY, be[0].reason(), be[0].toString());
    }

    @Test
    void anEswitchsOwnLimitsTurnPlacementOnThereAlone() throws Exception {
        use(new Rig(true, TcPolicy.NONE, 200_000), 1);
        rig.pipeline.loadRulesFile(CRITICAL_RULES);
        revs.setHwCapacity(0, 100); // off globally
        revs.setEswitchHwLimits(java.util.Map.of("pci/0000:08:00.0", new int[] {4, 50}));
        rig.budget = revs.hwBudget();
        Ukey[] be = new Ukey[3];
        for (int i = 0; i < 3; i++) {
            be[i] = rig.send(flow(10 + i));
        }
        assertEquals(FlowLayer.TC_HW, be[1].layer());
        assertEquals(FlowLayer.TC_SW, be[2].layer(), "the e-switch's own watermark (2 of 4)");
        assertEquals(Reason.HW_CAPACITY, be[2].reason());
        revs.setEswitchHwLimits(java.util.Map.of());
        Ukey more = rig.send(flow(20));
        assertEquals(FlowLayer.TC_HW, more.layer(), "its limits gone: first come, first served again");
    }
}
