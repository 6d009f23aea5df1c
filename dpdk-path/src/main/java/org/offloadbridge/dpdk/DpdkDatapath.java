package org.offloadbridge.dpdk;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.offloadbridge.dpdk.internal.PacketEdit;
import org.offloadbridge.dpdk.internal.Rcu;
import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.PacketParser;
import org.offloadbridge.flow.Tunnel;
import org.offloadbridge.flow.UpcallQueue;

/**
 * The in-process DPDK datapath: ports, PMD threads, the flow table, upcalls and packet-out.
 *
 * <h2>Threading model</h2>
 * <ul>
 *   <li>PMD threads ({@link PmdThread}, Agrona agents run by an {@link AgentRunner} each with the
 *       configured idle strategy): each polls the rx queues assigned to it and transmits on
 *       its own tx queue of every port (port tx queue i = PMD i). Never blocks, never locks.</li>
 *   <li>Control thread(s): {@link #addPort}, {@link #removePort}, {@link #flows()} /
 *       {@link #flowTarget()} writes — these serialise among themselves and wait for PMD grace
 *       periods where needed.</li>
 *   <li>Handler threads: take {@link org.offloadbridge.flow.Upcall}s from {@link #upcalls()} (an
 *       {@link org.offloadbridge.flow.UpcallSource}), install flows and call
 *       {@link #execute} (packet-out, on the last tx queue of every port, serialised).</li>
 * </ul>
 * Every port gets one rx queue (assigned to the PMD with the fewest) and pmdThreads + 1 tx queues.
 */
public final class DpdkDatapath implements AutoCloseable {

    /** Configuration, validated by {@link DpdkDatapath#create}. */
    public static final class Config {
        int pmdThreads = 1;
        int mbufs = 8191;
        int mbufCache = 256;
        int mbufDataRoom = RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE;
        int rxDescriptors = 512;
        int txDescriptors = 512;
        int upcallQueueCapacity = 1024;
        long upcallPendingTimeoutMillis = 1000;
        int emcEntries = 8192;
        int emcInsertInvProb = 100;
        Supplier<IdleStrategy> idleStrategy = BusySpinIdleStrategy::new;
        int maxTxQueues = Integer.MAX_VALUE;
        MonotonicClock clock = MonotonicClock.SYSTEM;

        public Config pmdThreads(int n) {
            pmdThreads = n;
            return this;
        }

        public Config mbufs(int n) {
            mbufs = n;
            return this;
        }

        /** Bytes per mbuf including the 128-byte headroom (default 2176: 2 KiB frames). */
        public Config mbufDataRoom(int bytes) {
            mbufDataRoom = bytes;
            return this;
        }

        public Config descriptors(int rx, int tx) {
            rxDescriptors = rx;
            txDescriptors = tx;
            return this;
        }

        public Config upcallQueue(int capacity, long pendingTimeoutMillis) {
            upcallQueueCapacity = capacity;
            upcallPendingTimeoutMillis = pendingTimeoutMillis;
            return this;
        }

        public Config emcEntries(int n) {
            emcEntries = n;
            return this;
        }

        /**
         * A classifier hit is copied into the EMC with probability 1/n (OVS's
         * emc-insert-inv-prob, default 100): with many flows, inserting every hit would thrash
         * the cache; 1 inserts always.
         */
        public Config emcInsertInvProb(int n) {
            emcInsertInvProb = n;
            return this;
        }

        /**
         * What a PMD runner does after an empty poll; one strategy per runner, so a supplier.
         * Default: busy-spin, as a PMD (OVS's PMD threads never sleep).
         */
        public Config idleStrategy(Supplier<IdleStrategy> s) {
            idleStrategy = s;
            return this;
        }

        /**
         * Park-based idling: after 64 empty polls in a row, an idle PMD runner parks {@code n} ns
         * between polls (0 = busy-spin, the default).
         */
        public Config idleParkNanos(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("idleParkNanos must be >= 0, got " + n);
            }
            idleStrategy = n == 0 ? BusySpinIdleStrategy::new : () -> new BackoffIdleStrategy(64, 0, n, n);
            return this;
        }

        /**
         * Caps tx queues per port (default: one per PMD plus one for packet-out, or what the
         * driver offers). With fewer queues than users, queues are shared under a lock.
         */
        public Config maxTxQueues(int n) {
            maxTxQueues = n;
            return this;
        }

        /** The clock of flow "used" times and upcall deduplication (a fake one in tests). */
        public Config clock(MonotonicClock c) {
            clock = c;
            return this;
        }

        void conclude() {
            if (pmdThreads < 1 || pmdThreads > 64) {
                throw new IllegalArgumentException("pmdThreads must be 1..64, got " + pmdThreads);
            }
            if (emcInsertInvProb < 1) {
                throw new IllegalArgumentException("emcInsertInvProb must be >= 1, got " + emcInsertInvProb);
            }
            if (clock == null || idleStrategy == null) {
                throw new IllegalArgumentException("clock and idleStrategy must not be null");
            }
            if (mbufs < 2 * PmdThread.BURST * (pmdThreads + 1)) {
                throw new IllegalArgumentException("mbufs " + mbufs + " too few for " + pmdThreads + " PMD threads");
            }
        }
    }

    private final Eal eal;
    private final Config config;
    private final Mempool pool;
    private final Ports ports = new Ports();
    private final Rcu rcu = new Rcu();
    private final FlowTable flows;
    private final UpcallQueue upcalls;
    private final List<PmdThread> pmds = new ArrayList<>();
    private final ThreadCounters packetOutCounters = new ThreadCounters();
    private final ActionExecutor packetOut;
    private final FlowKey packetOutKey = new FlowKey();
    private final long[] packetOutBatch = new long[1];
    private final DpdkFlowTarget flowTarget;
    private final List<AgentRunner> runners = new ArrayList<>();
    private volatile Throwable lastPmdError;

    private DpdkDatapath(Eal eal, Config config) {
        this.eal = eal;
        this.config = config;
        this.pool = Mempool.create(eal, eal.uniqueName("dp_pool"), config.mbufs, config.mbufCache,
            config.mbufDataRoom);
        this.flows = new FlowTable(rcu, config.pmdThreads, this::refusal);
        this.flowTarget = new DpdkFlowTarget(flows);
        this.upcalls = new UpcallQueue(config.upcallQueueCapacity, config.upcallPendingTimeoutMillis);
        for (int i = 0; i < config.pmdThreads; i++) {
            ThreadCounters c = new ThreadCounters();
            pmds.add(new PmdThread(i, eal, rcu, flows, c, new ActionExecutor(ports, i, pool.address(), upcalls, c),
                upcalls, ports, config.clock, config.emcEntries, config.emcInsertInvProb));
        }
        this.packetOut = new ActionExecutor(ports, config.pmdThreads, pool.address(), upcalls, packetOutCounters);
    }

    /** Whether DPDK is usable here (libraries present, EAL not refused). */
    public static boolean isAvailable() {
        return Dpdk.isAvailable();
    }

    public static Throwable unavailabilityCause() {
        return Dpdk.unavailabilityCause();
    }

    public static DpdkDatapath create(Eal eal, Config config) {
        if (!NativeLibs.isAvailable()) {
            throw new IllegalStateException("DPDK unavailable: " + Dpdk.unavailabilityCause());
        }
        config.conclude();
        return new DpdkDatapath(eal, config);
    }

    /**
     * Attaches a DPDK device as datapath port {@code dpPort}, configures and starts it, and
     * assigns its rx queue to a PMD thread.
     */
    public synchronized EthdevPort addPort(int dpPort, String devargs) {
        if (dpPort < 0 || dpPort >= Ports.MAX_PORTS) {
            throw new IllegalArgumentException("datapath port " + dpPort + " out of 0.." + (Ports.MAX_PORTS - 1));
        }
        if (ports.get(dpPort) != null) {
            throw new IllegalStateException("datapath port " + dpPort + " is already " + ports.get(dpPort));
        }
        EthdevPort p = eal.attach(devargs);
        if (p.isStarted()) {
            p.stop();
        }
        int wanted = config.pmdThreads + 1;
        int nTx = Math.max(1, Math.min(wanted, Math.min(config.maxTxQueues, p.maxTxQueues())));
        try {
            p.configure(1, nTx, config.rxDescriptors, pool);
        } catch (DpdkException e) {
            if (nTx == 1) {
                throw e;
            }
            // Some drivers (net_tap) insist on as many tx queues as rx queues: then every
            // thread shares the one tx queue under its lock.
            nTx = 1;
            p.configure(1, nTx, config.rxDescriptors, pool);
        }
        p.sharedTx(nTx < wanted);
        p.promiscuous(true);
        p.start();
        ports.set(dpPort, p);
        PmdThread least = pmds.get(0);
        for (PmdThread t : pmds) {
            if (t.pollCount() < least.pollCount()) {
                least = t;
            }
        }
        least.addPoll(new PmdThread.RxQueue(p, 0, dpPort));
        return p;
    }

    /**
     * Adds VXLAN tunnel port {@code dpPort}: outputs to it after {@code set(tunnel(...))} are
     * encapsulated and sent on the underlay port; VXLAN frames arriving there for
     * {@code tunnel.localIp()}:{@code tunnel.dstPort()} are decapsulated and classified with
     * in_port = {@code dpPort} and the tunnel fields set. One tunnel per underlay port; the
     * underlay must already be a (DPDK) datapath port. Other traffic on the underlay (ARP, ...)
     * is classified as usual.
     *
     * <p>As in OVS's datapath, every flow that outputs to the port carries the outer destination
     * and key in its {@code set(tunnel(...))} (the translation fills them from the tunnel's
     * remote IP and key); the tunnel's local IP is the default outer source.
     */
    public synchronized void addVxlanPort(int dpPort, Tunnel tunnel, VxlanUnderlay underlay) {
        if (dpPort < 0 || dpPort >= Ports.MAX_PORTS) {
            throw new IllegalArgumentException("datapath port " + dpPort + " out of 0.." + (Ports.MAX_PORTS - 1));
        }
        if (!tunnel.type().equals("vxlan")) {
            throw new IllegalArgumentException("vxlan port " + dpPort + ": tunnel type " + tunnel.type()
                + " (the DPDK datapath does vxlan only)");
        }
        if (tunnel.localIp() == 0) {
            throw new IllegalArgumentException("vxlan port " + dpPort + ": local IP must not be 0.0.0.0");
        }
        if (tunnel.dstPort() < 1) {
            throw new IllegalArgumentException("vxlan port " + dpPort + ": UDP dst_port " + tunnel.dstPort()
                + " out of 1..65535");
        }
        if (ports.get(dpPort) != null || ports.tunnel(dpPort) != null) {
            throw new IllegalStateException("datapath port " + dpPort + " is already in use");
        }
        int under = underlay.dpPort();
        if (ports.get(under) == null) {
            throw new IllegalArgumentException("vxlan port " + dpPort + ": underlay datapath port "
                + under + " does not exist (add it with addPort first)");
        }
        int other = ports.tunnelOn(under);
        if (other >= 0) {
            throw new IllegalStateException("vxlan port " + dpPort + ": underlay port " + under
                + " already carries vxlan port " + other);
        }
        ports.setTunnel(dpPort, new VxlanPort(tunnel, underlay));
    }

    /**
     * Marks datapath port {@code dpPort} as the miss device of a kernel VXLAN device on UDP port
     * {@code udpPort} (the daemon's tunnel ports; 0 clears it): frames received there carry the
     * tunnel slow path's miss header, stripped into the key's tunnel fields before
     * classification, and outputs to it after {@code set(tunnel(...))} leave with the inject
     * trailer, which the kernel side turns into the VXLAN device's encapsulation
     * ({@code flow.TunnelFrame}). The port must have been added ({@link #addPort}).
     */
    public synchronized void setKernelTunnelDevice(int dpPort, int udpPort) {
        if (dpPort < 0 || dpPort >= Ports.MAX_PORTS || ports.get(dpPort) == null) {
            throw new IllegalArgumentException("no datapath port " + dpPort + " to be a tunnel device");
        }
        if (udpPort < 0 || udpPort > 0xffff) {
            throw new IllegalArgumentException("tunnel device " + dpPort + ": UDP port " + udpPort + " out of 0..65535");
        }
        ports.setTunnelDevice(dpPort, udpPort);
    }

    /** The tunnel behind a VXLAN datapath port, or null. */
    public Tunnel vxlanPort(int dpPort) {
        VxlanPort v = ports.tunnel(dpPort);
        return v == null ? null : v.tunnel();
    }

    /** The underlay of a VXLAN datapath port, or null. */
    public VxlanUnderlay vxlanUnderlay(int dpPort) {
        VxlanPort v = ports.tunnel(dpPort);
        return v == null ? null : v.underlay();
    }

    /**
     * Stops polling and transmitting on a port, then stops it (the device stays attached). For
     * a VXLAN port: stops encap to and decap for it.
     */
    public synchronized void removePort(int dpPort) {
        if (dpPort >= 0 && dpPort < Ports.MAX_PORTS && ports.tunnelDeviceUdp(dpPort) != 0) {
            ports.setTunnelDevice(dpPort, 0);
        }
        if (ports.tunnel(dpPort) != null) {
            ports.setTunnel(dpPort, null);
            rcu.synchronize();
            return;
        }
        EthdevPort p = ports.get(dpPort);
        if (p == null) {
            throw new IllegalArgumentException("no datapath port " + dpPort);
        }
        for (PmdThread t : pmds) {
            t.removePoll(p);
        }
        ports.set(dpPort, null);
        rcu.synchronize();
        p.stop();
    }

    /** The DPDK port behind a datapath port number, or null. */
    public EthdevPort port(int dpPort) {
        return ports.get(dpPort);
    }

    public FlowTable flows() {
        return flows;
    }

    /** The flow table as a {@link org.offloadbridge.flow.FlowTarget} (layer DPDK). */
    public DpdkFlowTarget flowTarget() {
        return flowTarget;
    }

    public UpcallQueue upcalls() {
        return upcalls;
    }

    /** Each PMD's busy and idle time ({@link PmdTime}), by PMD index. */
    public List<PmdTime> pmdTimes() {
        List<PmdTime> out = new ArrayList<>(pmds.size());
        for (PmdThread t : pmds) {
            out.add(t.time());
        }
        return out;
    }

    public List<PmdThread> pmds() {
        return List.copyOf(pmds);
    }

    public Mempool pool() {
        return pool;
    }

    /** Counters summed over PMD threads and packet-out: the one snapshot for metrics. */
    public DatapathCounters counters() {
        DatapathCounters c = packetOutCounters.snapshot();
        for (PmdThread t : pmds) {
            c = c.plus(t.counters());
        }
        return c;
    }

    /** The last of {@link DatapathCounters#pmdErrors()}, or null. */
    public Throwable lastPmdError() {
        return lastPmdError;
    }

    /**
     * Packet-out: runs {@code actions} on a copy of {@code packet} as if it had arrived on
     * {@code inPort} (the handler's answer to an upcall). Transmits on each port's packet-out
     * queue before returning.
     *
     * @throws IllegalArgumentException for actions this datapath cannot run (unknown port, ...)
     * @throws IllegalStateException    when the pool has no mbuf left
     */
    public synchronized void execute(byte[] packet, int inPort, Actions actions) {
        FlowTable.Refusal no = refusal(actions);
        if (no != null) {
            throw new IllegalArgumentException(no.detail());
        }
        if (packet.length == 0) {
            throw new IllegalArgumentException("packet-out of an empty packet");
        }
        long m = pool.copyIn(packet);
        if (m == 0) {
            throw new IllegalStateException("packet-out: mempool " + pool.name() + " exhausted");
        }
        RteMbuf.port(m, inPort);
        PacketParser.parse(packet, inPort, packetOutKey);
        packetOutBatch[0] = m;
        packetOut.execute(actions, packetOutBatch, 1, inPort, packetOutKey);
        packetOut.flush();
    }

    /** What this datapath can't hold of a megaflow (FlowTable's check), or null. */
    private FlowTable.Refusal refusal(Megaflow m) {
        if (m.mask().get(Field.IN_PORT) != 0) {
            int in = m.key().inPort();
            if (in < 0 || in >= Ports.MAX_PORTS || (ports.get(in) == null && ports.tunnel(in) == null)) {
                return new FlowTable.Refusal(Reason.NO_DEVICE, "in_port(" + Integer.toUnsignedString(in)
                    + "): no such datapath port");
            }
        }
        return refusal(m.actions());
    }

    private FlowTable.Refusal refusal(Actions actions) {
        boolean tunnelSet = false;
        for (Action a : actions.toList()) {
            switch (a) {
                case Action.Output o -> {
                    if (ports.tunnel(o.port()) != null) {
                        if (!tunnelSet) {
                            return new FlowTable.Refusal(Reason.UNSUPPORTED_ACTION, "action output(" + o.port()
                                + ") to a vxlan port needs a set(tunnel(...)) before it");
                        }
                    } else if (o.port() < 0 || o.port() >= Ports.MAX_PORTS || ports.get(o.port()) == null) {
                        return new FlowTable.Refusal(Reason.NO_DEVICE, "action output(" + o.port()
                            + "): no such datapath port");
                    }
                }
                case Action.SetField s -> {
                    for (var f : s.fields()) {
                        String why = PacketEdit.unsettable(s.attr(), f.field());
                        if (why != null) {
                            return new FlowTable.Refusal(Reason.UNSUPPORTED_ACTION, why);
                        }
                    }
                    if (s.attr() == KeyAttr.TUNNEL) {
                        boolean hasDst = s.fields().stream().anyMatch(f -> f.field() == Field.TUN_IPV4_DST
                            && f.value() != 0);
                        if (!hasDst) {
                            return new FlowTable.Refusal(Reason.UNSUPPORTED_ACTION, "set(tunnel(...)) without an "
                                + "IPv4 dst: the DPDK datapath encapsulates VXLAN over IPv4 only");
                        }
                        tunnelSet = true;
                    }
                }
                default -> { }
            }
        }
        return null;
    }

    /**
     * Starts one {@link AgentRunner} thread per PMD, with the configured idle strategy (each
     * registers with EAL in {@link PmdThread#onStart()}).
     */
    public synchronized void start() {
        if (!runners.isEmpty()) {
            return;
        }
        for (PmdThread t : pmds) {
            AgentRunner r = new AgentRunner(config.idleStrategy.get(), e -> onPmdError(t, e), null, t);
            runners.add(r);
            AgentRunner.startOnThread(r, job -> {
                Thread th = new Thread(job);
                th.setDaemon(true);
                return th;
            });
        }
    }

    /** A runner's error handler: runs on that PMD's thread, so the count stays single-writer. */
    private void onPmdError(PmdThread pmd, Throwable t) {
        lastPmdError = t;
        pmd.countError();
    }

    /** Stops the runner threads (each unregisters from EAL); PMDs can then be driven by hand again. */
    public synchronized void stopRunners() {
        for (AgentRunner r : runners) {
            r.close();
        }
        runners.clear();
    }

    /**
     * Stops runners, stops and closes the ports this datapath still has (releasing their ethdev
     * port ids: EAL has only RTE_MAX_ETHPORTS, 32 in Debian's build), frees PMD resources. The
     * pool is freed only if all mbufs came back.
     */
    @Override
    public synchronized void close() {
        stopRunners();
        for (int i = 0; i < Ports.MAX_PORTS; i++) {
            if (ports.tunnel(i) != null) {
                removePort(i);
            }
        }
        for (int i = 0; i < Ports.MAX_PORTS; i++) {
            EthdevPort p = ports.get(i);
            if (p != null) {
                removePort(i);
                p.close();
            }
        }
        flows.flush();
        for (PmdThread t : pmds) {
            t.release(rcu);
        }
        packetOut.close();
        if (pool.inUseCount() == 0) {
            pool.close();
        }
    }
}
