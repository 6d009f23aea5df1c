package org.offloadbridge.dpdk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.offloadbridge.dpdk.internal.Dpcls;
import org.offloadbridge.dpdk.internal.InstalledFlow;
import org.offloadbridge.dpdk.internal.Rcu;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;

/**
 * The datapath's flow table, for handler and revalidator threads: install, modify, delete,
 * stats, dump — all safe while PMD threads forward.
 *
 * <p>Writers serialise on this object; PMD threads never lock: they read the classifier's
 * published snapshot inside an {@link Rcu} section. {@link #delete} unpublishes the flow, marks it
 * dead (so PMD exact-match caches stop returning it), then waits for a grace period: when it
 * returns, no PMD thread can send another packet with that flow, and the statistics it returns are
 * final.
 */
public final class FlowTable {

    private final Dpcls classifier = new Dpcls();
    private final Map<Ufid, InstalledFlow> byUfid = new HashMap<>();
    private final Rcu rcu;
    private final int statSlots;
    private final Consumer<Actions> actionCheck;

    /**
     * @param statSlots   writers of flow statistics: one per PMD thread plus one for packet-out
     * @param actionCheck throws IllegalArgumentException for actions the datapath cannot execute
     *                    (unknown ports); called on install and modify
     */
    public FlowTable(Rcu rcu, int statSlots, Consumer<Actions> actionCheck) {
        this.rcu = rcu;
        this.statSlots = statSlots;
        this.actionCheck = actionCheck;
    }

    /** A table for tests or single-threaded use: its own Rcu, one stats slot, no action check. */
    public static FlowTable standalone() {
        return new FlowTable(new Rcu(), 1, a -> { });
    }

    /**
     * Installs a megaflow.
     *
     * @throws IllegalStateException    when a flow with the same ufid or the same match exists
     * @throws IllegalArgumentException when the actions name something the datapath lacks
     */
    public synchronized void install(Megaflow megaflow) {
        if (byUfid.containsKey(megaflow.ufid())) {
            throw new IllegalStateException("flow " + megaflow.ufid() + " already installed");
        }
        InstalledFlow same = classifier.find(megaflow.key(), megaflow.mask());
        if (same != null) {
            throw new IllegalStateException("flow with the same match already installed as " + same.megaflow.ufid());
        }
        actionCheck.accept(megaflow.actions());
        InstalledFlow f = new InstalledFlow(megaflow, statSlots);
        classifier.insert(f);
        byUfid.put(megaflow.ufid(), f);
    }

    /** Replaces a flow's actions (statistics kept); false when there is no such flow. */
    public synchronized boolean modify(Ufid ufid, Actions actions) {
        InstalledFlow f = byUfid.get(ufid);
        if (f == null) {
            return false;
        }
        actionCheck.accept(actions);
        f.actions(actions);
        return true;
    }

    /**
     * Deletes a flow and returns its final statistics, or null when there was no such flow.
     * Returns only after every PMD thread has stopped using it.
     */
    public synchronized FlowStats delete(Ufid ufid) {
        InstalledFlow f = byUfid.remove(ufid);
        if (f == null) {
            return null;
        }
        f.markDead();
        classifier.remove(f);
        rcu.synchronize();
        return statsOf(f);
    }

    /** Deletes every flow; returns how many. */
    public synchronized int flush() {
        List<Ufid> all = new ArrayList<>(byUfid.keySet());
        for (Ufid u : all) {
            InstalledFlow f = byUfid.remove(u);
            f.markDead();
            classifier.remove(f);
        }
        rcu.synchronize();
        return all.size();
    }

    public synchronized FlowStats stats(Ufid ufid) {
        InstalledFlow f = byUfid.get(ufid);
        return f == null ? null : statsOf(f);
    }

    public synchronized Megaflow get(Ufid ufid) {
        InstalledFlow f = byUfid.get(ufid);
        return f == null ? null : current(f);
    }

    public synchronized List<FlowEntry> dump() {
        List<FlowEntry> out = new ArrayList<>(byUfid.size());
        for (InstalledFlow f : byUfid.values()) {
            out.add(new FlowEntry(current(f), statsOf(f)));
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

    private static Megaflow current(InstalledFlow f) {
        Actions a = f.actions();
        return a == f.megaflow.actions() ? f.megaflow : f.megaflow.withActions(a);
    }

    private static FlowStats statsOf(InstalledFlow f) {
        return new FlowStats(f.packets(), f.bytes(), f.used(), f.tcpFlags());
    }
}
