package org.offloadbridge.tc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowPut;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;

/**
 * tc flower behind the {@link FlowTarget} seam (as OVS's netdev-offload-tc sits behind
 * {@code netdev_flow_api}). Each put's preference goes through {@code flow.Placement} with
 * {@code hw-offload=true} and the target's tc-policy; tc takes the plan's tc attempt
 * ({@code skip_sw}, no flag, or {@code skip_hw}) and nothing else — a plan without one is
 * {@link FlowResult.Status#REFUSED} with the plan's reason, and falling back to DPDK is the
 * caller's. A batch may mix preferences: each filter message carries its own flags, and the
 * whole batch still goes out in one sendmsg; results stay at their indexes.
 *
 * <p>Where a flow landed is what the kernel's echo says: {@link FlowLayer#TC_HW} when
 * {@code in_hw}, else {@link FlowLayer#TC_SW}. tc reports "last used" as milliseconds ago
 * ({@code tcf_t.lastuse}); it is turned into a {@link MonotonicClock} reading once, when the
 * flow is read ({@code used = now - ago}); a flow no packet hit is {@link FlowStats#NEVER_USED}.
 * tc counts no TCP flags (0).
 *
 * <p>{@link #dump} and {@link #flush} cover every device the target has installed on or dumped,
 * plus those it was told about ({@link #watch}): after a restart, watch the ports so their
 * filters are adopted. Only filters with our cookie are reported or deleted.
 */
public final class TcFlowTarget implements FlowTarget, AutoCloseable {
    private final TcOffload tc;
    private final MonotonicClock clock;
    private final Set<Integer> watched = new TreeSet<>();

    public TcFlowTarget(TcOffload tc, MonotonicClock clock) {
        this.tc = tc;
        this.clock = clock;
    }

    /** A target over its own rtnetlink connection in the caller's network namespace. */
    public static TcFlowTarget open(TcPolicy policy, TcPorts ports, MonotonicClock clock) {
        return new TcFlowTarget(TcOffload.open(policy, ports), clock);
    }

    /** The tc operations underneath (tc's richer outcomes, the CLI's view). */
    public TcOffload offload() {
        return tc;
    }

    /** The tc layer's outcome counts (see {@link TcOffload#counters}); safe from any thread. */
    public TcOffload.Counters counters() {
        return tc.counters();
    }

    /** Also dump and flush device {@code ifindex} (a port whose filters may be ours from before). */
    public synchronized void watch(int ifindex) {
        watched.add(ifindex);
    }

    @Override
    public String name() {
        return "tc";
    }

    @Override
    public List<FlowResult> put(List<FlowPut> puts) {
        List<TcOutcome> os = tc.installAll(puts);
        List<FlowResult> rs = new ArrayList<>(os.size());
        for (int i = 0; i < os.size(); i++) {
            rs.add(result(puts.get(i).ufid(), os.get(i), FlowStats.ZERO));
        }
        return rs;
    }

    /** Replaces each flow's filter in place where the kernel can; counters continue (the result's stats are the kept ones). */
    @Override
    public List<FlowResult> modify(List<FlowPut> puts) {
        long now = clock.millis();
        List<FlowResult> rs = new ArrayList<>(puts.size());
        synchronized (tc) { // "held?" and the replace as one step: no delete may come between
            for (FlowPut p : puts) {
                if (!tc.holds(p.ufid())) {
                    rs.add(FlowResult.refused(p.ufid(), FlowResult.Reason.NOT_FOUND, p.ufid() + " is not installed in tc"));
                    continue;
                }
                TcOutcome o = tc.replace(p.megaflow(), p.preference());
                rs.add(result(p.ufid(), o, stats(o.stats(), now)));
            }
        }
        return rs;
    }

    @Override
    public List<FlowResult> delete(List<Ufid> ufids) {
        long now = clock.millis();
        List<TcOutcome> os = tc.deleteAll(ufids);
        List<FlowResult> rs = new ArrayList<>(os.size());
        for (int i = 0; i < os.size(); i++) {
            rs.add(result(ufids.get(i), os.get(i), stats(os.get(i).stats(), now)));
        }
        return rs;
    }

    /** Without the delete's echo: the results' stats are ZERO, not read (the caller's last read stands). */
    @Override
    public List<FlowResult> deleteIdle(List<Ufid> ufids) {
        List<TcOutcome> os = tc.deleteAll(ufids, false);
        List<FlowResult> rs = new ArrayList<>(os.size());
        for (int i = 0; i < os.size(); i++) {
            rs.add(result(ufids.get(i), os.get(i), FlowStats.ZERO));
        }
        return rs;
    }

    @Override
    public Optional<DumpedFlow> get(Ufid ufid) {
        long now = clock.millis();
        return tc.get(ufid).map(f -> dumped(f, now));
    }

    @Override
    public void dump(Consumer<DumpedFlow> sink) {
        long now = clock.millis();
        for (int dev : devices()) {
            for (TcFlow f : tc.dump(dev)) {
                sink.accept(dumped(f, now));
            }
        }
    }

    @Override
    public int flush() {
        int n = 0;
        for (int dev : devices()) {
            try {
                n += tc.deleteAllOurs(dev);
            } catch (org.offloadbridge.netlink.NetlinkException e) {
                if (e.errno() != org.offloadbridge.netlink.Errno.ENODEV && e.errno() != org.offloadbridge.netlink.Errno.EINVAL) {
                    throw e;
                }
                tc.forgetDevice(dev); // the device is gone, and its filters with it
            }
        }
        return n;
    }

    private synchronized Set<Integer> devices() {
        Set<Integer> all = new TreeSet<>(watched);
        all.addAll(tc.devices());
        return all;
    }

    private static FlowLayer layerOf(boolean inHw) {
        return inHw ? FlowLayer.TC_HW : FlowLayer.TC_SW;
    }

    private static FlowResult result(Ufid ufid, TcOutcome o, FlowStats stats) {
        return switch (o.status()) {
            case OK -> new FlowResult(ufid, FlowResult.Status.OK, FlowResult.Reason.NONE, o.detail(), layerOf(o.inHw()), false, 0, o.extack(), stats);
            case REFUSED, FAILED -> new FlowResult(ufid, o.status(), o.reason(), o.detail(), FlowLayer.NONE, false, o.errno(), o.extack(),
                    FlowStats.ZERO);
        };
    }

    /**
     * Where a dumped filter really forwards: a filter the device lost is in software if it has
     * a software copy (no skip_sw), else in no layer — the revalidator re-places it.
     */
    private static DumpedFlow dumped(TcFlow f, long now) {
        FlowLayer layer = !f.deviceLost() ? layerOf(f.inHw()) : f.skipSw() ? FlowLayer.NONE : FlowLayer.TC_SW;
        return new DumpedFlow(f.flow(), layer, stats(f.stats(), now));
    }

    /** tc's counters on the monotonic clock: {@code used = now - ago}, once, at read time. */
    static FlowStats stats(TcStats s, long now) {
        long used = s.usedMillisAgo() < 0 ? FlowStats.NEVER_USED : now - s.usedMillisAgo();
        return new FlowStats(s.packets(), s.bytes(), used, 0);
    }

    @Override
    public void close() {
        tc.close();
    }
}
