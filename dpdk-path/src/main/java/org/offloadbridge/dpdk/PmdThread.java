package org.offloadbridge.dpdk;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.offloadbridge.dpdk.internal.Dpcls;
import org.offloadbridge.dpdk.internal.InstalledFlow;
import org.offloadbridge.dpdk.internal.Emc;
import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.Rcu;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.dpdk.internal.Vxlan;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.PacketParser;
import org.offloadbridge.flow.ParseStatus;

/**
 * A poll-mode-driver thread, as an agent: {@link #doWork()} polls each assigned rx queue once
 * (bursts of {@value #BURST}), and for every packet parses its key straight from mbuf memory,
 * looks it up in this thread's exact-match cache, then in the shared megaflow classifier,
 * groups the burst's packets per flow, counts them into the flow's statistics (this thread's
 * own slot) and runs the flow's actions once per group. Misses become upcalls (deduplicated per
 * key); runts are dropped and counted. Everything buffered for transmission is flushed before
 * doWork returns.
 *
 * <p>VXLAN decap happens before the lookup, in the same pass (OVS's tnl_pop plus recirculation,
 * folded): on an underlay port that carries a tunnel, a frame addressed to the tunnel's local
 * IP and UDP port has its outer headers stripped (data_off moves; nothing is copied), is parsed
 * as the inner frame with in_port = the tunnel port and the tunnel fields filled from the outer
 * headers, and is classified like any other packet. Malformed ones are dropped and counted.
 *
 * <p>A runner thread calls doWork in a loop ({@link DpdkDatapath#start()}); tests call it by
 * hand on their own thread. In steady state doWork allocates nothing.
 *
 * <p>Concurrency: each doWork is one {@link Rcu} read section; flow-table writers wait for it
 * to end before they consider a deleted flow gone. Counters are plain fields written only by
 * this thread (readers on other threads may see slightly stale values).
 */
public final class PmdThread {

    public static final int BURST = 32;
    private static final MemorySegment M = NativeLibs.ALL;

    record RxQueue(EthdevPort port, int queue, int dpPort) {
    }

    private final int index;
    private final Rcu.Reader reader;
    private final Dpcls classifier;
    private final Emc emc;
    private final PacketExecutor exec;
    private final UpcallQueue upcalls;
    private final Ports ports;
    private final LongSupplier clock;
    private volatile RxQueue[] polls = new RxQueue[0];

    private final Arena arena = Arena.ofShared();
    private final MemorySegment rxBuf = arena.allocate(8L * BURST, 64);
    private final long rxAddr = rxBuf.address();
    private final FlowKey key = new FlowKey();

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

    private long rxPackets;
    private long emcHits;
    private long classifierHits;
    private long misses;
    private long runts;
    private long tunnelDecaps;
    private long tunnelMalformed;
    private final long[] parseStatus = new long[ParseStatus.COUNT];

    PmdThread(int index, Rcu rcu, FlowTable table, PacketExecutor exec, UpcallQueue upcalls, Ports ports,
              LongSupplier clock, int emcEntries, int emcInsertInvProb) {
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
            batchKey[i] = new FlowKey();
        }
    }

    public int index() {
        return index;
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

    /** One pass over the assigned rx queues; returns the number of packets received. */
    public int doWork() {
        reader.enter();
        try {
            RxQueue[] qs = polls;
            int work = 0;
            long now = 0;
            for (RxQueue q : qs) {
                int n = q.port().rxBurst(q.queue(), rxAddr, BURST);
                if (n > 0) {
                    if (now == 0) {
                        now = clock.getAsLong();
                    }
                    process(q.dpPort(), n, now);
                    work += n;
                }
            }
            exec.flush();
            return work;
        } finally {
            reader.exit();
        }
    }

    private void process(int rxPort, int n, long now) {
        rxPackets += n;
        nBatches = 0;
        int tunnelPort = ports.tunnelOn(rxPort);
        VxlanConfig tunnel = tunnelPort < 0 ? null : ports.tunnel(tunnelPort);
        for (int i = 0; i < n; i++) {
            long m = M.get(JAVA_LONG, rxAddr + 8L * i);
            int inPort = rxPort;
            long outer = 0;
            if (tunnel != null) {
                long base = RteMbuf.mtod(m);
                int off = Vxlan.decapOffset(M, base, RteMbuf.dataLen(m), tunnel.localIp(), tunnel.udpPort());
                if (off == Vxlan.MALFORMED) {
                    tunnelMalformed++;
                    exec.free(m);
                    continue;
                }
                if (off > 0) {
                    // rte_pktmbuf_adj by hand, then trim to what the outer IP length covers
                    int innerLen = Vxlan.innerLength(M, base, off);
                    RteMbuf.dataOff(m, RteMbuf.dataOff(m) + off);
                    RteMbuf.dataLen(m, innerLen);
                    RteMbuf.pktLen(m, innerLen);
                    outer = base;
                    inPort = tunnelPort;
                    tunnelDecaps++;
                }
            }
            int status = PacketParser.parse(M, RteMbuf.mtod(m), RteMbuf.dataLen(m), inPort, key);
            if (outer != 0) {
                Vxlan.fillKey(M, outer, key); // the outer bytes are still there, in the headroom
            }
            if (status != ParseStatus.OK) {
                parseStatus[status]++;
                if (status == ParseStatus.TRUNCATED_L2 || status == ParseStatus.BAD_ARGUMENT) {
                    runts++;
                    exec.free(m);
                    continue;
                }
            }
            int h = Emc.hash(key);
            InstalledFlow f = emc.lookup(key, h);
            if (f != null) {
                emcHits++;
            } else {
                f = classifier.lookup(key);
                if (f != null) {
                    classifierHits++;
                    if (--emcInsertCountdown <= 0) {
                        emcInsertCountdown = emcInsertInvProb;
                        emc.insert(key, h, f);
                    }
                }
            }
            if (f == null) {
                misses++;
                currentMbuf = m;
                upcalls.offerMiss(key, inPort, copyCurrent, now);
                exec.free(m);
                continue;
            }
            int b = 0;
            while (b < nBatches && batchFlow[b] != f) {
                b++;
            }
            if (b == nBatches) {
                nBatches++;
                batchFlow[b] = f;
                batchCount[b] = 0;
                batchBytes[b] = 0;
                batchFlags[b] = 0;
                batchInPort[b] = inPort;
                if (f.needsKey()) {
                    batchKey[b].copyFrom(key); // only userspace actions look at it
                }
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
        }
    }

    public long rxPackets() {
        return rxPackets;
    }

    public long emcHits() {
        return emcHits;
    }

    public long classifierHits() {
        return classifierHits;
    }

    public long misses() {
        return misses;
    }

    /** Frames shorter than an Ethernet header, dropped. */
    public long runts() {
        return runts;
    }

    /** Packets whose parse stopped early, by {@link ParseStatus} code (they are still forwarded). */
    public long parseStatusCount(int status) {
        return parseStatus[status];
    }

    /** VXLAN frames decapsulated on an underlay port. */
    public long tunnelDecaps() {
        return tunnelDecaps;
    }

    /** Frames addressed to a VXLAN endpoint with bad outer headers (dropped). */
    public long tunnelMalformed() {
        return tunnelMalformed;
    }

    /** VXLAN encapsulations sent to an underlay port. */
    public long tunnelEncaps() {
        return exec.tunnelEncaps();
    }

    long tunnelNoMetadata() {
        return exec.tunnelNoMetadata();
    }

    /** Encaps dropped for lack of mbuf headroom (< 50 bytes). */
    public long tunnelHeadroomDrops() {
        return exec.tunnelHeadroomDrops();
    }

    public long txPackets() {
        return exec.txPackets();
    }

    /** Packets a port's tx queue did not take (freed). */
    public long txDropped() {
        return exec.txDropped();
    }

    /** Packets output to a datapath port that no longer exists (freed). */
    public long unknownPortDrops() {
        return exec.unknownPort();
    }

    /** Set/push/pop actions that could not apply (headers outside the first segment, no headroom). */
    public long editFailures() {
        return exec.editFailures();
    }

    void close(Rcu rcu) {
        rcu.unregister(reader);
        exec.close();
        arena.close();
    }
}
