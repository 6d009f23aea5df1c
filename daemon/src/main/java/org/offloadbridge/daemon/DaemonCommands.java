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
import org.offloadbridge.daemon.logging.LogLevels;
import org.offloadbridge.daemon.metrics.Coverage;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.flow.DpFlow;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowParseException;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Placement;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.upcall.handler.InstallDecision;
import org.offloadbridge.upcall.handler.OffloadPolicy;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.handler.UpcallCounters;
import org.offloadbridge.upcall.pipeline.Match;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.PortTable;
import org.offloadbridge.upcall.pipeline.Rule;
import org.offloadbridge.upcall.pipeline.RuleFormat;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;
import org.offloadbridge.upcall.pipeline.Trace;
import org.offloadbridge.upcall.pipeline.Translation;

/**
 * The commands {@code obctl} reaches a running daemon with, in the style of
 * {@code ovs-appctl}: flow dumps in the {@code dpctl/dump-flows [-m]} format split by layer (or
 * as JSON), {@code explain} (where a flow is and why), {@code trace} (as {@code ofproto/trace}),
 * {@code upcall/show}, {@code dpif/show}, {@code coverage/show}, the live policy settings and
 * log levels; the rule commands are {@link RuleCommands}. They read the ukey table, the
 * pipeline and the counters records, never the kernel, so a dump costs no netlink traffic and
 * the same lock-free reads as the revalidators.
 *
 * <p>Exit status, as obctl maps it: arguments that do not have the command's shape (an unknown
 * option or keyword, a missing or extra argument, a FLOW or UFID that does not parse) are usage
 * errors (2) naming the argument; a well-formed request the daemon cannot satisfy (no such flow,
 * a value a setting refuses) fails (1).
 */
public final class DaemonCommands {
    private final DaemonView d;

    DaemonCommands(DaemonView d) {
        this.d = d;
    }

    /** Registers every command on {@code server}, the rule commands included. */
    public static void register(ControlServer server, Daemon d) {
        register(server, (DaemonView) d);
    }

    /** Registers every command on {@code server} over {@code d}. */
    public static void register(ControlServer server, DaemonView d) {
        DaemonCommands c = new DaemonCommands(d);
        server.register("dump-flows", "[type=offloaded|non-offloaded|tc|dpdk|slow|all[,...]] [-m] [--json]", """
            Prints the datapath flows, one line each in ovs-appctl dpctl/dump-flows format; -m adds ufid, every
            field with its mask, offloaded: and dp:. type= picks layers (default: every installed flow; slow adds
            the flows in no layer). --json prints a JSON array instead, one object per flow on its own line:
            ufid, match (attribute -> value, or -> {field: value}), actions (a list), packets, bytes, used
            (seconds ago, null for never), layer, dp, offloaded, reason.""", c::dumpFlows);
        server.register("explain", "UFID|FLOW", """
            Says where a flow is and why: its layer, the reason, the kernel's own text for a refusal, the
            rules it hit. UFID as dump-flows -m prints it (with or without "ufid:"); or FLOW, a match in
            dump-flows format (e.g. 'in_port(p1),eth_type(0x0800),ipv4(dst=10.0.0.2)', or a whole dump line):
            every flow whose megaflow agrees with FLOW on the fields both constrain is explained.""", c::explain);
        server.register("trace", "FLOW", """
            Translates one packet as a handler would, without learning, and prints what ofproto/trace does:
            each table looked up with the rule that matched, the datapath actions, the megaflow (match and
            mask) that would be installed, and where the install decision would put it under the current
            policy. FLOW is the packet's fields in ovs-ofctl syntax, exact values, in_port required, e.g.
            'in_port=p1,udp,nw_dst=10.0.0.2,tp_dst=53'; fields not given are zero.""", c::trace);
        server.register("upcall/show", "", "Upcall and flow counts: flows by layer, upcalls, installs, slow path, bad input.",
            a -> noArgs("upcall/show", a, c::upcallShow));
        server.register("dpif/show", "", "The ports: datapath and OpenFlow numbers, ifindex, e-switch, miss device.",
            a -> noArgs("dpif/show", a, c::dpifShow));
        server.register("coverage/show", "", """
            Every counter the daemon keeps, name and value since start (as ovs-appctl coverage/show, without
            rates): upcall_*, revalidator_*, tc_*, tc_events_*, dpdk_* or slowpath_*, hotplug_*, netlink_route_*,
            consistency_*, control_*. The reply's json member holds the same as one object.""", a -> c.coverageShow(a, server));
        server.register("set", "hw-offload=true|false | tc-policy=none|skip_sw|skip_hw", """
            Changes the offload policy now, until a restart or a reload of a file whose hw-offload or tc-policy
            changed; flows move, make-before-break, within a few revalidator rounds.""", c::set);
        server.register("vlog/set", "[MODULE:]LEVEL", """
            Sets a log level now (as ovs-appctl vlog/set). LEVEL: off, error, warn, info, debug, trace (OVS's
            err, emer, dbg too). MODULE: ANY (every module, the default), a package below org.offloadbridge
            (revalidator, tc, daemon, ...), a class's simple name (Revalidator) or a logger's full name;
            MODULE:DESTINATION:LEVEL is accepted with DESTINATION ANY, console, syslog or file (there is one
            destination). A reload sets the root level back to log-level when that key changed.""", c::vlogSet);
        server.register("check", "", """
            Compares the daemon's flows with what the kernel holds (our tc filters, by cookie) and the DPDK flow
            table: every flow missing, extra, in two layers, in another layer than the daemon thinks (or lost by
            the NIC) or with other actions, each checked twice. Exit status 1 when it finds anything. The
            daemon runs the same audit every 5 minutes and counts what it finds (coverage/show consistency_*).""",
            c::check);
        server.register("vlog/list", "", "Every module (logger) with its level; (set) marks one set directly.",
            a -> noArgs("vlog/list", a, LogLevels::list));
        new RuleCommands(d.pipeline(), d.clock()).register(server);
    }

    private static Reply noArgs(String cmd, List<String> args, java.util.function.Supplier<String> body) {
        if (!args.isEmpty()) {
            return Reply.usage("takes no arguments: unexpected \"" + args.get(0) + "\"");
        }
        return Reply.ok(body.get());
    }

    // ---- check ----

    Reply check(List<String> args) {
        if (!args.isEmpty()) {
            return Reply.usage("takes no arguments: unexpected \"" + args.get(0) + "\"");
        }
        org.offloadbridge.revalidator.ConsistencyCheck.Report r =
            org.offloadbridge.revalidator.ConsistencyCheck.run(d.ukeys(), d.layers());
        return r.clean() ? Reply.ok(r.text()) : Reply.failed(r.text());
    }

    // ---- dump-flows ----

    Reply dumpFlows(List<String> args) {
        boolean verbose = false;
        boolean json = false;
        Set<FlowLayer> layers = EnumSet.of(FlowLayer.TC_HW, FlowLayer.TC_SW, FlowLayer.DPDK);
        for (String a : args) {
            if (a.equals("-m") || a.equals("--more")) {
                verbose = true;
            } else if (a.equals("--json")) {
                json = true;
            } else if (a.startsWith("type=")) {
                try {
                    layers = types(a.substring(5));
                } catch (IllegalArgumentException e) {
                    return Reply.usage("" + e.getMessage());
                }
            } else {
                return Reply.usage("unknown argument \"" + a + "\" (expected type=..., -m or --json)");
            }
        }
        PortNames names = portNames();
        long now = d.clock().millis();
        List<Ukey> flows = ukeys();
        int n = 0;
        for (Ukey u : flows) {
            n += layers.contains(u.layer()) ? 1 : 0;
        }
        // Lines are appended straight into one builder sized for them (a -m line is ~330 chars, a
        // plain one ~210, a JSON one ~460): a dump of 100,000 flows is tens of MB, and each
        // regrowth would copy all of it. The estimate is capped; past it the builder grows.
        StringBuilder out = new StringBuilder((int) Math.min(64 << 20, 16 + (long) n * (json ? 480 : verbose ? 340 : 220)));
        FlowJson flowJson = json ? new FlowJson() : null;
        if (json) {
            out.append('[');
        }
        boolean first = true;
        for (Ukey u : flows) {
            FlowLayer l = u.layer();
            if (!layers.contains(l)) {
                continue;
            }
            // As a layer's dump gives it (DumpedFlow.toDpFlow); a flow in no layer is dp:slow.
            FlowStats st = u.stats();
            DpFlow dp = DpFlow.of(u.megaflow(), st.packets(), st.bytes(), st.usedMillisAgo(now), st.tcpFlags(),
                l.offloaded() ? "yes" : null, l == FlowLayer.NONE ? "slow" : l.dp());
            if (json) {
                out.append(first ? "\n" : ",\n");
                flowJson.append(out, u, dp, l, names);
            } else {
                FlowFormat.appendFlow(out, dp, names, verbose);
                out.append('\n');
            }
            first = false;
        }
        if (json) {
            out.append(first ? "]\n" : "\n]\n");
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
            return Reply.usage(args.isEmpty() ? "missing UFID or FLOW (as dump-flows -m prints them)"
                : "takes one UFID or FLOW; quote a FLOW: unexpected argument \"" + args.get(1) + "\"");
        }
        String arg = args.get(0).strip();
        String text = arg;
        while (text.startsWith("ufid:") && text.indexOf(',') < 0) {
            text = text.substring(5); // "ufid:X", as -m prints it (or pasted twice)
        }
        Ufid want = null;
        if (text.indexOf('(') < 0 && text.indexOf(',') < 0) {
            try {
                want = Ufid.parse(text);
            } catch (IllegalArgumentException e) {
                return Reply.usage("\"" + arg + "\" is neither a ufid nor a flow: " + e.getMessage());
            }
        }
        if (want == null && text.contains("actions:")) {
            try {
                DpFlow line = FlowParser.parseFlow(text, portNames());
                if (line.ufid() != null) {
                    want = line.ufid();
                } else {
                    return explainMatching(arg, line.key(), line.mask());
                }
            } catch (FlowParseException e) {
                return Reply.usage("FLOW: " + e.getMessage());
            }
        }
        if (want != null) {
            for (Ukey u : ukeys()) {
                if (u.ufid().equals(want)) {
                    return Reply.ok(explain(u));
                }
            }
            return Reply.failed("no flow with ufid " + want.uuidString());
        }
        FlowKey key = new FlowKey();
        FlowMask mask = new FlowMask();
        try {
            FlowParser.parseMatch(text, portNames(), key, mask);
        } catch (FlowParseException e) {
            return Reply.usage("\"" + arg + "\" is neither a ufid nor a flow: " + e.getMessage());
        }
        return explainMatching(arg, key, mask);
    }

    /** Explains every flow whose megaflow agrees with (key, mask) where both constrain a bit. */
    private Reply explainMatching(String arg, FlowKey key, FlowMask mask) {
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (Ukey u : ukeys()) {
            Megaflow m = u.megaflow();
            FlowMask both = m.mask().copy();
            both.and(mask);
            if (m.key().maskedEquals(both, key)) {
                b.append(n == 0 ? "" : "\n").append(explain(u));
                n++;
            }
        }
        if (n == 0) {
            return Reply.failed("no flow matches " + arg + " (dump-flows type=all lists them)");
        }
        return Reply.ok(b.toString());
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
        String failed = translationError(u);
        if (failed != null) {
            b.append("  drops because translation failed: ").append(failed).append('\n');
        }
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

    /**
     * Why a drop flow drops when its translation failed (a rule loop, a packet of no tunnel port):
     * its key translated again now, so the ukey need not keep the text. Null for any other flow.
     */
    private String translationError(Ukey u) {
        if (!u.megaflow().actions().isDrop()) {
            return null;
        }
        try {
            return d.pipeline().translate(u.megaflow().key(), false).error();
        } catch (RuntimeException e) {
            return "translating it again threw " + e;
        }
    }

    // ---- trace ----

    Reply trace(List<String> args) {
        if (args.size() != 1) {
            return Reply.usage(args.isEmpty() ? "missing FLOW (e.g. obctl trace 'in_port=p1,udp,nw_dst=10.0.0.2,tp_dst=53')"
                : "takes one FLOW; quote it: unexpected argument \"" + args.get(1) + "\"");
        }
        Pipeline p = d.pipeline();
        PortTable ports = p.ports();
        Match flow;
        FlowKey key;
        try {
            flow = p.parser().parseFlow(args.get(0));
            key = p.packetKey(flow);
        } catch (RuleSyntaxException e) {
            return Reply.usage("FLOW " + RuleCommands.pointAt(args.get(0), e));
        } catch (IllegalArgumentException e) {
            return Reply.usage("FLOW: " + e.getMessage());
        }
        Trace tr = p.trace(key);
        Translation t = tr.translation();
        PortNames names = portNames();
        StringBuilder b = new StringBuilder();
        b.append("Flow: ").append(RuleFormat.match(flow, Rule.DEFAULT_PRIORITY, ports)).append("\n\n");
        for (Trace.Step s : tr.steps()) {
            String indent = "    ".repeat(s.depth());
            b.append(indent).append(String.format(Locale.ROOT, "%2d. ", s.table()));
            if (s.rule() == null) {
                b.append("No match.\n").append(indent).append("    drop\n");
                continue;
            }
            Rule r = s.rule();
            String m = RuleFormat.match(r.match(), r.priority(), ports);
            b.append(m.isEmpty() ? "priority " + r.priority() : m);
            if (r.cookie() != 0) {
                b.append(", cookie 0x").append(Long.toHexString(r.cookie()));
            }
            b.append(r.line() > 0 ? " (rules file line " + r.line() + ")" : "").append('\n');
            b.append(indent).append("    ").append(RuleFormat.actions(r.actions(), ports)).append('\n');
        }
        if (tr.steps().isEmpty()) {
            b.append("(no table looked up)\n");
        }
        b.append('\n');
        if (t.error() != null) {
            b.append("Translation failed: ").append(t.error()).append(t.cacheable()
                ? " (the packet is dropped, and the megaflow below is installed as a drop flow, as OVS installs one)\n"
                : " (the packet is dropped; no flow is installed)\n");
        }
        b.append("Datapath actions: ").append(FlowFormat.formatActions(t.actions(), names)).append('\n');
        Megaflow mf = t.megaflow();
        b.append("Megaflow: ").append(FlowFormat.formatMatch(mf.key(), mf.mask(), names, false)).append('\n');
        b.append("Megaflow ufid: ").append(mf.ufid().uuidString()).append('\n');
        b.append("Offload preference: ").append(t.offload().text()).append('\n');
        OffloadPolicy pol = d.policy().current();
        InstallDecision.Decision dec = InstallDecision.decide(mf, t.offload(), pol, d.ports());
        b.append("Placement (hw-offload=").append(pol.hwOffload()).append(", tc-policy=").append(pol.tcPolicy().ovsName())
            .append("): ");
        if (dec.slowPath()) {
            b.append("the slow path (no layer may take it; the daemon executes each packet)");
        } else {
            for (int i = 0; i < dec.attempts().size(); i++) {
                b.append(i == 0 ? "" : ", else ").append(attemptText(dec.attempts().get(i)));
            }
        }
        b.append('\n');
        if (dec.reason() != org.offloadbridge.flow.FlowResult.Reason.NONE) {
            b.append("Why not the first choice: ").append(dec.reason().token())
                .append(dec.detail() == null ? "" : ": " + dec.detail()).append('\n');
        }
        Ukey have = d.ukeys().get(mf.ufid());
        if (have != null) {
            b.append("Installed now: yes, in ").append(have.layer().text()).append(" (").append(have.reasonText())
                .append("); obctl explain ").append(mf.ufid().uuidString()).append(" says more\n");
        } else {
            b.append("Installed now: no (a packet like this one would install it)\n");
        }
        return Reply.ok(b.toString());
    }

    private static String attemptText(Placement.Attempt a) {
        return switch (a) {
            case TC_SKIP_SW -> "tc skip_sw (NIC hardware only)";
            case TC_ANY -> "tc (hardware when it can, else kernel software)";
            case TC_SKIP_HW -> "tc skip_hw (kernel software)";
            case DPDK -> "the DPDK datapath";
        };
    }

    // ---- coverage/show, vlog ----

    Reply coverageShow(List<String> args, ControlServer server) {
        if (!args.isEmpty()) {
            return Reply.usage("takes no arguments: unexpected \"" + args.get(0) + "\"");
        }
        Map<String, java.util.function.Supplier<? extends Record>> records = new java.util.LinkedHashMap<>(d.counterRecords());
        if (server != null) {
            records.put("control", server::counters);
        }
        Map<String, Long> all = Coverage.collect(records);
        return new Reply(org.offloadbridge.daemon.control.ControlProtocol.OK, Coverage.render(all), Coverage.json(all));
    }

    Reply vlogSet(List<String> args) {
        if (args.size() != 1) {
            return Reply.usage(args.isEmpty() ? "missing [MODULE:]LEVEL (e.g. vlog/set revalidator:debug)"
                : "takes one [MODULE:]LEVEL: unexpected argument \"" + args.get(1) + "\"");
        }
        try {
            return Reply.ok(LogLevels.set(args.get(0)));
        } catch (IllegalArgumentException e) {
            return Reply.usage("" + e.getMessage());
        }
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
        DaemonView.UpcallDrops lost = d.upcallDrops();
        b.append("lost before a handler: ").append(lost.queueFull() + lost.socketFull()).append(" (upcall queue full ")
            .append(lost.queueFull()).append(", miss socket full ").append(lost.socketFull()).append(")\n");
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
            if (e.isTunnelDevice()) {
                b.append("  port ").append(e.dpPort()).append(": ").append(e.name()).append(" (ifindex ").append(e.ifindex())
                    .append(", vxlan device, miss device ").append(e.miss().datapathSide()).append(")\n");
                for (var t : e.tunnelPorts()) {
                    // OVS's dpif/show spelling of a tunnel port's options.
                    var tn = t.tunnel();
                    b.append("    ").append(t.name()).append(" ").append(t.ofPort()).append('/').append(e.dpPort()).append(": (vxlan: key=")
                        .append(tn.keyFlow() ? "flow" : Long.toString(tn.key())).append(", local_ip=")
                        .append(tn.isIpv6() ? v6(tn.ipv6().localHi(), tn.ipv6().localLo()) : dotted(tn.localIp()))
                        .append(", remote_ip=").append(tn.remoteFlow() ? "flow"
                            : tn.isIpv6() ? v6(tn.ipv6().remoteHi(), tn.ipv6().remoteLo()) : dotted(tn.remoteIp())).append(", dst_port=")
                        .append(tn.dstPort()).append(")\n");
                }
                continue;
            }
            b.append("  port ").append(e.dpPort()).append(": ").append(e.name()).append(" (ifindex ").append(e.ifindex())
                .append(", ofport ").append(e.ofPort()).append(", e-switch ").append(e.eswitch() == null ? "none" : e.eswitch())
                .append(", miss device ").append(e.miss().datapathSide()).append(")\n");
        }
        return b.toString();
    }

    private static String v6(long hi, long lo) {
        return org.offloadbridge.flow.FlowFormat.formatIpv6(hi, lo);
    }

    private static String dotted(int a) {
        return org.offloadbridge.flow.FlowFormat.formatIpv4(a & 0xffffffffL);
    }

    Reply set(List<String> args) {
        if (args.size() != 1 || !args.get(0).contains("=")) {
            return Reply.usage("expected one KEY=VALUE: hw-offload=true|false or tc-policy=none|skip_sw|skip_hw"
                + (args.isEmpty() ? "" : " (got \"" + String.join(" ", args) + "\")"));
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
                return Reply.usage("unknown key \"" + kv[0] + "\" (expected hw-offload or tc-policy)");
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
