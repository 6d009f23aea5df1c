package org.offloadbridge.revalidator;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import org.agrona.concurrent.Agent;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowPut;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Placement.Attempt;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.InstallDecision;
import org.offloadbridge.upcall.handler.InstallDecision.Decision;
import org.offloadbridge.upcall.handler.InstallDecision.Outcome;
import org.offloadbridge.upcall.handler.LayerCounters;
import org.offloadbridge.upcall.handler.LogLimiter;
import org.offloadbridge.upcall.handler.OffloadPolicy;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.handler.UkeyState;
import org.offloadbridge.upcall.pipeline.Translation;
import org.slf4j.LoggerFactory;

/**
 * One revalidator thread (an Agrona agent) owning the ukey shards {@code s % n == id}. A
 * {@link #doWork()} handles, in order: deletion events for its ukeys, a policy change not yet
 * applied to them, (the leader only) the start of a round, and its part of a published round.
 * See {@link Revalidators} for rounds, idle expiry and moves.
 */
public final class Revalidator implements Agent {
    static final LogLimiter LOG_LIMIT = new LogLimiter(LoggerFactory.getLogger(Revalidator.class), MonotonicClock.SYSTEM, 5_000);
    private static final int EVENT_QUEUE = 4096;
    private static final int EVENTS_PER_WORK = 256;
    /** OVS's max-idle while the table is over the flow limit. */
    static final long OVER_LIMIT_MAX_IDLE_MILLIS = 100;
    /** Hardware retries of fallen-back flows one revalidator makes per round (each is a request to the device). */
    static final int PROMOTIONS_PER_ROUND = 64;

    private final Revalidators r;
    private final int id;
    private final int n;
    // non-blocking offer/poll only (see flow.UpcallQueue for why not Agrona's queue)
    private final ArrayBlockingQueue<Ufid> events = new ArrayBlockingQueue<>(EVENT_QUEUE);
    private final ArrayBlockingQueue<Move> moves = new ArrayBlockingQueue<>(2 * Revalidators.MAX_PLACEMENT_MOVES);

    /**
     * A move capacity-aware placement asks of a flow this revalidator owns: into NIC hardware
     * ({@code promote}) or out of it, with why (for explain).
     */
    record Move(Ufid ufid, boolean promote, String why) {
    }
    private long doneRound;
    /** Rounds this revalidator has done: the clock of hardware-retry backoff. */
    private long rounds;
    private int promotionsThisRound;
    /** Idle flows of this round waiting for their delete: one deleteIdle per layer and {@link #IDLE_BATCH} (OVS's REVALIDATE_MAX_BATCH). */
    private final List<Ukey> idleBatch = new java.util.ArrayList<>();
    /** Re-translations go here, one after another: a round allocates nothing for a flow that stays. */
    private final Translation xlate = new Translation();
    static final int IDLE_BATCH = 50;
    private volatile long appliedPolicy;

    Revalidator(Revalidators r, int id, int n) {
        this.r = r;
        this.id = id;
        this.n = n;
    }

    @Override
    public String roleName() {
        return "revalidator-" + id;
    }

    boolean offerEvent(Ufid ufid) {
        return events.offer(ufid);
    }

    boolean offerMove(Move m) {
        return moves.offer(m);
    }

    long appliedPolicy() {
        return appliedPolicy;
    }

    @Override
    public int doWork() {
        int work = 0;
        Ufid ev;
        while (work < EVENTS_PER_WORK && (ev = events.poll()) != null) {
            onDeleted(ev);
            work++;
        }
        Move mv;
        while (work < EVENTS_PER_WORK && (mv = moves.poll()) != null) {
            onMove(mv);
            work++;
        }
        OffloadPolicy pol = r.policy.current();
        if (pol.generation() != appliedPolicy) {
            forEachOwned(u -> {
                if (u.state() == UkeyState.OPERATIONAL && u.policyGeneration() != pol.generation()) {
                    replace(u, pol);
                }
            });
            appliedPolicy = pol.generation();
            work++;
        }
        if (id == 0) {
            work += r.maybeStartRound(r.clock.millis());
        }
        long published = r.round();
        if (doneRound < published) {
            revalidateRound();
            doneRound = published;
            r.finished();
            work++;
        }
        return work;
    }

    private void forEachOwned(java.util.function.Consumer<Ukey> action) {
        for (int s = id; s < r.ukeys.shards(); s += n) {
            r.ukeys.forEach(s, action);
        }
    }

    // ---- events ----

    private void onDeleted(Ufid ufid) {
        try {
            Ukey u = r.ukeys.get(ufid);
            if (u == null || u.state() != UkeyState.OPERATIONAL || !u.layer().isTc() || r.layers.tc() == null) {
                r.counters.eventsIgnored.increment();
                return;
            }
            Optional<DumpedFlow> held = r.layers.tc().get(ufid);
            if (held.isPresent()) {
                // our own replace or move, or an event older than what tc holds now
                r.counters.eventsIgnored.increment();
                return;
            }
            u.lost();
            place(u, decide(u, r.policy.current()), r.policy.current(), true);
            r.counters.eventsRestored.increment();
        } catch (RuntimeException e) {
            r.counters.layerErrors.increment();
            LOG_LIMIT.warn("{}: deletion event for {} not handled: {}", roleName(), ufid, e.toString());
        }
    }

    // ---- capacity-aware placement ----

    private void onMove(Move m) {
        Ukey u = r.ukeys.get(m.ufid());
        if (u == null || u.state() != UkeyState.OPERATIONAL) {
            return;
        }
        try {
            OffloadPolicy pol = r.policy.current();
            if (m.promote()) {
                u.hwPlaced(false, r.placementRound());
                place(u, decide(u, pol), pol, u.layer() != FlowLayer.TC_SW, true);
                if (u.layer() == FlowLayer.TC_HW) {
                    r.counters.capacityPromoted.increment();
                }
            } else {
                u.hwPlaced(true, r.placementRound());
                place(u, InstallDecision.withoutHardware(InstallDecision.decide(u.megaflow(), u.preference(), pol, r.ports),
                    Reason.HW_CAPACITY, m.why()), pol, true);
                r.counters.capacityDemoted.increment();
            }
        } catch (RuntimeException e) {
            r.counters.layerErrors.increment();
            LOG_LIMIT.warn("{}: placement move of {} failed: {}", roleName(), m.ufid(), e.toString());
        }
    }

    // ---- rounds ----

    private void revalidateRound() {
        Map<Ufid, DumpedFlow> tc = r.tcBucket(id);
        Map<Ufid, DumpedFlow> dp = r.dpdkBucket(id);
        long gen = r.roundGeneration();
        long now = r.clock.millis();
        int flows = r.ukeys.size();
        int limit = r.flowLimit.current();
        boolean evictAll = flows > 2L * limit;
        long maxIdle = flows > limit ? OVER_LIMIT_MAX_IDLE_MILLIS : r.maxIdleMillis();
        OffloadPolicy pol = r.policy.current();
        long seq = r.pipeline.seq();
        rounds++;
        promotionsThisRound = 0;
        forEachOwned(u -> {
            try {
                revalidate(u, tc, dp, gen, now, maxIdle, evictAll, pol, seq);
            } catch (RuntimeException e) {
                r.counters.layerErrors.increment();
                LOG_LIMIT.warn("{}: revalidating {} failed: {}", roleName(), u.ufid(), e.toString());
            }
        });
        flushIdle();
        if (r.tcDumped()) {
            deleteExtra(tc, r.layers.tc(), gen);
        }
        if (r.dpdkDumped()) {
            deleteExtra(dp, r.layers.dpdk(), gen);
        }
    }

    private void revalidate(Ukey u, Map<Ufid, DumpedFlow> tc, Map<Ufid, DumpedFlow> dp, long gen, long now, long maxIdle,
                            boolean evictAll, OffloadPolicy pol, long seq) {
        if (u.state() != UkeyState.OPERATIONAL) {
            // Being placed (a handler between its install and making it operational) or being
            // evicted: whatever copy the dump found is this ukey's, and not for this round to
            // judge. Left in the buckets, deleteExtra would see the ukey operational by then
            // (placed with the generation the handler read before the round) and delete the
            // flow it had just installed.
            tc.remove(u.ufid());
            dp.remove(u.ufid());
            return;
        }
        FlowLayer layer = u.layer();
        boolean judged = layer != FlowLayer.NONE && u.placedGeneration() < gen
            && (layer.isTc() ? r.tcDumped() : r.dpdkDumped());
        if (judged) {
            DumpedFlow d = layer.isTc() ? tc.remove(u.ufid()) : dp.remove(u.ufid());
            if (d == null) {
                if (idle(u, now, maxIdle)) {
                    evict(u, false);
                    r.counters.missingDropped.increment();
                } else {
                    u.lost();
                    place(u, decide(u, pol), pol, true);
                    r.counters.missingReinstalled.increment();
                }
                return;
            }
            if (layer.isTc() && d.layer() == FlowLayer.NONE) {
                // The NIC lost it on its own: the skip_sw filter is there, no hardware behind it
                // (TcFlow.deviceLost). Put again in place; if the device has no room now, the
                // flow's decision falls back as on a first install.
                u.dumped(d.stats(), layer, now);
                u.pushStatsToRules();
                r.counters.deviceLost.increment();
                place(u, decide(u, pol), pol, false);
                return;
            }
            u.dumped(d.stats(), d.layer(), now);
        } else if (layer.isTc()) {
            tc.remove(u.ufid());
        } else if (layer == FlowLayer.DPDK) {
            dp.remove(u.ufid());
        }
        u.pushStatsToRules(); // dumped counters, and slow-path packets the handlers counted
        u.sampleRate(now);
        if (evictAll) {
            evict(u, true);
            r.counters.overLimitEvicted.increment();
            return;
        }
        if (idle(u, now, maxIdle)) {
            u.transition(UkeyState.EVICTING);
            idleBatch.add(u);
            if (idleBatch.size() >= IDLE_BATCH) {
                flushIdle();
            }
            r.counters.idleExpired.increment();
            return;
        }
        boolean stale = u.seq() < seq;
        if (stale && !r.pipeline.changedSince(u.seq(), u.macLookups())) {
            // Only MAC entries it never looked up changed (a new host, another host moving):
            // its translation is the same, so it is current without translating it again.
            u.current(seq, u.rulesHit());
            r.counters.untouched.increment();
            stale = false;
        }
        if (stale) {
            retranslate(u, pol);
        } else if (u.policyGeneration() != pol.generation()) {
            replace(u, pol);
        } else if (!r.placementOn(r.ports.eswitch(u.inPort())) && promotionsThisRound < PROMOTIONS_PER_ROUND && waitsForHardware(u, pol, now)
                && u.hwRetryDue(rounds)) {
            // (with capacity-aware placement on, its planner decides who goes back into hardware)
            promotionsThisRound++;
            promote(u, pol);
        } else if (promotionsThisRound < PROMOTIONS_PER_ROUND && failedForNow(u) && u.hwRetryDue(rounds)) {
            promotionsThisRound++;
            retryPlacement(u, pol);
        }
    }

    /** asm-generic/errno.h: EINTR, EAGAIN, EBUSY, ENOBUFS, ETIMEDOUT. */
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EBUSY = 16;
    private static final int ENOBUFS = 105;
    private static final int ETIMEDOUT = 110;

    /**
     * A flow that fell back (to DPDK or the slow path) because the kernel said "not now" twice
     * (EINTR, EAGAIN, EBUSY: the install is asked twice at once) or its answer was lost twice
     * (ENOBUFS, ETIMEDOUT): nothing about the flow keeps it out, so it is placed again in later
     * rounds, with the same backoff as a hardware retry, rather than left in software until it
     * idles out.
     */
    private static boolean failedForNow(Ukey u) {
        int e = u.errno();
        return !u.layer().isTc() && (e == EINTR || e == EAGAIN || e == EBUSY || e == ENOBUFS || e == ETIMEDOUT);
    }

    private void retryPlacement(Ukey u, OffloadPolicy pol) {
        r.counters.promotionsTried.increment();
        place(u, decide(u, pol), pol, true, true);
        u.hwRetried(rounds, u.layer().isTc());
    }

    // ---- back to hardware ----

    /**
     * A flow that could be in NIC hardware and is not because the device refused it — a full
     * table (no-space) or the driver's refusal (device-refused, which covers a table full under
     * tc-policy none) — and that still carries traffic (activity within the last
     * max-revalidator): worth asking the device again, since room frees as other flows expire.
     */
    private boolean waitsForHardware(Ukey u, OffloadPolicy pol, long now) {
        if (u.layer() == FlowLayer.TC_HW || (u.reason() != Reason.NO_SPACE && u.reason() != Reason.DEVICE_REFUSED)
                || now - u.lastActivity() > r.maxRevalidatorMillis()) {
            return false;
        }
        return decide(u, pol).hardwareFirst();
    }

    /**
     * Asks the device again, make-before-break: from DPDK or the slow path a tc install first,
     * then the old copy goes; a flow in software tc under tc-policy none is replaced in place, so
     * the kernel offers it to the driver again. Refused again, it stays where it is and waits
     * longer (Ukey.hwRetried).
     */
    private void promote(Ukey u, OffloadPolicy pol) {
        r.counters.promotionsTried.increment();
        place(u, decide(u, pol), pol, u.layer() != FlowLayer.TC_SW, true);
        boolean landed = u.layer() == FlowLayer.TC_HW;
        u.hwRetried(rounds, landed);
        if (landed) {
            r.counters.promoted.increment();
        }
    }

    /**
     * Idle: see {@link Revalidators}. {@code used} and the last counter growth this revalidator
     * saw must both be {@code maxIdle} old; for a flow in NIC hardware, whose counters lag, the
     * growth must be {@code maxIdle} plus the hardware grace old.
     */
    boolean idle(Ukey u, long now, long maxIdle) {
        FlowStats s = u.stats();
        long last = u.lastActivity();
        boolean usedOld = !s.everUsed() || now - s.used() >= maxIdle;
        if (u.layer() == FlowLayer.TC_HW) {
            return usedOld && now - last >= maxIdle + DatapathConfig.hwStatsGraceMillis(r.maxRevalidatorMillis());
        }
        return usedOld && now - last >= maxIdle;
    }

    private void deleteExtra(Map<Ufid, DumpedFlow> left, FlowTarget target, long gen) {
        for (DumpedFlow f : left.values()) {
            Ukey u = r.ukeys.get(f.ufid());
            if (u != null && (u.state() != UkeyState.OPERATIONAL || u.placedGeneration() >= gen)) {
                continue; // being placed or just moved: judged next round
            }
            // no ukey, or the ukey's flow is in another layer: this copy is stale
            delete(target, f.layer(), f.ufid());
            r.counters.extraDeleted.increment();
        }
    }

    // ---- re-translation ----

    private void retranslate(Ukey u, OffloadPolicy pol) {
        Megaflow m = u.megaflow();
        Translation t;
        try {
            t = r.pipeline.translate(m.key(), false, xlate);
        } catch (RuntimeException e) {
            LOG_LIMIT.warn("{}: re-translating {} threw, flow deleted: {}", roleName(), u.ufid(), e.toString());
            evict(u, true);
            r.counters.retranslateDeleted.increment();
            return;
        }
        // As OVS's revalidate_ukey__ (flow_wildcards_has_extra): the installed flow stays while
        // it pins every bit the new translation needs — its more specific match still takes only
        // packets that translate alike, and m.withActions keeps its key and mask. Only a
        // translation that needs a bit the flow wildcards (it would be too wide now) evicts it.
        // A failed translation's drop stays like any other translation's actions (OVS's
        // xlate_key ignores the error too); one that rests on no flow field is evicted.
        if (!t.cacheable() || !t.mask().isSubsetOf(m.mask())) {
            evict(u, true);
            r.counters.retranslateDeleted.increment();
            return;
        }
        OffloadPreference pref = t.offload();
        if (t.actions().equals(m.actions()) && pref == u.preference()) {
            u.current(t.seq(), t.sameRules(u.rulesHit()) ? u.rulesHit() : t.rulesHit());
            if (!t.sameMacLookups(u.macLookups())) {
                u.macLookups(t.macLookups());
            }
            r.counters.kept.increment();
            if (u.policyGeneration() != pol.generation()) {
                replace(u, pol);
            }
            return;
        }
        Megaflow changed = m.withActions(t.actions());
        Decision d = InstallDecision.decide(changed, pref, pol, r.ports);
        FlowLayer layer = u.layer();
        Attempt here = d.satisfiedBy(layer);
        FlowTarget target = r.layers.of(layer);
        if (here != null && target != null) {
            FlowResult res = modify(target, layer,
                new FlowPut(changed, layer.isTc() ? InstallDecision.tcPreference(here) : pref));
            if (res.ok()) {
                u.modifiedInPlace(changed, pref, t.seq(), t.rulesHit(), res.layer(), res.stats(), r.ukeys.generation());
                u.macLookups(t.macLookups());
                u.policyApplied(pol.generation());
                r.counters.modified.increment();
                return;
            }
        }
        if (layer == FlowLayer.NONE && d.slowPath()) {
            u.modifiedInPlace(changed, pref, t.seq(), t.rulesHit(), FlowLayer.NONE, null, r.ukeys.generation());
            u.macLookups(t.macLookups());
            u.policyApplied(pol.generation());
            r.counters.modified.increment();
            return;
        }
        u.retranslated(changed, pref, t.seq(), t.rulesHit());
        u.macLookups(t.macLookups());
        place(u, d, pol, false);
    }

    // ---- placement and moves ----

    private Decision decide(Ukey u, OffloadPolicy pol) {
        Decision d = InstallDecision.decide(u.megaflow(), u.preference(), pol, r.ports);
        if (u.hwDenied() && r.placementOn(r.ports.eswitch(u.inPort()))) {
            // held out by capacity-aware placement: a re-placement (policy, re-translation,
            // a lost flow) keeps it out until placement promotes it
            return InstallDecision.withoutHardware(d, Reason.HW_CAPACITY, u.reasonDetail());
        }
        return d;
    }

    private void replace(Ukey u, OffloadPolicy pol) {
        place(u, decide(u, pol), pol, true);
    }

    /**
     * Puts {@code u}'s megaflow where {@code d} says, starting from where it is now,
     * make-before-break. {@code heldIsCurrent}: the flow's layer (if any) already holds
     * {@code u.megaflow()} as it is now (false after a re-translation changed the actions).
     */
    private void place(Ukey u, Decision d, OffloadPolicy pol, boolean heldIsCurrent) {
        place(u, d, pol, heldIsCurrent, false);
    }

    /**
     * {@code retry}: a hardware retry ({@link #promote}); a flow on the slow path that finds no
     * room again stays the same incarnation, its activity untouched (a retry is not traffic).
     */
    private void place(Ukey u, Decision d, OffloadPolicy pol, boolean heldIsCurrent, boolean retry) {
        FlowLayer cur = u.layer();
        Megaflow m = u.megaflow();
        OffloadPreference pref = u.preference();
        InstallDecision.Why why = new InstallDecision.Why(d);
        for (Attempt a : d.attempts()) {
            FlowResult res;
            boolean inPlace;
            if (InstallDecision.satisfies(a, cur) && heldIsCurrent) {
                u.placedInPlace(why.stays(cur, keepReason(u, why.reason()), u.rawStats()), pol.generation(), u.placedGeneration());
                return;
            }
            FlowTarget target = a.isTc() ? r.layers.tc() : r.layers.dpdk();
            OffloadPreference asked = a.isTc() ? InstallDecision.tcPreference(a) : pref;
            if (target == null) {
                res = FlowResult.refused(m.ufid(), Reason.LAYER_UNAVAILABLE, a.isTc() ? "tc" : "dpdk");
                inPlace = false;
            } else if (a.isTc() == cur.isTc() && cur != FlowLayer.NONE) {
                // same target (tc → tc with other flags, or new actions where it is): modify
                res = modify(target, cur, new FlowPut(m, asked));
                inPlace = true;
            } else {
                res = InstallDecision.put(target, new FlowPut(m, asked));
                r.layers.counters().put(LayerCounters.asked(a), res);
                inPlace = false;
            }
            if (res.ok()) {
                Outcome o = why.landed(a, res);
                if (inPlace) {
                    u.placedInPlace(o, pol.generation(), r.ukeys.generation());
                } else {
                    breakOld(u, cur);
                    u.placed(o, pol.generation(), r.ukeys.generation(), r.clock.millis());
                }
                r.layers.counters().placed(o.layer(), o.reason());
                if (res.layer() != cur) {
                    r.counters.moved.increment();
                }
                return;
            }
            why.refused(res);
        }
        // no allowed layer takes it: the slow path, and nothing left where it was
        Outcome slow = why.slowPath();
        if (retry && cur == FlowLayer.NONE) {
            u.placedInPlace(slow, pol.generation(), r.ukeys.generation());
            return;
        }
        breakOld(u, cur);
        u.placed(slow, pol.generation(), r.ukeys.generation(), r.clock.millis());
        r.layers.counters().placed(FlowLayer.NONE, slow.reason());
        if (cur != FlowLayer.NONE) {
            r.counters.moved.increment();
        }
        r.counters.slowPathPlaced.increment();
    }

    /** A flow that stays where it is keeps the reason it got there with, unless the plan has a new one. */
    private static Reason keepReason(Ukey u, Reason planned) {
        return planned != Reason.NONE ? planned : u.reason();
    }

    /** The break of make-before-break: deletes the flow from {@code old}, carrying its final counters. */
    private void breakOld(Ukey u, FlowLayer old) {
        FlowTarget t = r.layers.of(old);
        if (t == null) {
            return;
        }
        FlowResult res = delete(t, old, u.ufid());
        if (res.ok()) {
            u.deleted(res.stats());
        }
    }

    private void evict(Ukey u, boolean deleteFromLayer) {
        u.transition(UkeyState.EVICTING);
        FlowTarget t = r.layers.of(u.layer());
        if (deleteFromLayer && t != null) {
            FlowResult res = delete(t, u.layer(), u.ufid());
            if (res.ok()) {
                u.deleted(res.stats());
            }
        }
        u.pushStatsToRules(); // the final counters
        u.transition(UkeyState.EVICTED);
        r.ukeys.remove(u);
    }

    /**
     * Deletes the idle flows queued this round, in one {@link FlowTarget#deleteIdle} per layer:
     * the counters just dumped are final (idle: nothing came since), so tc need not echo each
     * deleted filter back. Then as {@link #evict}: the last stats pushed to the rules, the ukey gone.
     */
    private void flushIdle() {
        if (idleBatch.isEmpty()) {
            return;
        }
        Map<FlowLayer, List<Ukey>> byLayer = new java.util.EnumMap<>(FlowLayer.class);
        for (Ukey u : idleBatch) {
            byLayer.computeIfAbsent(u.layer(), l -> new java.util.ArrayList<>()).add(u);
        }
        idleBatch.clear();
        for (Map.Entry<FlowLayer, List<Ukey>> e : byLayer.entrySet()) {
            FlowLayer layer = e.getKey();
            List<Ukey> us = e.getValue();
            FlowTarget t = r.layers.of(layer);
            if (t != null) {
                List<Ufid> ufids = us.stream().map(Ukey::ufid).toList();
                List<FlowResult> res;
                try {
                    res = t.deleteIdle(ufids);
                } catch (RuntimeException ex) {
                    r.counters.layerErrors.increment();
                    LOG_LIMIT.warn("{}: delete of {} idle flows from {} threw: {}", roleName(), ufids.size(), t.name(), ex.toString());
                    res = ufids.stream().map(u -> FlowResult.failed(u, Reason.LAYER_UNAVAILABLE, t.name() + ": " + ex, 0, null)).toList();
                }
                for (int i = 0; i < us.size(); i++) {
                    r.layers.counters().delete(layer, res.get(i));
                    if (res.get(i).ok()) {
                        us.get(i).deleted(res.get(i).stats()); // ZERO from tc (not read) leaves the dumped counters
                    }
                }
            }
            for (Ukey u : us) {
                u.pushStatsToRules(); // the final counters
                u.transition(UkeyState.EVICTED);
                r.ukeys.remove(u);
            }
        }
    }

    /** Deletes {@code ufid}'s flow from {@code t}, where it is in {@code layer}; counted in the layers' counters. */
    private FlowResult delete(FlowTarget t, FlowLayer layer, Ufid ufid) {
        FlowResult res;
        try {
            res = t.delete(List.of(ufid)).get(0);
        } catch (RuntimeException e) {
            r.counters.layerErrors.increment();
            LOG_LIMIT.warn("{}: delete of {} from {} threw: {}", roleName(), ufid, t.name(), e.toString());
            res = FlowResult.failed(ufid, Reason.LAYER_UNAVAILABLE, t.name() + ": " + e, 0, null);
        }
        r.layers.counters().delete(layer, res);
        return res;
    }

    /** Modifies a flow that is in {@code layer} of {@code t}; counted in the layers' counters. */
    private FlowResult modify(FlowTarget t, FlowLayer layer, FlowPut p) {
        FlowResult res;
        try {
            res = t.modify(List.of(p)).get(0);
        } catch (RuntimeException e) {
            r.counters.layerErrors.increment();
            LOG_LIMIT.warn("{}: modify of {} in {} threw: {}", roleName(), p.ufid(), t.name(), e.toString());
            res = FlowResult.failed(p.ufid(), Reason.LAYER_UNAVAILABLE, t.name() + ": " + e, 0, null);
        }
        r.layers.counters().modify(layer, res);
        return res;
    }
}
