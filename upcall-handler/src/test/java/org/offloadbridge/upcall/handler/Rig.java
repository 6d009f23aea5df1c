package org.offloadbridge.upcall.handler;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.flow.Upcall;
import org.offloadbridge.flow.UpcallQueue;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.Translation;

/**
 * Everything a handler (and a revalidator) runs against, in memory: a fake clock, a pipeline of
 * ports p1..p8, a ukey table, fake tc and DPDK layers, port facts (all tc netdevs on one
 * e-switch unless a test changes them), the live policy, the flow limit, and handlers fed from
 * their own queues, driven by hand.
 */
public final class Rig {
    /**
     * Port 1 → 2 by default; tp_dst=99 → p3; p4 → controller. The dl_src rule never matches a
     * test flow but makes every megaflow hold dl_src exactly (MACs have no prefix trie), so flows
     * that differ in dl_src ({@link TestPipelines#distinct}) are distinct megaflows.
     */
    public static final String RULES = """
        priority=20,in_port=p4,actions=controller
        priority=15,dl_src=02:00:00:00:ff:ff,actions=drop
        priority=10,udp,tp_dst=99,actions=output:p3
        priority=1,actions=output:p2
        """;

    public final ManualClock clock = new ManualClock(1_000_000);
    public final Pipeline pipeline;
    public final UkeyTable ukeys = new UkeyTable(64);
    public final FakeFlowTarget tc = FakeFlowTarget.tc();
    public final FakeFlowTarget dpdk = FakeFlowTarget.dpdk();
    public final FakePorts ports = FakePorts.oneSwitch(8);
    public final LivePolicy policy;
    public final FlowLimit flowLimit;
    public final UpcallCounters counters = new UpcallCounters();
    public final RecordingExecutor executor = new RecordingExecutor();
    public Layers layers;
    /** The handlers' admission check (capacity-aware placement), when a test sets one before the first send. */
    public HwBudget budget;
    private final List<UpcallQueue> queues = new ArrayList<>();
    private final List<UpcallHandler> handlers = new ArrayList<>();

    public Rig() {
        this(true, TcPolicy.NONE, 200_000);
    }

    public Rig(boolean hwOffload, TcPolicy tcPolicy, int flowLimit) {
        pipeline = TestPipelines.bridge(8, RULES, clock);
        policy = new LivePolicy(hwOffload, tcPolicy);
        this.flowLimit = new FlowLimit(flowLimit);
        layers = new Layers(tc, dpdk);
    }

    /** Handler {@code i}, made (with its own queue) on first use. */
    public UpcallHandler handler(int i) {
        while (handlers.size() <= i) {
            UpcallQueue q = new UpcallQueue(1024, 1_000);
            queues.add(q);
            handlers.add(new UpcallHandler(handlers.size(), q, pipeline, ukeys, layers, ports, executor, policy, flowLimit,
                counters, clock).admission(budget));
        }
        return handlers.get(i);
    }

    /** Queues a miss with its key for handler {@code i}. */
    public void miss(int i, FlowKey key) {
        handler(i);
        if (!queues.get(i).offer(new Upcall(Upcall.Kind.MISS, key.inPort(), key, new byte[64], null))) {
            throw new IllegalStateException("queue full");
        }
    }

    public void offer(int i, Upcall u) {
        handler(i);
        if (!queues.get(i).offer(u)) {
            throw new IllegalStateException("queue full");
        }
    }

    /** Queues a miss for handler 0 and runs it. */
    public Ukey send(FlowKey key) {
        miss(0, key);
        handler(0).doWork();
        return ukeys.get(ufidOf(key));
    }

    /** The ufid the pipeline gives {@code key}'s megaflow now (translation without learning). */
    public Ufid ufidOf(FlowKey key) {
        Translation t = pipeline.translate(key, false);
        return Ufid.of(t.key(), t.mask());
    }

    public UpcallCounters.Values stats() {
        return counters.snapshot();
    }
}
