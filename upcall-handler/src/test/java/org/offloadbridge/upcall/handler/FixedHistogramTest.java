package org.offloadbridge.upcall.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;

class FixedHistogramTest {

    @Test
    void boundsAreInclusiveUpperBoundsAndTheLastBucketIsInfinity() {
        FixedHistogram h = new FixedHistogram(10, 20, 40);
        for (long v : new long[] {0, 10, 11, 20, 21, 40, 41, 1_000_000, -5}) {
            h.record(v);
        }
        FixedHistogram.Snapshot s = h.snapshot();
        assertArrayEquals(new long[] {10, 20, 40}, s.boundsNanos());
        assertArrayEquals(new long[] {3, 2, 2, 2}, s.counts(), "0, 10, -5 (as 0) | 11, 20 | 21, 40 | 41, 1e6");
        assertEquals(9, s.count());
        assertEquals(10 + 11 + 20 + 21 + 40 + 41 + 1_000_000, s.sumNanos());
    }

    @Test
    void boundsMustAscend() {
        assertThrows(IllegalArgumentException.class, () -> new FixedHistogram(10, 10));
        assertThrows(IllegalArgumentException.class, () -> new FixedHistogram(0, 10));
        assertThrows(IllegalArgumentException.class, FixedHistogram::new);
    }

    @Test
    void recordingAllocatesNothing() {
        FixedHistogram h = new UpcallCounters().handling();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 50_000; i++) {
            h.record(i * 997L);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 200_000; i++) {
            h.record(i * 7919L);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 200,000 records");
        assertEquals(250_000, h.snapshot().count());
    }

    /** The handler measures every upcall, and what it asked of the layers is counted by layer and reason. */
    @Test
    void theHandlerTimesEveryUpcallAndCountsWhatItAskedOfTheLayers() {
        Rig rig = new Rig();
        FlowKey refused = TestPipelines.distinct(2);
        org.offloadbridge.flow.Ufid refusedUfid = rig.ufidOf(refused);
        rig.tc.refuse(m -> m.ufid().equals(refusedUfid) ? FlowResult.refused(m.ufid(), Reason.UNSUPPORTED_KEY, "ipv6_label") : null);
        Ukey hw = rig.send(TestPipelines.distinct(1));
        Ukey dpdk = rig.send(refused);
        rig.send(TestPipelines.distinct(1)); // a duplicate: no placement
        assertEquals(FlowLayer.TC_HW, hw.layer());
        assertEquals(FlowLayer.DPDK, dpdk.layer());
        assertEquals(3, rig.counters.handling().snapshot().count(), "every upcall timed");

        LayerCounters c = rig.layers.counters();
        assertEquals(1, c.done(LayerCounters.Op.INSTALL, FlowLayer.TC_HW));
        assertEquals(1, c.done(LayerCounters.Op.INSTALL, FlowLayer.DPDK));
        assertEquals(1, c.failed(LayerCounters.Op.INSTALL, FlowLayer.TC_SW, Reason.UNSUPPORTED_KEY),
            "tc without flags refused it: the software path said no");
        assertEquals(1, c.placements(FlowLayer.TC_HW, Reason.NONE));
        assertEquals(1, c.placements(FlowLayer.DPDK, Reason.UNSUPPORTED_KEY));
        assertEquals(1, rig.ukeys.totals().flows(FlowLayer.TC_HW));
        assertEquals(1, rig.ukeys.totals().flows(FlowLayer.DPDK));
    }
}
