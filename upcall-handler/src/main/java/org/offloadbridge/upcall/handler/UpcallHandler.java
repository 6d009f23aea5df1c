package org.offloadbridge.upcall.handler;

import java.util.List;
import java.util.function.Consumer;
import org.agrona.concurrent.Agent;
import org.offloadbridge.flow.FlowKey;
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
 * One handler thread (an Agrona agent): drains up to {@link #MAX_BATCH} upcalls per
 * {@link #doWork()}, translates each, places its megaflow once per ufid, and executes its packet.
 * Tests call {@code doWork()} by hand; the daemon runs it in an {@code AgentRunner}.
 *
 * <p>Per upcall, in order: the in_port must be a port of ours; the key is the source's or parsed
 * from the frame into this handler's scratch key; a userspace-action upcall is counted (there is
 * no controller to deliver it to); the key is translated (learning); a flow that already has a
 * ukey only has its packet executed (counted as a slow-path packet when the flow is in no layer,
 * else as a duplicate upcall — the flow is being or was just installed); at the flow limit the
 * packet is executed and nothing is placed; otherwise the ukey is inserted (visible), the
 * install decision runs, the ukey becomes operational with its layer and reason, and the packet
 * is executed. Every failure is counted and rate-limit logged; nothing escapes {@code doWork()}.
 * Each upcall's handling time goes into {@link UpcallCounters#handling()} (two
 * {@code System.nanoTime()} reads and a bucket add: nothing allocated).
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
    private final Consumer<Upcall> onUpcall = this::handle;

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
    }

    @Override
    public int doWork() {
        return source.drain(onUpcall, MAX_BATCH);
    }

    @Override
    public String roleName() {
        return "handler-" + id;
    }

    private void handle(Upcall u) {
        long start = System.nanoTime();
        try {
            handle0(u);
        } catch (RuntimeException e) {
            counters.internalErrors.increment();
            badInput.warn("{}: upcall from port {} dropped: {}", roleName(), u.inPort(), e.toString());
        }
        counters.handling.record(System.nanoTime() - start);
    }

    private void handle0(Upcall u) {
        counters.upcalls.increment();
        if (!ports.exists(u.inPort())) {
            counters.unknownPort.increment();
            badInput.warn("{}: upcall from unknown port {} dropped", roleName(), Integer.toUnsignedString(u.inPort()));
            return;
        }
        if (u.kind() == Upcall.Kind.ACTION) {
            counters.actionUpcalls.increment();
            return;
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
                return;
            }
            key = scratch;
        }
        Translation t;
        try {
            t = pipeline.translate(key, true);
        } catch (RuntimeException e) {
            counters.translateErrors.increment();
            badInput.warn("{}: translation of a packet from port {} threw, dropped: {}", roleName(),
                Integer.toUnsignedString(u.inPort()), e.toString());
            return;
        }
        if (t.error() != null) {
            counters.translateErrors.increment();
            badInput.warn("{}: translation of a packet from port {} failed, dropped: {}", roleName(),
                Integer.toUnsignedString(u.inPort()), t.error());
            return;
        }
        long now = clock.millis();
        Ukey existing = ukeys.get(Ufid.of(t.key(), t.mask()));
        if (existing != null) {
            executeDuplicate(existing, u, t, now);
            return;
        }
        if (ukeys.size() >= flowLimit.current()) {
            counters.flowLimitHits.increment();
            counters.reason(Reason.FLOW_LIMIT);
            counters.slowPathPackets.increment();
            credit(t, u);
            execute(u, t);
            return;
        }
        Megaflow m = t.megaflow();
        OffloadPreference pref = t.offload();
        Ukey uk = new Ukey(m, pref, t.seq(), t.rulesHit(), now);
        Ukey raced = ukeys.insert(uk);
        if (raced != null) {
            executeDuplicate(raced, u, t, now);
            return;
        }
        OffloadPolicy pol = policy.current();
        InstallDecision.Outcome o;
        try {
            o = InstallDecision.install(InstallDecision.decide(m, pref, pol, ports), m, pref, layers);
        } catch (RuntimeException e) {
            // a bug in the decision: the flow goes to the slow path rather than nowhere
            counters.internalErrors.increment();
            badInput.warn("{}: install decision for {} threw: {}", roleName(), m.ufid(), e.toString());
            o = new InstallDecision.Outcome(org.offloadbridge.flow.FlowLayer.NONE, Reason.KERNEL_REFUSED, e.toString(), 0,
                null, org.offloadbridge.flow.FlowStats.ZERO);
        }
        uk.placed(o, pol.generation(), ukeys.generation(), now);
        uk.transition(UkeyState.OPERATIONAL);
        counters.placed(o.layer(), o.reason());
        layers.counters().placed(o.layer(), o.reason());
        if (o.installed()) {
            counters.installed.increment();
            credit(t, u);
        } else {
            counters.slowPathFlows.increment();
            uk.countSlowPathPacket(u.packet().length, now);
            counters.slowPathPackets.increment();
        }
        execute(u, t);
    }

    private void executeDuplicate(Ukey existing, Upcall u, Translation t, long now) {
        if (existing.countSlowPathPacket(u.packet().length, now)) {
            counters.slowPathPackets.increment();
        } else {
            counters.duplicateUpcalls.increment();
            credit(t, u);
        }
        execute(u, t);
    }

    /**
     * Counts a packet this handler executes, and no flow's counters will, to the rules it hit
     * (OVS credits an upcall's packet to its rules as it translates it). A packet the ukey
     * counts (slow path) reaches the rules through the revalidator's push instead.
     */
    private static void credit(Translation t, Upcall u) {
        List<org.offloadbridge.upcall.pipeline.Rule> rules = t.rulesHit();
        int len = u.packet().length;
        for (int i = 0; i < rules.size(); i++) {
            rules.get(i).count(1, len);
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
