package org.offloadbridge.revalidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The capacity-aware planner on simulated tables: who ends in hardware, no flapping, bounds. */
class PlacementPlannerTest {
    static final long NEVER = Long.MIN_VALUE / 2;

    /** A simulated e-switch: flows with a class and a rate, in hardware or not, moved when. */
    static final class Table {
        final int n;
        final double[] rate;
        final boolean[] critical;
        final boolean[] hw;
        final long[] moved;
        final PlacementPlanner planner = new PlacementPlanner();
        long round;
        int movesLastRound;

        Table(int n) {
            this.n = n;
            rate = new double[n];
            critical = new boolean[n];
            hw = new boolean[n];
            moved = new long[n];
            Arrays.fill(moved, NEVER);
        }

        /** One round planned and applied as the revalidators would: demotions, then promotions. */
        void round(int capacity, int watermark, int maxMoves) {
            round++;
            planner.reset(n);
            for (int i = 0; i < n; i++) {
                planner.row(i, rate[i], critical[i], hw[i], moved[i]);
            }
            planner.plan(round, capacity, watermark, 0.25, 3, maxMoves);
            movesLastRound = planner.demotions() + planner.promotions();
            assertTrue(movesLastRound <= maxMoves, "budget: " + movesLastRound);
            for (int k = 0; k < planner.demotions(); k++) {
                int i = planner.demoted(k);
                assertTrue(hw[i], "demotes only what is in hardware");
                hw[i] = false;
                moved[i] = round;
            }
            for (int k = 0; k < planner.promotions(); k++) {
                int i = planner.promoted(k);
                assertFalse(hw[i], "promotes only what is not");
                hw[i] = true;
                moved[i] = round;
                assertTrue(inHw() <= capacity, "never more than the table holds, at any step");
            }
        }

        int inHw() {
            int c = 0;
            for (boolean b : hw) {
                c += b ? 1 : 0;
            }
            return c;
        }

        Set<Integer> hwSet() {
            Set<Integer> s = new TreeSet<>();
            for (int i = 0; i < n; i++) {
                if (hw[i]) {
                    s.add(i);
                }
            }
            return s;
        }

        /** The {@code k} hottest of one class. */
        Set<Integer> hottest(boolean crit, int k) {
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> Double.compare(rate[b], rate[a]));
            Set<Integer> s = new TreeSet<>();
            for (Integer i : idx) {
                if (critical[i] == crit && s.size() < k) {
                    s.add(i);
                }
            }
            return s;
        }
    }

    /** 300 flows, 30 critical, distinct rates (so "the hottest" is one set). */
    static Table mixed(long seed) {
        Table t = new Table(300);
        Random r = new Random(seed);
        for (int i = 0; i < t.n; i++) {
            t.critical[i] = i % 10 == 0;
            t.rate[i] = 1 + r.nextInt(1_000_000) + i * 1e-3;
        }
        return t;
    }

    @Test
    void capacityHundredHoldsTheCriticalFlowsThenTheHottestBestEffortOnes() {
        for (long seed = 1; seed <= 20; seed++) {
            Table t = mixed(seed);
            for (int i = 0; i < 5; i++) {
                t.round(100, 80, 1_000);
            }
            Set<Integer> want = new TreeSet<>(t.hottest(true, 30));
            want.addAll(t.hottest(false, 50)); // watermark 80: 30 critical, then 50 best-effort
            assertEquals(want, t.hwSet(), "seed " + seed);
            assertEquals(0, t.movesLastRound, "settled: nothing moves at steady rates (seed " + seed + ")");
        }
    }

    @Test
    void criticalFlowsFillTheTablePastTheWatermarkButNotPastTheCapacity() {
        Table t = mixed(7);
        for (int i = 0; i < t.n; i++) {
            t.critical[i] = i < 120;
        }
        for (int i = 0; i < 3; i++) {
            t.round(100, 80, 1_000);
        }
        assertEquals(t.hottest(true, 100), t.hwSet(), "the 100 hottest of 120 critical flows, no best-effort");
    }

    @Test
    void aNewCriticalFlowEvictsTheColdestBestEffortOneWhenTheTableIsFull() {
        Table t = new Table(11);
        for (int i = 0; i < 10; i++) {
            t.rate[i] = 100 + i;
        }
        t.rate[10] = 1; // cold, but critical
        t.critical[10] = true;
        t.round(10, 10, 100);
        assertTrue(t.hw[10], "critical first");
        assertFalse(t.hw[0], "the coldest best-effort flow made room");
        assertEquals(10, t.inHw());
    }

    @Test
    void nothingFlapsUnderNoisyRatesAndARateChangeIsFollowedWithinAFewRounds() {
        Table t = mixed(3);
        Random noise = new Random(99);
        double[] base = t.rate.clone();
        for (int i = 0; i < 6; i++) {
            t.round(100, 80, 1_000);
        }
        Set<Integer> settled = t.hwSet();
        int moves = 0;
        for (int i = 0; i < 20; i++) {
            for (int f = 0; f < t.n; f++) {
                t.rate[f] = base[f] * (0.9 + 0.2 * noise.nextDouble()); // ±10 %
            }
            t.round(100, 80, 1_000);
            moves += t.movesLastRound;
        }
        // ±10 % around distinct rates may swap flows right at the edge once (hysteresis 25 %
        // keeps incumbents unless a challenger is clearly hotter), but nothing moves back and forth
        assertTrue(moves <= 4, "at most a couple of swaps at the edge under noise, saw " + moves);

        // the coldest software best-effort flow becomes the hottest flow of all
        int cold = -1;
        for (int f = 0; f < t.n; f++) {
            if (!t.critical[f] && !t.hw[f] && (cold < 0 || base[f] < base[cold])) {
                cold = f;
            }
        }
        base[cold] = 10_000_000;
        Arrays.setAll(t.rate, f -> base[f]);
        int rounds = 0;
        while (!t.hw[cold] && rounds < 5) {
            t.round(100, 80, 1_000);
            rounds++;
        }
        assertTrue(t.hw[cold], "followed: promoted within " + rounds + " rounds");
        assertTrue(rounds <= 4, "within the dwell (3 rounds) and one more: " + rounds);
        assertEquals(80, t.inHw(), "still at the watermark: one in, one out");
        assertTrue(settled.size() == 80);
    }

    @Test
    void aSmallBudgetMovesNoMoreThanItAndNeverOverfillsTheTable() {
        Table t = mixed(11);
        int rounds = 0;
        while (rounds < 50) {
            t.round(100, 80, 8);
            rounds++;
            if (t.movesLastRound == 0) {
                break;
            }
        }
        Set<Integer> want = new TreeSet<>(t.hottest(true, 30));
        want.addAll(t.hottest(false, 50));
        assertEquals(want, t.hwSet(), "reached the same placement in steps of 8: " + rounds + " rounds");
        // a full table: everything in hardware is swapped for hotter flows, 8 moves a round
        for (int f = 0; f < t.n; f++) {
            t.rate[f] = t.hw[f] ? 1 + f * 1e-3 : 2_000_000 + f;
        }
        for (int i = 0; i < 100; i++) {
            t.round(100, 80, 8);
            if (t.movesLastRound == 0) {
                break;
            }
        }
        Set<Integer> want2 = new TreeSet<>(t.hottest(true, 30));
        want2.addAll(t.hottest(false, 50));
        assertEquals(want2, t.hwSet());
    }

    @Test
    void kthLargestAgreesWithASort() {
        Random r = new Random(5);
        for (int c = 0; c < 2_000; c++) {
            int m = 1 + r.nextInt(200);
            double[] a = new double[m];
            for (int i = 0; i < m; i++) {
                a[i] = r.nextInt(50); // many ties
            }
            int k = 1 + r.nextInt(m);
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            assertEquals(sorted[m - k], PlacementPlanner.kthLargest(a.clone(), m, k), "case " + c + " m=" + m + " k=" + k);
        }
    }

    @Test
    void emptyAndZeroCapacityPlansMoveOnlyOut() {
        PlacementPlanner p = new PlacementPlanner();
        p.reset(0);
        p.plan(1, 100, 80, 0.25, 3, 10);
        assertEquals(0, p.promotions() + p.demotions());
        Table t = new Table(5);
        Arrays.fill(t.hw, true);
        Arrays.fill(t.rate, 10);
        t.round(0, 0, 100);
        assertEquals(0, t.inHw(), "capacity 0: everything leaves the table");
    }
}
