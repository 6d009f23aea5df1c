package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.tc.TcPorts;

/**
 * The install path's codec allocates nothing once warm: translating a megaflow into a reused
 * {@link FlowerFilter} and writing it into a reused writer, over every golden case (each match
 * family and action kind). Measured with the thread's allocation counter, warm-up rounds first.
 */
class FlowerAllocationTest {
    private static final int ROUNDS = 5_000;

    @Test
    void translateAndWriteAllocateNothingInSteadyState() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FlowerEncoder enc = new FlowerEncoder(TcPorts.IDENTITY);
        FlowerFilter filter = new FlowerFilter();
        NetlinkMessageWriter w = new NetlinkMessageWriter(4096);
        List<Megaflow> flows = new ArrayList<>();
        GoldenCases.all().values().forEach(c -> flows.add(c.flow()));
        long perFlow = Long.MAX_VALUE;
        for (int warm = 0; warm < 3; warm++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROUNDS; i++) {
                for (Megaflow f : flows) {
                    enc.translate(f, filter);
                    w.reset();
                    enc.write(w, 0, filter, 3, 1, 0, 0, 0);
                }
            }
            perFlow = Math.min(perFlow, (mx.getCurrentThreadAllocatedBytes() - before) / ((long) ROUNDS * flows.size()));
        }
        assertTrue(perFlow == 0, perFlow + " bytes allocated per flow");
    }
}
