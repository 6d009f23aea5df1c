package org.offloadbridge.upcall.handler;

import java.util.List;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.pipeline.Rule;

/**
 * One flow the daemon placed (OVS's {@code udpif_key}): its megaflow, where it is and why, its
 * counters, the pipeline seq it was translated at and the rules it hit (for explain).
 *
 * <p>Threads: the state is volatile; every other mutable field is guarded by this object's
 * monitor, held only for the update, never across a call into a layer. Who may call the
 * mutators is set by the state: the inserting handler while {@link UkeyState#VISIBLE}, the
 * owning revalidator from {@link UkeyState#OPERATIONAL} on; handlers only ever add slow-path
 * packets ({@link #countSlowPathPacket}).
 *
 * <p>Counters: {@link #stats()} is the flow's whole life — the current incarnation's counters
 * as its layer reports them ({@code raw}) plus what earlier incarnations carried ({@code base}:
 * a move between layers, a flow deleted behind our back and put back). They never go backwards.
 *
 * <p>While in the table, a ukey reports every change of its layer and every growth of its
 * counters to the table's {@link LayerTotals} (under its monitor, as part of the same update),
 * so the table's flows by layer and traffic by port stay exact without anyone walking it.
 *
 * <p>Rule counters: {@link #pushStatsToRules()} adds what the counters grew since the last push to
 * every rule the flow's translation hit (OVS's revalidator pushing stats through its xlate
 * cache), so {@code dump-rules} shows per-rule {@code n_packets}/{@code n_bytes}. A change of the
 * rules hit (a re-translation) pushes first, so packets counted under the old translation go to
 * the old rules. An adopted flow's counters from before the restart are not pushed.
 */
public final class Ukey {
    private final Ufid ufid;
    private final int inPort;
    private final long created;
    private volatile UkeyState state = UkeyState.CREATED;

    private Megaflow megaflow;
    private OffloadPreference preference;
    private long seq;
    private List<Rule> rulesHit;
    /** The MAC entries its translation looked up ({@code Translation.macLookups}). */
    private long[] macLookups = NO_MACS;
    private static final long[] NO_MACS = new long[0];
    private FlowLayer layer = FlowLayer.NONE;
    private Reason reason = Reason.NONE;
    private String reasonText = Reason.NONE.token();
    private String detail;
    private int errno;
    private String kernelText;
    private FlowStats raw = FlowStats.ZERO;
    private FlowStats base = FlowStats.ZERO;
    private long pushedPackets;
    private long pushedBytes;
    private long lastActivity;
    private long policyGeneration;
    private long placedGeneration;
    /** Recent packet rate (an average over revalidator rounds) and where its last sample was taken. */
    private double pps;
    private long rateAt = Long.MIN_VALUE;
    private long ratePackets;
    /** Held out of NIC hardware by capacity-aware placement (docs/hardware-table.md), and the round it last moved. */
    private boolean hwDenied;
    private long hwMovedRound = Long.MIN_VALUE / 2;
    /** Hardware retries (promotion) that found no room yet, and the revalidator round before which none is tried. */
    private int hwRetries;
    private long hwRetryRound;
    /** The table's totals while this ukey is in the table, else null. */
    private LayerTotals totals;

    public Ukey(Megaflow megaflow, OffloadPreference preference, long seq, List<Rule> rulesHit, long now) {
        this.ufid = megaflow.ufid();
        this.inPort = megaflow.key().inPort();
        this.megaflow = megaflow;
        this.preference = preference;
        this.seq = seq;
        this.rulesHit = rulesHit;
        this.created = now;
        this.lastActivity = now;
        this.rateAt = now; // the first round's sample is the rate since the miss
    }

    public Ufid ufid() { return ufid; }
    public long created() { return created; }
    public UkeyState state() { return state; }

    /**
     * Moves to {@code next}.
     *
     * @throws IllegalStateException naming both states when the table does not allow it
     */
    public synchronized void transition(UkeyState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("ukey " + ufid + ": illegal state change " + state + " -> " + next);
        }
        state = next;
    }

    public synchronized Megaflow megaflow() { return megaflow; }
    public synchronized OffloadPreference preference() { return preference; }
    public synchronized long seq() { return seq; }
    public synchronized List<Rule> rulesHit() { return rulesHit; }
    /** The MAC learning entries its translation looked up (never null; do not modify). */
    public synchronized long[] macLookups() { return macLookups; }
    /** Records the MAC entries its (re-)translation looked up ({@code Translation.macLookups()}). */
    public synchronized void macLookups(long[] entries) { macLookups = java.util.Objects.requireNonNull(entries); }
    public synchronized FlowLayer layer() { return layer; }
    public synchronized Reason reason() { return reason; }
    /** The reason as the vocabulary writes it, with detail and kernel text ({@code cross-switch:...}). */
    public synchronized String reasonText() { return reasonText; }
    /** What the reason is about (a field, an action, a port), or null. */
    public synchronized String reasonDetail() { return detail; }
    /** The kernel's errno of the reason, or 0. */
    public synchronized int errno() { return errno; }
    /** The kernel's own text (extack) of the reason, or null. */
    public synchronized String kernelText() { return kernelText; }
    public synchronized FlowStats stats() { return raw.plus(base); }
    /** The current incarnation's counters as its layer last reported them. */
    public synchronized FlowStats rawStats() { return raw; }
    /** Clock time the counters were last seen to grow (or the flow was placed). */
    public synchronized long lastActivity() { return lastActivity; }
    public synchronized long policyGeneration() { return policyGeneration; }
    /** The table's dump generation read after the flow was last placed. */
    public synchronized long placedGeneration() { return placedGeneration; }

    /**
     * Takes a rate sample at {@code now} (each revalidator round): the packets counted since the
     * last sample over the time since, averaged with the rate so far (half each, so a change
     * shows within two or three rounds and one lagging hardware read does not swing it).
     */
    public synchronized void sampleRate(long now) {
        long p = raw.packets() + base.packets();
        if (rateAt != Long.MIN_VALUE && now - rateAt >= 50) {
            double inst = (p - ratePackets) * 1000.0 / (now - rateAt);
            pps = pps == 0 ? inst : (pps + inst) / 2;
        }
        if (rateAt == Long.MIN_VALUE || now - rateAt >= 50) {
            rateAt = now;
            ratePackets = p;
        }
    }

    /** Packets per second, recently. */
    public synchronized double pps() {
        return pps;
    }

    /** Offload class critical: a rule that made this flow says {@code offload_class=critical}. */
    public synchronized boolean critical() {
        for (int i = 0; i < rulesHit.size(); i++) {
            if (rulesHit.get(i).critical()) {
                return true;
            }
        }
        return false;
    }

    /** Held out of NIC hardware by capacity-aware placement. */
    public synchronized boolean hwDenied() {
        return hwDenied;
    }

    /** Capacity-aware placement moved the flow out of ({@code denied}) or into hardware in {@code round}. */
    public synchronized void hwPlaced(boolean denied, long round) {
        hwDenied = denied;
        hwMovedRound = round;
    }

    /** The round capacity-aware placement last moved the flow. */
    public synchronized long hwMovedRound() {
        return hwMovedRound;
    }

    /**
     * A hardware retry is due in revalidator round {@code round}: its backoff is over. The round
     * a revalidator first finds the flow waiting only arms it (two rounds): the device refused it
     * a moment ago.
     */
    public synchronized boolean hwRetryDue(long round) {
        if (hwRetryRound == 0) {
            hwRetryRound = round + 2;
            return false;
        }
        return round >= hwRetryRound;
    }

    /**
     * A hardware retry was made in round {@code round}: landed, the backoff restarts; else the
     * next one waits 2, 4, ... 64 rounds (a device that refuses the flow's keys refuses it each
     * time, a full table frees slowly: either way a flow costs the device at most one request
     * per 64 rounds once it has been refused six times).
     */
    public synchronized void hwRetried(long round, boolean landed) {
        if (landed) {
            hwRetries = 0;
            hwRetryRound = 0;
        } else {
            hwRetries = Math.min(hwRetries + 1, 6);
            hwRetryRound = round + (1L << hwRetries);
        }
    }

    /** Records where the flow now is and why (a first install, a move, a reinstall). */
    public synchronized void placed(InstallDecision.Outcome o, long policyGen, long dumpGen, long now) {
        if (o.layer() != layer || o.layer() == FlowLayer.NONE) {
            // a new incarnation: what the old one counted is carried over
            base = raw.plus(base);
            raw = o.stats();
        }
        layer(o.layer());
        why(o);
        policyGeneration = policyGen;
        placedGeneration = dumpGen;
        lastActivity = Math.max(lastActivity, now);
    }

    private void why(InstallDecision.Outcome o) {
        reason = o.reason();
        // one String per distinct reason, not per flow: 200,000 flows placed for one reason share it
        reasonText = o.reasonText().intern();
        detail = o.detail();
        errno = o.errno();
        kernelText = o.kernelText();
    }

    /**
     * A modify in the flow's own target (new actions, or new tc flags): the layer's counters
     * continue, so nothing is carried; {@code o.stats()} are the kept counters.
     */
    public synchronized void placedInPlace(InstallDecision.Outcome o, long policyGen, long dumpGen) {
        if (o.stats().packets() >= raw.packets()) {
            grew(layer, o.stats());
        }
        layer(o.layer());
        why(o);
        policyGeneration = policyGen;
        placedGeneration = dumpGen;
    }

    /**
     * New actions (or preference) modified in place in the flow's own layer: its counters
     * continue ({@code kept}, the modify's result), its recorded reason stays.
     */
    public synchronized void modifiedInPlace(Megaflow m, OffloadPreference pref, long newSeq, List<Rule> rules,
                                             FlowLayer newLayer, FlowStats kept, long dumpGen) {
        pushStatsToRules();
        megaflow = m;
        preference = pref;
        seq = newSeq;
        rulesHit = rules;
        if (kept != null && kept.packets() >= raw.packets()) {
            grew(layer, kept);
        }
        layer(newLayer);
        placedGeneration = dumpGen;
    }

    /**
     * Adds the counters' growth since the last push to each rule hit (no allocation, no lock
     * but this ukey's); the owning revalidator calls it every round and at eviction.
     */
    public synchronized void pushStatsToRules() {
        long p = raw.packets() + base.packets();
        long b = raw.bytes() + base.bytes();
        long dp = p - pushedPackets;
        long db = b - pushedBytes;
        if (dp > 0 || db > 0) {
            List<Rule> rules = rulesHit;
            for (int i = 0; i < rules.size(); i++) {
                rules.get(i).count(Math.max(0, dp), Math.max(0, db));
            }
        }
        pushedPackets = p;
        pushedBytes = b;
    }

    /** A re-translation that changed nothing: the flow is current at {@code newSeq}. */
    public synchronized void current(long newSeq, List<Rule> rules) {
        pushStatsToRules();
        seq = newSeq;
        rulesHit = rules;
    }

    /** The new megaflow (and preference, seq) a placement is about to install. */
    public synchronized void retranslated(Megaflow m, OffloadPreference pref, long newSeq, List<Rule> rules) {
        pushStatsToRules();
        megaflow = m;
        preference = pref;
        seq = newSeq;
        rulesHit = rules;
    }

    /** Marks the policy generation as applied without a move (the flow already satisfies it). */
    public synchronized void policyApplied(long policyGen) {
        policyGeneration = policyGen;
    }

    /**
     * Counters from a dump or get of the flow's layer; the kernel may also have moved it between
     * tc-hw and tc-sw. Packets that grew since the last look count as activity now.
     */
    public synchronized void dumped(FlowStats s, FlowLayer dumpedLayer, long now) {
        if (s.packets() != raw.packets() || s.bytes() != raw.bytes()) {
            lastActivity = now;
        }
        grew(dumpedLayer, s);
        if (dumpedLayer.isTc() && layer.isTc()) {
            layer(dumpedLayer);
        }
    }

    /** The flow vanished from its layer: its last counters are carried, it is in no layer now. */
    public synchronized void lost() {
        base = raw.plus(base);
        raw = FlowStats.ZERO;
        layer(FlowLayer.NONE);
    }

    /** Final counters of the flow's delete. */
    public synchronized void deleted(FlowStats finalRaw) {
        if (finalRaw != null && finalRaw.packets() >= raw.packets()) {
            grew(layer, finalRaw);
        }
    }

    /**
     * A handler executed one packet of this flow itself. Counted only while the flow is on the
     * slow path (operational, in no layer); returns whether it was.
     */
    public synchronized boolean countSlowPathPacket(int bytes, long now) {
        if (state != UkeyState.OPERATIONAL || layer != FlowLayer.NONE) {
            return false;
        }
        raw = new FlowStats(raw.packets() + 1, raw.bytes() + bytes, now, raw.tcpFlags());
        if (totals != null) {
            totals.traffic(inPort, FlowLayer.NONE, 1, bytes);
        }
        lastActivity = now;
        return true;
    }

    /** A ukey adopted from a layer at start: placed, with the layer's counters. */
    public synchronized void adopted(FlowLayer inLayer, FlowStats stats, long dumpGen) {
        layer(inLayer);
        raw = stats;
        rateAt = Long.MIN_VALUE; // what it counted before the restart is not a rate
        pushedPackets = raw.packets() + base.packets(); // counted before the restart: not this run's rules'
        pushedBytes = raw.bytes() + base.bytes();
        reason = Reason.NONE;
        reasonText = "adopted";
        placedGeneration = dumpGen;
        policyGeneration = 0;
    }

    /** The datapath port the flow matches (its megaflow's in_port). */
    public int inPort() {
        return inPort;
    }

    /** Into the table ({@link UkeyTable#insert}): from now on its layer and traffic count in {@code t}. */
    synchronized void joined(LayerTotals t) {
        totals = t;
        t.added(layer);
    }

    /** Out of the table ({@link UkeyTable#remove}): it no longer counts. */
    synchronized void left() {
        if (totals != null) {
            totals.removed(layer);
            totals = null;
        }
    }

    private void layer(FlowLayer next) {
        if (next != layer) {
            if (totals != null) {
                totals.moved(layer, next);
            }
            layer = next;
        }
    }

    /**
     * The current incarnation's counters are now {@code now}: what they grew by is traffic of
     * {@code in}. Counters that went down mean the layer started the flow afresh (it was
     * re-created there): all of {@code now} is new.
     */
    private void grew(FlowLayer in, FlowStats now) {
        long packets = now.packets() - raw.packets();
        long bytes = now.bytes() - raw.bytes();
        if (packets < 0 || bytes < 0) {
            packets = now.packets();
            bytes = now.bytes();
        }
        raw = now;
        if (totals != null && (packets != 0 || bytes != 0)) {
            totals.traffic(inPort, in, packets, bytes);
        }
    }

    @Override
    public synchronized String toString() {
        return ufid + " " + state + " " + layer + " (" + reasonText + ") seq " + seq + " " + raw.plus(base);
    }
}
