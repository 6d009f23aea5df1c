package org.offloadbridge.upcall.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.flow.Upcall;

/** Handlers driven by hand (and, for the race, on real threads) against fake layers. */
class UpcallHandlerTest {
    final Rig rig = new Rig();

    @Test
    void aMissIsTranslatedExecutedAndInstalledInTc() {
        FlowKey k = TestPipelines.udp(1, 1, 2, 53);
        Ukey u = rig.send(k);
        assertNotNull(u);
        assertEquals(UkeyState.OPERATIONAL, u.state());
        assertEquals(FlowLayer.TC_HW, u.layer());
        assertEquals(Reason.NONE, u.reason());
        assertEquals(rig.pipeline.seq(), u.seq());
        assertEquals(1, u.rulesHit().size());
        assertTrue(rig.tc.holds(u.ufid()));
        assertEquals(List.of(new Action.Output(2)), rig.executor.executed().get(0).actions().toList(),
            "the upcall's own packet is executed with the translated actions");
        UpcallCounters.Values s = rig.stats();
        assertEquals(1, s.upcalls());
        assertEquals(1, s.installed());
        assertEquals(1, s.layer(FlowLayer.TC_HW));
        assertEquals(1, s.reason(Reason.NONE));
    }

    @Test
    void oneDoWorkTakesAtMostSixtyFourUpcalls() {
        for (int i = 0; i < 100; i++) {
            rig.miss(0, TestPipelines.udp(1, 1, 2, 53));
        }
        assertEquals(UpcallHandler.MAX_BATCH, rig.handler(0).doWork());
        assertEquals(36, rig.handler(0).doWork());
        assertEquals(0, rig.handler(0).doWork());
    }

    @Test
    void aBatchOfNewFlowsIsOnePutPerLayerAndPacketsKeepTheirOrder() {
        // ten new flows, the first one's second packet last; packet i is 100 + i bytes long
        for (int i = 0; i < 10; i++) {
            rig.offer(0, new Upcall(Upcall.Kind.MISS, 1, TestPipelines.distinct(i), new byte[100 + i], null));
        }
        rig.offer(0, new Upcall(Upcall.Kind.MISS, 1, TestPipelines.distinct(0), new byte[110], null));
        List<Integer> executedAtPut = new ArrayList<>();
        rig.tc.refuse(m -> {
            executedAtPut.add(rig.executor.executed().size());
            return null;
        });
        assertEquals(11, rig.handler(0).doWork());
        assertEquals(java.util.Collections.nCopies(10, 11), executedAtPut,
            "every packet was out before the installs: none waits on a netlink round trip");
        assertEquals(1, rig.tc.putCalls(), "the batch's ten installs go to tc in one call");
        assertEquals(10, rig.tc.size());
        assertEquals(0, rig.dpdk.putCalls());
        List<Integer> lengths = new ArrayList<>();
        for (RecordingExecutor.Executed e : rig.executor.executed()) {
            lengths.add(e.length());
        }
        assertEquals(List.of(100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110), lengths,
            "packets are executed in the order they came");
        assertEquals(1, rig.stats().duplicateUpcalls(), "the first flow's second packet found its ukey");
        for (int i = 0; i < 10; i++) {
            Ukey u = rig.ukeys.get(rig.ufidOf(TestPipelines.distinct(i)));
            assertEquals(UkeyState.OPERATIONAL, u.state());
            assertEquals(FlowLayer.TC_HW, u.layer());
        }
    }

    @Test
    void aBatchSplitByTheLayersAnswersFallsBackPerFlow() {
        // tc refuses the odd source MACs: those go to DPDK in a second call, the rest stay in tc
        rig.tc.refuse(m -> (m.key().get(org.offloadbridge.flow.Field.ETH_SRC) & 1) == 1 ? FlowResult.refused(null, Reason.UNSUPPORTED_KEY, "odd dl_src") : null);
        for (int i = 0; i < 6; i++) {
            rig.miss(0, TestPipelines.distinct(i));
        }
        assertEquals(6, rig.handler(0).doWork());
        assertEquals(1, rig.tc.putCalls());
        assertEquals(1, rig.dpdk.putCalls(), "the refused three go to DPDK together");
        for (int i = 0; i < 6; i++) {
            Ukey u = rig.ukeys.get(rig.ufidOf(TestPipelines.distinct(i)));
            assertEquals(i % 2 == 1 ? FlowLayer.DPDK : FlowLayer.TC_HW, u.layer(), "flow " + i);
            assertEquals(i % 2 == 1 ? Reason.UNSUPPORTED_KEY : Reason.NONE, u.reason(), "flow " + i);
        }
        assertEquals(6, rig.executor.executed().size());
    }

    @Test
    void concurrentUpcallsOfOneFlowInstallOnceDrivenByHand() {
        FlowKey k = TestPipelines.udp(1, 1, 2, 53);
        rig.miss(0, k);
        rig.miss(1, k);
        rig.handler(0).doWork();
        rig.handler(1).doWork();
        Ufid ufid = rig.ufidOf(k);
        assertEquals(1, rig.tc.putsOf(ufid), "one install for the flow");
        assertEquals(2, rig.executor.executed().size(), "both packets forwarded");
        assertEquals(1, rig.stats().duplicateUpcalls());
        assertEquals(1, rig.ukeys.size());
    }

    @Test
    void concurrentUpcallsOfOneFlowInstallOnceOnRealThreads() throws Exception {
        rig.tc.putDelay(2);
        int flows = 16;
        int rounds = 20;
        for (int h = 0; h < 2; h++) {
            for (int r = 0; r < rounds; r++) {
                for (int f = 0; f < flows; f++) {
                    rig.miss(h, TestPipelines.distinct(f));
                }
            }
        }
        CyclicBarrier start = new CyclicBarrier(2);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int h = 0; h < 2; h++) {
            UpcallHandler handler = rig.handler(h);
            Thread t = new Thread(() -> {
                try {
                    start.await(5, TimeUnit.SECONDS);
                    while (handler.doWork() > 0) {
                        Thread.onSpinWait();
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertTrue(errors.isEmpty(), errors.toString());
        for (int f = 0; f < flows; f++) {
            Ufid ufid = rig.ufidOf(TestPipelines.distinct(f));
            assertEquals(1, rig.tc.putsOf(ufid), "flow " + f + " installed once");
        }
        assertEquals(flows, rig.tc.size());
        assertEquals(flows, rig.ukeys.size());
        UpcallCounters.Values s = rig.stats();
        assertEquals(2L * rounds * flows, s.upcalls());
        assertEquals(flows, s.installed());
        assertEquals(2L * rounds * flows - flows, s.duplicateUpcalls());
        assertEquals(2 * rounds * flows, rig.executor.executed().size(), "every packet executed");
    }

    @Test
    void aFlowNoLayerTakesIsOnTheSlowPathAndIsNotRetriedPerPacket() {
        rig.layers = new Layers(rig.tc, null);
        rig.tc.refuse(m -> FlowResult.refused(m.ufid(), Reason.UNSUPPORTED_KEY, "tp_dst"));
        FlowKey k = TestPipelines.udp(1, 1, 2, 53);
        Ukey u = rig.send(k);
        assertEquals(FlowLayer.NONE, u.layer());
        assertEquals(UkeyState.OPERATIONAL, u.state());
        assertEquals("unsupported-key:tp_dst", u.reasonText());
        assertEquals(Reason.UNSUPPORTED_KEY, u.reason());
        assertEquals("tp_dst", u.reasonDetail());
        rig.send(k);
        rig.send(k);
        assertEquals(1, rig.tc.putsOf(u.ufid()), "the decision is kept on the ukey, not re-run per packet");
        UpcallCounters.Values s = rig.stats();
        assertEquals(1, s.slowPathFlows());
        assertEquals(3, s.slowPathPackets());
        assertEquals(3, u.stats().packets(), "slow-path packets count on the flow");
        assertEquals(3, rig.executor.executed().size(), "never silently dropped");
        assertEquals(1, s.reason(Reason.UNSUPPORTED_KEY));
    }

    @Test
    void controllerActionsStayUpcalls() {
        Ukey u = rig.send(TestPipelines.udp(4, 1, 2, 53));
        assertEquals(FlowLayer.DPDK, u.layer(), "the DPDK path raises the action as an upcall");
        assertEquals(Reason.USERSPACE_ACTION, u.reason());
        assertEquals(0, rig.tc.size());
        rig.offer(0, new Upcall(Upcall.Kind.ACTION, 4, TestPipelines.udp(4, 1, 2, 53), new byte[64], "controller"));
        rig.handler(0).doWork();
        assertEquals(1, rig.stats().actionUpcalls());
        assertEquals(1, rig.ukeys.size());
    }

    @Test
    void atTheFlowLimitPacketsAreExecutedAndNothingIsPlaced() {
        Rig small = new Rig(true, TcPolicy.NONE, 3);
        for (int f = 0; f < 5; f++) {
            small.send(TestPipelines.distinct(f));
        }
        assertEquals(3, small.ukeys.size());
        assertEquals(3, small.tc.size());
        UpcallCounters.Values s = small.stats();
        assertEquals(2, s.flowLimitHits());
        assertEquals(2, s.reason(Reason.FLOW_LIMIT));
        assertEquals(5, small.executor.executed().size());
        assertNull(small.ukeys.get(small.ufidOf(TestPipelines.udp(1, 1, 2, 104))), "no ukey above the limit");
    }

    @Test
    void badInputIsCountedAndTheHandlerGoesOn() {
        rig.offer(0, new Upcall(Upcall.Kind.MISS, 77, null, new byte[64], null));   // unknown port
        rig.offer(0, Upcall.miss(1, new byte[5]));                                  // no Ethernet header
        rig.ports.port(9, true, "pci/0000:08:00.0");
        rig.offer(0, new Upcall(Upcall.Kind.MISS, 9, TestPipelines.udp(9, 1, 2, 53), new byte[64], null)); // not in the pipeline
        rig.miss(0, TestPipelines.udp(1, 1, 2, 53));                                // a good one after all that
        assertEquals(4, rig.handler(0).doWork());
        UpcallCounters.Values s = rig.stats();
        assertEquals(1, s.unknownPort());
        assertEquals(1, s.badFrames());
        assertEquals(1, s.translateErrors());
        assertEquals(1, s.installed(), "the good upcall behind the bad ones is handled");
        assertEquals(1, rig.executor.executed().size(), "bad input is dropped, not executed");
    }

    /**
     * As OVS (upcall_xlate installs what xlate_actions made, a failed translation's drop too): a
     * rule loop's megaflow becomes a drop flow, so its packets stop coming up for 64 nested
     * lookups each, and the flow's ukey holds the loop's rules once each.
     */
    @Test
    void aRuleLoopIsInstalledAsADropFlow() {
        TestPipelines.load(rig.pipeline, """
            table=0,priority=10,udp,actions=resubmit(,1)
            table=0,priority=1,actions=output:p2
            table=1,actions=resubmit(,0)
            """);
        FlowKey k = TestPipelines.udp(1, 1, 2, 53);
        Ukey u = rig.send(k);
        assertNotNull(u, "the failed translation has a ukey");
        assertTrue(u.megaflow().actions().isDrop());
        assertEquals(FlowLayer.TC_HW, u.layer());
        assertTrue(rig.tc.holds(u.ufid()), "installed where any flow would be");
        assertEquals(2, u.rulesHit().size(), "the loop's two rules once each, not 64 times: " + u.rulesHit());
        assertTrue(rig.executor.executed().get(0).actions().isDrop(), "its packet is dropped");
        UpcallCounters.Values s = rig.stats();
        assertEquals(1, s.translateErrors());
        assertEquals(1, s.installed());

        // what the loop decided on is in the mask: a packet it does not loop for gets its own flow
        FlowKey tcpKey = TestPipelines.udp(1, 1, 2, 80);
        tcpKey.set(Field.NW_PROTO, 6);
        tcpKey.deriveAttrs(null);
        Ukey tcp = rig.send(tcpKey);
        assertEquals(List.of(new Action.Output(2)), tcp.megaflow().actions().toList());
        assertEquals(1, rig.stats().translateErrors());
    }

    @Test
    void aBrokenExecutorOrLayerIsCountedNotThrown() {
        rig.executor.breakIt(true);
        rig.tc.breakIt(new IllegalStateException("netlink socket gone"));
        Ukey u = rig.send(TestPipelines.udp(1, 1, 2, 53));
        assertEquals(FlowLayer.DPDK, u.layer(), "tc threw: the next attempt took it");
        assertEquals(Reason.LAYER_UNAVAILABLE, u.reason());
        assertEquals(1, rig.stats().executeErrors());
        rig.executor.breakIt(false);
        rig.send(TestPipelines.udp(1, 1, 2, 54));
        assertEquals(1, rig.executor.executed().size());
    }

    @Test
    void aParsedFrameIsHandledLikeAKey() {
        byte[] frame = new byte[60];
        // Ethernet: dst MAC2, src MAC1, IPv4; IPv4 header, UDP 1001 -> 53
        long[] macs = {TestPipelines.MAC2, TestPipelines.MAC1};
        for (int m = 0; m < 2; m++) {
            for (int i = 0; i < 6; i++) {
                frame[m * 6 + i] = (byte) (macs[m] >>> (40 - 8 * i));
            }
        }
        frame[12] = 0x08;
        int ip = 14;
        frame[ip] = 0x45;
        frame[ip + 3] = 28;
        frame[ip + 8] = 64;
        frame[ip + 9] = 17;
        frame[ip + 12] = 10;
        frame[ip + 15] = 1;
        frame[ip + 16] = 10;
        frame[ip + 19] = 2;
        int udp = ip + 20;
        frame[udp] = (byte) (1001 >>> 8);
        frame[udp + 1] = (byte) 1001;
        frame[udp + 3] = 53;
        frame[udp + 5] = 8;
        rig.offer(0, Upcall.miss(1, frame));
        rig.handler(0).doWork();
        assertEquals(0, rig.stats().badFrames());
        assertNotNull(rig.ukeys.get(rig.ufidOf(TestPipelines.udp(1, 1, 2, 53))), "the parsed frame made the same megaflow");
    }
}
