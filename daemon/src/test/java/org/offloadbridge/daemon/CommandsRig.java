package org.offloadbridge.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.offloadbridge.daemon.control.ControlServer;
import org.offloadbridge.daemon.control.ObctlMain;
import org.offloadbridge.daemon.control.PeerPolicy;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.daemon.slowpath.MissDevices;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.PortNames;
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
 * tests place in any layer with any counters ({@link #place}, or many at once with
 * {@link #flows}), a fake clock; and, on demand, a control server on a socket in a temporary
 * directory that obctl talks to. Public for the dump-flows benchmark (daemon test-jar).
 */
public final class CommandsRig implements DaemonView, AutoCloseable {
    final AtomicLong now = new AtomicLong(1_000_000);
    final MonotonicClock clock = now::get;
    final PortRegistry ports = new PortRegistry();
    final Pipeline pipeline;
    final UkeyTable ukeys = new UkeyTable(16);
    final LivePolicy policy = new LivePolicy(true, TcPolicy.NONE);
    final FlowLimit flowLimit = new FlowLimit(200_000);
    final UpcallCounters upcalls = new UpcallCounters();
    private ControlServer server;
    private int nextFlow;
    private AgentRunner runner;
    Path socket;

    public CommandsRig(String rules) throws RuleSyntaxException {
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

    /** The layers {@link #flows} deals flows to, in turn, and the reason each is placed with. */
    private static final FlowLayer[] LAYERS = {FlowLayer.TC_HW, FlowLayer.TC_SW, FlowLayer.DPDK, FlowLayer.NONE};
    private static final Reason[] REASONS = {Reason.NONE, Reason.CROSS_SWITCH, Reason.HW_OFFLOAD_OFF, Reason.LAYER_UNAVAILABLE};

    /**
     * {@code n} more flows, each a distinct megaflow of the shapes the pipeline installs (a TCP
     * flow exact on MACs, addresses and ports; a UDP flow on source address and destination port
     * whose action rewrites the destination; an IPv4 flow on source MAC, address and a /16
     * destination pushed onto a VLAN), dealt in turn to tc-hw, tc-sw, dpdk and no
     * layer (the slow path), each with its own counters (one in 17 never used). Flow {@code i}'s
     * source address is 10.x.y.z from {@code i}, so up to 2^24 flows are distinct.
     *
     * @return the table's size after
     */
    public int flows(int n) {
        PortNames names = PortNames.of(Map.of(1, "p1", 2, "p2"));
        for (int k = 0; k < n; k++) {
            int i = nextFlow++;
            String src = "10." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
            String mac = String.format(Locale.ROOT, "02:00:00:%02x:%02x:%02x", (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff);
            int port = 1 + (i & 1);
            int other = 3 - port;
            String line = switch ((i >>> 2) % 3) {
                case 0 -> "recirc_id(0),in_port(p" + port + "),eth(src=" + mac + ",dst=02:00:00:00:00:fe),eth_type(0x0800),ipv4(src="
                    + src + ",dst=192.168.1." + (1 + i % 200) + ",proto=6,frag=no),tcp(src=" + (1024 + i % 60000)
                    + ",dst=80), packets:0, bytes:0, used:never, actions:p" + other;
                case 1 -> "recirc_id(0),in_port(p" + port + "),eth(),eth_type(0x0800),ipv4(src=" + src
                    + ",dst=10.255.0.53,proto=17,frag=no),udp(dst=53), packets:0, bytes:0, used:never,"
                    + " actions:set(ipv4(dst=10.0.0.9)),p" + other;
                default -> "recirc_id(0),in_port(p" + port + "),eth(src=" + mac + "),eth_type(0x0800),ipv4(src=" + src
                    + ",dst=172.16.0.0/255.255.0.0,frag=no), packets:0, bytes:0, used:never, actions:push_vlan(vid=" + (100 + i % 3900)
                    + ",pcp=0),p" + other;
            };
            Megaflow mf = FlowParser.parseFlow(line, names).toMegaflow();
            Ukey u = new Ukey(mf, OffloadPreference.PREFERRED, 1, List.of(), now.get());
            if (ukeys.insert(u) != null) {
                throw new IllegalStateException("flow " + i + " is not distinct: " + line);
            }
            FlowLayer layer = LAYERS[i % LAYERS.length];
            long packets = i % 17 == 0 ? 0 : 1 + (i * 7919L) % 100_000;
            FlowStats stats = packets == 0 ? FlowStats.ZERO
                : new FlowStats(packets, packets * (64 + i % 1400), now.get() - i % 30_000,
                    layer == FlowLayer.DPDK && (i >>> 2) % 3 == 0 ? 0x12 : 0); // tc counts no tcp flags
            u.placed(new InstallDecision.Outcome(layer, REASONS[i % REASONS.length], null, 0, null,
                layer == FlowLayer.NONE ? FlowStats.ZERO : stats), 1, ukeys.generation(), now.get());
            u.transition(UkeyState.OPERATIONAL);
            if (layer == FlowLayer.NONE && packets != 0) {
                u.countSlowPathPacket(98, now.get() - i % 30_000);
            }
        }
        return ukeys.size();
    }

    /** A control server with every command, run on its own thread, idle polls every 1 ms. */
    public CommandsRig serve(Path dir) throws IOException {
        return serve(dir, new SleepingMillisIdleStrategy(1));
    }

    /**
     * A control server with every command on its own thread, idling with {@code idle} (the daemon
     * runs its control server with {@code SleepingMillisIdleStrategy(2)}).
     */
    public CommandsRig serve(Path dir, IdleStrategy idle) throws IOException {
        socket = dir.resolve("obctl.sock");
        server = new ControlServer(new ControlServer.Context(socket, null, new PeerPolicy("root", "root", java.util.Set.of()),
            MonotonicClock.SYSTEM, 5_000, 60_000, 8));
        DaemonCommands.register(server, this);
        server.open();
        runner = new AgentRunner(idle, Throwable::printStackTrace, null, server);
        AgentRunner.startOnThread(runner);
        return this;
    }

    /** The served socket (after {@link #serve}). */
    public Path socket() {
        return socket;
    }

    record Obctl(int status, String out, String err) {
    }

    /** Runs obctl against the served socket. */
    Obctl obctl(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        String[] argv = new String[args.length + 2];
        argv[0] = "--socket";
        argv[1] = socket.toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        int st = ObctlMain.run(argv, out, err);
        return new Obctl(st, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8));
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

    /** No layers here: the flows are ukeys only (check judges nothing against a layer). */
    @Override
    public org.offloadbridge.upcall.handler.Layers layers() {
        return new org.offloadbridge.upcall.handler.Layers(null, null);
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
