package org.offloadbridge.upcall.handler;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowPut;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Placement;
import org.offloadbridge.flow.Placement.Attempt;

/**
 * Where one megaflow goes: {@link Placement}'s table (preference × hw-offload × tc-policy) narrowed
 * by the flow's own facts, then tried layer by layer. {@link #decide} is pure; {@link #install}
 * talks only to {@link FlowTarget}s.
 *
 * <h2>The facts, and what they do to the plan</h2>
 * <ul>
 *   <li>A {@code userspace(...)} action: no tc attempt at all (tc would forward without the
 *       daemon seeing the packet); the DPDK path raises the action as an upcall, so it may hold
 *       the flow. Reason {@code userspace-action}.</li>
 *   <li>in_port or an output that is not a tc-capable netdev: no tc attempt. Reason
 *       {@code no-device}, detail names the port.</li>
 *   <li>in_port and the outputs not all on one e-switch (or on none): hardware can't forward
 *       it. {@code skip_sw} is dropped; tc with no flag becomes {@code skip_hw} — software tc
 *       the policy allows anyway, and asking for it keeps the driver from trying and the reason
 *       exact. Reason {@code cross-switch}.</li>
 *   <li>{@code offload=never} and nothing else in the way: reason {@code offload=never}, so a
 *       flow that is out of hardware on purpose says why.</li>
 * </ul>
 * Then each attempt is tried in order; a refusal or failure moves to the next. The reason kept
 * says why the flow is not in its first-choice layer: the first refusal a layer gave (with the
 * kernel's text), else the plan's reason above; {@code none} when the first attempt took it. A
 * layer's refusal outranks the plan's reason because it is nearer the truth — a veth flow that
 * {@code cross-switch} sent to software tc and that tc then refused for its key is in DPDK
 * because of the key. {@code layer-unavailable} (no DPDK on this host) never hides another reason.
 */
public final class InstallDecision {
    private InstallDecision() {}

    /**
     * The attempts for one flow, and the reason (with detail) the table or the facts already
     * give for leaving a layer out; empty attempts mean the slow path.
     */
    public record Decision(List<Attempt> attempts, Reason reason, String detail) {
        public boolean slowPath() {
            return attempts.isEmpty();
        }

        /** NIC hardware is the first choice (tc skip_sw, or no flag): what the NIC table's limits are about. */
        public boolean hardwareFirst() {
            return !attempts.isEmpty() && (attempts.get(0) == Attempt.TC_SKIP_SW || attempts.get(0) == Attempt.TC_ANY);
        }

        /** The first attempt that a flow already in {@code layer} satisfies, or null. */
        public Attempt satisfiedBy(FlowLayer layer) {
            for (Attempt a : attempts) {
                if (satisfies(a, layer)) {
                    return a;
                }
            }
            return null;
        }
    }

    /**
     * What became of a flow.
     *
     * @param layer      where it is ({@link FlowLayer#NONE}: the slow path)
     * @param reason     why it is not in its first-choice layer ({@link Reason#NONE}: it is); see the class comment
     * @param detail     the reason's detail, or null
     * @param errno      the kernel's errno of that reason, or 0
     * @param kernelText the kernel's text of that reason, or null
     * @param stats      the layer's counters when it turned out to hold the flow already, else zero
     */
    public record Outcome(FlowLayer layer, Reason reason, String detail, int errno, String kernelText, FlowStats stats) {
        public boolean installed() {
            return layer != FlowLayer.NONE;
        }

        /** The reason as the vocabulary writes it ({@code cross-switch}, {@code kernel-refused:95:...}). */
        public String reasonText() {
            return new FlowResult(null, FlowResult.Status.REFUSED, reason, detail, layer, false, errno, kernelText,
                FlowStats.ZERO).reasonText(null);
        }
    }

    /** True when a flow in {@code layer} is what {@code a} asks for. */
    public static boolean satisfies(Attempt a, FlowLayer layer) {
        return switch (a) {
            case TC_SKIP_SW -> layer == FlowLayer.TC_HW;
            case TC_ANY -> layer.isTc();
            case TC_SKIP_HW -> layer == FlowLayer.TC_SW;
            case DPDK -> layer == FlowLayer.DPDK;
        };
    }

    /**
     * The preference that asks the tc target (built with {@code tc-policy=none}) for exactly
     * this attempt's flags.
     */
    public static OffloadPreference tcPreference(Attempt a) {
        return switch (a) {
            case TC_SKIP_SW -> OffloadPreference.REQUIRED;
            case TC_ANY -> OffloadPreference.PREFERRED;
            case TC_SKIP_HW -> OffloadPreference.NEVER;
            case DPDK -> throw new IllegalArgumentException("DPDK is not a tc attempt");
        };
    }

    /**
     * {@code d} with NIC hardware left out (capacity-aware placement holds the flow out):
     * skip_sw attempts dropped, no-flag ones made skip_hw; {@code reason} recorded when the plan
     * had none of its own.
     */
    public static Decision withoutHardware(Decision d, Reason reason, String detail) {
        List<Attempt> out = new ArrayList<>(d.attempts().size());
        for (Attempt a : d.attempts()) {
            Attempt b = a == Attempt.TC_ANY ? Attempt.TC_SKIP_HW : a;
            if (b != Attempt.TC_SKIP_SW && !out.contains(b)) {
                out.add(b);
            }
        }
        boolean own = d.reason() != Reason.NONE && d.reason() != Reason.OFFLOAD_NEVER;
        return new Decision(List.copyOf(out), own ? d.reason() : reason, own ? d.detail() : detail);
    }

    /** The plan for {@code m}: pure, no I/O. */
    public static Decision decide(Megaflow m, OffloadPreference pref, OffloadPolicy policy, PortFacts ports) {
        Placement.Plan plan = Placement.plan(pref, policy.hwOffload(), policy.tcPolicy());
        Reason reason = plan.whyNotTc();
        String detail = plan.whyNotTcDetail();
        if (!plan.triesTc()) {
            if (reason == Reason.NONE && pref == OffloadPreference.NEVER) {
                reason = Reason.OFFLOAD_NEVER;
            }
            return new Decision(plan.attempts(), reason, detail);
        }
        Reason tcBlocked = Reason.NONE;
        String tcDetail = null;
        boolean oneSwitch = true;
        String switchDetail = null;
        Actions actions = m.actions();
        int inPort = m.key().inPort();
        if (!actions.isOffloadable()) {
            tcBlocked = Reason.USERSPACE_ACTION;
        } else if (!ports.tcCapable(inPort)) {
            tcBlocked = Reason.NO_DEVICE;
            tcDetail = "in_port " + Integer.toUnsignedString(inPort) + " is not a tc netdev";
        } else {
            String sw = ports.eswitch(inPort);
            if (sw == null) {
                oneSwitch = false;
                switchDetail = "in_port " + Integer.toUnsignedString(inPort) + " is on no e-switch";
            }
            for (int pc = 0; pc < actions.programLength(); pc += Actions.length(actions.word(pc))) {
                long h = actions.word(pc);
                if (Actions.type(h) != Actions.OUTPUT) {
                    continue;
                }
                int out = Actions.arg(h);
                if (!ports.tcCapable(out)) {
                    tcBlocked = Reason.NO_DEVICE;
                    tcDetail = "output " + Integer.toUnsignedString(out) + " is not a tc netdev";
                    break;
                }
                String osw = ports.eswitch(out);
                if (oneSwitch && (osw == null || !osw.equals(sw))) {
                    oneSwitch = false;
                    switchDetail = "in_port " + Integer.toUnsignedString(inPort) + " on " + sw + ", output "
                        + Integer.toUnsignedString(out) + " on " + (osw == null ? "no e-switch" : osw);
                }
            }
        }
        List<Attempt> attempts = new ArrayList<>(plan.attempts().size());
        for (Attempt a : plan.attempts()) {
            if (!a.isTc()) {
                attempts.add(a);
                continue;
            }
            if (tcBlocked != Reason.NONE) {
                if (reason == Reason.NONE) {
                    reason = tcBlocked;
                    detail = tcDetail;
                }
                continue;
            }
            if (oneSwitch || a == Attempt.TC_SKIP_HW) {
                attempts.add(a);
                continue;
            }
            if (reason == Reason.NONE) {
                reason = Reason.CROSS_SWITCH;
                detail = switchDetail;
            }
            if (a == Attempt.TC_ANY) {
                attempts.add(Attempt.TC_SKIP_HW);
            }
        }
        if (reason == Reason.NONE && pref == OffloadPreference.NEVER) {
            // deliberately out of NIC hardware: say so, or explain would show nothing
            reason = Reason.OFFLOAD_NEVER;
        }
        return new Decision(List.copyOf(attempts), reason, detail);
    }

    /**
     * Tries {@code d}'s attempts for a flow that is in no layer yet; the first layer that
     * accepts holds it. A layer that answers {@code exists} already holds the ufid (a flow
     * left from before a restart, a lost race with reconcile): the flow is taken as installed
     * there when the layer holds the same megaflow, else modified to it.
     */
    public static Outcome install(Decision d, Megaflow m, OffloadPreference pref, Layers layers) {
        Outcome[] out = new Outcome[1];
        installAll(new Decision[] {d}, new Megaflow[] {m}, new OffloadPreference[] {pref}, 1, layers, out);
        return out[0];
    }

    /**
     * {@link #install} for flows {@code 0..n) at once, as a handler's batch: attempt by attempt,
     * each layer is asked once per round with every flow whose plan reached it (so a batch of new
     * flows is one tc sendmsg, not one round trip each), and each flow's outcome lands in
     * {@code out[i]}. Per flow, the same rule as one at a time.
     */
    public static void installAll(Decision[] ds, Megaflow[] ms, OffloadPreference[] prefs, int n, Layers layers, Outcome[] out) {
        Why[] whys = new Why[n];
        for (int i = 0; i < n; i++) {
            whys[i] = new Why(ds[i]);
            out[i] = null;
        }
        List<FlowPut> tcPuts = new ArrayList<>(n);
        List<FlowPut> dpdkPuts = new ArrayList<>(n);
        int[] tcIdx = new int[n];
        int[] dpdkIdx = new int[n];
        for (int round = 0; ; round++) {
            tcPuts.clear();
            dpdkPuts.clear();
            int pending = 0;
            for (int i = 0; i < n; i++) {
                if (out[i] != null) {
                    continue;
                }
                List<Attempt> as = ds[i].attempts();
                if (round >= as.size()) {
                    out[i] = whys[i].slowPath();
                    continue;
                }
                Attempt a = as.get(round);
                FlowTarget t = a.isTc() ? layers.tc() : layers.dpdk();
                if (t == null) {
                    whys[i].refused(FlowResult.refused(ms[i].ufid(), Reason.LAYER_UNAVAILABLE, a.isTc() ? "tc" : "dpdk"));
                    pending++;
                    continue;
                }
                if (a.isTc()) {
                    tcIdx[tcPuts.size()] = i;
                    tcPuts.add(new FlowPut(ms[i], tcPreference(a)));
                } else {
                    dpdkIdx[dpdkPuts.size()] = i;
                    dpdkPuts.add(new FlowPut(ms[i], prefs[i]));
                }
                pending++;
            }
            if (pending == 0) {
                return;
            }
            tryRound(layers.tc(), tcPuts, tcIdx, ds, whys, round, layers, out);
            tryRound(layers.dpdk(), dpdkPuts, dpdkIdx, ds, whys, round, layers, out);
        }
    }

    private static void tryRound(FlowTarget t, List<FlowPut> puts, int[] idx, Decision[] ds, Why[] whys, int round, Layers layers,
                                 Outcome[] out) {
        if (puts.isEmpty()) {
            return;
        }
        List<FlowResult> rs = putAll(t, puts);
        for (int j = 0; j < puts.size(); j++) {
            int i = idx[j];
            Attempt a = ds[i].attempts().get(round);
            FlowResult r = rs.get(j);
            layers.counters().put(LayerCounters.asked(a), r);
            if (r.ok()) {
                out[i] = whys[i].landed(a, r);
            } else {
                whys[i].refused(r);
            }
        }
    }

    /**
     * Why a flow is not in its first-choice layer, gathered attempt by attempt (the rule is in the
     * class comment): one place for the handler's install and the revalidator's moves.
     */
    public static final class Why {
        private Reason reason;
        private String detail;
        private int errno;
        private String kernelText;
        private boolean refusedOnce;

        public Why(Decision d) {
            this.reason = d.reason();
            this.detail = d.detail();
        }

        /** An attempt a layer refused. */
        public void refused(FlowResult r) {
            // A layer's own refusal says more than the plan's reason (a flow that cross-switch sent to
            // software tc and tc then refused is in DPDK because of tc's refusal); a layer that is
            // simply not there says less than either.
            if (reason == Reason.NONE || (!refusedOnce && r.reason() != Reason.LAYER_UNAVAILABLE)) {
                reason = r.reason();
                detail = r.detail();
                errno = r.errno();
                kernelText = r.kernelText();
            }
            refusedOnce = true;
        }

        /** Attempt {@code a} took the flow: where it is, and why not higher. */
        public Outcome landed(Attempt a, FlowResult r) {
            if (a == Attempt.TC_ANY && r.layer() == FlowLayer.TC_SW && reason == Reason.NONE) {
                // Hardware was allowed and the ports share an e-switch, yet the driver left it in
                // software tc (its warning, if any, in the ack): the silent fallback OVS users find
                // only by reading tc's flags.
                return new Outcome(r.layer(), Reason.DEVICE_REFUSED, "not_in_hw: the device did not take it, tc keeps it in software",
                    0, r.kernelText(), r.stats());
            }
            return new Outcome(r.layer(), reason, detail, errno, kernelText, r.stats());
        }

        /** No attempt took it (or there was none). */
        public Outcome slowPath() {
            return new Outcome(FlowLayer.NONE, reason, detail, errno, kernelText, FlowStats.ZERO);
        }

        /** Where the flow already is, kept, with {@code reason} as the reason. */
        public Outcome stays(FlowLayer layer, Reason kept, FlowStats stats) {
            return new Outcome(layer, kept, detail, errno, kernelText, stats);
        }

        public Reason reason() {
            return reason;
        }
    }

    /**
     * Many puts to one layer in one call, each {@code exists} resolved as {@link #put} does, and a
     * broken layer (an exception) turned into a failure of every flow of the call.
     */
    static List<FlowResult> putAll(FlowTarget t, List<FlowPut> puts) {
        List<FlowResult> rs;
        try {
            rs = t.put(puts);
        } catch (RuntimeException e) {
            List<FlowResult> failed = new ArrayList<>(puts.size());
            for (FlowPut p : puts) {
                failed.add(FlowResult.failed(p.ufid(), Reason.LAYER_UNAVAILABLE, t.name() + ": " + e, 0, null));
            }
            return failed;
        }
        List<FlowResult> resolved = null;
        for (int j = 0; j < rs.size(); j++) {
            if (rs.get(j).reason() == Reason.EXISTS) {
                if (resolved == null) {
                    resolved = new ArrayList<>(rs);
                }
                resolved.set(j, put(t, puts.get(j)));
            }
        }
        return resolved == null ? rs : resolved;
    }

    /**
     * One put, with {@code exists} resolved and a broken layer (an exception) turned into a
     * failure of this flow, so one bad layer never stops the handler.
     */
    public static FlowResult put(FlowTarget t, FlowPut p) {
        try {
            FlowResult r = t.put(p);
            if (r.reason() != Reason.EXISTS) {
                return r;
            }
            var held = t.get(p.ufid());
            if (held.isEmpty()) {
                return r;
            }
            if (held.get().megaflow().equals(p.megaflow())) {
                return FlowResult.ok(p.ufid(), held.get().layer(), false, held.get().stats());
            }
            return t.modify(List.of(p)).get(0);
        } catch (RuntimeException e) {
            return FlowResult.failed(p.ufid(), Reason.LAYER_UNAVAILABLE, t.name() + ": " + e, 0, null);
        }
    }
}
