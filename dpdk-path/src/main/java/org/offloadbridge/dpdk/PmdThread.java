package org.offloadbridge.dpdk;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.Supplier;
import org.agrona.concurrent.Agent;
import org.offloadbridge.dpdk.internal.Dpcls;
import org.offloadbridge.dpdk.internal.Emc;
import org.offloadbridge.dpdk.internal.InstalledFlow;
import org.offloadbridge.dpdk.internal.PacketEdit;
import org.offloadbridge.dpdk.internal.Rcu;
import org.offloadbridge.dpdk.internal.Vxlan;
import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.PacketParser;
import org.offloadbridge.flow.TunnelFrame;
import org.offloadbridge.flow.ParseStatus;
import org.offloadbridge.flow.UpcallQueue;

/**
 * A poll-mode-driver thread, as an Agrona {@link Agent}: {@link #doWork()} polls each assigned rx queue once
 * (bursts of {@value #BURST}) and takes each burst stage by stage: parses every packet's key
 * straight from mbuf memory, looks all of them up in this thread's exact-match cache (a packet
 * with the key of the packet before it takes that one's flow: no second probe for a run), the misses
 * together in the shared megaflow classifier, then groups the burst's packets per flow, counts
 * them into the flow's statistics (this thread's own slot) and runs the flow's actions once per
 * group. Misses become upcalls (deduplicated per key); runts are dropped and counted. Everything
 * buffered for transmission is flushed before doWork returns.
 *
 * <p>VXLAN decap happens before the lookup, in the same pass (OVS's tnl_pop plus recirculation,
 * folded): on an underlay port that carries a tunnel, a frame addressed to the tunnel's local
 * IP and UDP port has its outer headers stripped (data_off moves; nothing is copied), is parsed
 * as the inner frame with in_port = the tunnel port and the tunnel fields filled from the outer
 * headers, and is classified like any other packet. Malformed ones are dropped and counted.
 *
 * <p>An {@code AgentRunner} calls doWork in a loop with the datapath's idle strategy
 * ({@link DpdkDatapath#start()}, busy-spin by default); {@link #onStart()} registers the runner
 * thread with EAL (an lcore id, so mempool caches work; {@code rte_thread_register}) and
 * {@link #onClose()} unregisters it. Tests call doWork by hand on their own thread. doWork never
 * blocks, and in steady state allocates nothing.
 *
 * <p>Concurrency: each doWork is one {@link Rcu} read section; flow-table writers wait for it
 * to end before they consider a deleted flow gone. Counters are this thread's own
 * ({@link ThreadCounters}: opaque stores, read from any thread, summed by the datapath).
 */
public final class PmdThread implements Agent {

    public static final int BURST = 32;
    private static final MemorySegment M = NativeLibs.ALL;

    record RxQueue(EthdevPort port, int queue, int dpPort) {
    }

    private final int index;
    private final Rcu.Reader reader;
    private final Dpcls classifier;
    private final Emc emc;
    private final ActionExecutor exec;
    private final UpcallQueue upcalls;
    private final Ports ports;
    private final MonotonicClock clock;
    private final Eal eal;
    private final ThreadCounters counters;
    private volatile RxQueue[] polls = new RxQueue[0];

    private final Arena arena = Arena.ofShared();
    private final MemorySegment rxBuf = arena.allocate(8L * BURST, 64);
    private final long rxAddr = rxBuf.address();
    // The burst, stage by stage (process): one key per packet, reused from burst to burst.
    private final FlowKey[] keys = new FlowKey[BURST];
    private final long[] mbufs = new long[BURST];
    private final int[] inPorts = new int[BURST];
    private final int[] hashes = new int[BURST];
    private final InstalledFlow[] found = new InstalledFlow[BURST];
    private final int[] missIdx = new int[BURST];
    private final Dpcls.Batch lookupScratch = new Dpcls.Batch();
    /** Bursts processed: the epoch of the flows' group marks ({@link InstalledFlow#mark(int)}). */
    private long passes;

    // Per flow of the burst: its packets, counters, and the key its actions may read.
    private final InstalledFlow[] batchFlow = new InstalledFlow[BURST];
    private final long[][] batchPkts = new long[BURST][BURST];
    private final int[] batchCount = new int[BURST];
    private final long[] batchBytes = new long[BURST];
    private final int[] batchFlags = new int[BURST];
    private final FlowKey[] batchKey = new FlowKey[BURST];
    private final int[] batchInPort = new int[BURST];
    private int nBatches;

    private final int emcInsertInvProb;
    private int emcInsertCountdown;
    private long currentMbuf;
    private final Supplier<byte[]> copyCurrent = () -> Mempool.bytesOf(currentMbuf);

    PmdThread(int index, Eal eal, Rcu rcu, FlowTable table, ThreadCounters counters, ActionExecutor exec,
              UpcallQueue upcalls, Ports ports, MonotonicClock clock, int emcEntries, int emcInsertInvProb) {
        this.eal = eal;
        this.counters = counters;
        this.ports = ports;
        this.emcInsertInvProb = emcInsertInvProb;
        this.index = index;
        this.reader = rcu.register("pmd" + index);
        this.classifier = table.classifier();
        this.emc = new Emc(emcEntries);
        this.exec = exec;
        this.upcalls = upcalls;
        this.clock = clock;
        for (int i = 0; i < BURST; i++) {
            keys[i] = new FlowKey();
        }
    }

    public int index() {
        return index;
    }

    @Override
    public String roleName() {
        return "pmd" + index;
    }

    /** On the runner thread, before the first doWork: an EAL thread (lcore id, mempool cache). */
    @Override
    public void onStart() {
        eal.registerThread();
        lastPassEnd = System.nanoTime(); // the time before the first pass was nobody's
    }

    /** On the runner thread, after the last doWork. The PMD can be driven again (by hand or a new runner). */
    @Override
    public void onClose() {
        eal.unregisterThread();
    }

    synchronized void addPoll(RxQueue q) {
        RxQueue[] p = Arrays.copyOf(polls, polls.length + 1);
        p[p.length - 1] = q;
        polls = p;
    }

    synchronized boolean removePoll(EthdevPort port) {
        RxQueue[] p = Arrays.stream(polls).filter(q -> q.port() != port).toArray(RxQueue[]::new);
        boolean changed = p.length != polls.length;
        polls = p;
        return changed;
    }

    int pollCount() {
        return polls.length;
    }

    /** One pass over the assigned rx queues; returns the number of packets received. Never blocks. */
    @Override
    public int doWork() {
        reader.enter();
        try {
            RxQueue[] qs = polls;
            int work = 0;
            long now = 0;
            boolean haveNow = false;
            for (RxQueue q : qs) {
                int n = q.port().rxBurst(q.queue(), rxAddr, BURST);
                if (n > 0) {
                    if (!haveNow) {
                        now = clock.millis(); // once per iteration, only when there is traffic
                        haveNow = true;
                    }
                    process(q.dpPort(), n, now);
                    work += n;
                }
            }
            exec.flush();
            account(work);
            return work;
        } finally {
            reader.exit();
        }
    }

    // Busy and idle time, as OVS's pmd-stats-show splits a PMD's cycles: the time from the end of
    // one doWork to the end of the next is busy when that pass received packets, else idle (a
    // sleeping idle strategy's sleep counts as idle). One clock read per pass; written only by the
    // PMD's own thread, read by anyone (opaque).
    private static final java.lang.invoke.VarHandle LONG =
        java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] time = new long[2]; // [0] busy nanos, [1] idle nanos
    private long lastPassEnd = System.nanoTime();

    private void account(int work) {
        long now = System.nanoTime();
        int i = work > 0 ? 0 : 1;
        LONG.setOpaque(time, i, time[i] + (now - lastPassEnd));
        lastPassEnd = now;
    }

    /** This PMD's busy (a pass that received packets) and idle time so far; safe from any thread. */
    public PmdTime time() {
        return new PmdTime(index, (long) LONG.getOpaque(time, 0), (long) LONG.getOpaque(time, 1));
    }

    /**
     * One burst, stage by stage over all its packets (as dp_netdev_input__): parse every
     * packet, hash and probe the EMC for all, look the misses up in the classifier together
     * ({@link Dpcls#lookupBatch}), then group by flow and run each flow's actions once per group.
     * A stage's loop has no dependency from one packet to the next, so the CPU overlaps their
     * cache misses (with 100,000 flows every EMC line, bucket and flow is one).
     */
    private void process(int rxPort, int n, long now) {
        counters.add(ThreadCounters.RX, n);
        int k = parseBurst(rxPort, n);
        int misses = 0;
        boolean probe = emc.probeThisBurst();
        if (probe) {
            InstalledFlow prev = null;
            for (int j = 0; j < k; j++) {
                InstalledFlow f;
                if (prev != null && Emc.sameKey(keys[j], keys[j - 1])) {
                    // the packet before had this key and found its flow (a burst of one bulk
                    // transfer is mostly such runs): no second hash and probe for it (its hash
                    // slot stays unset: only the classifier's hits, never a found packet, read it)
                    f = prev;
                } else {
                    hashes[j] = Emc.hash(keys[j]);
                    f = emc.lookup(keys[j], hashes[j]);
                }
                found[j] = f;
                prev = f;
                if (f == null) {
                    missIdx[misses++] = j;
                }
            }
            emc.probed(k, k - misses);
            counters.add(ThreadCounters.EMC_HITS, k - misses);
        } else {
            for (int j = 0; j < k; j++) {
                missIdx[misses++] = j; // the EMC mostly misses: straight to the classifier (Emc.probeThisBurst)
            }
        }
        if (misses > 0) {
            classifier.lookupBatch(keys, missIdx, misses, found, lookupScratch);
            int hits = 0;
            for (int q = 0; q < misses; q++) {
                int j = missIdx[q];
                InstalledFlow f = found[j];
                if (f != null) {
                    hits++;
                    if (--emcInsertCountdown <= 0) {
                        emcInsertCountdown = emcInsertInvProb;
                        emc.insert(keys[j], probe ? hashes[j] : Emc.hash(keys[j]), f);
                    }
                }
            }
            counters.add(ThreadCounters.CLASSIFIER_HITS, hits);
        }
        touchFlows(k);
        long pass = ++passes; // marks from earlier bursts are < pass << 6
        nBatches = 0;
        for (int j = 0; j < k; j++) {
            InstalledFlow f = found[j];
            long m = mbufs[j];
            FlowKey key = keys[j];
            if (f == null) {
                counters.increment(ThreadCounters.MISSES);
                currentMbuf = m;
                counters.increment(switch (upcalls.offerMiss(key, inPorts[j], copyCurrent, now)) {
                    case UpcallQueue.QUEUED -> ThreadCounters.UPCALLS_QUEUED;
                    case UpcallQueue.DEDUPLICATED -> ThreadCounters.UPCALLS_DEDUPLICATED;
                    default -> ThreadCounters.UPCALLS_DROPPED;
                });
                exec.free(m);
                continue;
            }
            found[j] = null; // hold no flow past the burst
            long mark = f.mark(index);
            int b;
            if (mark >>> 6 == pass) {
                b = (int) mark & 63;
            } else {
                b = nBatches++;
                f.mark(index, pass << 6 | b);
                batchFlow[b] = f;
                batchCount[b] = 0;
                batchBytes[b] = 0;
                batchFlags[b] = 0;
                batchInPort[b] = inPorts[j];
                batchKey[b] = key; // the group's first packet's key: only userspace actions look at it
            }
            batchPkts[b][batchCount[b]++] = m;
            batchBytes[b] += Integer.toUnsignedLong(RteMbuf.pktLen(m));
            batchFlags[b] |= (int) key.get(Field.TCP_FLAGS);
        }
        for (int b = 0; b < nBatches; b++) {
            InstalledFlow f = batchFlow[b];
            f.count(index, batchCount[b], batchBytes[b], now, batchFlags[b]);
            exec.execute(f.actions(), batchPkts[b], batchCount[b], batchInPort[b], batchKey[b]);
            batchFlow[b] = null;
            batchKey[b] = null;
        }
    }

    /** Where {@link #touchFlows} leaves its sum, so that the JIT keeps its loads. */
    private long touched;

    /**
     * Reads each found flow's statistics slot and actions before the burst is grouped. With
     * 100,000 flows each is a cache miss (flow, statistics, actions: three lines a packet). This
     * loop's iterations are independent and short, so the CPU has the whole burst's misses in
     * flight at once; the grouping loop after it — each packet's group depends on the packets
     * before — would take them a few at a time. At one flow it is 32 loads from L1.
     */
    private void touchFlows(int k) {
        long sum = 0;
        for (int j = 0; j < k; j++) {
            InstalledFlow f = found[j];
            if (f != null) {
                sum += f.mark(index) + f.actions().programLength();
            }
        }
        touched = sum;
    }

    /**
     * Parses the burst's packets into {@link #keys} (VXLAN decap first where the port carries a
     * tunnel), dropping and counting runts and malformed tunnel frames; returns how many are
     * left, their mbufs in {@link #mbufs} and in_ports in {@link #inPorts}.
     */
    private int parseBurst(int rxPort, int n) {
        int tunnelPort = ports.tunnelOn(rxPort);
        VxlanPort tunnel = tunnelPort < 0 ? null : ports.tunnel(tunnelPort);
        int deviceUdp = ports.tunnelDeviceUdp(rxPort);
        int k = 0;
        for (int i = 0; i < n; i++) {
            long m = M.get(JAVA_LONG, rxAddr + 8L * i);
            int inPort = rxPort;
            long outer = 0;
            if (tunnel != null) {
                long base = RteMbuf.mtod(m);
                int off = Vxlan.decapOffset(M, base, RteMbuf.dataLen(m), tunnel.localIp(), tunnel.udpPort());
                if (off == Vxlan.MALFORMED) {
                    counters.increment(ThreadCounters.TUNNEL_MALFORMED);
                    exec.free(m);
                    continue;
                }
                if (off > 0) {
                    PacketEdit.strip(m, off, Vxlan.innerLength(M, base, off)); // trimmed to the outer IP length
                    outer = base;
                    inPort = tunnelPort;
                    counters.increment(ThreadCounters.TUNNEL_DECAPS);
                }
            }
            long meta = 0;
            if (deviceUdp != 0) {
                // The kernel's VXLAN device decapsulated it; the tunnel slow path's program put
                // the tunnel metadata in front (flow.TunnelFrame). Strip it; it stays readable in
                // the headroom for the key.
                long base = RteMbuf.mtod(m);
                int len = RteMbuf.dataLen(m);
                if (len < TunnelFrame.MISS_HEADER_LEN + 14 || RteMbuf.nbSegs(m) != 1) {
                    counters.increment(ThreadCounters.TUNNEL_MALFORMED);
                    exec.free(m);
                    continue;
                }
                PacketEdit.strip(m, TunnelFrame.MISS_HEADER_LEN, len - TunnelFrame.MISS_HEADER_LEN);
                meta = base;
            }
            FlowKey key = keys[k];
            int status = PacketParser.parse(M, RteMbuf.mtod(m), RteMbuf.dataLen(m), inPort, key);
            if (outer != 0) {
                Vxlan.fillKey(M, outer, key); // the outer bytes are still there, in the headroom
            }
            if (meta != 0) {
                if (!TunnelFrame.readMissHeader(M, meta, TunnelFrame.MISS_HEADER_LEN + 14, deviceUdp, key)) {
                    counters.increment(ThreadCounters.TUNNEL_MALFORMED);
                    exec.free(m);
                    continue;
                }
                counters.increment(ThreadCounters.TUNNEL_DECAPS);
            }
            if (status != ParseStatus.OK) {
                counters.increment(ThreadCounters.PARSE_STATUS + status);
                if (status == ParseStatus.TRUNCATED_L2 || status == ParseStatus.BAD_ARGUMENT) {
                    counters.increment(ThreadCounters.RUNTS);
                    exec.free(m);
                    continue;
                }
            }
            mbufs[k] = m;
            inPorts[k] = inPort;
            k++;
        }
        return k;
    }

    /** True while this PMD skips its EMC because it mostly missed ({@link Emc#probeThisBurst}); racy read. */
    boolean emcBypassed() {
        return emc.bypassed();
    }

    /** Counts an exception its runner caught from {@link #doWork()}; called on this thread. */
    void countError() {
        counters.increment(ThreadCounters.PMD_ERRORS);
    }

    /** This thread's counters (its packet-out share is zero: packet-out has its own). */
    public DatapathCounters counters() {
        return counters.snapshot();
    }

    /** Packets whose parse stopped early, by {@link ParseStatus} code (they are still forwarded). */
    public long parseStatusCount(int status) {
        return counters.get(ThreadCounters.PARSE_STATUS + status);
    }

    /** Frees this PMD's resources (the datapath's close, after the runner stopped). */
    void release(Rcu rcu) {
        rcu.unregister(reader);
        exec.close();
        arena.close();
    }
}
