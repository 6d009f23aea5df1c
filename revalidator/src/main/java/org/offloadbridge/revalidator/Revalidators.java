package org.offloadbridge.revalidator;

import org.offloadbridge.upcall.handler.UkeyState;

import org.offloadbridge.upcall.handler.Ukey;

import org.offloadbridge.upcall.handler.HwBudget;
import org.offloadbridge.upcall.handler.InstallDecision;


import org.offloadbridge.flow.FlowLayer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.FlowLimit;
import org.offloadbridge.upcall.handler.Layers;
import org.offloadbridge.upcall.handler.LivePolicy;
import org.offloadbridge.upcall.handler.OffloadPolicy;
import org.offloadbridge.upcall.handler.PortFacts;
import org.offloadbridge.upcall.handler.UkeyTable;
import org.offloadbridge.upcall.pipeline.Pipeline;

/**
 * The revalidator threads and what the rest of the daemon asks of them: N {@link Revalidator}
 * agents, each owning the shards {@code s % N == i} of the ukey table, plus the calls the daemon
 * makes from its own threads — {@link #onFlowDeleted} (tc events), {@link #resync} (ENOBUFS),
 * {@link #repolicy} (hw-offload / tc-policy changed) and {@link #adopt} (at start).
 *
 * <h2>Rounds</h2>
 * Every {@code max-revalidator} ms revalidator 0 (the leader) starts a round: it bumps the
 * table's dump generation, dumps each layer once, sorts the flows into one bucket per
 * revalidator by the shard owner of their ufid, and publishes the round. Each revalidator then
 * judges its own ukeys against its bucket (stats, idle expiry, missing flows, re-translation,
 * policy) and deletes what is left in the bucket with no ukey. The last one to finish measures
 * the round and adapts the flow limit; the next round starts only after every revalidator
 * finished this one, so buckets are never overwritten while read.
 *
 * <h2>Idle, and counters that lag</h2>
 * A flow is idle when no packet hit it for {@code max-idle}: {@code used} (the layer's) and
 * the last time the revalidator saw its packet count grow are both that old. In NIC hardware
 * both can lag — drivers refresh hardware counters lazily, so a live flow may show an old
 * {@code used} and flat counters for a while — so a {@code tc-hw} flow is idle only when its
 * counters have not grown for {@code max-idle} plus {@link DatapathConfig#hwStatsGraceMillis()}
 * and its {@code used} is at least {@code max-idle} old. Above the flow limit max-idle is
 * 100 ms (as OVS); above twice the limit every flow is evicted.
 *
 * <h2>Moves</h2>
 * A re-placement (policy change, actions that need another layer, a flow put back) is
 * make-before-break: the new layer's install first, then the delete from the old one, whose final
 * counters are carried into the ukey. A flow that no allowed layer takes goes to the slow path
 * and is deleted from the layer it was in: {@code hw-offload=false} leaves no flow of ours in tc.
 */
public final class Revalidators {
    final DatapathConfig config;
    final UkeyTable ukeys;
    final Pipeline pipeline;
    final Layers layers;
    final PortFacts ports;
    final LivePolicy policy;
    final FlowLimit flowLimit;
    final MonotonicClock clock;
    final RevalidatorCounters counters = new RevalidatorCounters();
    private final List<Revalidator> agents = new ArrayList<>();

    // Round state: written by the leader before the volatile write of `round`, read after reading it.
    private volatile long round;
    private final AtomicInteger pending = new AtomicInteger();
    private long roundStart;
    private long roundGeneration;
    private boolean tcDumped;
    private boolean dpdkDumped;
    private List<Map<Ufid, DumpedFlow>> tcBuckets = List.of();
    private List<Map<Ufid, DumpedFlow>> dpdkBuckets = List.of();
    private long lastRoundAt;
    private boolean roundStarted;
    private volatile boolean resyncWanted;
    /** {@code max-idle} and {@code max-revalidator} now: the config's at start, then what a reload sets. */
    private volatile long maxIdleMillis;
    private volatile long maxRevalidatorMillis;
    /** Rounds completed: the clock of placement's dwell. */
    private volatile long placementRound;
    private final PlacementPlanner planner = new PlacementPlanner();
    private final HwBudget budget = new HwBudget();
    /** Moves one round's placement makes at most (each is one or two requests to the device). */
    static final int MAX_PLACEMENT_MOVES = 256;
    static final double HYSTERESIS = 0.25;
    static final int DWELL_ROUNDS = 3;

    /** @param config concluded; its thread count sets the number of revalidators */
    public Revalidators(DatapathConfig config, UkeyTable ukeys, Pipeline pipeline, Layers layers, PortFacts ports,
                        LivePolicy policy, FlowLimit flowLimit, MonotonicClock clock) {
        this.config = config.conclude();
        this.ukeys = ukeys;
        this.pipeline = pipeline;
        this.layers = layers;
        this.ports = ports;
        this.policy = policy;
        this.flowLimit = flowLimit;
        this.clock = clock;
        this.maxIdleMillis = this.config.maxIdleMillis();
        this.maxRevalidatorMillis = this.config.maxRevalidatorMillis();
        budget.limits(this.config.hwCapacity(), this.config.hwWatermark());
        int n = config.revalidatorThreads();
        if (ukeys.shards() < n) {
            throw new IllegalArgumentException("ukey table has " + ukeys.shards() + " shards, fewer than the " + n
                + " revalidators that must own them");
        }
        for (int i = 0; i < n; i++) {
            agents.add(new Revalidator(this, i, n));
        }
    }

    /** The agents, revalidator 0 (the leader) first; run each in its own runner, or drive them by hand. */
    public List<Revalidator> agents() {
        return agents;
    }

    public RevalidatorCounters.Values counters() {
        return counters.snapshot();
    }

    /** How long rounds took. */
    public org.offloadbridge.upcall.handler.FixedHistogram roundDurations() {
        return counters.roundDurations();
    }

    /** The concluded configuration (max-revalidator, max-idle, thread counts). */
    public DatapathConfig config() {
        return config;
    }

    /** Which revalidator owns {@code ufid}'s ukey. */
    public int owner(Ufid ufid) {
        return ukeys.shardOf(ufid) % agents.size();
    }

    /**
     * A flow of ours was deleted from tc (an RTNLGRP_TC event; any thread). Its owner checks it
     * on its next {@code doWork()} and puts it back if it is really gone and its ukey still wants
     * it, without waiting for the next dump. A full event queue asks for a resync instead.
     */
    public void onFlowDeleted(Ufid ufid) {
        if (!agents.get(owner(ufid)).offerEvent(ufid)) {
            resync();
        }
    }

    /** The event stream lost messages (ENOBUFS): the leader starts a full round at once. */
    public void resync() {
        counters.resyncs.increment();
        resyncWanted = true;
    }

    /**
     * Changes hw-offload and tc-policy; each revalidator re-decides its ukeys on its next
     * {@code doWork()} and moves those whose layer changes, make-before-break.
     * {@link #policyApplied()} says when all have. A flow a handler was placing under the old
     * policy at that moment carries the old generation and is moved at the next round.
     */
    public OffloadPolicy repolicy(boolean hwOffload, TcPolicy tcPolicy) {
        return policy.set(hwOffload, tcPolicy);
    }

    /** {@code max-idle} as it is now. */
    public long maxIdleMillis() {
        return maxIdleMillis;
    }

    /** {@code max-revalidator} as it is now. */
    public long maxRevalidatorMillis() {
        return maxRevalidatorMillis;
    }

    /**
     * Changes {@code max-idle} while running (a reload): the next round judges idleness by it.
     *
     * @throws IllegalArgumentException below {@link DatapathConfig}'s minimum
     */
    public void setMaxIdleMillis(long ms) {
        if (ms < DatapathConfig.MIN_MAX_IDLE_MILLIS) {
            throw new IllegalArgumentException(DatapathConfig.MAX_IDLE + "=" + ms + ": must be >= " + DatapathConfig.MIN_MAX_IDLE_MILLIS);
        }
        maxIdleMillis = ms;
    }

    /**
     * Changes {@code max-revalidator} while running (a reload): the leader starts the next round
     * once this long has passed since the last one began, so a shorter value takes effect at
     * once, not after the old interval.
     *
     * @throws IllegalArgumentException below {@link DatapathConfig}'s minimum
     */
    public void setMaxRevalidatorMillis(long ms) {
        if (ms < DatapathConfig.MIN_MAX_REVALIDATOR_MILLIS) {
            throw new IllegalArgumentException(DatapathConfig.MAX_REVALIDATOR + "=" + ms + ": must be >= "
                + DatapathConfig.MIN_MAX_REVALIDATOR_MILLIS);
        }
        maxRevalidatorMillis = ms;
    }

    /** True when every revalidator has applied the current policy to all of its ukeys. */
    public boolean policyApplied() {
        long g = policy.current().generation();
        for (Revalidator r : agents) {
            if (r.appliedPolicy() != g) {
                return false;
            }
        }
        return true;
    }

    /**
     * At start, before any handler runs: every flow {@code target} holds that still translates
     * to the same megaflow and actions becomes a ukey again with its counters; the others are
     * deleted. Runs on the caller's thread. Returns how many were adopted.
     */
    public int adopt(FlowTarget target) {
        return new Adoption(this).adopt(target);
    }

    // ---- rounds (leader) ----

    /** Leader only: starts a round when it is time (or a resync is wanted) and the last one is done. */
    int maybeStartRound(long now) {
        if (pending.get() != 0 || (roundStarted && now - lastRoundAt < maxRevalidatorMillis && !resyncWanted)) {
            return 0;
        }
        resyncWanted = false;
        int n = agents.size();
        List<Map<Ufid, DumpedFlow>> tc = new ArrayList<>(n);
        List<Map<Ufid, DumpedFlow>> dp = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tc.add(new HashMap<>());
            dp.add(new HashMap<>());
        }
        roundStart = now;
        roundGeneration = ukeys.nextGeneration();
        tcDumped = dumpInto(layers.tc(), tc);
        dpdkDumped = dumpInto(layers.dpdk(), dp);
        tcBuckets = tc;
        dpdkBuckets = dp;
        lastRoundAt = now;
        roundStarted = true;
        pending.set(n);
        round = round + 1;
        return 1;
    }

    private boolean dumpInto(FlowTarget t, List<Map<Ufid, DumpedFlow>> buckets) {
        if (t == null) {
            return false;
        }
        try {
            t.dump(f -> {
                counters.dumped.increment();
                buckets.get(owner(f.ufid())).put(f.ufid(), f);
            });
            return true;
        } catch (RuntimeException e) {
            counters.layerErrors.increment();
            Revalidator.LOG_LIMIT.warn("dump of {} failed, its flows are not judged this round: {}", t.name(), e.toString());
            return false;
        }
    }

    long round() {
        return round;
    }

    long roundGeneration() {
        return roundGeneration;
    }

    boolean tcDumped() {
        return tcDumped;
    }

    boolean dpdkDumped() {
        return dpdkDumped;
    }

    Map<Ufid, DumpedFlow> tcBucket(int id) {
        return tcBuckets.get(id);
    }

    Map<Ufid, DumpedFlow> dpdkBucket(int id) {
        return dpdkBuckets.get(id);
    }

    /** A revalidator finished its part of the round; the last one measures it and plans placement. */
    void finished() {
        if (pending.decrementAndGet() == 0) {
            placementRound = placementRound + 1;
            if (budget.on()) {
                try {
                    planPlacement();
                } catch (RuntimeException e) {
                    counters.layerErrors.increment();
                    Revalidator.LOG_LIMIT.warn("capacity-aware placement failed this round: {}", e.toString());
                }
            }
            long took = clock.millis() - roundStart;
            counters.rounds.increment();
            counters.roundDurations.record(took * 1_000_000L);
            flowLimit.afterRound(took, ukeys.size());
        }
    }

    /** hw-capacity and hw-watermark while running (docs/hardware-table.md); capacity 0 turns placement off. */
    public void setHwCapacity(int capacity, int watermarkPercent) {
        if (capacity < 0 || watermarkPercent < 1 || watermarkPercent > 100) {
            throw new IllegalArgumentException("hw-capacity " + capacity + ", hw-watermark " + watermarkPercent);
        }
        budget.limits(capacity, watermarkPercent);
    }

    /**
     * Each e-switch's own hw-capacity and hw-watermark ({@code {capacity, percent}} by devlink
     * handle, from its {@code [[port]]} table), over the global ones; replaces the ones before.
     */
    public void setEswitchHwLimits(Map<String, int[]> limits) {
        for (Map.Entry<String, int[]> e : limits.entrySet()) {
            int[] v = e.getValue();
            if (v.length != 2 || v[0] < 0 || v[1] < 1 || v[1] > 100) {
                throw new IllegalArgumentException(e.getKey() + ": hw-capacity/hw-watermark " + java.util.Arrays.toString(v));
            }
        }
        budget.eswitchLimits(limits);
    }

    /** The admission check handlers make for new flows (UpcallHandler.admission). */
    public HwBudget hwBudget() {
        return budget;
    }

    /** Capacity-aware placement is on for {@code eswitch}. */
    boolean placementOn(String eswitch) {
        return budget.on(eswitch);
    }

    long placementRound() {
        return placementRound;
    }

    /**
     * Capacity-aware placement, once a round is done (every flow's rate sampled): per e-switch,
     * the planner's moves go to the flows' owners, which make them on their next doWork.
     */
    private void planPlacement() {
        OffloadPolicy pol = policy.current();
        if (!pol.hwOffload()) {
            return;
        }
        Map<String, List<Ukey>> byEswitch = new HashMap<>();
        for (int s = 0; s < ukeys.shards(); s++) {
            ukeys.forEach(s, u -> {
                if (u.state() != UkeyState.OPERATIONAL) {
                    return;
                }
                String sw = ports.eswitch(u.inPort());
                if (!budget.on(sw)) {
                    return;
                }
                if (InstallDecision.decide(u.megaflow(), u.preference(), pol, ports).hardwareFirst()) {
                    byEswitch.computeIfAbsent(sw, k -> new ArrayList<>()).add(u);
                }
            });
        }
        long round = placementRound;
        for (Map.Entry<String, List<Ukey>> e : byEswitch.entrySet()) {
            List<Ukey> flows = e.getValue();
            int cap = budget.capacity(e.getKey());
            int mark = budget.watermark(e.getKey());
            planner.reset(flows.size());
            for (int i = 0; i < flows.size(); i++) {
                Ukey u = flows.get(i);
                planner.row(i, u.pps(), u.critical(), u.layer() == FlowLayer.TC_HW, u.hwMovedRound());
            }
            planner.plan(round, cap, mark, HYSTERESIS, DWELL_ROUNDS, MAX_PLACEMENT_MOVES);
            int held = 0;
            for (Ukey u : flows) {
                held += u.layer() == FlowLayer.TC_HW ? 1 : 0;
            }
            budget.counted(e.getKey(), held + planner.promotions() - planner.demotions());
            for (int k = 0; k < planner.demotions(); k++) {
                Ukey u = flows.get(planner.demoted(k));
                String why = (u.critical() ? "critical" : "best-effort") + String.format(java.util.Locale.ROOT, ", %.1f pps", u.pps())
                    + ": " + e.getKey() + "'s table holds " + (u.critical() ? "hotter critical flows (hw-capacity " + cap + ")"
                    : "critical and hotter best-effort flows (hw-watermark " + mark + " of hw-capacity " + cap + " flows)");
                agents.get(owner(u.ufid())).offerMove(new Revalidator.Move(u.ufid(), false, why));
            }
            for (int k = 0; k < planner.promotions(); k++) {
                Ukey u = flows.get(planner.promoted(k));
                agents.get(owner(u.ufid())).offerMove(new Revalidator.Move(u.ufid(), true, null));
            }
        }
    }
}
