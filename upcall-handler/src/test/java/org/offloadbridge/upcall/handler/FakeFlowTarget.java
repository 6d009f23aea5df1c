package org.offloadbridge.upcall.handler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowPut;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Ufid;

/**
 * A layer in memory that keeps the {@link FlowTarget} contract (it passes
 * {@code FlowTargetContractTest}): a tc-like one places by the preference it is asked with —
 * {@code required} (skip_sw) in hardware or refused when the "device" takes no hardware flows,
 * {@code preferred} in hardware when it can else software, {@code never} (skip_hw) in software —
 * and a DPDK-like one holds everything in {@link FlowLayer#DPDK}. Flows with an output to
 * {@link #REFUSED_PORT} are refused ({@code unsupported-action}); {@link #refuse} adds other
 * refusals. Tests make traffic with {@link #hit}, delete behind the daemon's back with
 * {@link #removeBehindBack}, and read {@link #log()}: every successful call in order.
 */
public final class FakeFlowTarget implements FlowTarget {
    /** An output port no fake layer can forward to. */
    public static final int REFUSED_PORT = 999;

    private record Entry(Megaflow megaflow, FlowLayer layer, FlowStats stats) {}

    private final String name;
    private final boolean tc;
    private volatile boolean hardware = true;
    private volatile RuntimeException broken;
    private volatile long putDelayMillis;
    private Function<Megaflow, FlowResult> refusal = m -> null;
    private final Map<Ufid, Entry> flows = new LinkedHashMap<>();
    private final List<String> log = new ArrayList<>();
    private final Map<Ufid, Integer> puts = new HashMap<>();
    private volatile List<String> journal;
    private volatile Runnable onDump = () -> { };
    private volatile Runnable onDeleteIdle = () -> { };
    /** Flows the "hardware" holds at most (tc only); one more: no-space under skip_sw, software under none. */
    private int capacity = Integer.MAX_VALUE;
    /** Flows the "hardware" lost on its own: dumped in no layer (a skip_sw filter with nothing behind it). */
    private final java.util.Set<Ufid> lost = new java.util.HashSet<>();
    static final String FULL_TEXT = "netdevsim: hardware flow table is full";

    private FakeFlowTarget(String name, boolean tc) {
        this.name = name;
        this.tc = tc;
    }

    public static FakeFlowTarget tc() {
        return new FakeFlowTarget("tc", true);
    }

    public static FakeFlowTarget dpdk() {
        return new FakeFlowTarget("dpdk", false);
    }

    /** False: the "device" takes no hardware flow (skip_sw refused with device-refused; no-flag lands in software). */
    public FakeFlowTarget hardware(boolean h) {
        hardware = h;
        return this;
    }

    /** Extra refusals: a function giving a refusal for a megaflow, or null to accept. */
    /** The hardware table holds {@code n} flows at most. */
    public synchronized FakeFlowTarget capacity(int n) {
        capacity = n;
        return this;
    }

    /** The hardware drops {@code ufid} on its own (debugfs evict on the simulated e-switch). */
    public synchronized void loseInHardware(Ufid ufid) {
        lost.add(ufid);
    }

    private int inHardware(Ufid except) {
        int n = 0;
        for (Map.Entry<Ufid, Entry> e : flows.entrySet()) {
            if (e.getValue().layer() == FlowLayer.TC_HW && !e.getKey().equals(except) && !lost.contains(e.getKey())) {
                n++;
            }
        }
        return n;
    }

    /** Where {@code p} lands with the table as it is: null when it does not land at all (full under skip_sw). */
    private FlowLayer land(FlowPut p) {
        FlowLayer l = layerFor(p.preference());
        if (l == FlowLayer.TC_HW && inHardware(p.ufid()) >= capacity) {
            return p.preference() == OffloadPreference.REQUIRED ? null : FlowLayer.TC_SW;
        }
        return l;
    }

    private static FlowResult landed(FlowPut p, FlowLayer l, FlowStats stats) {
        String warning = l == FlowLayer.TC_SW && p.preference() == OffloadPreference.PREFERRED ? FULL_TEXT : null;
        return new FlowResult(p.ufid(), FlowResult.Status.OK, Reason.NONE, null, l, false, 0, warning, stats);
    }

    private static FlowResult full(FlowPut p) {
        return FlowResult.failed(p.ufid(), Reason.NO_SPACE, "hardware flow table is full", 28, FULL_TEXT);
    }

    public synchronized FakeFlowTarget refuse(Function<Megaflow, FlowResult> f) {
        refusal = f;
        return this;
    }

    /** Makes every call throw (a broken layer), or heals it with null. */
    public FakeFlowTarget breakIt(RuntimeException e) {
        broken = e;
        return this;
    }

    /** Puts take this long (widens races in the threaded tests). */
    public FakeFlowTarget putDelay(long millis) {
        putDelayMillis = millis;
        return this;
    }

    /** Also appends "name op ufid layer" of every successful call to {@code shared} (one order across layers). */
    public FakeFlowTarget journal(List<String> shared) {
        journal = shared;
        return this;
    }

    /** Runs {@code r} at the start of every dump (a slow dump: advance a clock). */
    public FakeFlowTarget onDump(Runnable r) {
        onDump = r;
        return this;
    }

    /** Runs {@code r} at the start of every {@link #deleteIdle} (what a round does between its pass and its extra-flow check). */
    public FakeFlowTarget onDeleteIdle(Runnable r) {
        onDeleteIdle = r;
        return this;
    }

    private void record(String entry) {
        log.add(entry);
        List<String> j = journal;
        if (j != null) {
            synchronized (j) {
                j.add(name + " " + entry);
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    private void check() {
        RuntimeException e = broken;
        if (e != null) {
            throw e;
        }
    }

    private FlowResult accepts(FlowPut p) {
        for (Action a : p.megaflow().actions().toList()) {
            if (a instanceof Action.Output o && o.port() == REFUSED_PORT) {
                return FlowResult.refused(p.ufid(), Reason.UNSUPPORTED_ACTION, "output:" + REFUSED_PORT);
            }
        }
        FlowResult r = refusal.apply(p.megaflow());
        if (r != null) {
            return r;
        }
        if (tc && p.preference() == OffloadPreference.REQUIRED && !hardware) {
            return FlowResult.failed(p.ufid(), Reason.DEVICE_REFUSED, null, 95, "Operation not supported by the device");
        }
        return null;
    }

    private FlowLayer layerFor(OffloadPreference pref) {
        if (!tc) {
            return FlowLayer.DPDK;
        }
        return switch (pref) {
            case REQUIRED -> FlowLayer.TC_HW;
            case PREFERRED -> hardware ? FlowLayer.TC_HW : FlowLayer.TC_SW;
            case NEVER -> FlowLayer.TC_SW;
        };
    }

    private final java.util.concurrent.atomic.AtomicInteger putCalls = new java.util.concurrent.atomic.AtomicInteger();

    /** How many times {@link #put(List)} was called (batches, not flows). */
    public int putCalls() {
        return putCalls.get();
    }

    @Override
    public List<FlowResult> put(List<FlowPut> batch) {
        putCalls.incrementAndGet();
        check();
        long delay = putDelayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            List<FlowResult> out = new ArrayList<>(batch.size());
            for (FlowPut p : batch) {
                puts.merge(p.ufid(), 1, Integer::sum);
                if (flows.containsKey(p.ufid())) {
                    out.add(FlowResult.refused(p.ufid(), Reason.EXISTS, null));
                    continue;
                }
                FlowResult no = accepts(p);
                if (no != null) {
                    out.add(no);
                    continue;
                }
                FlowLayer l = land(p);
                if (l == null) {
                    out.add(full(p));
                    continue;
                }
                flows.put(p.ufid(), new Entry(p.megaflow(), l, FlowStats.ZERO));
                record("put " + p.ufid() + " " + l);
                out.add(landed(p, l, FlowStats.ZERO));
            }
            return out;
        }
    }

    @Override
    public synchronized List<FlowResult> modify(List<FlowPut> batch) {
        check();
        List<FlowResult> out = new ArrayList<>(batch.size());
        for (FlowPut p : batch) {
            Entry e = flows.get(p.ufid());
            if (e == null) {
                out.add(FlowResult.refused(p.ufid(), Reason.NOT_FOUND, null));
                continue;
            }
            FlowResult no = accepts(p);
            if (no != null) {
                out.add(no);
                continue;
            }
            FlowLayer l = land(p);
            if (l == null) {
                flows.remove(p.ufid()); // tc's delete-then-add fallback found no room: the filter is gone
                lost.remove(p.ufid());
                out.add(full(p));
                continue;
            }
            lost.remove(p.ufid()); // replaced: offered to the device again
            flows.put(p.ufid(), new Entry(p.megaflow(), l, e.stats()));
            record("modify " + p.ufid() + " " + l);
            out.add(landed(p, l, e.stats()));
        }
        return out;
    }

    @Override
    public synchronized List<FlowResult> delete(List<Ufid> ufids) {
        check();
        List<FlowResult> out = new ArrayList<>(ufids.size());
        for (Ufid u : ufids) {
            Entry e = flows.remove(u);
            lost.remove(u);
            if (e == null) {
                out.add(FlowResult.refused(u, Reason.NOT_FOUND, null));
                continue;
            }
            record("delete " + u + " " + e.layer());
            out.add(FlowResult.ok(u, e.layer(), false, e.stats()));
        }
        return out;
    }

    /** As tc's: the results carry no counters (ZERO: not read); the call is logged as "deleteIdle N" before its deletes. */
    @Override
    public synchronized List<FlowResult> deleteIdle(List<Ufid> ufids) {
        onDeleteIdle.run();
        record("deleteIdle " + ufids.size());
        List<FlowResult> out = new ArrayList<>(ufids.size());
        for (FlowResult r : delete(ufids)) {
            out.add(r.ok() ? FlowResult.ok(r.ufid(), r.layer(), false, FlowStats.ZERO) : r);
        }
        return out;
    }

    @Override
    public synchronized Optional<DumpedFlow> get(Ufid ufid) {
        check();
        Entry e = flows.get(ufid);
        return e == null ? Optional.empty()
            : Optional.of(new DumpedFlow(e.megaflow(), lost.contains(ufid) ? FlowLayer.NONE : e.layer(), e.stats()));
    }

    @Override
    public void dump(Consumer<DumpedFlow> sink) {
        check();
        onDump.run();
        List<DumpedFlow> all = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Ufid, Entry> me : flows.entrySet()) {
                Entry e = me.getValue();
                all.add(new DumpedFlow(e.megaflow(), lost.contains(me.getKey()) ? FlowLayer.NONE : e.layer(), e.stats()));
            }
        }
        all.forEach(sink);
    }

    @Override
    public synchronized int flush() {
        check();
        int n = flows.size();
        flows.clear();
        return n;
    }

    // ---- for tests ----

    /** {@code packets} packets of {@code bytes} bytes each hit the flow at {@code now}. */
    public synchronized void hit(Ufid ufid, long packets, long bytes, long now) {
        Entry e = flows.get(ufid);
        if (e == null) {
            throw new IllegalArgumentException("no flow " + ufid + " in " + name);
        }
        FlowStats s = e.stats();
        flows.put(ufid, new Entry(e.megaflow(), e.layer(), new FlowStats(s.packets() + packets, s.bytes() + packets * bytes,
            now, s.tcpFlags())));
    }

    /** A flow appears that the daemon did not put (or put before a restart). */
    public synchronized void plant(Megaflow m, FlowLayer layer, FlowStats stats) {
        flows.put(m.ufid(), new Entry(m, layer, stats));
    }

    /** {@code tc filter del} behind the daemon's back. */
    public synchronized void removeBehindBack(Ufid ufid) {
        flows.remove(ufid);
    }

    public synchronized boolean holds(Ufid ufid) {
        return flows.containsKey(ufid);
    }

    public synchronized int size() {
        return flows.size();
    }

    public synchronized FlowLayer layerOf(Ufid ufid) {
        Entry e = flows.get(ufid);
        return e == null ? FlowLayer.NONE : e.layer();
    }

    public synchronized Megaflow megaflowOf(Ufid ufid) {
        Entry e = flows.get(ufid);
        return e == null ? null : e.megaflow();
    }

    /** Puts asked for {@code ufid}, successful or not. */
    public synchronized int putsOf(Ufid ufid) {
        return puts.getOrDefault(ufid, 0);
    }

    public synchronized List<String> log() {
        return List.copyOf(log);
    }
}
