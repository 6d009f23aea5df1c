package org.offloadbridge.daemon;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.daemon.control.ControlServer;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.handler.UpcallCounters;
import org.offloadbridge.upcall.pipeline.Rule;

/**
 * The commands {@code obctl} reaches a running daemon with, in the style of
 * {@code ovs-appctl}: flow dumps in the {@code dpctl/dump-flows [-m]} format split by layer,
 * {@code explain} (where a flow is and why), {@code upcall/show}, {@code dpif/show} and the live
 * policy settings. They read the ukey table and the counters records, never the kernel, so a
 * dump costs no netlink traffic and the same lock-free reads as the revalidators.
 */
public final class DaemonCommands {
    private final Daemon d;

    DaemonCommands(Daemon d) {
        this.d = d;
    }

    /** Registers every command on {@code server}. */
    public static void register(ControlServer server, Daemon d) {
        DaemonCommands c = new DaemonCommands(d);
        server.register("dump-flows", "dump-flows [type=offloaded|non-offloaded|tc|dpdk|slow|all[,...]] [-m]", c::dumpFlows);
        server.register("explain", "explain UFID", c::explain);
        server.register("upcall/show", "upcall/show", a -> Reply.ok(c.upcallShow()));
        server.register("dpif/show", "dpif/show", a -> Reply.ok(c.dpifShow()));
        server.register("set", "set hw-offload=true|false | set tc-policy=none|skip_sw|skip_hw", c::set);
    }

    // ---- dump-flows ----

    Reply dumpFlows(List<String> args) {
        boolean verbose = false;
        Set<FlowLayer> layers = EnumSet.of(FlowLayer.TC_HW, FlowLayer.TC_SW, FlowLayer.DPDK);
        for (String a : args) {
            if (a.equals("-m") || a.equals("--more")) {
                verbose = true;
            } else if (a.startsWith("type=")) {
                layers = types(a.substring(5));
            } else {
                return Reply.failed("dump-flows: unknown argument \"" + a + "\" (expected type=... or -m)");
            }
        }
        PortNames names = portNames();
        long now = d.clock().millis();
        StringBuilder out = new StringBuilder();
        for (Ukey u : ukeys()) {
            FlowLayer l = u.layer();
            if (!layers.contains(l)) {
                continue;
            }
            DumpedFlow f = new DumpedFlow(u.megaflow(), l == FlowLayer.NONE ? FlowLayer.DPDK : l, u.stats());
            String line = FlowFormat.formatFlow(f.toDpFlow(now), names, verbose);
            if (l == FlowLayer.NONE && verbose) {
                line = line.replace(", dp:dpdk", ", dp:slow");
            }
            out.append(line).append('\n');
        }
        return Reply.ok(out.toString());
    }

    /** OVS's {@code type=} words, plus ours: tc, dpdk, slow. */
    static Set<FlowLayer> types(String spec) {
        Set<FlowLayer> s = EnumSet.noneOf(FlowLayer.class);
        for (String t : spec.split(",")) {
            switch (t.toLowerCase(Locale.ROOT)) {
                case "offloaded" -> s.add(FlowLayer.TC_HW);
                case "non-offloaded" -> s.addAll(List.of(FlowLayer.TC_SW, FlowLayer.DPDK));
                case "tc" -> s.addAll(List.of(FlowLayer.TC_HW, FlowLayer.TC_SW));
                case "dpdk", "netdev" -> s.add(FlowLayer.DPDK);
                case "slow" -> s.add(FlowLayer.NONE);
                case "all" -> s.addAll(EnumSet.allOf(FlowLayer.class));
                default -> throw new IllegalArgumentException("type=" + t
                    + ": expected offloaded, non-offloaded, tc, dpdk, slow or all");
            }
        }
        return s;
    }

    // ---- explain ----

    Reply explain(List<String> args) {
        if (args.size() != 1) {
            return Reply.failed("usage: explain UFID (as dump-flows -m prints it, with or without \"ufid:\")");
        }
        String text = args.get(0).startsWith("ufid:") ? args.get(0).substring(5) : args.get(0);
        Ufid want;
        try {
            want = Ufid.parse(text);
        } catch (IllegalArgumentException e) {
            return Reply.failed("explain: " + e.getMessage());
        }
        for (Ukey u : ukeys()) {
            if (u.ufid().equals(want)) {
                return Reply.ok(explain(u));
            }
        }
        return Reply.failed("explain: no flow with ufid " + text);
    }

    String explain(Ukey u) {
        StringBuilder b = new StringBuilder();
        FlowLayer l = u.layer();
        b.append("flow ").append(u.ufid()).append('\n');
        b.append("  match: ").append(FlowFormat.formatMatch(u.megaflow().key(), u.megaflow().mask(), portNames(), false)).append('\n');
        b.append("  actions: ").append(FlowFormat.formatActions(u.megaflow().actions(), portNames())).append('\n');
        b.append("  where: ").append(switch (l) {
            case TC_HW -> "tc, in NIC hardware (in_hw)";
            case TC_SW -> "tc, in kernel software (not_in_hw)";
            case DPDK -> "the DPDK datapath";
            case NONE -> "no datapath layer: packets executed one by one by the daemon (slow path)";
        }).append('\n');
        b.append("  why: ").append(u.reasonText() == null ? "ok" : u.reasonText()).append('\n');
        if (u.kernelText() != null) {
            b.append("  kernel said: ").append(u.kernelText()).append('\n');
        }
        b.append("  offload preference: ").append(u.preference().text()).append('\n');
        b.append("  rules hit:");
        if (u.rulesHit().isEmpty()) {
            b.append(" none (no rule matched: drop)");
        }
        for (Rule r : u.rulesHit()) {
            b.append("\n    ").append(r.line() > 0 ? "rules file line " + r.line() + ": " : "").append(r.text());
        }
        b.append('\n');
        b.append("  state: ").append(u.state()).append(", translated at pipeline seq ").append(u.seq()).append('\n');
        return b.toString();
    }

    // ---- upcall/show, dpif/show, set ----

    String upcallShow() {
        UpcallCounters.Values v = d.upcallCounters();
        Map<FlowLayer, Integer> byLayer = new java.util.EnumMap<>(FlowLayer.class);
        for (Ukey u : ukeys()) {
            byLayer.merge(u.layer(), 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder();
        b.append("flows: ").append(d.ukeys().size()).append(" (limit ").append(d.flowLimit().current()).append(')');
        for (FlowLayer l : FlowLayer.values()) {
            b.append(", ").append(l.text()).append(' ').append(byLayer.getOrDefault(l, 0));
        }
        b.append('\n');
        b.append("upcalls: ").append(v.upcalls()).append(" (misses ").append(v.misses()).append(", actions ")
            .append(v.actionUpcalls()).append(", duplicates ").append(v.duplicateUpcalls()).append(")\n");
        b.append("installed: ").append(v.installed()).append(", slow-path flows ").append(v.slowPathFlows())
            .append(", slow-path packets ").append(v.slowPathPackets()).append(", flow-limit hits ").append(v.flowLimitHits()).append('\n');
        b.append("bad input: unknown port ").append(v.unknownPort()).append(", bad frames ").append(v.badFrames())
            .append(", translation errors ").append(v.translateErrors()).append(", execute errors ").append(v.executeErrors()).append('\n');
        b.append("placed by reason:");
        v.byReason().forEach((r, n) -> b.append(' ').append(r.token()).append('=').append(n));
        b.append('\n');
        return b.toString();
    }

    String dpifShow() {
        StringBuilder b = new StringBuilder();
        b.append("software datapath: ").append(d.mode()).append('\n');
        for (PortRegistry.Entry e : d.ports().snapshot().entries()) {
            b.append("  port ").append(e.dpPort()).append(": ").append(e.name()).append(" (ifindex ").append(e.ifindex())
                .append(", ofport ").append(e.ofPort()).append(", e-switch ").append(e.eswitch() == null ? "none" : e.eswitch())
                .append(", miss device ").append(e.miss().datapathSide()).append(")\n");
        }
        return b.toString();
    }

    Reply set(List<String> args) {
        if (args.size() != 1 || !args.get(0).contains("=")) {
            return Reply.failed("usage: set hw-offload=true|false | set tc-policy=none|skip_sw|skip_hw");
        }
        String[] kv = args.get(0).split("=", 2);
        boolean hw = d.policy().current().hwOffload();
        TcPolicy tp = d.policy().current().tcPolicy();
        switch (kv[0]) {
            case "hw-offload" -> {
                if (!kv[1].equals("true") && !kv[1].equals("false")) {
                    return Reply.failed("hw-offload=" + kv[1] + ": expected true or false");
                }
                hw = Boolean.parseBoolean(kv[1]);
            }
            case "tc-policy" -> {
                try {
                    tp = TcPolicy.parse(kv[1]);
                } catch (IllegalArgumentException e) {
                    return Reply.failed(e.getMessage());
                }
            }
            default -> {
                return Reply.failed("set: unknown key \"" + kv[0] + "\" (expected hw-offload or tc-policy)");
            }
        }
        d.setPolicy(hw, tp);
        return Reply.ok("hw-offload=" + hw + " tc-policy=" + tp.ovsName() + " (flows move within a few revalidator rounds)\n");
    }

    private PortNames portNames() {
        Map<Integer, String> m = new HashMap<>();
        for (PortRegistry.Entry e : d.ports().snapshot().entries()) {
            m.put(e.dpPort(), e.name());
        }
        return PortNames.of(m);
    }

    private List<Ukey> ukeys() {
        List<Ukey> out = new ArrayList<>(d.ukeys().size());
        for (int i = 0; i < d.ukeys().shards(); i++) {
            d.ukeys().forEach(i, out::add);
        }
        return out;
    }
}
