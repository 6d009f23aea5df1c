package org.offloadbridge.dpdk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.offloadbridge.dpdk.internal.Dpcls;
import org.offloadbridge.dpdk.internal.InstalledFlow;
import org.offloadbridge.dpdk.internal.Rcu;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;

/**
 * The datapath's flow table, for handler and revalidator threads: install, modify, delete,
 * stats, dump — all safe while PMD threads forward. {@link DpdkFlowTarget} is its face as a
 * {@link org.offloadbridge.flow.FlowTarget}.
 *
 * <p>Writers serialise on this object; PMD threads never lock: they read the classifier's
 * published snapshot inside an {@link Rcu} section. {@link #delete} unpublishes the flows, marks
 * them dead (so PMD exact-match caches stop returning them), then waits for ONE grace period for
 * the whole batch: when it returns, no PMD thread can send another packet with those flows, and
 * the statistics it returns are final.
 *
 * <p>Statistics' {@code used} is a reading of the datapath's {@link org.offloadbridge.flow.MonotonicClock}.
 */
public final class FlowTable {

    /** Why the datapath can't hold a flow, or null when it can (checked on install and modify). */
    @FunctionalInterface
    interface FlowCheck {
        Refusal check(Megaflow megaflow);
    }

    /** An expected refusal: the vocabulary's reason and what in the flow caused it. */
    record Refusal(Reason reason, String detail) {
    }

    private final Dpcls classifier = new Dpcls();
    private final Map<Ufid, InstalledFlow> byUfid = new HashMap<>();
    private final Rcu rcu;
    private final int statSlots;
    private final FlowCheck check;

    /**
     * @param statSlots writers of flow statistics: one per PMD thread plus one for packet-out
     * @param check     what the datapath cannot hold (unknown ports, unsupported actions)
     */
    FlowTable(Rcu rcu, int statSlots, FlowCheck check) {
        this.rcu = rcu;
        this.statSlots = statSlots;
        this.check = check;
    }

    /** A table for tests or single-threaded use: its own Rcu, one stats slot, no checks. */
    public static FlowTable standalone() {
        return new FlowTable(new Rcu(), 1, m -> null);
    }

    /**
     * Installs a megaflow.
     *
     * @throws IllegalStateException    when a flow with the same ufid or the same match exists
     * @throws IllegalArgumentException when the flow names something the datapath lacks
     */
    public synchronized void install(Megaflow megaflow) {
        FlowResult r = put(megaflow);
        if (!r.ok()) {
            throw r.reason() == Reason.EXISTS ? new IllegalStateException(r.detail())
                : new IllegalArgumentException(r.detail());
        }
    }

    /** {@link #install} as a result: OK, or REFUSED with EXISTS / NO_DEVICE / UNSUPPORTED_ACTION. */
    synchronized FlowResult put(Megaflow megaflow) {
        Ufid ufid = megaflow.ufid();
        if (byUfid.containsKey(ufid)) {
            return FlowResult.refused(ufid, Reason.EXISTS, "flow " + ufid + " already installed");
        }
        InstalledFlow same = classifier.find(megaflow.key(), megaflow.mask());
        if (same != null) {
            return FlowResult.refused(ufid, Reason.EXISTS,
                "flow with the same match already installed as " + same.megaflow.ufid());
        }
        Refusal no = check.check(megaflow);
        if (no != null) {
            return FlowResult.refused(ufid, no.reason(), no.detail());
        }
        InstalledFlow f = new InstalledFlow(megaflow, statSlots);
        classifier.insert(f);
        byUfid.put(ufid, f);
        return FlowResult.ok(ufid, FlowLayer.DPDK);
    }

    /**
     * Replaces a flow's actions (statistics kept); false when there is no such flow.
     *
     * @throws IllegalArgumentException when the actions name something the datapath lacks
     */
    public synchronized boolean modify(Ufid ufid, Actions actions) {
        InstalledFlow f = byUfid.get(ufid);
        if (f == null) {
            return false;
        }
        FlowResult r = modify(f.megaflow.withActions(actions));
        if (!r.ok()) {
            throw new IllegalArgumentException(r.detail());
        }
        return true;
    }

    /**
     * {@link #modify(Ufid, Actions)} as a result, for a megaflow with the installed flow's ufid and
     * match: OK with the kept counters, else REFUSED (NOT_FOUND, NO_DEVICE, UNSUPPORTED_ACTION).
     */
    synchronized FlowResult modify(Megaflow megaflow) {
        Ufid ufid = megaflow.ufid();
        InstalledFlow f = byUfid.get(ufid);
        if (f == null) {
            return FlowResult.refused(ufid, Reason.NOT_FOUND, null);
        }
        if (!f.key.equals(megaflow.key()) || !f.mask.equals(megaflow.mask())) {
            return FlowResult.refused(ufid, Reason.NOT_FOUND, "flow " + ufid + " is installed with another match");
        }
        Refusal no = check.check(megaflow);
        if (no != null) {
            return FlowResult.refused(ufid, no.reason(), no.detail());
        }
        f.actions(megaflow.actions());
        return FlowResult.ok(ufid, FlowLayer.DPDK, false, f.stats());
    }

    /**
     * Deletes a flow and returns its final statistics, or null when there was no such flow.
     * Returns only after every PMD thread has stopped using it.
     */
    public FlowStats delete(Ufid ufid) {
        return delete(List.of(ufid)).get(0);
    }

    /**
     * Deletes flows, waiting for one grace period for the whole batch (a wait can last a PMD
     * iteration; one per flow would make a revalidator's sweep of thousands crawl). Returns, at
     * each index, that flow's final statistics or null when there was no such flow.
     */
    public synchronized List<FlowStats> delete(List<Ufid> ufids) {
        InstalledFlow[] gone = new InstalledFlow[ufids.size()];
        boolean any = false;
        for (int i = 0; i < gone.length; i++) {
            InstalledFlow f = byUfid.remove(ufids.get(i));
            if (f != null) {
                f.markDead();
                classifier.remove(f);
                gone[i] = f;
                any = true;
            }
        }
        if (any) {
            rcu.synchronize();
        }
        FlowStats[] out = new FlowStats[gone.length];
        for (int i = 0; i < gone.length; i++) {
            out[i] = gone[i] == null ? null : gone[i].stats();
        }
        return Arrays.asList(out);
    }

    /** Deletes every flow (one grace period); returns how many. */
    public synchronized int flush() {
        int n = byUfid.size();
        for (InstalledFlow f : byUfid.values()) {
            f.markDead();
            classifier.remove(f);
        }
        byUfid.clear();
        rcu.synchronize();
        return n;
    }

    public synchronized FlowStats stats(Ufid ufid) {
        InstalledFlow f = byUfid.get(ufid);
        return f == null ? null : f.stats();
    }

    public synchronized Megaflow get(Ufid ufid) {
        InstalledFlow f = byUfid.get(ufid);
        return f == null ? null : current(f);
    }

    /** The flow with its current actions and counters, or null. */
    public synchronized DumpedFlow dumped(Ufid ufid) {
        InstalledFlow f = byUfid.get(ufid);
        return f == null ? null : new DumpedFlow(current(f), FlowLayer.DPDK, f.stats());
    }

    /** Every flow with its current actions and counters (layer DPDK). */
    public synchronized List<DumpedFlow> dump() {
        List<DumpedFlow> out = new ArrayList<>(byUfid.size());
        for (InstalledFlow f : byUfid.values()) {
            out.add(new DumpedFlow(current(f), FlowLayer.DPDK, f.stats()));
        }
        return out;
    }

    public synchronized int size() {
        return byUfid.size();
    }

    /** The flow a packet key falls in, from the caller's thread (slow path, tests). */
    public Megaflow lookup(FlowKey packet) {
        InstalledFlow f = classifier.lookup(packet);
        return f == null ? null : current(f);
    }

    /** For the PMD threads of this package's datapath. */
    Dpcls classifier() {
        return classifier;
    }

    Rcu rcu() {
        return rcu;
    }

    /** Grace periods waited for so far (tests: a batched delete waits once). */
    long gracePeriods() {
        return rcu.gracePeriods();
    }

    private static Megaflow current(InstalledFlow f) {
        Actions a = f.actions();
        return a == f.megaflow.actions() ? f.megaflow : f.megaflow.withActions(a);
    }
}
