package org.offloadbridge.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.testkit.Cases;

/**
 * The classifier — one packet at a time and in batches — and the EMC in front of it against a
 * brute-force reference: random masks, random non-overlapping megaflows, random packets — the
 * same winner, through inserts and removes, and under a concurrent writer.
 * Seeded through {@link Cases} ({@code -Dob.seed=0x… -Dob.case=I} replays a failure).
 */
class DpclsPropertyTest {

    private static final Field[] FIELDS = {Field.IN_PORT, Field.ETH_SRC, Field.ETH_DST, Field.ETH_TYPE,
        Field.VLAN0_VID, Field.NW_PROTO, Field.IPV4_SRC, Field.IPV4_DST, Field.TP_SRC, Field.TP_DST,
        Field.NW_TOS, Field.IPV6_SRC_LO, Field.TUN_ID};

    static FlowMask randomMask(SplittableRandom r) {
        FlowMask m = new FlowMask();
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            Field f = FIELDS[r.nextInt(FIELDS.length)];
            if ((f == Field.IPV4_SRC || f == Field.IPV4_DST) && r.nextBoolean()) {
                m.setPrefix(f, r.nextInt(33));
            } else {
                m.setExact(f);
            }
        }
        return m;
    }

    /** Small value ranges so random packets often hit. */
    static FlowKey randomKey(SplittableRandom r) {
        FlowKey k = new FlowKey();
        for (Field f : FIELDS) {
            k.set(f, r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(3));
        }
        return k;
    }

    static boolean overlaps(Megaflow a, Megaflow b) {
        for (int i = 0; i < Field.WORDS; i++) {
            if (((a.key().word(i) ^ b.key().word(i)) & a.mask().word(i) & b.mask().word(i)) != 0) {
                return false;
            }
        }
        return true;
    }

    static InstalledFlow reference(List<InstalledFlow> flows, FlowKey p) {
        InstalledFlow hit = null;
        for (InstalledFlow f : flows) {
            if (f.megaflow.matches(p)) {
                assertNull(hit, "test bug: overlapping flows");
                hit = f;
            }
        }
        return hit;
    }

    /** A packet inside flow f (wildcarded bits random) or a random one. */
    static FlowKey packet(SplittableRandom r, List<InstalledFlow> flows) {
        FlowKey p = randomKey(r);
        if (!flows.isEmpty() && r.nextInt(3) > 0) {
            InstalledFlow f = flows.get(r.nextInt(flows.size()));
            for (int i = 0; i < Field.WORDS; i++) {
                long m = f.mask.word(i);
                p.setWord(i, (f.key.word(i) & m) | (p.word(i) & ~m));
            }
        }
        return p;
    }

    /**
     * The EMC visits only a key's used words ({@link FlowKey#usedWords}): the same key content
     * reached through different bitmaps — a reused probe key, fields set to 0, words written
     * whole — must hash alike and find the same entry, and differing keys never share one.
     * {@link Emc#sameKey} (the PMD's same-key-as-the-packet-before check) must be equals too.
     */
    @Test
    void emcAgreesWithAMapWhateverTheKeysBitmaps() {
        Cases.check(40, List.of(), r -> r.nextLong(), seed -> String.format("scenario seed 0x%016x", seed), seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            List<FlowKey> contents = new ArrayList<>();
            for (int i = 0, n = 1 + r.nextInt(200); i < n; i++) {
                FlowKey k = new FlowKey();
                for (Field f : FIELDS) {
                    if (r.nextInt(3) == 0) {
                        k.set(f, r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(3));
                    }
                }
                contents.add(k);
            }
            java.util.Map<FlowKey, InstalledFlow> reference = new java.util.HashMap<>();
            Emc emc = new Emc(64); // tiny: forces evictions and collisions
            FlowKey probe = new FlowKey(); // reused, as the PMD's
            int hits = 0;
            for (int q = 0; q < 3000; q++) {
                FlowKey content = contents.get(r.nextInt(contents.size()));
                probe.clear();
                switch (r.nextInt(3)) {
                    case 0 -> { // field by field, with some absent fields written as 0
                        for (Field f : FIELDS) {
                            long v = content.get(f);
                            if (v != 0 || r.nextInt(4) == 0) {
                                probe.set(f, v);
                            }
                        }
                    }
                    case 1 -> { // every word written whole
                        for (int i = 0; i < Field.WORDS; i++) {
                            probe.setWord(i, content.word(i));
                        }
                    }
                    default -> probe.copyFrom(content);
                }
                assertEquals(content, probe);
                assertTrue(Emc.sameKey(probe, content) && Emc.sameKey(content, probe), "sameKey of equal keys");
                FlowKey other = contents.get(r.nextInt(contents.size()));
                assertEquals(other.equals(probe), Emc.sameKey(other, probe), "sameKey is equals: " + other + " / " + probe);
                assertEquals(other.equals(probe), Emc.sameKey(probe, other), "sameKey is symmetric");
                FlowKey near = content.copy(); // one bit off, in any word, low or high
                int w = r.nextInt(Field.WORDS);
                near.setWord(w, near.word(w) ^ 1L << r.nextInt(64));
                assertTrue(!Emc.sameKey(near, probe) && !Emc.sameKey(probe, near), "one bit off in word " + w);
                int h = Emc.hash(probe);
                assertEquals(Emc.hash(content), h, "equal keys hash alike whatever their bitmaps");
                InstalledFlow want = reference.computeIfAbsent(content.copy(),
                    k -> new InstalledFlow(Megaflow.of(k, exact(), Actions.DROP), 1));
                InstalledFlow got = emc.lookup(probe, h);
                if (got != null) {
                    assertSame(want, got, "EMC returned another key's flow for " + probe);
                    hits++;
                } else {
                    emc.insert(probe, h, want);
                    assertSame(want, emc.lookup(probe, h), "found right after insert");
                }
            }
            assertTrue(hits > 0, "seed " + seed + " exercised hits");
        });
    }

    private static FlowMask exact() {
        FlowMask m = new FlowMask();
        m.setAll();
        return m;
    }

    @Test
    void sameWinnerAsBruteForce() {
        Cases.check(40, List.of(), r -> r.nextLong(), seed -> String.format("scenario seed 0x%016x", seed), seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Dpcls c = new Dpcls();
            Emc emc = new Emc(64); // tiny: forces evictions and collisions
            List<InstalledFlow> installed = new ArrayList<>();
            List<FlowMask> masks = new ArrayList<>();
            int nm = 1 + r.nextInt(8);
            for (int i = 0; i < nm; i++) {
                masks.add(randomMask(r));
            }
            int hits = 0;
            for (int round = 0; round < 6; round++) {
                churn(r, c, installed, masks);
                assertEquals(installed.size(), c.size());
                for (int q = 0; q < 500; q++) {
                    FlowKey p = packet(r, installed);
                    InstalledFlow want = reference(installed, p);
                    assertSame(want, c.lookup(p), "seed " + seed + " round " + round + " packet " + p);
                    int h = Emc.hash(p);
                    InstalledFlow cached = emc.lookup(p, h);
                    if (cached != null) {
                        assertSame(want, cached, "EMC returned a stale or wrong flow, seed " + seed);
                    } else if (want != null) {
                        emc.insert(p, h, want);
                    }
                    if (want != null) {
                        hits++;
                    }
                }
            }
            assertTrue(hits > 0, "seed " + seed + " exercised hits");
        });
    }

    /**
     * The batch lookup against the brute-force reference: random masks, flows and packets, in
     * batches of 1 to {@link Dpcls.Batch#MAX} packets picked in any order from a larger array;
     * each picked slot gets its packet's winner and no other slot is touched.
     */
    @Test
    void batchLookupFindsTheSameWinnerAsBruteForce() {
        Cases.check(40, List.of(), r -> r.nextLong(), seed -> String.format("scenario seed 0x%016x", seed), seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Dpcls c = new Dpcls();
            Dpcls.Batch scratch = new Dpcls.Batch();
            List<InstalledFlow> installed = new ArrayList<>();
            List<FlowMask> masks = new ArrayList<>();
            for (int i = 0, nm = 1 + r.nextInt(8); i < nm; i++) {
                masks.add(randomMask(r));
            }
            InstalledFlow untouched = new InstalledFlow(Megaflow.of(new FlowKey(), new FlowMask(), Actions.DROP), 1);
            int hits = 0;
            for (int round = 0; round < 6; round++) {
                churn(r, c, installed, masks);
                for (int q = 0; q < 40; q++) {
                    int slots = Dpcls.Batch.MAX + 16;
                    FlowKey[] keys = new FlowKey[slots];
                    InstalledFlow[] out = new InstalledFlow[slots];
                    for (int i = 0; i < slots; i++) {
                        keys[i] = packet(r, installed);
                        out[i] = untouched;
                    }
                    int n = 1 + r.nextInt(Dpcls.Batch.MAX);
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < slots; i++) {
                        order.add(i);
                    }
                    java.util.Collections.shuffle(order, new java.util.Random(r.nextLong()));
                    int[] idx = order.subList(0, n).stream().mapToInt(Integer::intValue).toArray();
                    c.lookupBatch(keys, idx, n, out, scratch);
                    java.util.Set<Integer> picked = new java.util.HashSet<>(order.subList(0, n));
                    for (int i = 0; i < slots; i++) {
                        if (picked.contains(i)) {
                            InstalledFlow want = reference(installed, keys[i]);
                            assertSame(want, out[i], "seed " + seed + " round " + round + " packet " + keys[i]);
                            hits += want == null ? 0 : 1;
                        } else {
                            assertSame(untouched, out[i], "slot " + i + " was not in the batch");
                        }
                    }
                }
            }
            assertTrue(hits > 0, "seed " + seed + " exercised hits");
            assertThrows(IllegalArgumentException.class, () -> c.lookupBatch(new FlowKey[Dpcls.Batch.MAX + 1],
                new int[Dpcls.Batch.MAX + 1], Dpcls.Batch.MAX + 1, new InstalledFlow[Dpcls.Batch.MAX + 1], scratch));
        });
    }

    /** One round of changes: up to 60 random non-overlapping flows in, up to half of all out. */
    private static void churn(SplittableRandom r, Dpcls c, List<InstalledFlow> installed, List<FlowMask> masks) {
        for (int i = 0, add = r.nextInt(60); i < add; i++) {
            Megaflow mf = Megaflow.of(randomKey(r), masks.get(r.nextInt(masks.size())),
                Actions.builder().output(i).build());
            if (installed.stream().noneMatch(f -> overlaps(f.megaflow, mf))) {
                InstalledFlow f = new InstalledFlow(mf, 1);
                c.insert(f);
                installed.add(f);
            }
        }
        for (int i = 0, del = installed.isEmpty() ? 0 : r.nextInt(installed.size() / 2 + 1); i < del; i++) {
            InstalledFlow f = installed.remove(r.nextInt(installed.size()));
            f.markDead();
            assertTrue(c.remove(f));
            assertFalse(c.remove(f), "second remove finds nothing");
        }
    }

    /** Readers never see a torn table while a writer inserts, resizes and removes. */
    @Test
    void concurrentReadersSeeOnlyMatchingFlows() {
        Cases.check(1, List.of(), r -> r.nextLong(), seed -> String.format("scenario seed 0x%016x", seed),
            DpclsPropertyTest::readersDuringChurn);
    }

    private static void readersDuringChurn(long seed) throws Exception {
        Dpcls c = new Dpcls();
        Rcu rcu = new Rcu();
        SplittableRandom r = new SplittableRandom(seed);
        FlowMask mask = new FlowMask();
        mask.setExact(Field.IPV4_DST);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong lookups = new AtomicLong();
        AtomicLong batchHits = new AtomicLong();
        Thread reader = new Thread(() -> {
            Rcu.Reader me = rcu.register("test-reader");
            SplittableRandom rr = new SplittableRandom(seed + 1);
            FlowKey p = new FlowKey();
            FlowKey[] batch = new FlowKey[32];
            int[] idx = new int[32];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = new FlowKey();
                idx[i] = i;
            }
            InstalledFlow[] found = new InstalledFlow[32];
            Dpcls.Batch scratch = new Dpcls.Batch();
            try {
                while (!stop.get()) {
                    me.enter();
                    for (int i = 0; i < 64; i++) {
                        p.set(Field.IPV4_DST, rr.nextInt(2000));
                        InstalledFlow f = c.lookup(p);
                        if (f != null && !f.megaflow.matches(p)) {
                            throw new AssertionError("lookup returned a non-matching flow");
                        }
                    }
                    for (int i = 0; i < batch.length; i++) {
                        batch[i].set(Field.IPV4_DST, rr.nextInt(2000));
                    }
                    c.lookupBatch(batch, idx, batch.length, found, scratch);
                    for (int i = 0; i < batch.length; i++) {
                        if (found[i] != null && !found[i].megaflow.matches(batch[i])) {
                            throw new AssertionError("batch lookup returned a non-matching flow");
                        }
                        batchHits.addAndGet(found[i] == null ? 0 : 1);
                    }
                    me.exit();
                    lookups.addAndGet(64);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        List<InstalledFlow> live = new ArrayList<>();
        long deadline = System.nanoTime() + 1_000_000_000L;
        int ops = 0;
        while (System.nanoTime() < deadline && ops < 200_000) {
            if (live.size() < 1000 && (live.isEmpty() || r.nextInt(3) > 0)) {
                FlowKey k = new FlowKey();
                k.set(Field.IPV4_DST, r.nextInt(2000));
                if (c.find(k, mask) == null) {
                    InstalledFlow f = new InstalledFlow(Megaflow.of(k, mask, Actions.DROP), 1);
                    c.insert(f);
                    live.add(f);
                }
            } else {
                InstalledFlow f = live.remove(r.nextInt(live.size()));
                f.markDead();
                c.remove(f);
                rcu.synchronize();
            }
            ops++;
        }
        stop.set(true);
        reader.join(5000);
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(lookups.get() > 0);
        assertTrue(batchHits.get() > 0, "batch lookups found flows during the churn");
        assertEquals(live.size(), c.size());
    }
}
