package org.offloadbridge.daemon;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.offloadbridge.daemon.control.ControlServer;
import org.offloadbridge.daemon.control.ObctlMain;
import org.offloadbridge.daemon.control.PeerPolicy;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.daemon.slowpath.MissDevices;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.handler.FlowLimit;
import org.offloadbridge.upcall.handler.InstallDecision;
import org.offloadbridge.upcall.handler.LivePolicy;
import org.offloadbridge.upcall.handler.Ukey;
import org.offloadbridge.upcall.handler.UkeyState;
import org.offloadbridge.upcall.handler.UkeyTable;
import org.offloadbridge.upcall.handler.UpcallCounters;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;
import org.offloadbridge.upcall.pipeline.Translation;

/**
 * A daemon's state without a kernel, for the obctl commands: ports p1 and p2 (datapath and
 * OpenFlow numbers 1 and 2, on e-switch pci/0000:03:00.0), a pipeline, a ukey table whose flows
 * tests place in any layer with any counters, a fake clock; and, on demand, a control server on
 * a socket in a temporary directory that obctl talks to.
 */
final class CommandsRig implements DaemonView, AutoCloseable {
    final AtomicLong now = new AtomicLong(1_000_000);
    final MonotonicClock clock = now::get;
    final PortRegistry ports = new PortRegistry();
    final Pipeline pipeline;
    final UkeyTable ukeys = new UkeyTable(16);
    final LivePolicy policy = new LivePolicy(true, TcPolicy.NONE);
    final FlowLimit flowLimit = new FlowLimit(200_000);
    final UpcallCounters upcalls = new UpcallCounters();
    private ControlServer server;
    private AgentRunner runner;
    Path socket;

    CommandsRig(String rules) throws RuleSyntaxException {
        for (int i = 1; i <= 2; i++) {
            ports.add(new PortRegistry.Entry("p" + i, i, i, 100 + i, "pci/0000:03:00.0",
                new MissDevices.MissDevice("p" + i, 100 + i, "obk" + (100 + i), 200 + i, "obd" + (100 + i), 300 + i)));
        }
        pipeline = new Pipeline(ports.portTable(), clock, 300_000, 0);
        pipeline.loadRulesFile(rules);
    }

    /** The packet {@code flow} (ovs-ofctl syntax), translated, its megaflow placed in {@code layer} with {@code stats}. */
    Ukey place(String flow, FlowLayer layer, Reason reason, FlowStats stats) throws RuleSyntaxException {
        FlowKey k = pipeline.packetKey(pipeline.parser().parseFlow(flow));
        Translation t = pipeline.translate(k, false);
        Ukey u = new Ukey(t.megaflow(), t.offload(), t.seq(), t.rulesHit(), now.get());
        if (ukeys.insert(u) != null) {
            throw new IllegalStateException("flow placed twice: " + flow);
        }
        u.placed(new InstallDecision.Outcome(layer, reason, null, 0, null, stats), 1, ukeys.generation(), now.get());
        u.transition(UkeyState.OPERATIONAL);
        return u;
    }

    /** A control server with every command, run on its own thread. */
    CommandsRig serve(Path dir) throws IOException {
        socket = dir.resolve("obctl.sock");
        server = new ControlServer(new ControlServer.Context(socket, null, new PeerPolicy("root", "root", java.util.Set.of()),
            MonotonicClock.SYSTEM, 5_000, 60_000, 8));
        DaemonCommands.register(server, this);
        server.open();
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, server);
        AgentRunner.startOnThread(runner);
        return this;
    }

    record Obctl(int status, String out, String err) {
    }

    /** Runs obctl against the served socket. */
    Obctl obctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = ObctlMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] argv = new String[args.length + 2];
        argv[0] = "--socket";
        argv[1] = socket.toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        int st = cl.execute(argv);
        return new Obctl(st, out.toString(), err.toString());
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
    }

    @Override
    public MonotonicClock clock() {
        return clock;
    }

    @Override
    public UkeyTable ukeys() {
        return ukeys;
    }

    @Override
    public PortRegistry ports() {
        return ports;
    }

    @Override
    public Pipeline pipeline() {
        return pipeline;
    }

    @Override
    public LivePolicy policy() {
        return policy;
    }

    @Override
    public FlowLimit flowLimit() {
        return flowLimit;
    }

    @Override
    public String mode() {
        return "dpdk";
    }

    @Override
    public UpcallCounters.Values upcallCounters() {
        return upcalls.snapshot();
    }

    /** What {@link #upcallDrops()} reports; tests set it. */
    public volatile UpcallDrops drops = new UpcallDrops(0, 0);

    @Override
    public UpcallDrops upcallDrops() {
        return drops;
    }

    @Override
    public void setPolicy(boolean hwOffload, TcPolicy tcPolicy) {
        policy.set(hwOffload, tcPolicy);
    }

    @Override
    public Map<String, Supplier<? extends Record>> counterRecords() {
        Map<String, Supplier<? extends Record>> m = new LinkedHashMap<>();
        m.put("upcall", this::upcallCounters);
        return m;
    }
}
