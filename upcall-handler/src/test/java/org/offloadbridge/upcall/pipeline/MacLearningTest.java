package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    long lastChanged = -1;

    void changed(long entry) {
        changes.incrementAndGet();
        lastChanged = entry;
    }

    @Test
    void learnLookupRefreshMoveAndExpire() {
        MacLearningTable t = new MacLearningTable(() -> now[0], 1_000, 16, this::changed);
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
        assertEquals(MacLearningTable.key(0, A), lastChanged, "the listener is told which entry moved");
        lastChanged = -1;
        now[0] += 999;
        assertEquals(2, t.lookup(0, A));
        now[0] += 1;
        assertEquals(-1, t.lookup(0, A), "aged out at exactly the aging time");
        assertEquals(1, t.expire());
        assertEquals(3, changes.get(), "expiry bumps");
        assertEquals(MacLearningTable.key(0, A), lastChanged, "the listener is told which entry expired");
        assertEquals(0, t.size());
        assertFalse(t.learn(0, BROADCAST, 1), "multicast sources are not learned");
    }

    @Test
    void fullTableEvictsTheOldestAndDeletionKeepsProbeChains() {
        Cases.check(20, List.of(), r -> r.nextLong(), seed -> "200 random MACs from " + Long.toHexString(seed), seed -> {
            MacLearningTable t = new MacLearningTable(() -> now[0], 1_000_000, 64, this::changed);
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

    /**
     * The table against a reference model (a map in least-recently-learned order) under random
     * learns, refreshes, moves, aging, expiry passes, port flushes and lookups on a small table
     * that is full most of the time: every answer, every size, and which entry a full table
     * evicts (the least recently learned or refreshed, after the aged ones) agree.
     */
    @Test
    void aFullTableEvictsTheLeastRecentlyLearnedAsAReferenceLruDoes() {
        Cases.check(60, List.of(), r -> r.nextLong(), seed -> "ops from seed " + Long.toHexString(seed), seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            int cap = 1 + rnd.nextInt(24);
            long aging = 1_000;
            MacLearningTable t = new MacLearningTable(() -> now[0], aging, cap, this::changed);
            java.util.LinkedHashMap<Long, long[]> ref = new java.util.LinkedHashMap<>(); // key -> {port, seen}
            for (int op = 0; op < 3_000; op++) {
                int vlan = rnd.nextInt(2);
                long mac = 0x020000000000L + rnd.nextInt(3 * cap + 2);
                long k = MacLearningTable.key(vlan, mac);
                int what = rnd.nextInt(100);
                if (what < 55) {
                    int port = 1 + rnd.nextInt(3);
                    boolean want;
                    long[] e = ref.remove(k);
                    if (e != null) {
                        boolean expired = now[0] - e[1] >= aging;
                        want = e[0] != port || expired;
                        ref.put(k, new long[] {port, now[0]});
                    } else {
                        if (ref.size() >= cap) {
                            ref.values().removeIf(v -> now[0] - v[1] >= aging);
                            if (ref.size() >= cap) {
                                ref.remove(ref.keySet().iterator().next());
                            }
                        }
                        ref.put(k, new long[] {port, now[0]});
                        want = true;
                    }
                    assertEquals(want, t.learn(vlan, mac, port), "op " + op + ": learn");
                } else if (what < 80) {
                    long[] e = ref.get(k);
                    int want = e == null || now[0] - e[1] >= aging ? -1 : (int) e[0];
                    assertEquals(want, t.lookup(vlan, mac), "op " + op + ": lookup");
                } else if (what < 93) {
                    now[0] += rnd.nextInt(400);
                } else if (what < 97) {
                    int before = ref.size();
                    ref.values().removeIf(v -> now[0] - v[1] >= aging);
                    assertEquals(before - ref.size(), t.expire(), "op " + op + ": expire");
                } else {
                    int port = 1 + rnd.nextInt(3);
                    int before = ref.size();
                    ref.values().removeIf(v -> v[0] == port);
                    assertEquals(before - ref.size(), t.flushPort(port), "op " + op + ": flush port " + port);
                }
                assertEquals(ref.size(), t.size(), "op " + op + ": size");
            }
            for (var e : ref.entrySet()) {
                long key = e.getKey();
                int want = now[0] - e.getValue()[1] >= aging ? -1 : (int) e.getValue()[0];
                assertEquals(want, t.lookup((int) (key >>> 48), key & 0xffffffffffffL), "at the end");
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

    /**
     * What a MAC change touches: a translation lists the entries it looked up, and
     * {@link Pipeline#changedSince} says whether any of them (or the rules, or the ports)
     * changed after it — including an address a rule wrote before {@code normal}, which the
     * megaflow mask does not show. A full change log counts as a change of everything.
     */
    @Test
    void aTranslationDependsOnTheEntriesItLookedUpAndOnRulesAndPorts() throws Exception {
        PortTable ports = PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12), new BridgePort("p3", 3, 13));
        Pipeline p = new Pipeline(ports, () -> now[0], 5_000, 0);
        p.loadRulesFile("actions=normal");
        Translation aToB = p.translate(Packets.on(11).eth(A, B, 0x0800).key());
        assertArrayEquals(new long[] {MacLearningTable.key(0, B)}, aToB.macLookups());
        long since = aToB.seq();
        assertTrue(p.seq() > since, "learning A moved the sequence");
        assertFalse(p.changedSince(since, aToB.macLookups()), "A is not what the flow to B looked up");
        assertTrue(p.changedSince(since, new long[] {MacLearningTable.key(0, A)}), "a flow that looked A up is touched");
        Translation broadcast = p.translate(Packets.on(11).eth(A, BROADCAST, 0x0800).key());
        assertArrayEquals(new long[0], broadcast.macLookups(), "a multicast destination is flooded without a lookup");

        p.translate(Packets.on(12).eth(B, A, 0x0800).key()); // B learned on p2
        assertTrue(p.changedSince(since, aToB.macLookups()), "B learned: the flow to B is touched");
        Translation now2 = p.translate(Packets.on(11).eth(A, B, 0x0800).key(), false);
        assertFalse(p.changedSince(now2.seq(), now2.macLookups()));
        p.macs().learn(0, B, 3); // B moves to p3
        assertTrue(p.changedSince(now2.seq(), now2.macLookups()), "B moved");

        // a rule that rewrites the destination before normal: the mask holds no dl_dst, the lookup list does
        p.loadRulesFile("actions=mod_dl_dst:02:00:00:00:00:0c,normal");
        Translation rewritten = p.translate(Packets.on(11).eth(A, B, 0x0800).key(), false);
        assertTrue(rewritten.mask().isWildcard(org.offloadbridge.flow.Field.ETH_DST), "dl_dst is a constant here");
        long c = 0x02000000000cL;
        assertArrayEquals(new long[] {MacLearningTable.key(0, c)}, rewritten.macLookups());
        assertFalse(p.changedSince(rewritten.seq(), rewritten.macLookups()));
        p.macs().learn(0, c, 2);
        assertTrue(p.changedSince(rewritten.seq(), rewritten.macLookups()), "the rewritten destination was learned");

        // rules and ports touch everything
        Translation t = p.translate(Packets.on(11).eth(A, B, 0x0800).key(), false);
        p.loadRulesFile("actions=normal");
        assertTrue(p.changedSince(t.seq(), new long[0]));
        t = p.translate(Packets.on(11).eth(A, B, 0x0800).key(), false);
        p.setPorts(ports);
        assertTrue(p.changedSince(t.seq(), t.macLookups()));

        // more distinct changes than the log holds: everything counts as changed once
        t = p.translate(Packets.on(11).eth(A, B, 0x0800).key(), false);
        for (int i = 0; i <= Pipeline.MAC_CHANGE_LOG; i++) {
            p.macs().learn(1 + i % 4000, 0x020000000000L + i, 3);
        }
        assertTrue(p.changedSince(t.seq(), t.macLookups()), "the log started over: a change of everything");
        t = p.translate(Packets.on(11).eth(A, B, 0x0800).key(), false);
        p.macs().learn(7, 0x02000000ffffL, 3);
        assertFalse(p.changedSince(t.seq(), t.macLookups()), "and precise again after it");
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
        MacLearningTable t = new MacLearningTable(() -> now[0], 1_000, 16, this::changed);
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
