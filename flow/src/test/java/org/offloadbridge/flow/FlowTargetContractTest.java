package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowResult.Status;

/**
 * The {@link FlowTarget} contract, run against every implementation from this one class:
 * tc-flower's (in the kernel test VM) and dpdk-path's (on the host). A subclass supplies the
 * target and flows its layer can hold; every assertion here is about the interface's promises
 * (see its javadoc), so the layers behave alike for the handler and revalidator threads.
 *
 * <p>Published in flow's test-jar.
 */
public abstract class FlowTargetContractTest {

    /** A fresh, empty target (called before each test). */
    protected abstract FlowTarget newTarget() throws Exception;

    /** Releases what {@link #newTarget} built (called after each test, also on failure). */
    protected abstract void closeTarget() throws Exception;

    /** The {@code i}-th of many distinct flows this layer accepts ({@code 0 <= i < 64}). */
    protected abstract Megaflow flow(int i);

    /** Actions for {@link #flow}{@code (i)} that differ from its own and that the layer accepts. */
    protected abstract Actions otherActions(int i);

    /** A flow this layer refuses (a key or action it can't do), and the reason it must give. */
    protected abstract Megaflow refusedFlow();

    protected abstract Reason refusedReason();

    /** The preference to put flows with (the layer must accept {@link #flow} under it). */
    protected OffloadPreference preference() {
        return OffloadPreference.PREFERRED;
    }

    /** The layers an accepted flow may land in. */
    protected abstract List<FlowLayer> acceptedLayers();

    protected FlowTarget target;

    @BeforeEach
    void open() throws Exception {
        target = newTarget();
    }

    @AfterEach
    void close() throws Exception {
        if (target != null) {
            try {
                target.flush();
            } finally {
                closeTarget();
            }
        }
    }

    private FlowPut put(Megaflow m) {
        return new FlowPut(m, preference());
    }

    private Map<Ufid, DumpedFlow> dumpAll() {
        Map<Ufid, DumpedFlow> all = new HashMap<>();
        target.dump(f -> assertEquals(null, all.put(f.ufid(), f), "a flow dumped twice: " + f.ufid()));
        return all;
    }

    @Test
    void putThenGetGivesBackTheSameMegaflow() {
        Megaflow m = flow(0);
        FlowResult r = target.put(put(m));
        assertEquals(Status.OK, r.status(), r.toString());
        assertEquals(m.ufid(), r.ufid());
        assertTrue(acceptedLayers().contains(r.layer()), "landed in " + r.layer());
        Optional<DumpedFlow> got = target.get(m.ufid());
        assertTrue(got.isPresent(), "get after put");
        assertEquals(m, got.get().megaflow(), "what the layer holds is what was put");
        assertEquals(r.layer(), got.get().layer());
        assertEquals(0, got.get().stats().packets());
        assertFalse(got.get().stats().everUsed(), "a flow no packet hit is never used");
    }

    @Test
    void batchAnswersEachFlowAtItsIndexAndARefusalHarmsNoOther() {
        List<FlowPut> batch = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batch.add(put(flow(i)));
        }
        batch.add(4, put(refusedFlow()));
        List<FlowResult> rs = target.put(batch);
        assertEquals(batch.size(), rs.size());
        for (int i = 0; i < batch.size(); i++) {
            assertEquals(batch.get(i).ufid(), rs.get(i).ufid(), "result " + i + " is for flow " + i);
            if (i == 4) {
                assertNotEquals(Status.OK, rs.get(i).status(), rs.get(i).toString());
                assertEquals(refusedReason(), rs.get(i).reason(), rs.get(i).toString());
                assertEquals(FlowLayer.NONE, rs.get(i).layer());
            } else {
                assertEquals(Status.OK, rs.get(i).status(), rs.get(i).toString());
            }
        }
        Map<Ufid, DumpedFlow> held = dumpAll();
        assertEquals(8, held.size(), "the eight good flows, and nothing of the refused one");
        assertFalse(held.containsKey(refusedFlow().ufid()));
        assertTrue(target.get(refusedFlow().ufid()).isEmpty());
        List<Ufid> ask = batch.stream().map(FlowPut::ufid).toList();
        List<Optional<DumpedFlow>> got = target.get(ask);
        assertEquals(ask.size(), got.size());
        for (int i = 0; i < ask.size(); i++) {
            assertEquals(i != 4, got.get(i).isPresent(), "get answers flow " + i + " at its index");
            if (i != 4) {
                assertEquals(ask.get(i), got.get(i).get().ufid());
            }
        }
    }

    @Test
    void aSecondPutOfTheSameUfidIsExistsAndKeepsTheFirst() {
        Megaflow m = flow(1);
        assertTrue(target.put(put(m)).ok());
        FlowResult again = target.put(put(m.withActions(otherActions(1))));
        assertEquals(Reason.EXISTS, again.reason(), again.toString());
        assertEquals(m.actions(), target.get(m.ufid()).orElseThrow().megaflow().actions());
        assertEquals(1, dumpAll().size());
    }

    @Test
    void modifyReplacesActionsInPlaceAndAbsentIsNotFound() {
        Megaflow m = flow(2);
        assertTrue(target.put(put(m)).ok());
        Megaflow changed = m.withActions(otherActions(2));
        List<FlowResult> rs = target.modify(List.of(new FlowPut(changed, preference()), put(flow(3))));
        assertEquals(Status.OK, rs.get(0).status(), rs.get(0).toString());
        assertEquals(Reason.NOT_FOUND, rs.get(1).reason(), rs.get(1).toString());
        DumpedFlow now = target.get(m.ufid()).orElseThrow();
        assertEquals(changed, now.megaflow());
        assertEquals(1, dumpAll().size(), "modify never adds a flow");
        assertTrue(target.get(flow(3).ufid()).isEmpty());
    }

    @Test
    void deleteRemovesAndReportsAbsentAsNotFound() {
        Megaflow a = flow(4);
        Megaflow b = flow(5);
        target.put(List.of(put(a), put(b)));
        List<FlowResult> rs = target.delete(List.of(a.ufid(), flow(6).ufid()));
        assertEquals(Status.OK, rs.get(0).status(), rs.get(0).toString());
        assertTrue(acceptedLayers().contains(rs.get(0).layer()), "delete says where it was: " + rs.get(0).layer());
        assertEquals(Reason.NOT_FOUND, rs.get(1).reason(), rs.get(1).toString());
        assertTrue(target.get(a.ufid()).isEmpty());
        assertEquals(List.of(b.ufid()), List.copyOf(dumpAll().keySet()));
        assertEquals(Reason.NOT_FOUND, target.delete(a.ufid()).reason(), "deleting twice");
    }

    @Test
    void dumpHoldsExactlyWhatWasPutAndFlushEmptiesIt() {
        List<FlowPut> batch = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            batch.add(put(flow(i)));
        }
        for (FlowResult r : target.put(batch)) {
            assertTrue(r.ok(), r.toString());
        }
        Map<Ufid, DumpedFlow> held = dumpAll();
        assertEquals(32, held.size());
        for (FlowPut p : batch) {
            assertEquals(p.megaflow(), held.get(p.ufid()).megaflow());
        }
        assertEquals(32, target.flush());
        assertTrue(dumpAll().isEmpty());
        assertEquals(0, target.flush());
    }
}
