package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.testkit.Cases;

/** MAC learning behind normal, with a fake clock driving expiry. */
class MacLearningTest {
    static final long A = 0x02000000000aL;
    static final long B = 0x02000000000bL;
    static final long BROADCAST = 0xffffffffffffL;
    final long[] now = {10_000};
    final AtomicInteger changes = new AtomicInteger();

    @Test
    void learnLookupRefreshMoveAndExpire() {
        MacLearningTable t = new MacLearningTable(() -> now[0], 1_000, 16, changes::incrementAndGet);
        assertEquals(-1, t.lookup(0, A));
        assertTrue(t.learn(0, A, 1));
        assertEquals(1, changes.get());
        assertEquals(1, t.lookup(0, A));
        assertEquals(-1, t.lookup(10, A), "learning is per VLAN");
        now[0] += 600;
        assertFalse(t.learn(0, A, 1), "a refresh changes nothing");
        assertEquals(1, changes.get());
        now[0] += 600;
        assertEquals(1, t.lookup(0, A), "the refresh restarted the aging clock");
        assertTrue(t.learn(0, A, 2), "moved");
        assertEquals(2, changes.get());
        now[0] += 999;
        assertEquals(2, t.lookup(0, A));
        now[0] += 1;
        assertEquals(-1, t.lookup(0, A), "aged out at exactly the aging time");
        assertEquals(1, t.expire());
        assertEquals(3, changes.get(), "expiry bumps");
        assertEquals(0, t.size());
        assertFalse(t.learn(0, BROADCAST, 1), "multicast sources are not learned");
    }

    @Test
    void fullTableEvictsTheOldestAndDeletionKeepsProbeChains() {
        Cases.check(20, List.of(), r -> r.nextLong(), seed -> "200 random MACs from " + Long.toHexString(seed), seed -> {
            MacLearningTable t = new MacLearningTable(() -> now[0], 1_000_000, 64, changes::incrementAndGet);
            SplittableRandom rnd = new SplittableRandom(seed);
            long[] macs = new long[200];
            for (int i = 0; i < macs.length; i++) {
                macs[i] = (rnd.nextLong() & 0xfeffffffffffL);
                now[0]++;
                t.learn(i % 3, macs[i], 1 + i % 5);
            }
            assertEquals(64, t.size());
            for (int i = 0; i < macs.length; i++) {
                int expect = i >= macs.length - 64 ? 1 + i % 5 : -1;
                assertEquals(expect, t.lookup(i % 3, macs[i]), "entry " + i);
            }
            assertEquals(64 - countOn(1, macs.length), 64 - t.flushPort(1));
            for (int i = macs.length - 64; i < macs.length; i++) {
                assertEquals(i % 5 == 0 ? -1 : 1 + i % 5, t.lookup(i % 3, macs[i]), "entry " + i);
            }
        });
    }

    private static int countOn(int port, int n) {
        int c = 0;
        for (int i = n - 64; i < n; i++) {
            if (1 + i % 5 == port) {
                c++;
            }
        }
        return c;
    }

    @Test
    void normalFloodsUnknownForwardsLearnedAndForgetsAfterAging() throws Exception {
        PortTable ports = PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12), new BridgePort("p3", 3, 13));
        Pipeline p = new Pipeline(ports, () -> now[0], 5_000, 0);
        p.loadRulesFile("actions=normal");
        FlowKey aToB = Packets.on(11).eth(A, B, 0x0800).key();
        FlowKey bToA = Packets.on(12).eth(B, A, 0x0800).key();

        assertEquals(List.of(new Action.Output(12), new Action.Output(13)), p.translate(aToB).actions().toList(),
                "B unknown: flood, not back to p1");
        assertEquals(List.of(new Action.Output(11)), p.translate(bToA).actions().toList(), "A was learned on p1");
        assertEquals(List.of(new Action.Output(12)), p.translate(aToB).actions().toList(), "B was learned on p2");
        FlowKey aToBroadcast = Packets.on(11).eth(A, BROADCAST, 0x0800).key();
        assertEquals(List.of(new Action.Output(12), new Action.Output(13)), p.translate(aToBroadcast).actions().toList());
        FlowKey bToBFromP2 = Packets.on(12).eth(A, B, 0x0800).key();
        assertTrue(p.translate(bToBFromP2).actions().toList().stream().noneMatch(a -> a.equals(new Action.Output(12))),
                "never back out of the input port");

        // Per VLAN: B on VLAN 10 is unknown.
        FlowKey tagged = Packets.on(11).eth(A, B, 0x0800).vlan(10, 0).key();
        assertEquals(List.of(new Action.Output(12), new Action.Output(13)), p.translate(tagged).actions().toList());

        long seq = p.seq();
        now[0] += 5_000;
        assertEquals(2, p.translate(Packets.on(13).eth(0x02000000000cL, A, 0x0800).key()).actions().size(),
                "A aged out: flood again");
        assertTrue(p.macs().expire() > 0);
        assertTrue(p.seq() > seq);
    }

    @Test
    void agingAgentExpiresOncePerInterval() {
        MacLearningTable t = new MacLearningTable(() -> now[0], 1_000, 16, changes::incrementAndGet);
        MacAgingAgent agent = new MacAgingAgent(t, () -> now[0], 500);
        t.learn(0, A, 1);
        assertEquals(0, agent.doWork(), "nothing aged yet");
        now[0] += 400;
        t.learn(0, B, 2);
        now[0] += 700; // A is 1 100 ms old (aged), B 700 ms
        assertEquals(1, agent.doWork(), "A forgotten, B kept");
        now[0] += 400; // B is 1 100 ms old, but the last pass was only 400 ms ago
        assertEquals(0, agent.doWork(), "interval not over since the last pass");
        now[0] += 100;
        int before = changes.get();
        assertEquals(1, agent.doWork());
        assertEquals(before + 1, changes.get(), "expiry is a change revalidators must see");
        assertEquals(0, t.size());
    }
}
