package org.offloadbridge.daemon;

import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.daemon.slowpath.MissDevices;
import org.offloadbridge.daemon.slowpath.PacketSocket;
import org.offloadbridge.daemon.slowpath.SocketExecutor;
import org.offloadbridge.daemon.slowpath.SocketSlowPath;
import org.offloadbridge.dpdk.Dpdk;
import org.offloadbridge.dpdk.DpdkDatapath;
import org.offloadbridge.dpdk.Eal;
import org.offloadbridge.dpdk.EalConfig;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.UpcallQueue;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.revalidator.Revalidators;
import org.offloadbridge.tc.TcFlowTarget;
import org.offloadbridge.tc.TcOffload;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.FlowLimit;
import org.offloadbridge.upcall.handler.Layers;
import org.offloadbridge.upcall.handler.LivePolicy;
import org.offloadbridge.upcall.handler.PacketExecutor;
import org.offloadbridge.upcall.handler.UkeyTable;
import org.offloadbridge.upcall.handler.UpcallCounters;
import org.offloadbridge.upcall.handler.UpcallHandler;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the running daemon from {@link DaemonSettings} in the caller's
 * network namespace, and takes it down again.
 *
 * <h2>Start, in order</h2>
 * <ol>
 *   <li>Every port gets its miss device and catch-alls ({@link MissDevices}; idempotent, so a
 *       restart keeps the slow path without a gap) and a datapath port number.</li>
 *   <li>The tc layer: one {@link TcOffload} built with tc-policy {@code none} — the install
 *       decision applies the global policy itself, asking tc for exactly the flags of each
 *       attempt — watching every port's device.</li>
 *   <li>The software layer: the DPDK datapath with one {@code net_af_packet} port per miss
 *       device (when DPDK is wanted and usable), else packet sockets on the miss devices and
 *       the handlers executing packets themselves. The log says which and why.</li>
 *   <li>The pipeline with the rules, the ukey table, the revalidators — which first
 *       <em>adopt</em> what tc already holds (our cookie, same translation), so a restart keeps
 *       established flows without a packet lost — and then the handlers.</li>
 * </ol>
 * Each thread is an Agrona agent in its own runner.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final DaemonSettings settings;
    private final MonotonicClock clock;
    private final NetlinkConnection route;
    private final MissDevices missDevices;
    private final PortRegistry ports = new PortRegistry();
    private final TcOffload tc;
    private final TcFlowTarget tcTarget;
    private final DpdkDatapath dpdk;
    private final List<PacketSocket> sockets = new ArrayList<>();
    private final Pipeline pipeline;
    private final UkeyTable ukeys;
    private final LivePolicy policy;
    private final FlowLimit flowLimit;
    private final UpcallCounters upcallCounters = new UpcallCounters();
    private final Revalidators revalidators;
    private final List<UpcallHandler> handlers = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final String mode;
    private final int adopted;
    private SocketSlowPath socketSlowPath;

    private Daemon(DaemonSettings s, MonotonicClock clock) throws RuleSyntaxException {
        this.settings = s;
        this.clock = clock;
        DatapathConfig dc = s.datapath();
        route = NetlinkConnection.open(NetlinkProtocol.ROUTE);
        try {
            missDevices = new MissDevices(route);
            for (String name : s.ports()) {
                MissDevices.MissDevice m = missDevices.attach(name);
                int dp = ports.nextDpPort();
                ports.add(new PortRegistry.Entry(name, dp, dp, m.portIfindex(), null, m));
                LOG.info("port {} attached: datapath port {}, miss device {}", name, dp, m.datapathSide());
            }

            tc = new TcOffload(route, TcPolicy.NONE, ports);
            tcTarget = new TcFlowTarget(tc, clock);
            for (PortRegistry.Entry e : ports.snapshot().entries()) {
                tcTarget.watch(e.ifindex());
            }

            String why;
            if (!s.dpdk()) {
                dpdk = null;
                why = "DPDK turned off in the configuration";
            } else if (!Dpdk.isAvailable() && Eal.current() == null) {
                dpdk = null;
                why = "DPDK unavailable: " + Dpdk.unavailabilityCause();
            } else {
                dpdk = startDpdk(s);
                why = "DPDK datapath on " + ports.snapshot().entries().size() + " miss devices";
            }
            mode = dpdk != null ? "dpdk" : "sockets";
            LOG.info("software datapath: {} ({})", mode, why);

            pipeline = new Pipeline(ports.portTable(), clock, 300_000, 0);
            pipeline.loadRulesFile(s.rules());

            ukeys = new UkeyTable(Integer.highestOneBit(Math.max(16, dc.revalidatorThreads() * 4)) * 2);
            policy = new LivePolicy(dc.hwOffload(), dc.tcPolicy());
            flowLimit = FlowLimit.from(dc);
            FlowTarget software = dpdk != null ? dpdk.flowTarget() : null;
            Layers layers = new Layers(tcTarget, software);
            revalidators = new Revalidators(dc, ukeys, pipeline, layers, ports, policy, flowLimit, clock);
            adopted = revalidators.adopt(tcTarget);
            if (adopted > 0) {
                LOG.info("adopted {} flows from tc", adopted);
            }

            int n = dc.handlerThreads();
            if (dpdk != null) {
                // The datapath's deduplicating queue is the handlers' source as it is: no adapter.
                UpcallQueue source = dpdk.upcalls();
                PacketExecutor exec = (inPort, packet, actions) -> {
                    dpdk.execute(packet, inPort, actions);
                    return true;
                };
                for (int i = 0; i < n; i++) {
                    handlers.add(new UpcallHandler(i, source, pipeline, ukeys, layers, ports, exec, policy, flowLimit,
                        upcallCounters, clock));
                }
            } else {
                List<PortRegistry.Entry> entries = ports.snapshot().entries();
                PacketSocket[] byIndex = new PacketSocket[entries.size()];
                int[] dpPorts = new int[entries.size()];
                java.util.Map<Integer, PacketSocket> byDpPort = new java.util.HashMap<>();
                for (int i = 0; i < entries.size(); i++) {
                    PortRegistry.Entry e = entries.get(i);
                    byIndex[i] = PacketSocket.open(e.miss().datapathIfindex(), e.miss().datapathSide());
                    sockets.add(byIndex[i]);
                    dpPorts[i] = e.dpPort();
                    byDpPort.put(e.dpPort(), byIndex[i]);
                }
                // One queue: handlers drain it concurrently; ukeys make concurrent upcalls of one flow install once.
                UpcallQueue queue = new UpcallQueue(4096, 1_000);
                socketSlowPath = new SocketSlowPath(byIndex, dpPorts, queue);
                for (int i = 0; i < n; i++) {
                    SocketExecutor ex = new SocketExecutor(byDpPort::get);
                    handlers.add(new UpcallHandler(i, queue, pipeline, ukeys, layers, ports, ex::execute, policy, flowLimit,
                        upcallCounters, clock));
                }
            }
        } catch (RuntimeException | RuleSyntaxException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Builds and starts the daemon (threads running) in the caller's network namespace. */
    public static Daemon start(DaemonSettings settings, MonotonicClock clock) throws RuleSyntaxException {
        Daemon d = new Daemon(settings, clock);
        d.startThreads();
        return d;
    }

    private static DpdkDatapath startDpdk(DaemonSettings s) {
        EalConfig ec = new EalConfig().hugepages(s.hugepages()).memoryMb(512);
        for (String a : s.ealArgs()) {
            ec.extraArg(a);
        }
        Eal eal = Eal.initOrGet(ec);
        return DpdkDatapath.create(eal, new DpdkDatapath.Config().pmdThreads(s.pmdThreads()));
    }

    private void startThreads() {
        if (dpdk != null) {
            for (PortRegistry.Entry e : ports.snapshot().entries()) {
                String side = e.miss().datapathSide();
                dpdk.addPort(e.dpPort(), "net_af_packet_" + side + "_" + e.dpPort() + ",iface=" + side);
            }
            dpdk.start();
        }
        for (UpcallHandler h : handlers) {
            run(h, new BackoffIdleStrategy(100, 10, 1_000, 1_000_000));
        }
        for (Agent r : revalidators.agents()) {
            run(r, new SleepingMillisIdleStrategy(5));
        }
        if (socketSlowPath != null) {
            run(socketSlowPath, new BackoffIdleStrategy(100, 10, 1_000, 200_000));
        }
    }

    private void run(Agent a, IdleStrategy idle) {
        AgentRunner r = new AgentRunner(idle, t -> LOG.error("{} failed", a.roleName(), t), null, a);
        runners.add(r);
        AgentRunner.startOnThread(r);
    }

    public MonotonicClock clock() {
        return clock;
    }

    public FlowLimit flowLimit() {
        return flowLimit;
    }

    public LivePolicy policy() {
        return policy;
    }

    public String mode() {
        return mode;
    }

    public PortRegistry ports() {
        return ports;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public UkeyTable ukeys() {
        return ukeys;
    }

    public Revalidators revalidators() {
        return revalidators;
    }

    public UpcallCounters.Values upcallCounters() {
        return upcallCounters.snapshot();
    }

    public int adopted() {
        return adopted;
    }

    public TcFlowTarget tc() {
        return tcTarget;
    }

    /** The DPDK datapath, or null in socket mode. */
    public DpdkDatapath dpdk() {
        return dpdk;
    }

    /** hw-offload / tc-policy at runtime: flows move make-before-break (revalidators do it). */
    public void setPolicy(boolean hwOffload, TcPolicy tcPolicy) {
        revalidators.repolicy(hwOffload, tcPolicy);
        LOG.info("policy: hw-offload={} tc-policy={}", hwOffload, tcPolicy.ovsName());
    }

    /**
     * A clean stop: threads stopped; tc flows stay unless {@code stop-removes-flows} (so a
     * restart is hitless); the DPDK path's flows go with the process.
     */
    @Override
    public void close() {
        for (AgentRunner r : runners) {
            r.close();
        }
        if (settings.stopRemovesFlows() && tcTarget != null) {
            int n = tcTarget.flush();
            LOG.info("removed {} tc flows on stop", n);
        }
        closeQuietly();
    }

    private void closeQuietly() {
        for (PacketSocket s : sockets) {
            s.close();
        }
        if (dpdk != null) {
            dpdk.close();
        }
        if (route != null) {
            route.close();
        }
    }
}
