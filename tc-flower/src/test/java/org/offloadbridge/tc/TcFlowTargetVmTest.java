package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowPut;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.tc.internal.Flows;

/**
 * tc's FlowTarget beyond the shared contract: a batch mixing preferences gets each flow its
 * own placement (flags seen by iproute2), results at their indexes; a plan without a tc attempt
 * is refused with the plan's reason; dump adopts the filters of a watched device after a restart.
 */
@Tag("kernel-vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcFlowTargetVmTest {
    private VmNet net;
    private int p0;
    private int p1;

    @BeforeAll
    void topology() {
        net = new VmNet("target");
        net.veth("p0", "p1");
        p0 = net.ifindex("p0");
        p1 = net.ifindex("p1");
    }

    @AfterAll
    void teardown() {
        net.close();
    }

    private TcFlowTarget target(TcPolicy policy) {
        return net.ns.call(() -> TcFlowTarget.open(policy, TcPorts.IDENTITY, MonotonicClock.SYSTEM));
    }

    private Megaflow udp(int dport) {
        return Flows.on(p0).ipv4(17).exact(Field.TP_DST, dport).actions(Actions.builder().output(p1).build()).build();
    }

    @Test
    void aMixedBatchGetsEachPreferencesPlacement() {
        try (TcFlowTarget tc = target(TcPolicy.NONE)) {
            List<FlowResult> rs = tc.put(List.of(
                    new FlowPut(udp(8000), OffloadPreference.PREFERRED),
                    new FlowPut(udp(8001), OffloadPreference.REQUIRED),
                    new FlowPut(udp(8002), OffloadPreference.NEVER)));
            assertEquals(FlowResult.Status.OK, rs.get(0).status(), rs.get(0).toString());
            assertEquals(FlowLayer.TC_SW, rs.get(0).layer(), "veth: not_in_hw");
            assertEquals(FlowResult.Status.FAILED, rs.get(1).status(), rs.get(1).toString());
            assertEquals(FlowResult.Reason.DEVICE_REFUSED, rs.get(1).reason(), "skip_sw on veth");
            assertEquals(95, rs.get(1).errno());
            assertEquals(FlowLayer.NONE, rs.get(1).layer());
            assertEquals(FlowResult.Status.OK, rs.get(2).status(), rs.get(2).toString());
            String show = net.sh("tc filter show dev p0 ingress");
            assertTrue(show.contains("dst_port 8002") && show.contains("skip_hw"), show);
            assertTrue(!show.contains("dst_port 8001"), "nothing of the refused one: " + show);
            for (String line : show.split("\n  eth_type")) {
                if (line.contains("dst_port 8000")) {
                    assertTrue(!line.contains("skip_hw") && !line.contains("skip_sw"), "preferred × none: no flag: " + line);
                }
            }
            assertEquals(2, tc.flush());
        }
    }

    @Test
    void aPlanWithoutTcIsRefusedWithItsReason() {
        try (TcFlowTarget tc = target(TcPolicy.SKIP_SW)) {
            FlowResult r = tc.put(new FlowPut(udp(8100), OffloadPreference.NEVER));
            assertEquals(FlowResult.Status.REFUSED, r.status(), r.toString());
            assertEquals(FlowResult.Reason.TC_POLICY, r.reason());
            assertEquals("tc-policy=skip_sw", r.reasonText(null));
        }
        try (TcFlowTarget tc = target(TcPolicy.SKIP_HW)) {
            FlowResult r = tc.put(new FlowPut(udp(8101), OffloadPreference.REQUIRED));
            assertEquals(FlowResult.Reason.TC_POLICY, r.reason(), r.toString());
            assertEquals("skip_hw", r.detail());
        }
    }

    @Test
    void afterARestartAWatchedDeviceIsDumpedAndFlushed() {
        Megaflow f = udp(8200);
        try (TcFlowTarget before = target(TcPolicy.NONE)) {
            assertTrue(before.put(new FlowPut(f, OffloadPreference.PREFERRED)).ok());
        }
        try (TcFlowTarget after = target(TcPolicy.NONE)) {
            after.watch(p0);
            List<Megaflow> seen = new java.util.ArrayList<>();
            after.dump(d -> seen.add(d.megaflow()));
            assertEquals(List.of(f), seen);
            FlowResult del = after.delete(f.ufid());
            assertEquals(FlowResult.Status.OK, del.status(), del.toString());
            assertEquals(FlowLayer.TC_SW, del.layer());
            assertEquals(0, del.stats().packets());
            assertEquals(0, after.flush());
        }
    }
}
