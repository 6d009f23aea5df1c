package org.offloadbridge.revalidator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.handler.Layers;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.handler.UkeyState;
import org.offloadbridge.upcall.handler.UkeyTable;

/**
 * Does the kernel (our tc filters, by cookie) and the DPDK flow table hold exactly the daemon's
 * flows? {@link #run} compares the ukeys with both layers' dumps and reports every flow missing,
 * extra, in two layers at once, in another layer than the daemon thinks, or with other actions
 * — the audit OVS and kube-ovn operators script by hand after turning offload off. It only
 * reads: the revalidators repair. `obctl check` runs it; the daemon runs it on a slow timer and
 * counts what it finds (issue 16: it should always find nothing).
 *
 * <p>Flows change while it runs (handlers install, revalidators move and expire), so a flow
 * placed after the check began is not judged, and every finding is checked a second time
 * against the layer's own {@code get} and the ukey as they are then: only findings that hold
 * twice are reported.
 */
public final class ConsistencyCheck {
    private ConsistencyCheck() {
    }

    public enum Kind {
        /** The daemon has it in a layer that does not hold it. */
        MISSING("missing"),
        /** A layer holds a flow of ours the daemon has not placed there (no ukey, or placed elsewhere). */
        EXTRA("extra"),
        /** Both tc and DPDK hold it. */
        TWO_LAYERS("two-layers"),
        /** tc holds it, but in hardware where the daemon has software or the other way round (or the NIC lost it). */
        WRONG_LAYER("wrong-layer"),
        /** The layer holds other actions than the daemon's megaflow. */
        DIFFERENT_ACTIONS("different-actions");

        private final String token;

        Kind(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }

    public record Finding(Kind kind, Ufid ufid, String detail) {
        @Override
        public String toString() {
            return kind.token() + " " + ufid + ": " + detail;
        }
    }

    /**
     * @param flows       ukeys judged
     * @param tcFlows     our filters tc held
     * @param dpdkFlows   flows the DPDK table held
     * @param tcChecked   tc was there and dumped
     * @param dpdkChecked DPDK was there and dumped
     */
    public record Report(List<Finding> findings, int flows, int tcFlows, int dpdkFlows, boolean tcChecked, boolean dpdkChecked) {
        public boolean clean() {
            return findings.isEmpty();
        }

        public String text() {
            StringBuilder sb = new StringBuilder();
            sb.append(clean() ? "consistent: " : findings.size() + " finding(s): ").append(flows).append(" flows, tc ")
                .append(tcChecked ? tcFlows + " filters" : "not checked").append(", dpdk ")
                .append(dpdkChecked ? dpdkFlows + " flows" : "not checked").append('\n');
            for (Finding f : findings) {
                sb.append("  ").append(f).append('\n');
            }
            return sb.toString();
        }
    }

    public static Report run(UkeyTable ukeys, Layers layers) {
        long gen = ukeys.nextGeneration();
        Map<Ufid, DumpedFlow> tc = dump(layers.tc());
        Map<Ufid, DumpedFlow> dp = dump(layers.dpdk());
        int tcFlows = tc == null ? 0 : tc.size();
        int dpFlows = dp == null ? 0 : dp.size();
        List<Finding> suspects = new ArrayList<>();
        int[] judged = {0};
        for (int s = 0; s < ukeys.shards(); s++) {
            ukeys.forEach(s, u -> {
                if (u.state() != UkeyState.OPERATIONAL || u.placedGeneration() >= gen) {
                    if (tc != null) {
                        tc.remove(u.ufid());
                    }
                    if (dp != null) {
                        dp.remove(u.ufid());
                    }
                    return;
                }
                judged[0]++;
                DumpedFlow t = tc == null ? null : tc.remove(u.ufid());
                DumpedFlow d = dp == null ? null : dp.remove(u.ufid());
                judge(u, t, d, tc != null, dp != null, suspects);
            });
        }
        for (Map<Ufid, DumpedFlow> left : new ArrayList<>(java.util.Arrays.asList(tc, dp))) {
            if (left != null) {
                for (DumpedFlow f : left.values()) {
                    suspects.add(new Finding(Kind.EXTRA, f.ufid(), "in " + f.layer() + " with no flow in the daemon"));
                }
            }
        }
        // a second look at each suspect, as things are now
        List<Finding> findings = new ArrayList<>();
        for (Finding f : suspects) {
            Ukey u = ukeys.get(f.ufid());
            if (u != null && (u.state() != UkeyState.OPERATIONAL || u.placedGeneration() >= gen)) {
                continue; // moved, expiring or replaced since: not judged
            }
            List<Finding> again = new ArrayList<>();
            DumpedFlow t = layers.tc() == null ? null : get(layers.tc(), f.ufid());
            DumpedFlow d = layers.dpdk() == null ? null : get(layers.dpdk(), f.ufid());
            if (u == null) {
                if (t != null || d != null) {
                    again.add(new Finding(Kind.EXTRA, f.ufid(), "in " + (t != null ? t.layer() : d.layer()) + " with no flow in the daemon"));
                }
            } else {
                judge(u, t, d, layers.tc() != null, layers.dpdk() != null, again);
            }
            for (Finding g : again) {
                if (g.kind() == f.kind()) {
                    findings.add(g);
                }
            }
        }
        return new Report(List.copyOf(findings), judged[0], tcFlows, dpFlows, tc != null, dp != null);
    }

    private static void judge(Ukey u, DumpedFlow t, DumpedFlow d, boolean tcThere, boolean dpThere, List<Finding> out) {
        FlowLayer layer = u.layer();
        if (t != null && d != null) {
            out.add(new Finding(Kind.TWO_LAYERS, u.ufid(), "in " + t.layer() + " and in DPDK; the daemon has it in " + layer));
            return;
        }
        if (layer.isTc()) {
            if (t == null) {
                if (tcThere) {
                    out.add(new Finding(Kind.MISSING, u.ufid(), "the daemon has it in " + layer + "; tc has no filter with its cookie"));
                }
                if (d != null) {
                    out.add(new Finding(Kind.EXTRA, u.ufid(), "in DPDK; the daemon has it in " + layer));
                }
                return;
            }
            if (t.layer() != layer) {
                out.add(new Finding(Kind.WRONG_LAYER, u.ufid(), "the daemon has it in " + layer + ", tc holds it "
                    + (t.layer() == FlowLayer.NONE ? "with no hardware behind it (the NIC lost it)" : "in " + t.layer())));
            }
            if (!t.megaflow().actions().equals(u.megaflow().actions())) {
                out.add(new Finding(Kind.DIFFERENT_ACTIONS, u.ufid(), "tc: " + t.megaflow().actions() + ", the daemon: "
                    + u.megaflow().actions()));
            }
        } else if (layer == FlowLayer.DPDK) {
            if (d == null) {
                if (dpThere) {
                    out.add(new Finding(Kind.MISSING, u.ufid(), "the daemon has it in DPDK; the DPDK table has no such flow"));
                }
                if (t != null) {
                    out.add(new Finding(Kind.EXTRA, u.ufid(), "in " + t.layer() + "; the daemon has it in DPDK"));
                }
                return;
            }
            if (!d.megaflow().actions().equals(u.megaflow().actions())) {
                out.add(new Finding(Kind.DIFFERENT_ACTIONS, u.ufid(), "DPDK: " + d.megaflow().actions() + ", the daemon: "
                    + u.megaflow().actions()));
            }
        } else {
            DumpedFlow held = t != null ? t : d;
            if (held != null) {
                out.add(new Finding(Kind.EXTRA, u.ufid(), "in " + held.layer() + "; the daemon has it on the slow path (in no layer)"));
            }
        }
    }

    private static Map<Ufid, DumpedFlow> dump(FlowTarget t) {
        if (t == null) {
            return null;
        }
        Map<Ufid, DumpedFlow> m = new HashMap<>();
        t.dump(f -> m.put(f.ufid(), f));
        return m;
    }

    private static DumpedFlow get(FlowTarget t, Ufid ufid) {
        Optional<DumpedFlow> f = t.get(ufid);
        return f.orElse(null);
    }
}
