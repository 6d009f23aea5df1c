package org.offloadbridge.revalidator;

import java.util.Arrays;

/**
 * Which flows of one e-switch belong in its NIC table, by value rather than first come first
 * served (issue 14, "capacity-aware placement"; docs/placement.md). Pure and allocation-free
 * once sized: the caller fills one row per flow that could be in the NIC — its class, its
 * recent packet rate, whether it is there now, the round it last moved — and {@link #plan}
 * says which to promote into hardware and which to demote to software.
 *
 * <p>The rule, for a table of {@code capacity} flows with a {@code watermark} (≤ capacity):
 * critical flows first, hottest first, up to the capacity; then best-effort flows, hottest
 * first, while the table holds fewer than the watermark. Two brakes keep it from flapping:
 * a flow in hardware ranks as if its rate were {@code 1 + hysteresis} times what it is (a
 * challenger must be clearly hotter), and a flow that moved less than {@code dwellRounds}
 * rounds ago stays where it is. A round makes at most {@code maxMoves} moves — demotions first
 * as far as promotions need the room, coldest first; promotions critical first, then hottest
 * — and never plans more flows into the table than it holds.
 *
 * <p>Not thread-safe: one planner per revalidator leader.
 */
public final class PlacementPlanner {
    private int n;
    private double[] rate = new double[0];
    private boolean[] critical = new boolean[0];
    private boolean[] inHw = new boolean[0];
    private long[] movedRound = new long[0];
    // scratch
    private double[] score = new double[0];
    private boolean[] want = new boolean[0];
    private int[] order = new int[0];
    private double[] keys = new double[0];
    private int[] promote = new int[0];
    private int[] demote = new int[0];
    private int promotions;
    private int demotions;

    /** Starts a plan of {@code flows} rows (row i is filled with {@link #row}). */
    public void reset(int flows) {
        if (rate.length < flows) {
            int c = Math.max(flows, rate.length * 2);
            rate = new double[c];
            critical = new boolean[c];
            inHw = new boolean[c];
            movedRound = new long[c];
            score = new double[c];
            want = new boolean[c];
            order = new int[c];
            keys = new double[c];
            promote = new int[c];
            demote = new int[c];
        }
        n = flows;
        promotions = 0;
        demotions = 0;
    }

    /**
     * Row {@code i}: a flow that could be in the NIC.
     *
     * @param pps        its recent packet rate
     * @param isCritical offload class critical (else best-effort)
     * @param inHardware in the NIC now
     * @param lastMoved  the round it last moved between hardware and software (long.MIN_VALUE/2: never)
     */
    public void row(int i, double pps, boolean isCritical, boolean inHardware, long lastMoved) {
        rate[i] = pps;
        critical[i] = isCritical;
        inHw[i] = inHardware;
        movedRound[i] = lastMoved;
    }

    /**
     * Plans round {@code round}. Results: {@link #promotions()} rows to move into hardware
     * ({@link #promoted(int)}, in the order to do them) and {@link #demotions()} rows to move
     * out ({@link #demoted(int)}, do these first).
     */
    public void plan(long round, int capacity, int watermark, double hysteresis, int dwellRounds, int maxMoves) {
        promotions = 0;
        demotions = 0;
        if (n == 0) {
            return;
        }
        int cap = Math.max(0, capacity);
        int mark = Math.max(0, Math.min(watermark, cap));
        int hwNow = 0;
        for (int i = 0; i < n; i++) {
            score[i] = inHw[i] ? rate[i] * (1 + hysteresis) : rate[i];
            want[i] = false;
            if (inHw[i]) {
                hwNow++;
            }
        }
        // critical: the hottest, up to the capacity
        int crit = select(true, cap);
        // best-effort: the hottest, while the table is under the watermark
        select(false, Math.max(0, mark - crit));

        // what moves: wanted and not there, there and not wanted; a flow that moved lately stays
        int freeAfterDemotions = cap - hwNow;
        int nd = 0;
        int np = 0;
        for (int i = 0; i < n; i++) {
            boolean frozen = round - movedRound[i] < dwellRounds;
            if (frozen || want[i] == inHw[i]) {
                continue;
            }
            if (inHw[i]) {
                demote[nd++] = i;
            } else {
                promote[np++] = i;
            }
        }
        // promotions: critical first, then hottest; demotions: coldest first
        sortBy(promote, np, true);
        sortBy(demote, nd, false);
        int budget = Math.max(0, maxMoves);
        // room: what is free now plus what the demotions taken free; each promotion needs one
        int takeP = 0;
        int takeD = 0;
        int room = Math.max(0, freeAfterDemotions);
        while (takeP < np && takeP + takeD < budget) {
            if (room > 0) {
                room--;
                takeP++;
            } else if (takeD < nd && takeP + takeD + 2 <= budget) {
                takeD++; // frees one slot for the next promotion
                room++;
            } else {
                break;
            }
        }
        // demotions nobody needs the room of still go (a best-effort flow over the watermark, a
        // cold flow whose rank fell), within what is left of the budget
        while (takeD < nd && takeP + takeD < budget) {
            takeD++;
        }
        demotions = takeD;
        promotions = takeP;
    }

    /** Marks the {@code limit} best rows of one class wanted; returns how many it marked. */
    private int select(boolean crit, int limit) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (critical[i] == crit) {
                order[m++] = i;
            }
        }
        if (limit <= 0 || m == 0) {
            return 0;
        }
        if (m <= limit) {
            for (int k = 0; k < m; k++) {
                want[order[k]] = true;
            }
            return m;
        }
        // the limit-th best score by quickselect, then everything above it (ties: by position)
        for (int k = 0; k < m; k++) {
            keys[k] = score[order[k]];
        }
        double threshold = kthLargest(keys, m, limit);
        int taken = 0;
        for (int k = 0; k < m && taken < limit; k++) {
            if (score[order[k]] > threshold) {
                want[order[k]] = true;
                taken++;
            }
        }
        for (int k = 0; k < m && taken < limit; k++) {
            int i = order[k];
            if (!want[i] && score[i] == threshold) {
                want[i] = true;
                taken++;
            }
        }
        return taken;
    }

    /** The k-th largest (1-based) of a[0..m), reordering a (Hoare's selection). */
    static double kthLargest(double[] a, int m, int k) {
        int lo = 0;
        int hi = m - 1;
        int target = k - 1;
        while (lo < hi) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] > pivot) {
                    i++;
                }
                while (a[j] < pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        return a[target];
    }

    /**
     * Orders rows idx[0..m): for promotions critical first, each class hottest first; for
     * demotions best-effort first, each class coldest first.
     */
    private void sortBy(int[] idx, int m, boolean promotionOrder) {
        // stable partition by class into keys' companion array, then sort each part
        int front = 0;
        int[] tmp = order; // free here: select() is done with it
        int t = 0;
        for (int k = 0; k < m; k++) {
            if (critical[idx[k]] == promotionOrder) {
                idx[front++] = idx[k];
            } else {
                tmp[t++] = idx[k];
            }
        }
        System.arraycopy(tmp, 0, idx, front, t);
        for (int k = 0; k < m; k++) {
            keys[k] = promotionOrder ? -score[idx[k]] : score[idx[k]];
        }
        if (front > 1) {
            sortParallel(keys, idx, 0, front - 1);
        }
        if (m - front > 1) {
            sortParallel(keys, idx, front, m - 1);
        }
    }

    private static void sortParallel(double[] k, int[] v, int lo, int hi) {
        while (hi - lo > 16) {
            double p = k[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (k[i] < p) {
                    i++;
                }
                while (k[j] > p) {
                    j--;
                }
                if (i <= j) {
                    double tk = k[i];
                    k[i] = k[j];
                    k[j] = tk;
                    int tv = v[i];
                    v[i] = v[j];
                    v[j] = tv;
                    i++;
                    j--;
                }
            }
            if (j - lo < hi - i) {
                sortParallel(k, v, lo, j);
                lo = i;
            } else {
                sortParallel(k, v, i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            double tk = k[i];
            int tv = v[i];
            int j = i - 1;
            while (j >= lo && k[j] > tk) {
                k[j + 1] = k[j];
                v[j + 1] = v[j];
                j--;
            }
            k[j + 1] = tk;
            v[j + 1] = tv;
        }
    }

    public int promotions() {
        return promotions;
    }

    /** The {@code k}-th row to promote. */
    public int promoted(int k) {
        if (k >= promotions) {
            throw new IndexOutOfBoundsException(k + " of " + promotions);
        }
        return promote[k];
    }

    public int demotions() {
        return demotions;
    }

    /** The {@code k}-th row to demote. */
    public int demoted(int k) {
        if (k >= demotions) {
            throw new IndexOutOfBoundsException(k + " of " + demotions);
        }
        return demote[k];
    }

    /** Whether row {@code i} belongs in hardware by rank alone (before dwell and budget). */
    public boolean wanted(int i) {
        return want[i];
    }

    @Override
    public String toString() {
        return "PlacementPlanner[" + n + " rows, promote " + Arrays.toString(Arrays.copyOf(promote, promotions))
            + ", demote " + Arrays.toString(Arrays.copyOf(demote, demotions)) + "]";
    }
}
