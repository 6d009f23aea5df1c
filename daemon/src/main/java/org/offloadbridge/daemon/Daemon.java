package org.offloadbridge.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.daemon.ports.TunnelDevices;
import org.offloadbridge.daemon.slowpath.MissDevices;
import org.offloadbridge.daemon.slowpath.PacketSocket;
import org.offloadbridge.daemon.slowpath.SocketExecutor;
import org.offloadbridge.daemon.slowpath.SocketSlowPath;
import org.offloadbridge.dpdk.Dpdk;
import org.offloadbridge.dpdk.DatapathCounters;
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
import org.offloadbridge.switchdev.DevlinkHandle;
import org.offloadbridge.switchdev.Eswitch;
import org.offloadbridge.switchdev.HotplugAgent;
import org.offloadbridge.switchdev.ModelChange;
import org.offloadbridge.switchdev.Port;
import org.offloadbridge.switchdev.Switchdev;
import org.offloadbridge.switchdev.SwitchdevModel;
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
import org.offloadbridge.upcall.pipeline.BridgePort;
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
 *   <li>switchdev discovery says which e-switch each port is on (the install decision tries NIC
 *       hardware only between ports of one e-switch) and which ports the configured e-switches
 *       have: their uplinks and representors are attached without being named.</li>
 *   <li>Every port gets its miss device and catch-alls ({@link MissDevices}; idempotent, so a
 *       restart keeps the slow path without a gap) and a datapath port number.</li>
 *   <li>Tunnel ports: their collect-metadata VXLAN devices, one per UDP port, checked and made by
 *       {@link TunnelDevices}, each a datapath port whose miss device carries the tunnel slow
 *       path (docs/design-vxlan.md); the tunnel ports share it in the pipeline's port table.</li>
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
 *
 * <h2>Ports at runtime</h2>
 * switchdev's hotplug agent keeps the model current; a representor of a configured e-switch that
 * appears (VFs created, a driver rebound) is attached, and a port that vanishes is detached: off
 * the pipeline's port table (so every flow is re-translated and those through the port go), off
 * the software datapath, its filters and miss device removed. A named port that comes back is
 * attached again; a VXLAN device of ours that vanishes is created again at once. The
 * {@link UnderlayAgent} starts a revalidator round when a tunnel remote's neighbour or route
 * changes.
 *
 * <h2>Changes while running</h2>
 * A reload ({@link Reloader}) changes what the configuration names: {@link #attachNamed} and
 * {@link #detachNamed} for {@code [[port]] name}, {@link #addEswitch} and {@link #removeEswitch}
 * for {@code [[port]] eswitch}, {@link #setTunnelPorts} for tunnel ports, and the live settings ({@link #setPolicy}, {@link #setMaxIdleMillis},
 * {@link #setMaxRevalidatorMillis}, {@link #setFlowLimit}, {@link #setStopRemovesFlows}, the
 * pipeline's rules and offload default). Hotplug follows the sets as they are now.
 */
public final class Daemon implements AutoCloseable, DaemonView, Reloader.Target {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final MonotonicClock clock;
    private final NetlinkConnection route;
    /** tc dumps only (the revalidators'), so a dump never waits for an install on {@code route} nor holds one up. */
    private final NetlinkConnection tcDumps;
    private final MissDevices missDevices;
    private final TunnelDevices tunnelDevices;
    /** The VXLAN devices of the tunnel ports now. */
    private final List<TunnelDevices.Device> tunnelDevs = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The tunnel ports as configured at start, and the OpenFlow numbers they got then. */
    private final List<Config.TunnelPort> tunnelConfig = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Integer> tunnelOfAssigned = new ConcurrentHashMap<>();
    private final PortRegistry ports = new PortRegistry();
    private final TcOffload tc;
    private final TcFlowTarget tcTarget;
    private final DpdkDatapath dpdk;
    private final Map<Integer, PacketSocket> socketsByDpPort = new ConcurrentHashMap<>();
    private final Switchdev switchdev;
    /** The configured e-switches, as a reload leaves them (read by hotplug). */
    private final Set<DevlinkHandle> eswitches = new java.util.concurrent.ConcurrentSkipListSet<>();
    /** The configured port names, as a reload leaves them (read by hotplug). */
    private final Set<String> named = ConcurrentHashMap.newKeySet();
    /** The configured OpenFlow numbers of named ports, as a reload leaves them. */
    private final Map<String, Integer> ofPorts = new ConcurrentHashMap<>();
    /** The OpenFlow numbers the config gives tunnel ports: never handed to a named port. */
    private final Set<Integer> tunnelOfPorts = ConcurrentHashMap.newKeySet();
    private volatile boolean stopRemovesFlows;
    private final List<SocketExecutor> executors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private HotplugAgent hotplug;
    private boolean threadsStarted;
    /** DPDK vdev names are process-wide and outlive a port's removal: each attach gets a fresh one. */
    private static final AtomicInteger VDEV_SEQ = new AtomicInteger();
    private final Pipeline pipeline;
    private final UkeyTable ukeys;
    private final LivePolicy policy;
    private final FlowLimit flowLimit;
    private final UpcallCounters upcallCounters = new UpcallCounters();
    private final Revalidators revalidators;
    private final Layers layers;
    private final TcEventAgent tcEvents;
    /** The tunnels' underlay watch. */
    private final UnderlayAgent underlay;
    /** Remotes of installed encap flows, for remote_ip=flow ports: recomputed at most once a second. */
    private volatile Set<java.net.InetAddress> flowRemotes = Set.of();
    private volatile long flowRemotesAt = Long.MIN_VALUE;
    private volatile ConsistencyAudit audit;
    private final List<UpcallHandler> handlers = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final String mode;
    private final int adopted;
    private SocketSlowPath socketSlowPath;

    private Daemon(DaemonSettings s, MonotonicClock clock) throws RuleSyntaxException {
        this.clock = clock;
        DatapathConfig dc = s.datapath();
        named.addAll(s.ports());
        ofPorts.putAll(s.ofPorts());
        s.tunnels().forEach(t -> t.ofPort().ifPresent(tunnelOfPorts::add));
        stopRemovesFlows = s.stopRemovesFlows();
        route = NetlinkConnection.open(NetlinkProtocol.ROUTE);
        tcDumps = NetlinkConnection.open(NetlinkProtocol.ROUTE);
        try {
            for (String h : s.eswitches()) {
                eswitches.add(DevlinkHandle.parse(h));
            }
            switchdev = openSwitchdev(!eswitches.isEmpty());
            missDevices = new MissDevices(route, switchdev == null ? null : switchdev::setFeature);
            SwitchdevModel.Snapshot sw = switchdev == null ? SwitchdevModel.Snapshot.EMPTY : switchdev.discover();
            for (String name : s.ports()) {
                addEntry(name, eswitchOf(sw, sw.port(name)));
            }
            for (DevlinkHandle h : eswitches) {
                Eswitch e = eswitch(sw, h);
                if (e == null) {
                    throw new IllegalArgumentException("eswitch " + h + ": no e-switch with that devlink handle here"
                        + " (switchdev show lists them; is the NIC in switchdev mode?)");
                }
                for (Port p : switchPorts(e)) {
                    if (ports.snapshot().byName().get(p.name()) == null) {
                        addEntry(p.name(), eswitchName(e));
                    }
                }
            }

            tunnelDevices = new TunnelDevices(route);
            attachTunnels(s);
            if (switchdev != null && !tunnelDevs.isEmpty()) {
                // The model must know the devices just created, or their removal later is no change
                // to it (hotplug diffs discovery passes) and a deleted device would never be put back.
                switchdev.discover();
            }

            tc = new TcOffload(route, tcDumps, TcPolicy.NONE, ports);
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
            pipeline.setOffloadDefault(s.offloadDefault());
            pipeline.loadRulesFile(s.rules());

            ukeys = new UkeyTable(Integer.highestOneBit(Math.max(16, dc.revalidatorThreads() * 4)) * 2);
            policy = new LivePolicy(dc.hwOffload(), dc.tcPolicy());
            flowLimit = FlowLimit.from(dc);
            FlowTarget software = dpdk != null ? dpdk.flowTarget() : null;
            layers = new Layers(tcTarget, software);
            revalidators = new Revalidators(dc, ukeys, pipeline, layers, ports, policy, flowLimit, clock);
            // Subscribed before adoption: a filter deleted while we adopt is still heard of.
            tcEvents = new TcEventAgent(tcTarget, revalidators, ports, missDevices);
            // Always: a reload may add the first tunnel port (with none, every event is ignored at once).
            underlay = new UnderlayAgent(revalidators, this::tunnelRemotes);
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
                        upcallCounters, clock).admission(revalidators.hwBudget()));
                }
            } else {
                List<PortRegistry.Entry> entries = ports.snapshot().entries();
                PacketSocket[] byIndex = new PacketSocket[entries.size()];
                int[] dpPorts = new int[entries.size()];
                for (int i = 0; i < entries.size(); i++) {
                    PortRegistry.Entry e = entries.get(i);
                    byIndex[i] = PacketSocket.open(e.miss().datapathIfindex(), e.miss().datapathSide());
                    dpPorts[i] = e.dpPort();
                    socketsByDpPort.put(e.dpPort(), byIndex[i]);
                }
                // One queue: handlers drain it concurrently; ukeys make concurrent upcalls of one flow install once.
                UpcallQueue queue = new UpcallQueue(4096, 1_000);
                socketSlowPath = new SocketSlowPath(new PacketSocket[0], new int[0], queue);
                for (int i = 0; i < entries.size(); i++) {
                    socketSlowPath.add(byIndex[i], dpPorts[i], tunnelUdpPort(entries.get(i)));
                }
                for (int i = 0; i < n; i++) {
                    SocketExecutor ex = new SocketExecutor(socketsByDpPort::get, this::isTunnelDevice);
                    executors.add(ex);
                    handlers.add(new UpcallHandler(i, queue, pipeline, ukeys, layers, ports, ex::execute, policy, flowLimit,
                        upcallCounters, clock).admission(revalidators.hwBudget()));
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

    private synchronized void startThreads() {
        if (dpdk != null) {
            for (PortRegistry.Entry e : ports.snapshot().entries()) {
                dpdk.addPort(e.dpPort(), devargs(e));
                if (e.isTunnelDevice()) {
                    dpdk.setKernelTunnelDevice(e.dpPort(), tunnelUdpPort(e));
                }
            }
            dpdk.start();
        }
        for (UpcallHandler h : handlers) {
            run(h, new AwaitingIdleStrategy(h::await, 100));
        }
        for (Agent r : revalidators.agents()) {
            run(r, new SleepingMillisIdleStrategy(5));
        }
        run(tcEvents, new AwaitingIdleStrategy(tcEvents::await, 100));
        if (underlay != null) {
            run(underlay, new AwaitingIdleStrategy(underlay::await, 100));
        }
        audit = new ConsistencyAudit(ukeys, layers, clock, ConsistencyAudit.DEFAULT_INTERVAL_MILLIS);
        run(audit, new SleepingMillisIdleStrategy(1_000)); // every 5 minutes: a second's lateness is nothing
        if (socketSlowPath != null) {
            run(socketSlowPath, new AwaitingIdleStrategy(socketSlowPath::await, 50));
        }
        if (switchdev != null) {
            try {
                hotplug = switchdev.hotplugAgent();
                switchdev.model().addListener(this::onSwitchdevChanges);
                run(hotplug, new SleepingMillisIdleStrategy(20)); // link events are rare; 20 ms is soon enough
            } catch (RuntimeException e) {
                LOG.warn("switchdev hotplug unavailable, ports stay as attached at start: {}", e.getMessage());
            }
        }
        threadsStarted = true;
    }

    // ---------------------------------------------------------------- ports

    /** switchdev discovery, or null where it can't run and nothing needs it (named veth ports). */
    private static Switchdev openSwitchdev(boolean required) {
        try {
            return Switchdev.open();
        } catch (RuntimeException e) {
            if (required) {
                throw new IllegalStateException("e-switch ports configured but switchdev discovery failed: " + e.getMessage(), e);
            }
            LOG.warn("switchdev discovery unavailable ({}): every port is taken as on no e-switch (software tc only)",
                e.getMessage());
            return null;
        }
    }

    private static Eswitch eswitch(SwitchdevModel.Snapshot sw, DevlinkHandle h) {
        for (Eswitch e : sw.eswitches().values()) {
            if (e.devlinks().contains(h)) {
                return e;
            }
        }
        return null;
    }

    /** The e-switch's uplinks, then its representors: the ports "every port of e-switch X" means. */
    private static List<Port> switchPorts(Eswitch e) {
        List<Port> all = new ArrayList<>(e.uplinks());
        all.addAll(e.representors());
        return all;
    }

    /** How the install decision names an e-switch: its devlink handle, as operators know it. */
    private static String eswitchName(Eswitch e) {
        return e.devlink() != null ? e.devlink().toString() : e.key();
    }

    private static String eswitchOf(SwitchdevModel.Snapshot sw, Port p) {
        if (p == null || !p.role().isSwitchPort()) {
            return null;
        }
        Eswitch e = sw.eswitchOf(p);
        return e != null ? eswitchName(e) : p.eswitchKey();
    }

    private PortRegistry.Entry addEntry(String name, String eswitch) {
        MissDevices.MissDevice m = missDevices.attach(name);
        int dp = ports.nextDpPort();
        Integer of = ofPorts.get(name);
        Set<Integer> reserved = new java.util.HashSet<>(ofPorts.values());
        reserved.addAll(tunnelOfPorts);
        int ofPort = of != null ? of : ports.nextOfPort(reserved);
        PortRegistry.Entry e = ports.add(new PortRegistry.Entry(name, dp, ofPort, m.portIfindex(), eswitch, m));
        LOG.info("port {} attached: OpenFlow port {}, datapath port {}, e-switch {}, miss device {}", name, ofPort, dp,
            eswitch == null ? "none" : eswitch, m.datapathSide());
        return e;
    }

    /**
     * The tunnel ports' VXLAN devices (created where missing: {@link TunnelDevices#ensure} checks
     * everything first), each a datapath port with the tunnel slow path on its miss device and
     * its tunnel ports in the pipeline's port table.
     */
    private void attachTunnels(DaemonSettings s) {
        if (s.tunnels().isEmpty()) {
            return;
        }
        // OpenFlow numbers once, in file order: they stay the tunnel ports' while the daemon runs,
        // also across their device being re-created (rules name them).
        Set<Integer> reserved = new java.util.HashSet<>(ofPorts.values());
        reserved.addAll(tunnelOfPorts);
        for (Config.TunnelPort t : s.tunnels()) {
            int of = t.ofPort().orElseGet(() -> {
                int n = ports.nextOfPort(reserved);
                reserved.add(n);
                return n;
            });
            tunnelOfAssigned.put(t.name(), of);
        }
        tunnelConfig.addAll(s.tunnels());
        for (TunnelDevices.Device d : tunnelDevices.ensure(s.tunnels())) {
            addTunnelEntry(d);
        }
    }

    /** Registers VXLAN device {@code d} as a datapath port carrying its tunnel ports (miss device and programs first). */
    private PortRegistry.Entry addTunnelEntry(TunnelDevices.Device d) {
        MissDevices.MissDevice m = missDevices.attach(d.name());
        int dp = ports.nextDpPort();
        List<BridgePort> bps = new ArrayList<>();
        for (Config.TunnelPort t : tunnelConfig) {
            if (t.dstPort() == d.dstPort()) {
                bps.add(new BridgePort(t.name(), tunnelOfAssigned.get(t.name()), dp, t.pipelineTunnel()));
            }
        }
        PortRegistry.Entry e = ports.add(new PortRegistry.Entry(d.name(), dp, 0, d.ifindex(), null, m, bps));
        tunnelDevs.removeIf(x -> x.name().equals(d.name()));
        tunnelDevs.add(d);
        LOG.info("tunnel device {} attached: datapath port {}, UDP port {}, tunnel ports {}, miss device {}", d.name(), dp,
            d.dstPort(), bps.stream().map(b -> b.name() + "=" + b.ofPort()).toList(), m.datapathSide());
        return e;
    }

    /**
     * A reload's tunnel ports ({@link Reloader.Target#setTunnelPorts}): the host checks of every
     * port first (nothing changes when one fails), then a VXLAN device no port uses any more is
     * detached (and deleted when ours), a new UDP port's device is made and attached, and a
     * device whose ports changed gets them in place; a kept port keeps its OpenFlow number. The
     * pipeline's ports change at once, and the revalidators re-translate every flow.
     */
    @Override
    public synchronized String setTunnelPorts(List<Config.TunnelPort> next) {
        List<String> problems = tunnelDevices.check(next);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        StringBuilder out = new StringBuilder();
        Map<String, Config.TunnelPort> before = new java.util.LinkedHashMap<>();
        tunnelConfig.forEach(t -> before.put(t.name(), t));
        Set<Integer> reserved = new java.util.HashSet<>(ofPorts.values());
        for (Config.TunnelPort t : next) {
            t.ofPort().ifPresent(reserved::add);
            Integer kept = before.containsKey(t.name()) && t.ofPort().isEmpty() ? tunnelOfAssigned.get(t.name()) : null;
            if (kept != null) {
                reserved.add(kept);
            }
        }
        Map<String, Integer> assigned = new java.util.HashMap<>();
        for (Config.TunnelPort t : next) {
            Integer of = t.ofPort().orElse(before.containsKey(t.name()) ? tunnelOfAssigned.get(t.name()) : null);
            if (of == null) {
                of = ports.nextOfPort(reserved);
                reserved.add(of);
            }
            assigned.put(t.name(), of);
        }
        for (Config.TunnelPort t : tunnelConfig) {
            if (next.stream().noneMatch(n -> n.name().equals(t.name()))) {
                out.append("  tunnel port ").append(t.name()).append(": removed\n");
            }
        }
        for (Config.TunnelPort t : next) {
            Config.TunnelPort was = before.get(t.name());
            if (was == null) {
                out.append("  tunnel port ").append(t.name()).append(": added (OpenFlow port ").append(assigned.get(t.name())).append(")\n");
            } else if (!was.equals(t)) {
                out.append("  tunnel port ").append(t.name()).append(": changed\n");
            }
        }
        tunnelConfig.clear();
        tunnelConfig.addAll(next);
        tunnelOfAssigned.clear();
        tunnelOfAssigned.putAll(assigned);
        tunnelOfPorts.clear();
        next.forEach(t -> t.ofPort().ifPresent(tunnelOfPorts::add));
        // Devices no port uses any more.
        for (TunnelDevices.Device d : List.copyOf(tunnelDevs)) {
            if (next.stream().noneMatch(t -> t.deviceName().equals(d.name()))) {
                detach(d.name());
                tunnelDevs.remove(d);
                tunnelDevices.release(d);
                out.append("  tunnel device ").append(d.name()).append(": removed\n");
            }
        }
        // Devices kept get their ports in place; new ones are made and attached.
        for (TunnelDevices.Device d : tunnelDevices.ensure(next)) {
            PortRegistry.Entry e = ports.snapshot().byName().get(d.name());
            if (e == null) {
                attachToDatapath(addTunnelEntry(d));
                out.append("  tunnel device ").append(d.name()).append(": attached\n");
            } else {
                List<BridgePort> bps = new ArrayList<>();
                for (Config.TunnelPort t : next) {
                    if (t.dstPort() == d.dstPort()) {
                        bps.add(new BridgePort(t.name(), assigned.get(t.name()), e.dpPort(), t.pipelineTunnel()));
                    }
                }
                ports.replace(new PortRegistry.Entry(e.name(), e.dpPort(), e.ofPort(), e.ifindex(), e.eswitch(), e.miss(), bps));
            }
        }
        pipeline.setPorts(ports.portTable());
        revalidators.resync();
        return out.toString();
    }

    /** The VXLAN device name of a configured tunnel port, or null. */
    private boolean isConfiguredTunnelDevice(String name) {
        return tunnelConfig.stream().anyMatch(t -> t.deviceName().equals(name));
    }

    /**
     * A tunnel device is gone (deleted behind our back) or, one config names, came back: our
     * own is created again at once; one config names is used again when it is back. Its tunnel
     * ports keep their OpenFlow numbers, so the rules that name them need no reload.
     */
    private synchronized void restoreTunnelDevice(String name) {
        if (ports.snapshot().byName().get(name) != null) {
            return;
        }
        List<Config.TunnelPort> on = tunnelConfig.stream().filter(t -> t.deviceName().equals(name)).toList();
        if (on.isEmpty()) {
            return;
        }
        if (on.get(0).device().isPresent() && links().get(name).isEmpty()) {
            LOG.warn("tunnel device {} (named by the config) is gone: its tunnel ports {} wait for it",
                name, on.stream().map(Config.TunnelPort::name).toList());
            return;
        }
        try {
            for (TunnelDevices.Device d : tunnelDevices.ensure(on)) {
                PortRegistry.Entry e = addTunnelEntry(d);
                attachToDatapath(e);
                LOG.warn("tunnel device {} was gone: {} and attached again", name, d.ours() ? "created" : "found");
            }
            pipeline.setPorts(ports.portTable());
        } catch (RuntimeException e) {
            LOG.error("tunnel device {} not restored: {}", name, e.getMessage());
        }
    }

    private org.offloadbridge.netlink.RtnlLinks links() {
        return new org.offloadbridge.netlink.RtnlLinks(route);
    }

    /**
     * The tunnels' remote IPv4 addresses now (host order): the fixed remotes of tunnel ports, and
     * for {@code remote_ip=flow} ports the outer destinations of installed flows (a scan of the
     * ukeys, at most once a second: the underlay agent asks on every neighbour event).
     */
    Set<java.net.InetAddress> tunnelRemotes() {
        Set<java.net.InetAddress> out = new java.util.HashSet<>();
        boolean flow = false;
        for (PortRegistry.Entry e : ports.snapshot().entries()) {
            for (BridgePort t : e.tunnelPorts()) {
                var tn = t.tunnel();
                if (tn.remoteFlow()) {
                    flow = true;
                } else if (tn.isIpv6()) {
                    out.add(ipv6(tn.ipv6().remoteHi(), tn.ipv6().remoteLo()));
                } else {
                    out.add(ipv4(tn.remoteIp()));
                }
            }
        }
        if (flow) {
            long now = clock.millis();
            if (now - flowRemotesAt >= 1_000) {
                Set<java.net.InetAddress> seen = new java.util.HashSet<>();
                for (int i = 0; i < ukeys.shards(); i++) {
                    ukeys.forEach(i, u -> {
                        for (org.offloadbridge.flow.Action a : u.megaflow().actions().toList()) {
                            if (a instanceof org.offloadbridge.flow.Action.SetField sf && sf.attr() == org.offloadbridge.flow.KeyAttr.TUNNEL) {
                                long hi = 0;
                                long lo = 0;
                                for (org.offloadbridge.flow.Action.FieldValue fv : sf.fields()) {
                                    switch (fv.field()) {
                                        case TUN_IPV4_DST -> seen.add(ipv4((int) fv.value()));
                                        case TUN_IPV6_DST_HI -> hi = fv.value();
                                        case TUN_IPV6_DST_LO -> lo = fv.value();
                                        default -> { }
                                    }
                                }
                                if (hi != 0 || lo != 0) {
                                    seen.add(ipv6(hi, lo));
                                }
                            }
                        }
                    });
                }
                flowRemotes = Set.copyOf(seen);
                flowRemotesAt = now;
            }
            out.addAll(flowRemotes);
        }
        return out;
    }

    private static java.net.InetAddress ipv4(int a) {
        return addressOf(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    private static java.net.InetAddress ipv6(long hi, long lo) {
        return addressOf(java.nio.ByteBuffer.allocate(16).putLong(hi).putLong(lo).array());
    }

    private static java.net.InetAddress addressOf(byte[] b) {
        try {
            return java.net.InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The underlay watch's counters. */
    public UnderlayAgent.Counters underlayCounters() {
        return underlay == null ? null : underlay.counters();
    }

    private boolean isTunnelDevice(int dpPort) {
        PortRegistry.Entry e = ports.snapshot().byDpPort().get(dpPort);
        return e != null && e.isTunnelDevice();
    }

    /** The UDP port of a tunnel device's tunnels, 0 for a plain port (the socket slow path's header reading). */
    private static int tunnelUdpPort(PortRegistry.Entry e) {
        return e.isTunnelDevice() ? e.tunnelPorts().get(0).tunnel().dstPort() : 0;
    }

    private static String devargs(PortRegistry.Entry e) {
        String side = e.miss().datapathSide();
        return "net_af_packet" + VDEV_SEQ.incrementAndGet() + ",iface=" + side;
    }

    /** Is {@code p} a port the configuration asks for: named, or on a configured e-switch? */
    private boolean wanted(SwitchdevModel.Snapshot sw, Port p) {
        if (named.contains(p.name())) {
            return true;
        }
        if (eswitches.isEmpty() || !(p.role().isRepresentor() || p.role() == org.offloadbridge.switchdev.PortRole.UPLINK)) {
            return false;
        }
        Eswitch e = sw.eswitchOf(p);
        return e != null && e.devlinks().stream().anyMatch(eswitches::contains);
    }

    private void onSwitchdevChanges(SwitchdevModel.Snapshot sw, List<ModelChange> changes) {
        for (ModelChange c : changes) {
            try {
                switch (c) {
                    case ModelChange.PortAdded a -> {
                        if (wanted(sw, a.port())) {
                            attach(a.port().name(), eswitchOf(sw, a.port()));
                        } else if (isConfiguredTunnelDevice(a.port().name())) {
                            restoreTunnelDevice(a.port().name());
                        }
                    }
                    case ModelChange.PortRemoved r -> {
                        detach(r.port().name());
                        if (isConfiguredTunnelDevice(r.port().name())) {
                            restoreTunnelDevice(r.port().name());
                        }
                    }
                    case ModelChange.PortChanged ch -> {
                        if (!ch.before().name().equals(ch.after().name())) {
                            detach(ch.before().name());
                            if (wanted(sw, ch.after())) {
                                attach(ch.after().name(), eswitchOf(sw, ch.after()));
                            }
                        }
                    }
                    default -> { }
                }
            } catch (RuntimeException e) {
                LOG.error("port change {} not applied: {}", c, e.getMessage());
            }
        }
    }

    /**
     * Attaches netdev {@code name} while the daemon runs (hotplug): miss device, datapath port,
     * software datapath port, then the pipeline's port table. Returns its entry, or the entry it
     * already had.
     */
    public synchronized PortRegistry.Entry attach(String name, String eswitch) {
        PortRegistry.Entry had = ports.snapshot().byName().get(name);
        if (had != null) {
            return had;
        }
        PortRegistry.Entry e = addEntry(name, eswitch);
        attachToDatapath(e);
        pipeline.setPorts(ports.portTable());
        return e;
    }

    /** A port attached while the daemon runs: tc watches it, the software datapath reads its miss device. */
    private void attachToDatapath(PortRegistry.Entry e) {
        tcTarget.watch(e.ifindex());
        if (threadsStarted && dpdk != null) {
            dpdk.addPort(e.dpPort(), devargs(e));
            if (e.isTunnelDevice()) {
                dpdk.setKernelTunnelDevice(e.dpPort(), tunnelUdpPort(e));
            }
        } else if (socketSlowPath != null) {
            PacketSocket sock = PacketSocket.open(e.miss().datapathIfindex(), e.miss().datapathSide());
            socketsByDpPort.put(e.dpPort(), sock);
            socketSlowPath.add(sock, e.dpPort(), tunnelUdpPort(e));
        }
    }

    /**
     * Detaches port {@code name} (it vanished, or the configuration dropped it): off the pipeline
     * first — every flow is re-translated at the next round, and those through the port are
     * deleted or changed — then off the software datapath, its filters and miss device removed
     * (quietly when the netdev is gone and took them along). Returns false when it was no port.
     */
    public synchronized boolean detach(String name) {
        PortRegistry.Entry e = ports.remove(name);
        if (e == null) {
            return false;
        }
        pipeline.setPorts(ports.portTable());
        if (dpdk != null && threadsStarted) {
            try {
                dpdk.removePort(e.dpPort());
            } catch (RuntimeException ex) {
                LOG.warn("port {}: DPDK port {} not removed: {}", name, e.dpPort(), ex.getMessage());
            }
        } else if (socketSlowPath != null) {
            socketSlowPath.remove(e.dpPort());
            socketsByDpPort.remove(e.dpPort());
        }
        try {
            tcTarget.offload().deleteAllOurs(e.ifindex());
        } catch (RuntimeException ex) {
            // ENODEV: the netdev is gone and its filters with it
        }
        tcTarget.offload().forgetDevice(e.ifindex());
        try {
            missDevices.detach(e.miss());
        } catch (RuntimeException ex) {
            LOG.warn("port {}: miss device {} not removed: {}", name, e.miss().kernelSide(), ex.getMessage());
        }
        revalidators.resync();
        LOG.info("port {} detached (datapath port {})", name, e.dpPort());
        return true;
    }

    /**
     * A reload named port {@code name} (with OpenFlow number {@code ofPort}, or null for the
     * lowest free one): it becomes wanted and is attached now. Throws, naming the cause, when
     * it cannot be (no such device); it is then not wanted either.
     */
    @Override
    public synchronized void attachNamed(String name, Integer ofPort) {
        named.add(name);
        if (ofPort != null) {
            ofPorts.put(name, ofPort);
        }
        try {
            SwitchdevModel.Snapshot sw = switchdevSnapshot();
            attach(name, eswitchOf(sw, sw.port(name)));
        } catch (RuntimeException e) {
            named.remove(name);
            ofPorts.remove(name);
            throw e;
        }
    }

    /**
     * A reload dropped port {@code name}: it is no longer wanted and is detached, unless it is
     * also a port of a configured e-switch. Returns whether it was detached.
     */
    @Override
    public synchronized boolean detachNamed(String name) {
        named.remove(name);
        ofPorts.remove(name);
        SwitchdevModel.Snapshot sw = switchdevSnapshot();
        Port p = sw.port(name);
        if (p != null && wanted(sw, p)) {
            return false;
        }
        return detach(name);
    }

    /** Sets the configured OpenFlow numbers of named ports (a reload, before its attaches). */
    @Override
    public synchronized void setOfPorts(Map<String, Integer> configured) {
        ofPorts.clear();
        ofPorts.putAll(configured);
    }

    /**
     * A reload added {@code [[port]] eswitch = HANDLE}: its uplinks and representors are
     * attached now and followed through hotplug. Returns the names attached.
     *
     * @throws IllegalStateException when there is no switchdev discovery here or no such e-switch
     */
    @Override
    public synchronized List<String> addEswitch(String handle) {
        DevlinkHandle h = DevlinkHandle.parse(handle);
        if (switchdev == null) {
            throw new IllegalStateException("switchdev discovery is unavailable here (see the start log): e-switch ports need a restart");
        }
        Eswitch e = eswitch(switchdevSnapshot(), h);
        if (e == null) {
            throw new IllegalArgumentException("eswitch " + h + ": no e-switch with that devlink handle here"
                + " (switchdev show lists them; is the NIC in switchdev mode?)");
        }
        eswitches.add(h);
        List<String> attached = new ArrayList<>();
        for (Port p : switchPorts(e)) {
            if (ports.snapshot().byName().get(p.name()) == null) {
                attach(p.name(), eswitchName(e));
                attached.add(p.name());
            }
        }
        return attached;
    }

    /** A reload dropped {@code [[port]] eswitch = HANDLE}: its ports that are not named are detached. */
    @Override
    public synchronized List<String> removeEswitch(String handle) {
        DevlinkHandle h = DevlinkHandle.parse(handle);
        eswitches.remove(h);
        List<String> detached = new ArrayList<>();
        if (switchdev == null) {
            return detached;
        }
        Eswitch e = eswitch(switchdevSnapshot(), h);
        if (e != null) {
            for (Port p : switchPorts(e)) {
                if (!named.contains(p.name()) && detach(p.name())) {
                    detached.add(p.name());
                }
            }
        }
        return detached;
    }

    /** The switchdev model as hotplug keeps it, or a fresh discovery before hotplug runs. */
    private SwitchdevModel.Snapshot switchdevSnapshot() {
        if (switchdev == null) {
            return SwitchdevModel.Snapshot.EMPTY;
        }
        return hotplug != null ? switchdev.model().snapshot() : switchdev.discover();
    }

    /** {@code max-idle} while running. */
    @Override
    public void setMaxIdleMillis(long ms) {
        revalidators.setMaxIdleMillis(ms);
    }

    /** {@code max-revalidator} while running. */
    @Override
    public void setMaxRevalidatorMillis(long ms) {
        revalidators.setMaxRevalidatorMillis(ms);
    }

    /** {@code hw-capacity} and {@code hw-watermark} while running. */
    @Override
    public void setHwCapacity(int capacity, int watermarkPercent) {
        revalidators.setHwCapacity(capacity, watermarkPercent);
    }

    /** Each e-switch's own {@code hw-capacity} and {@code hw-watermark} while running. */
    @Override
    public void setEswitchHwLimits(Map<String, int[]> limits) {
        revalidators.setEswitchHwLimits(limits);
    }

    /** {@code flow-limit} while running (see {@link FlowLimit#setConfigured}). */
    @Override
    public void setFlowLimit(int limit) {
        flowLimit.setConfigured(limit);
    }

    /** {@code stop-removes-flows} while running: what the next clean stop does. */
    @Override
    public void setStopRemovesFlows(boolean remove) {
        stopRemovesFlows = remove;
    }

    /** The root log level ({@code log-level} on reload). */
    @Override
    public void setLogLevel(org.offloadbridge.daemon.config.Config.LogLevel level) {
        org.offloadbridge.daemon.logging.LogLevels.setRoot(level.text());
    }

    /** {@code offload-default}: rules parsed from now on (the reload's rules among them). */
    @Override
    public void setOffloadDefault(org.offloadbridge.flow.OffloadPreference p) {
        pipeline.setOffloadDefault(p);
    }

    /** The pipeline's ports, as rules name them. */
    @Override
    public org.offloadbridge.upcall.pipeline.PortTable portTable() {
        return pipeline.ports();
    }

    /** Replaces every rule with {@code text}'s at once (a reload), unchanged rules keeping their counters. */
    @Override
    public List<org.offloadbridge.upcall.pipeline.Rule> replaceRules(String text) throws RuleSyntaxException {
        return pipeline.replaceRules(pipeline.parser().parseFile(text));
    }

    @Override
    public int ruleCount() {
        return pipeline.rules().size();
    }

    public boolean stopRemovesFlows() {
        return stopRemovesFlows;
    }

    private void run(Agent a, IdleStrategy idle) {
        AgentRunner r = new AgentRunner(idle, t -> LOG.error("{} failed", a.roleName(), t), null, a);
        runners.add(r);
        AgentRunner.startOnThread(r);
    }

    @Override
    public MonotonicClock clock() {
        return clock;
    }

    /**
     * Every counters record of the daemon's parts, by the prefix coverage/show and the metrics
     * give its counters, in a stable order; parts that do not run here (DPDK off, no
     * switchdev) are left out.
     */
    @Override
    public Map<String, java.util.function.Supplier<? extends Record>> counterRecords() {
        Map<String, java.util.function.Supplier<? extends Record>> m = new java.util.LinkedHashMap<>();
        m.put("upcall", this::upcallCounters);
        m.put("revalidator", revalidators::counters);
        m.put("tc", tcTarget::counters);
        m.put("tc_events", tcEvents::counters);
        if (dpdk != null) {
            m.put("dpdk", dpdk::counters);
        }
        if (socketSlowPath != null) {
            m.put("slowpath", socketSlowPath::counters);
            m.put("slowpath_exec", () -> {
                long[] sum = new long[5];
                for (SocketExecutor e : executors) {
                    SocketExecutor.Counters c = e.counters();
                    sum[0] += c.sent();
                    sum[1] += c.noSuchPort();
                    sum[2] += c.sendDropped();
                    sum[3] += c.editFailures();
                    sum[4] += c.unsupported();
                }
                return new SocketExecutor.Counters(sum[0], sum[1], sum[2], sum[3], sum[4]);
            });
        }
        if (hotplug != null) {
            m.put("hotplug", hotplug::counters);
        }
        m.put("netlink_route", route::counters);
        if (audit != null) {
            m.put("consistency", audit::counters);
        }
        return m;
    }

    @Override
    public FlowLimit flowLimit() {
        return flowLimit;
    }

    @Override
    public LivePolicy policy() {
        return policy;
    }

    @Override
    public String mode() {
        return mode;
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
    public UkeyTable ukeys() {
        return ukeys;
    }

    public Revalidators revalidators() {
        return revalidators;
    }

    @Override
    public UpcallCounters.Values upcallCounters() {
        return upcallCounters.snapshot();
    }

    /** How long the handlers took per upcall. */
    public org.offloadbridge.upcall.handler.FixedHistogram upcallHandling() {
        return upcallCounters.handling();
    }

    /** The layers the handlers and revalidators use, with what was asked of them ({@link Layers#counters()}). */
    @Override
    public Layers layers() {
        return layers;
    }

    /** The socket slow path's counters, or null when the software datapath is DPDK. */
    @Override
    public UpcallDrops upcallDrops() {
        DatapathCounters c = dpdk == null ? null : dpdk.counters();
        SocketSlowPath.Counters s = socketSlowPathCounters();
        return new UpcallDrops((c == null ? 0 : c.upcallsDropped()) + (s == null ? 0 : s.queueDropped()),
            s == null ? 0 : s.socketDropped());
    }

    public SocketSlowPath.Counters socketSlowPathCounters() {
        return socketSlowPath == null ? null : socketSlowPath.counters();
    }

    public int adopted() {
        return adopted;
    }

    public TcFlowTarget tc() {
        return tcTarget;
    }

    public TcEventAgent.Counters tcEventCounters() {
        return tcEvents.counters();
    }

    /** The consistency audit's counters (null before start). */
    public ConsistencyAudit.Counters consistencyCounters() {
        ConsistencyAudit a = audit;
        return a == null ? null : a.counters();
    }

    /** The DPDK datapath, or null in socket mode. */
    public DpdkDatapath dpdk() {
        return dpdk;
    }

    /** hw-offload / tc-policy at runtime: flows move make-before-break (revalidators do it). */
    @Override
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
        if (stopRemovesFlows && tcTarget != null) {
            int n = tcTarget.flush();
            LOG.info("removed {} tc flows on stop", n);
            // A full cleanup (as ovs-appctl exit --cleanup) also takes our VXLAN devices; a plain
            // stop keeps them, with the flows on them, so a restart is hitless for tunnels too.
            for (TunnelDevices.Device d : tunnelDevs) {
                try {
                    PortRegistry.Entry e = ports.snapshot().byName().get(d.name());
                    if (e != null) {
                        missDevices.detach(e.miss());
                    }
                    tunnelDevices.release(d);
                } catch (RuntimeException ex) {
                    LOG.warn("tunnel device {} not removed: {}", d.name(), ex.getMessage());
                }
            }
        }
        closeQuietly();
    }

    private void closeQuietly() {
        if (tcEvents != null) {
            tcEvents.close();
        }
        if (underlay != null) {
            underlay.close();
        }
        if (hotplug != null) {
            hotplug.close();
        }
        if (switchdev != null) {
            switchdev.close();
        }
        for (PacketSocket s : socketsByDpPort.values()) {
            s.close();
        }
        if (dpdk != null) {
            dpdk.close();
        }
        if (route != null) {
            route.close();
        }
        if (tcDumps != null) {
            tcDumps.close();
        }
    }
}
