package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.tc.internal.Flows;

/**
 * #11 defect 5: one mask shape must stay on one prio across restarts. Five flows of one shape,
 * each added by a fresh {@link TcOffload} (fresh process state, as five separate TcCli runs),
 * some written with {@code recirc_id(0)} and some without. Before the fix, a new instance
 * learned shapes from the dump (decoded masks, which carry recirc_id) while requests without it
 * were keyed by their own mask, so they landed on prios 1, 2, 2.
 */
@Tag("kernel-vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcPrioShapeVmTest {
    private VmNet net;
    private int p0;
    private int p1;

    @BeforeAll
    void topology() {
        net = new VmNet("shape");
        net.veth("p0", "p1");
        p0 = net.ifindex("p0");
        p1 = net.ifindex("p1");
    }

    /** A failed assertion must not leave filters that change the next test's prios. */
    @AfterEach
    void clean() {
        net.sh("tc filter del dev p0 ingress 2>/dev/null; true");
    }

    @AfterAll
    void teardown() {
        net.close();
    }

    private Megaflow flow(int dport, boolean withRecircId) {
        Megaflow m = Flows.on(p0).ipv4(17).exact(Field.TP_DST, dport).actions(Actions.builder().output(p1).build()).build();
        if (withRecircId) {
            return m;
        }
        FlowMask mask = m.mask().copy();
        mask.setWildcard(Field.RECIRC_ID);
        return Megaflow.of(m.key(), mask, m.actions());
    }

    @Test
    void oneShapeOnePrioAcrossFreshInstancesWithAndWithoutRecircId() {
        boolean[] withRecirc = {false, true, false, true, false};
        Set<Integer> prios = new TreeSet<>();
        for (int i = 0; i < withRecirc.length; i++) {
            Megaflow f = flow(6000 + i, withRecirc[i]);
            assertEquals(withRecirc[i], f.mask().isExact(Field.RECIRC_ID));
            try (TcOffload tc = net.offload(TcPolicy.NONE)) {
                tc.dump(p0); // what a TcCli add-flow does first: learn the device
                TcOutcome o = tc.install(f, OffloadPreference.PREFERRED);
                assertTrue(o.ok(), i + ": " + o);
                prios.add(o.id().prio());
            }
        }
        assertEquals(1, prios.size(), "one shape, one prio: " + prios);
        try (TcOffload tc = net.offload(TcPolicy.NONE)) {
            List<TcFlow> all = tc.dump(p0);
            assertEquals(5, all.size(), all.toString());
            Set<Integer> dumped = new TreeSet<>();
            for (TcFlow f : all) {
                dumped.add(f.id().prio());
            }
            assertEquals(prios, dumped, "the kernel agrees");
            String show = net.sh("tc filter show dev p0 ingress");
            assertEquals(5, show.lines().filter(l -> l.contains("pref " + prios.iterator().next() + " flower chain 0 handle")).count(), show);
            assertEquals(5, tc.deleteAllOurs(p0));
        }
    }

    @Test
    void withoutAnInstanceInBetweenTooTheRequestWithoutRecircIdJoinsTheLearnedShape() {
        try (TcOffload first = net.offload(TcPolicy.NONE)) {
            assertTrue(first.install(flow(7000, true), OffloadPreference.PREFERRED).ok());
        }
        try (TcOffload tc = net.offload(TcPolicy.NONE)) {
            tc.dump(p0);
            TcOutcome a = tc.install(flow(7001, false), OffloadPreference.PREFERRED);
            TcOutcome b = tc.install(flow(7002, true), OffloadPreference.PREFERRED);
            assertTrue(a.ok() && b.ok(), a + " / " + b);
            assertEquals(a.id().prio(), b.id().prio(), "with and without recirc_id(0): one prio: " + a + " / " + b);
            assertEquals(3, tc.dump(p0).stream().filter(f -> f.id().prio() == a.id().prio()).count());
            assertEquals(3, tc.deleteAllOurs(p0));
        }
    }
}
