package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowPut;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowResult.Status;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.FlowTargetContractTest;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Tunnel;
import org.offloadbridge.flow.Ufid;

/**
 * The {@link org.offloadbridge.flow.FlowTarget} contract on the real DPDK datapath (net_ring in,
 * net_null out, {@code --no-huge}), plus what is DPDK's own: refusal reasons, counters across
 * modify and delete on the monotonic clock, one grace period per delete batch, REQUIRED as a
 * caller bug.
 */
@Tag("host")
class DpdkFlowTargetContractTest extends FlowTargetContractTest {

    static final int IN = 1;
    static final int OUT = 2;
    static final int OTHER = 3;
    static final int TUN = 4;
    static final int MISSING = 77;
    static int seq;

    DpdkDatapath dp;
    EthdevPort in;
    final AtomicLong clock = new AtomicLong(10_000);

    @Override
    protected FlowTarget newTarget() {
        Eal eal = TestEal.get();
        seq++;
        dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(2047).descriptors(256, 256)
            .upcallQueue(8, 60_000).clock(clock::get).maxTxQueues(1).emcInsertInvProb(1));
        in = dp.addPort(IN, "net_ring_fti" + seq);
        dp.addPort(OUT, "net_null_fto" + seq + ",no-rx=1");
        dp.addPort(OTHER, "net_null_ftx" + seq + ",no-rx=1");
        return dp.flowTarget();
    }

    @Override
    protected void closeTarget() {
        dp.close();
    }

    static Megaflow ipv4Flow(int inPort, int dst, Actions actions) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(inPort);
        m.setExact(Field.IN_PORT);
        k.set(Field.ETH_TYPE, EthType.IP);
        m.setExact(Field.ETH_TYPE);
        k.set(Field.IPV4_DST, dst);
        m.setExact(Field.IPV4_DST);
        k.deriveAttrs(m);
        return Megaflow.of(k, m, actions);
    }

    @Override
    protected Megaflow flow(int i) {
        return ipv4Flow(IN, 0x0a000000 + i, Actions.builder().output(OUT).build());
    }

    @Override
    protected Actions otherActions(int i) {
        return Actions.builder().output(OTHER).build();
    }

    @Override
    protected Megaflow refusedFlow() {
        return ipv4Flow(IN, 0x0a010001, Actions.builder().output(MISSING).build());
    }

    @Override
    protected Reason refusedReason() {
        return Reason.NO_DEVICE;
    }

    @Override
    protected List<FlowLayer> acceptedLayers() {
        return List.of(FlowLayer.DPDK);
    }

    private static FlowPut preferred(Megaflow m) {
        return new FlowPut(m, OffloadPreference.PREFERRED);
    }

    @Test
    void aBatchOfDeletesWaitsForOneGracePeriod() {
        List<FlowPut> puts = new ArrayList<>();
        List<Ufid> ufids = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            puts.add(preferred(flow(i)));
            ufids.add(flow(i).ufid());
        }
        target.put(puts).forEach(r -> assertTrue(r.ok(), r.toString()));
        dp.start(); // PMD runners in their read sections: the grace period is a real wait
        try {
            long before = dp.flows().gracePeriods();
            List<FlowResult> rs = target.delete(ufids.subList(0, 12));
            assertEquals(1, dp.flows().gracePeriods() - before, "one grace period for a batch of 12");
            rs.forEach(r -> assertEquals(Status.OK, r.status(), r.toString()));
            before = dp.flows().gracePeriods();
            for (Ufid u : ufids.subList(12, 16)) {
                assertTrue(target.delete(u).ok());
            }
            assertEquals(4, dp.flows().gracePeriods() - before, "one each for single deletes");
            before = dp.flows().gracePeriods();
            target.delete(List.of(flow(40).ufid(), flow(41).ufid()));
            assertEquals(0, dp.flows().gracePeriods() - before, "nothing deleted, nothing to wait for");
        } finally {
            dp.stopRunners();
        }
        assertEquals(0, dp.flows().size());
    }

    @Test
    void countersContinueAcrossModifyAndAreFinalOnDelete() {
        Megaflow f = flow(7);
        assertTrue(target.put(preferred(f)).ok());
        try (Arena arena = Arena.ofConfined()) {
            RingIo ring = new RingIo(arena, dp.pool());
            byte[] frame = Frames.udp(0x0a000001, 0x0a000007, 1, 2);
            clock.set(20_000);
            ring.inject(in, frame, frame, frame);
            assertEquals(3, dp.pmds().get(0).doWork());
            FlowResult mod = target.modify(List.of(preferred(f.withActions(otherActions(7))))).get(0);
            assertEquals(Status.OK, mod.status(), mod.toString());
            assertEquals(new FlowStats(3, 3L * frame.length, 20_000, 0), mod.stats(), "modify keeps the counters");
            clock.set(30_000);
            ring.inject(in, frame);
            assertEquals(1, dp.pmds().get(0).doWork());
            assertEquals(new FlowStats(4, 4L * frame.length, 30_000, 0), target.get(f.ufid()).orElseThrow().stats(),
                "used is the monotonic clock's reading at the last hit");
            FlowResult del = target.delete(f.ufid());
            assertEquals(new FlowStats(4, 4L * frame.length, 30_000, 0), del.stats(), "final counters");
            assertEquals(FlowLayer.DPDK, del.layer());
        }
    }

    @Test
    void refusalsNameTheirReason() {
        Megaflow sameMatch = new Megaflow(flow(1).key(), flow(1).mask(), Actions.DROP, Ufid.random());
        Megaflow noInPort = ipv4Flow(MISSING, 0x0a000001, Actions.builder().output(OUT).build());
        Megaflow badSet = ipv4Flow(IN, 0x0a000002, Actions.builder()
            .setField(KeyAttr.IPV6, Field.IPV6_SRC_LO, 1).output(OUT).build());
        assertTrue(target.put(preferred(flow(1))).ok());
        List<FlowResult> rs = target.put(List.of(preferred(sameMatch), preferred(noInPort), preferred(badSet)));
        assertEquals(Reason.EXISTS, rs.get(0).reason(), rs.get(0).toString());
        assertTrue(rs.get(0).detail().contains(flow(1).ufid().toString()), "names the holder: " + rs.get(0).detail());
        assertEquals(Reason.NO_DEVICE, rs.get(1).reason(), rs.get(1).toString());
        assertTrue(rs.get(1).detail().contains("in_port(" + MISSING + ")"), rs.get(1).detail());
        assertEquals(Reason.UNSUPPORTED_ACTION, rs.get(2).reason(), rs.get(2).toString());
        rs.forEach(r -> assertEquals(Status.REFUSED, r.status()));

        dp.addVxlanPort(TUN, Tunnel.vxlan(0xc0a80001, 0xc0a80002), new VxlanUnderlay(OUT, 0x020000000001L, 0x020000000002L));
        FlowResult noTunnelSet = target.put(preferred(ipv4Flow(IN, 0x0a000003, Actions.builder().output(TUN).build())));
        assertEquals(Reason.UNSUPPORTED_ACTION, noTunnelSet.reason(), noTunnelSet.toString());
        FlowResult badModify = target.modify(List.of(preferred(flow(1).withActions(Actions.builder().output(MISSING).build()))))
            .get(0);
        assertEquals(Reason.NO_DEVICE, badModify.reason(), badModify.toString());
        assertEquals(flow(1), target.get(flow(1).ufid()).orElseThrow().megaflow(), "a refused modify changes nothing");
        assertEquals(1, dp.flows().size());
    }

    @Test
    void requiredIsACallerBugAndTouchesNothing() {
        List<FlowPut> batch = List.of(preferred(flow(1)), new FlowPut(flow(2), OffloadPreference.REQUIRED));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.put(batch));
        assertTrue(e.getMessage().contains("required"), e.getMessage());
        assertEquals(0, dp.flows().size(), "not even the PREFERRED flow before it");
        assertTrue(target.put(new FlowPut(flow(3), OffloadPreference.NEVER)).ok(), "NEVER is fine: software");
        assertThrows(IllegalArgumentException.class,
            () -> target.modify(List.of(new FlowPut(flow(3), OffloadPreference.REQUIRED))));
        assertNotNull(dp.flows().get(flow(3).ufid()));
        assertFalse(target.get(flow(2).ufid()).isPresent());
    }
}
