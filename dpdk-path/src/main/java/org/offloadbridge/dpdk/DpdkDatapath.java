package org.offloadbridge.dpdk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.Rcu;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.PacketParser;

/**
 * The in-process DPDK datapath: ports, PMD threads, the flow table, upcalls and packet-out.
 *
 * <h2>Threading model</h2>
 * <ul>
 *   <li>PMD threads ({@link PmdThread}): each polls the rx queues assigned to it and transmits on
 *       its own tx queue of every port (port tx queue i = PMD i). Never blocks, never locks.</li>
 *   <li>Control thread(s): {@link #addPort}, {@link #removePort}, {@link #flows()} writes — these
 *       serialise among themselves and wait for PMD grace periods where needed.</li>
 *   <li>Handler threads: take {@link Upcall}s from {@link #upcalls()}, install flows and call
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
        long idleParkNanos = 50_000;
        int maxTxQueues = Integer.MAX_VALUE;
        LongSupplier clock = System::currentTimeMillis;

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

        /** How long an idle PMD runner parks between empty polls (0 = busy-poll, as OVS). */
        public Config idleParkNanos(long n) {
            idleParkNanos = n;
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

        /** Milliseconds clock for flow "used" times (a fake one in tests). */
        public Config clock(LongSupplier c) {
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
    private final PacketExecutor packetOut;
    private final FlowKey packetOutKey = new FlowKey();
    private final long[] packetOutBatch = new long[1];
    private final List<Thread> runners = new ArrayList<>();
    private volatile boolean running;

    private DpdkDatapath(Eal eal, Config config) {
        this.eal = eal;
        this.config = config;
        this.pool = Mempool.create(eal, eal.uniqueName("dp_pool"), config.mbufs, config.mbufCache,
            config.mbufDataRoom);
        this.flows = new FlowTable(rcu, config.pmdThreads, this::checkActions);
        this.upcalls = new UpcallQueue(config.upcallQueueCapacity, config.upcallPendingTimeoutMillis);
        for (int i = 0; i < config.pmdThreads; i++) {
            pmds.add(new PmdThread(i, rcu, flows, new PacketExecutor(ports, i, pool.address(), upcalls),
                upcalls, ports, config.clock, config.emcEntries, config.emcInsertInvProb));
        }
        this.packetOut = new PacketExecutor(ports, config.pmdThreads, pool.address(), upcalls);
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
     * encapsulated and sent on {@code cfg.underlayPort()}; VXLAN frames arriving there for
     * {@code cfg.localIp()}:{@code cfg.udpPort()} are decapsulated and classified with
     * in_port = {@code dpPort} and the tunnel fields set. One tunnel per underlay port; the
     * underlay must already be a (DPDK) datapath port. Other traffic on the underlay (ARP, ...)
     * is classified as usual.
     */
    public synchronized void addVxlanPort(int dpPort, VxlanConfig cfg) {
        if (dpPort < 0 || dpPort >= Ports.MAX_PORTS) {
            throw new IllegalArgumentException("datapath port " + dpPort + " out of 0.." + (Ports.MAX_PORTS - 1));
        }
        if (ports.get(dpPort) != null || ports.tunnel(dpPort) != null) {
            throw new IllegalStateException("datapath port " + dpPort + " is already in use");
        }
        if (ports.get(cfg.underlayPort()) == null) {
            throw new IllegalArgumentException("vxlan port " + dpPort + ": underlay datapath port "
                + cfg.underlayPort() + " does not exist (add it with addPort first)");
        }
        int other = ports.tunnelOn(cfg.underlayPort());
        if (other >= 0) {
            throw new IllegalStateException("vxlan port " + dpPort + ": underlay port " + cfg.underlayPort()
                + " already carries vxlan port " + other);
        }
        ports.setTunnel(dpPort, cfg);
    }

    /** The VXLAN endpoint behind a datapath port, or null. */
    public VxlanConfig vxlanPort(int dpPort) {
        return ports.tunnel(dpPort);
    }

    /**
     * Stops polling and transmitting on a port, then stops it (the device stays attached). For
     * a VXLAN port: stops encap to and decap for it.
     */
    public synchronized void removePort(int dpPort) {
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

    public UpcallQueue upcalls() {
        return upcalls;
    }

    public List<PmdThread> pmds() {
        return List.copyOf(pmds);
    }

    public Mempool pool() {
        return pool;
    }

    /** Counters summed over PMD threads (packet-out transmissions included in tx). */
    public DatapathCounters counters() {
        long rx = 0;
        long emc = 0;
        long cls = 0;
        long miss = 0;
        long runts = 0;
        long tx = packetOut.txPackets();
        long txDrop = packetOut.txDropped();
        long unknown = packetOut.unknownPort();
        long edit = packetOut.editFailures();
        for (PmdThread t : pmds) {
            rx += t.rxPackets();
            emc += t.emcHits();
            cls += t.classifierHits();
            miss += t.misses();
            runts += t.runts();
            tx += t.txPackets();
            txDrop += t.txDropped();
            unknown += t.unknownPortDrops();
            edit += t.editFailures();
        }
        return new DatapathCounters(rx, emc, cls, miss, upcalls.queued(), upcalls.deduplicated(),
            upcalls.droppedFull(), runts, tx, txDrop, unknown, edit);
    }

    /** VXLAN counters summed over PMD threads and packet-out. */
    public TunnelCounters tunnelCounters() {
        long enc = packetOut.tunnelEncaps();
        long hr = packetOut.tunnelHeadroomDrops();
        long nm = packetOut.tunnelNoMetadata();
        long dec = 0;
        long bad = 0;
        for (PmdThread t : pmds) {
            enc += t.tunnelEncaps();
            hr += t.tunnelHeadroomDrops();
            nm += t.tunnelNoMetadata();
            dec += t.tunnelDecaps();
            bad += t.tunnelMalformed();
        }
        return new TunnelCounters(enc, dec, bad, hr, nm);
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
        checkActions(actions);
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

    private void checkActions(Actions actions) {
        boolean tunnelSet = false;
        for (Action a : actions.toList()) {
            switch (a) {
                case Action.Output o -> {
                    if (ports.tunnel(o.port()) != null) {
                        if (!tunnelSet) {
                            throw new IllegalArgumentException("action output(" + o.port()
                                + ") to a vxlan port needs a set(tunnel(...)) before it");
                        }
                    } else if (o.port() < 0 || o.port() >= Ports.MAX_PORTS || ports.get(o.port()) == null) {
                        throw new IllegalArgumentException("action output(" + o.port() + "): no such datapath port");
                    }
                }
                case Action.SetField s -> {
                    s.fields().forEach(f -> PacketExecutor.checkSettable(s.attr(), f.field()));
                    if (s.attr() == org.offloadbridge.flow.KeyAttr.TUNNEL) {
                        boolean hasDst = s.fields().stream().anyMatch(f -> f.field() == org.offloadbridge.flow.Field.TUN_IPV4_DST
                            && f.value() != 0);
                        if (!hasDst) {
                            throw new IllegalArgumentException("set(tunnel(...)) without an IPv4 dst: "
                                + "the DPDK datapath encapsulates VXLAN over IPv4 only");
                        }
                        tunnelSet = true;
                    }
                }
                default -> { }
            }
        }
    }

    /** Starts one runner thread per PMD (each registers with EAL for a mempool cache). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        for (PmdThread t : pmds) {
            Thread th = new Thread(() -> run(t), "pmd" + t.index());
            th.setDaemon(true);
            runners.add(th);
            th.start();
        }
    }

    private void run(PmdThread t) {
        eal.registerThread();
        try {
            int idle = 0;
            while (running) {
                if (t.doWork() > 0) {
                    idle = 0;
                } else if (config.idleParkNanos > 0 && ++idle > 64) {
                    LockSupport.parkNanos(config.idleParkNanos);
                }
            }
        } finally {
            eal.unregisterThread();
        }
    }

    /** Stops the runner threads (PMDs can then be driven by hand again). */
    public synchronized void stopRunners() {
        running = false;
        for (Thread t : runners) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        runners.clear();
    }

    /** Stops runners and ports, frees PMD resources. The pool is freed only if all mbufs came back. */
    @Override
    public synchronized void close() {
        stopRunners();
        for (int i = 0; i < Ports.MAX_PORTS; i++) {
            if (ports.get(i) != null) {
                removePort(i);
            }
        }
        flows.flush();
        for (PmdThread t : pmds) {
            t.close(rcu);
        }
        packetOut.close();
        if (pool.inUseCount() == 0) {
            pool.close();
        }
    }
}
