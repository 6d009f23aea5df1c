package org.offloadbridge.upcall.handler;

import java.util.List;
import org.agrona.concurrent.Agent;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.PacketParser;
import org.offloadbridge.flow.ParseStatus;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.flow.Upcall;
import org.offloadbridge.flow.UpcallSource;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.Translation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler thread (an Agrona agent): takes up to {@link #MAX_BATCH} upcalls per
 * {@link #doWork()}, translates each, places the batch's new megaflows once per ufid — in one
 * call per layer, so a burst of new flows is one tc sendmsg per batch rather than one round trip
 * each — having executed every packet first, in the order the packets came. Tests call
 * {@code doWork()} by hand; the daemon runs it in an {@code AgentRunner} whose idle strategy
 * {@link #await}s on the source.
 *
 * <p>Per upcall, in order: the in_port must be a port of ours; the key is the source's or parsed
 * from the frame into this handler's scratch key; a userspace-action upcall is counted (there is
 * no controller to deliver it to); the key is translated (learning); a flow that already has a
 * ukey only has its packet executed (counted as a slow-path packet when the flow is in no layer,
 * else as a duplicate upcall — the flow is being or was just installed); at the flow limit the
 * packet is executed and nothing is placed; otherwise the ukey is inserted (visible: another
 * handler's upcall of the flow now finds it, as OVS's {@code ukey_install} before the put). Then
 * the packets are executed, and the install decision runs for the batch's new ukeys, each
 * becoming operational with its layer and reason. (OVS puts before it executes; executing first
 * means a packet never waits on a netlink round trip, and the first packet of a flow is not
 * overtaken by the next ones through the new filter.) Upcalls are completed only after the
 * installs, so the miss path keeps deduplicating a flow's packets until its flow is in place. Every failure is counted and
 * rate-limit logged; nothing escapes {@code doWork()}. Each upcall's handling time (translation to
 * execution, its share of the batch's install included) goes into {@link UpcallCounters#handling()}.
 */
public final class UpcallHandler implements Agent {
    /** Upcalls per {@link #doWork()}: OVS's UPCALL_MAX_BATCH. */
    public static final int MAX_BATCH = 64;

    private static final Logger LOG = LoggerFactory.getLogger(UpcallHandler.class);

    private final int id;
    private final UpcallSource source;
    private final Pipeline pipeline;
    private final UkeyTable ukeys;
    private final Layers layers;
    private final PortFacts ports;
    private final PacketExecutor executor;
    private final LivePolicy policy;
    private final FlowLimit flowLimit;
    private final UpcallCounters counters;
    private final MonotonicClock clock;
    private final LogLimiter badInput;
    private final FlowKey scratch = new FlowKey();

    // The batch, reused: upcalls as taken; per upcall, the translation to execute (null: drop) and
    // its start time; the new flows to place (index into the batch, their ukey and plan).
    private final Upcall[] batch = new Upcall[MAX_BATCH];
    private final Translation[] toExecute = new Translation[MAX_BATCH];
    /** One translation per batch slot, translated into again and again (the upcall path allocates nothing for them). */
    private final Translation[] xlates = new Translation[MAX_BATCH];
    private final long[] started = new long[MAX_BATCH];
    private final int[] freshAt = new int[MAX_BATCH];
    private final Ukey[] fresh = new Ukey[MAX_BATCH];
    private final InstallDecision.Decision[] plans = new InstallDecision.Decision[MAX_BATCH];
    private final Megaflow[] flows = new Megaflow[MAX_BATCH];
    private final OffloadPreference[] prefs = new OffloadPreference[MAX_BATCH];
    private final InstallDecision.Outcome[] outcomes = new InstallDecision.Outcome[MAX_BATCH];
    private int nFresh;
    /** Capacity-aware placement's admission check; null: none (set before the handler runs). */
    private HwBudget budget;

    public UpcallHandler(int id, UpcallSource source, Pipeline pipeline, UkeyTable ukeys, Layers layers, PortFacts ports,
                         PacketExecutor executor, LivePolicy policy, FlowLimit flowLimit, UpcallCounters counters,
                         MonotonicClock clock) {
        this.id = id;
        this.source = source;
        this.pipeline = pipeline;
        this.ukeys = ukeys;
        this.layers = layers;
        this.ports = ports;
        this.executor = executor;
        this.policy = policy;
        this.flowLimit = flowLimit;
        this.counters = counters;
        this.clock = clock;
        this.badInput = new LogLimiter(LOG, clock, 5_000);
        for (int i = 0; i < MAX_BATCH; i++) {
            xlates[i] = new Translation();
        }
    }

    /** Checks new flows against {@code b} before offering them to a NIC (call before the handler runs). */
    public UpcallHandler admission(HwBudget b) {
        this.budget = b;
        return this;
    }

    @Override
    public int doWork() {
        int n = source.take(batch, MAX_BATCH);
        if (n == 0) {
            return 0;
        }
        try {
            nFresh = 0;
            for (int i = 0; i < n; i++) {
                started[i] = System.nanoTime();
                toExecute[i] = null;
                try {
                    toExecute[i] = classify(i, batch[i]);
                } catch (RuntimeException e) {
                    counters.internalErrors.increment();
                    badInput.warn("{}: upcall from port {} dropped: {}", roleName(), batch[i].inPort(), e.toString());
                }
            }
            // The packets go first, in the order they came: none waits for its flow's install (a
            // netlink round trip — longer while rtnl is contended, 300 ms when a reply is lost),
            // and the first packet of a flow leaves before the flow's later packets can overtake
            // it through the new filter. The upcalls complete after the installs (finally), so
            // the miss path keeps deduplicating a flow's packets until its flow is in place.
            for (int i = 0; i < n; i++) {
                if (toExecute[i] != null) {
                    execute(batch[i], toExecute[i]);
                }
            }
            placeFresh();
            for (int i = 0; i < n; i++) {
                counters.handling.record(System.nanoTime() - started[i]);
            }
        } finally {
            for (int i = 0; i < n; i++) {
                source.complete(batch[i]);
                batch[i] = null;
                toExecute[i] = null;
            }
            for (int j = 0; j < nFresh; j++) {
                fresh[j] = null;
                plans[j] = null;
                flows[j] = null;
                prefs[j] = null;
                outcomes[j] = null;
            }
        }
        return n;
    }

    /** Blocks until an upcall may be there (the source's wait), at most {@code timeoutMillis}. */
    public void await(int timeoutMillis) {
        source.await(timeoutMillis);
    }

    @Override
    public String roleName() {
        return "handler-" + id;
    }

    /**
     * Everything up to the install for upcall {@code i}: counted, translated, its ukey found or
     * inserted (a new one queued in {@link #fresh}). Returns the translation whose actions the
     * packet is executed with, or null when it is dropped.
     */
    private Translation classify(int i, Upcall u) {
        counters.upcalls.increment();
        if (!ports.exists(u.inPort())) {
            counters.unknownPort.increment();
            badInput.warn("{}: upcall from unknown port {} dropped", roleName(), Integer.toUnsignedString(u.inPort()));
            return null;
        }
        if (u.kind() == Upcall.Kind.ACTION) {
            counters.actionUpcalls.increment();
            return null;
        }
        counters.misses.increment();
        FlowKey key = u.key();
        if (key == null) {
            scratch.clear();
            int status = PacketParser.parse(u.packet(), u.inPort(), scratch);
            if (status != ParseStatus.OK) {
                counters.badFrames.increment();
                badInput.warn("{}: frame of {} bytes from port {} does not parse ({}), dropped", roleName(),
                    u.packet().length, Integer.toUnsignedString(u.inPort()), ParseStatus.name(status));
                return null;
            }
            key = scratch;
        }
        Translation t;
        try {
            t = pipeline.translate(key, true, xlates[i]);
        } catch (RuntimeException e) {
            counters.translateErrors.increment();
            badInput.warn("{}: translation of a packet from port {} threw, dropped: {}", roleName(),
                Integer.toUnsignedString(u.inPort()), e.toString());
            return null;
        }
        if (t.error() != null) {
            counters.translateErrors.increment();
            // As OVS's upcall_xlate: the failed translation's drop is installed like any flow, so
            // a rule loop costs one translation per megaflow, not 64 nested lookups per packet.
            badInput.warn("{}: translation of a packet from port {} failed, {}: {}", roleName(), Integer.toUnsignedString(u.inPort()),
                t.cacheable() ? "its megaflow installed as a drop flow" : "dropped", t.error());
            if (!t.cacheable()) {
                return null;
            }
        }
        long now = clock.millis();
        Ukey existing = ukeys.get(t.ufid());
        if (existing != null) {
            countDuplicate(existing, u, t, now);
            return t;
        }
        if (ukeys.size() >= flowLimit.current()) {
            counters.flowLimitHits.increment();
            counters.reason(Reason.FLOW_LIMIT);
            counters.slowPathPackets.increment();
            credit(t, u);
            return t;
        }
        Megaflow m = t.megaflow();
        OffloadPreference pref = t.offload();
        Ukey uk = new Ukey(m, pref, t.seq(), t.rulesHit(), now);
        uk.macLookups(t.macLookups());
        Ukey raced = ukeys.insert(uk);
        if (raced != null) {
            countDuplicate(raced, u, t, now);
            return t;
        }
        freshAt[nFresh] = i;
        fresh[nFresh] = uk;
        flows[nFresh] = m;
        prefs[nFresh] = pref;
        nFresh++;
        return t;
    }

    /**
     * New flow {@code j} against the NIC table's budget: a best-effort flow over the watermark or
     * a critical one over the capacity is planned without hardware (hw-capacity), and the round's
     * planner may promote it later.
     */
    private void admit(int j) {
        if (!plans[j].hardwareFirst()) {
            return;
        }
        Ukey uk = fresh[j];
        String sw = ports.eswitch(uk.inPort());
        boolean critical = uk.critical();
        if (!budget.admits(sw, critical)) {
            uk.hwPlaced(true, Long.MIN_VALUE / 2);
            plans[j] = InstallDecision.withoutHardware(plans[j], Reason.HW_CAPACITY, (critical ? "critical" : "best-effort")
                + ", new: " + sw + "'s table holds " + budget.held(sw) + " flows (" + (critical ? "hw-capacity" : "hw-watermark")
                + " reached); placement may promote it");
        }
    }

    /** The install decision for the batch's new ukeys, one call per layer; each ukey operational after. */
    private void placeFresh() {
        if (nFresh == 0) {
            return;
        }
        OffloadPolicy pol = policy.current();
        for (int j = 0; j < nFresh; j++) {
            try {
                plans[j] = InstallDecision.decide(flows[j], prefs[j], pol, ports);
                if (budget != null && budget.on()) {
                    admit(j);
                }
            } catch (RuntimeException e) {
                // a bug in the decision: this flow goes to the slow path rather than nowhere
                counters.internalErrors.increment();
                badInput.warn("{}: install decision for {} threw: {}", roleName(), flows[j].ufid(), e.toString());
                plans[j] = new InstallDecision.Decision(List.of(), Reason.KERNEL_REFUSED, e.toString());
            }
        }
        try {
            InstallDecision.installAll(plans, flows, prefs, nFresh, layers, outcomes);
        } catch (RuntimeException e) {
            counters.internalErrors.increment();
            badInput.warn("{}: install of {} flows threw: {}", roleName(), nFresh, e.toString());
            for (int j = 0; j < nFresh; j++) {
                outcomes[j] = new InstallDecision.Outcome(FlowLayer.NONE, Reason.KERNEL_REFUSED, e.toString(), 0, null, FlowStats.ZERO);
            }
        }
        long now = clock.millis();
        long tableGen = ukeys.generation();
        for (int j = 0; j < nFresh; j++) {
            InstallDecision.Outcome o = outcomes[j];
            Ukey uk = fresh[j];
            Upcall u = batch[freshAt[j]];
            uk.placed(o, pol.generation(), tableGen, now);
            uk.transition(UkeyState.OPERATIONAL);
            counters.placed(o.layer(), o.reason());
            layers.counters().placed(o.layer(), o.reason());
            if (budget != null && o.layer() == FlowLayer.TC_HW) {
                budget.landed(ports.eswitch(uk.inPort()));
            }
            if (o.installed()) {
                counters.installed.increment();
                credit(toExecute[freshAt[j]], u);
            } else {
                counters.slowPathFlows.increment();
                uk.countSlowPathPacket(u.packet().length, now);
                counters.slowPathPackets.increment();
            }
        }
    }

    private void countDuplicate(Ukey existing, Upcall u, Translation t, long now) {
        if (existing.countSlowPathPacket(u.packet().length, now)) {
            counters.slowPathPackets.increment();
        } else {
            counters.duplicateUpcalls.increment();
            credit(t, u);
        }
    }

    /**
     * Counts a packet this handler executes, and no flow's counters will, to the rules it hit
     * (OVS credits an upcall's packet to its rules as it translates it). A packet the ukey
     * counts (slow path) reaches the rules through the revalidator's push instead.
     */
    private static void credit(Translation t, Upcall u) {
        int len = u.packet().length;
        for (int i = 0, n = t.ruleCount(); i < n; i++) {
            t.rule(i).count(1, len);
        }
    }

    private void execute(Upcall u, Translation t) {
        try {
            if (!executor.execute(u.inPort(), u.packet(), t.actions())) {
                counters.executeErrors.increment();
            }
        } catch (RuntimeException e) {
            counters.executeErrors.increment();
            badInput.warn("{}: executing a packet from port {} threw: {}", roleName(), Integer.toUnsignedString(u.inPort()),
                e.toString());
        }
    }
}
