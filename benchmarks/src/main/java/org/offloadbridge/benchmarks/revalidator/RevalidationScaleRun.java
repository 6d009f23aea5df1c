package org.offloadbridge.benchmarks.revalidator;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.management.ObjectName;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.DaemonSettings;
import org.offloadbridge.daemon.slowpath.PacketSocket;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.SwitchNet;
import org.offloadbridge.testkit.Topology;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.FixedHistogram;

/**
 * Issue 15's revalidation and memory figures at scale, on the real daemon: N flows installed
 * through the real miss path, then what one revalidator round over them costs and what they
 * weigh on the heap.
 *
 * <p>The daemon runs in testkit's {@link SwitchNet} (a switch namespace with ports p1 and p2,
 * hosts h1 and h2 behind them), the DPDK datapath as its software layer ({@code --no-huge}), hw-offload=false (this
 * kernel has no cls_flower: every flow is a DPDK flow), max-idle 10 minutes so nothing expires
 * while we measure, flow-limit 2 N. Rules as the flow-setup benchmark's {@code acl} set: a
 * blocked source MAC pins dl_src in every megaflow, so each of the N frames h1 sends (its own
 * source MAC, as {@code benchmarks/sender/flowgen.c} numbers them) becomes its own megaflow,
 * without MAC learning. Frames missed for a full upcall queue are sent again (installed flows
 * forward in the PMD without an upcall) until N flows are in; frames go at RATE a second
 * (default 40,000), in bursts of 256. Filling takes a while by design: the dynamic flow limit
 * starts low and grows by 1,000 a round while rounds are fast, as OVS's does, so at 200,000
 * flows most first packets of a pass are refused (flow limit) and come again next pass.
 *
 * <p>Measured, with N flows installed and no traffic:
 * <ul>
 *   <li>revalidation: rounds back to back (the leader's dump of the DPDK flows with their
 *       counters, every ukey judged: stats, idle decision, no re-translation since nothing
 *       changed) — the mean round from the revalidators' own round histogram (sum/count over
 *       the rounds measured; its millisecond clock) and the CPU time the revalidator threads
 *       used per round (ThreadMXBean);</li>
 *   <li>memory: the daemon's live heap (the {@code GC.class_histogram} total, which follows a
 *       full GC) with N flows minus the same before the first packet, per flow; the ten classes
 *       that grew most. The DPDK path's flow table (classifier, EMC) is Java heap, so it is in
 *       that figure; the native memory DPDK holds (mempools, rings) does not grow with flows.</li>
 * </ul>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar --enable-native-access=ALL-UNNAMED \
 *     org.offloadbridge.benchmarks.revalidator.RevalidationScaleRun [flows=200000] [rounds=10] [rate=40000]</pre>
 * Needs root (network namespaces). Prints a {@code revalidation-scale} result line.
 */
public final class RevalidationScaleRun {
    private static final int FRAME = 60;
    private static final String RULES = """
        priority=10,dl_src=02:00:00:00:00:01,actions=drop
        priority=0,in_port=p1,actions=output:p2
        priority=0,in_port=p2,actions=output:p1
        """;

    private RevalidationScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        int flows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 40_000;
        String load = loadAverage();
        DatapathConfig dc = new DatapathConfig().hwOffload(false).handlerThreads(1).revalidatorThreads(1)
            .maxIdleMillis(600_000).flowLimit(2 * flows);
        DaemonSettings settings = new DaemonSettings(dc, List.of("p1", "p2"), RULES, true, List.of(), false, 1, false);
        try (SwitchNet net = SwitchNet.create("reval")) {
            Topology.Host h1 = net.h1();
            try (NetNs swNs = NetNs.open(net.sw().name());
                 Daemon d = swNs.call(() -> Daemon.start(settings, MonotonicClock.SYSTEM));
                 NetNs h1Ns = NetNs.open(h1.name());
                 PacketSocket tx = h1Ns.call(() -> PacketSocket.open(h1.ifindex("eth0"), "h1/eth0"))) {
                String histBefore = histogram();
                long heapBefore = liveHeap(histBefore);
                long t0 = System.nanoTime();
                int passes = fill(d, tx, flows, rate);
                double fillSeconds = (System.nanoTime() - t0) / 1e9;
                int installed = countDpdk(d);
                if (installed < flows) {
                    throw new IllegalStateException(installed + " of " + flows + " flows installed after " + passes
                        + " passes; upcalls " + d.upcallCounters() + ", drops " + d.upcallDrops());
                }
                RoundCost cost = measureRounds(d, rounds);
                String histAfter = histogram();
                long heapAfter = liveHeap(histAfter);
                int stillThere = countDpdk(d);
                System.out.println(topGrowth(histBefore, histAfter, 20));
                System.out.printf(Locale.ROOT, "revalidation-scale flows=%d installed=%d fill_s=%.1f passes=%d rounds=%d"
                        + " round_ms_mean=%.1f round_ms_max_bucket=%s reval_cpu_ms_per_round=%.1f dumped_per_round=%d"
                        + " heap_before_mb=%.1f heap_after_mb=%.1f heap_bytes_per_flow=%.0f load=%s..%s%n",
                    flows, stillThere, fillSeconds, passes, cost.rounds, cost.meanMillis, cost.maxBucket, cost.cpuMillisPerRound,
                    cost.dumpedPerRound, heapBefore / 1048576.0, heapAfter / 1048576.0,
                    (heapAfter - heapBefore) / (double) stillThere, load, loadAverage());
            }
        }
    }

    /**
     * Sends flow i's frame for every i in [0, flows) at {@code rate} frames a second, then again
     * while flows are missing (a first packet dropped for a full upcall queue); returns the passes.
     */
    static int fill(Daemon d, PacketSocket tx, int flows, int rate) throws InterruptedException {
        PacketSocket.Frame f = new PacketSocket.Frame(FRAME);
        int pass = 0;
        int stalled = 0;
        long deadline = System.nanoTime() + 1_200_000_000_000L;
        while (countDpdk(d) < flows && stalled < 3 && System.nanoTime() < deadline) {
            pass++;
            int before = countDpdk(d);
            long start = System.nanoTime();
            for (int i = 0; i < flows; i++) {
                frame(f.buffer(), i);
                long spins = 0;
                while (!tx.send(f, 0, FRAME)) {
                    if (++spins > 10_000_000) {
                        throw new IllegalStateException("h1/eth0 takes no frames");
                    }
                    Thread.onSpinWait();
                }
                if ((i & 255) == 255) {
                    long due = start + (long) ((i + 1) * 1e9 / rate);
                    long early = due - System.nanoTime();
                    if (early > 0) {
                        Thread.sleep(early / 1_000_000, (int) (early % 1_000_000));
                    }
                }
            }
            awaitQuiet(d);
            int after = countDpdk(d);
            stalled = after > before ? 0 : stalled + 1;
            System.err.printf(Locale.ROOT, "pass %d: %d flows in the DPDK layer%n", pass, after);
        }
        return pass;
    }

    /** Waits until the flow count stops growing for half a second. */
    private static void awaitQuiet(Daemon d) throws InterruptedException {
        int last = -1;
        int now = countDpdk(d);
        while (now != last) {
            last = now;
            Thread.sleep(500);
            now = countDpdk(d);
        }
    }

    /** 64-byte frame (60 without FCS) of flow i: source MAC 02:f0:00 + (i+1), IPv4/UDP, as flowgen.c. */
    static void frame(ByteBuffer b, int i) {
        int n = i + 1;
        b.clear();
        b.put(0, (byte) 0x02).put(1, (byte) 0xde).put(2, (byte) 0xad).put(3, (byte) 0).put(4, (byte) 0).put(5, (byte) 0x99);
        b.put(6, (byte) 0x02).put(7, (byte) 0xf0).put(8, (byte) 0).put(9, (byte) (n >>> 16)).put(10, (byte) (n >>> 8)).put(11, (byte) n);
        b.putShort(12, (short) 0x0800);
        b.put(14, (byte) 0x45).put(15, (byte) 0).putShort(16, (short) 46).putShort(18, (short) 0).putShort(20, (short) 0x4000);
        b.put(22, (byte) 64).put(23, (byte) 17).putShort(24, (short) 0);
        b.put(26, (byte) 10).put(27, (byte) (100 + (i >>> 16))).put(28, (byte) (i >>> 8)).put(29, (byte) i);
        b.put(30, (byte) 10).put(31, (byte) 9).put(32, (byte) 0).put(33, (byte) 2);
        int sum = 0;
        for (int k = 14; k < 34; k += 2) {
            sum += b.getShort(k) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        b.putShort(24, (short) ~sum);
        b.putShort(34, (short) (1024 + i % 60000)).putShort(36, (short) 5001).putShort(38, (short) 26).putShort(40, (short) 0);
        for (int k = 42; k < FRAME; k++) {
            b.put(k, (byte) 0);
        }
    }

    static int countDpdk(Daemon d) {
        int[] n = {0};
        for (int s = 0; s < d.ukeys().shards(); s++) {
            d.ukeys().forEach(s, u -> {
                if (u.layer() == FlowLayer.DPDK) {
                    n[0]++;
                }
            });
        }
        return n[0];
    }

    record RoundCost(long rounds, double meanMillis, String maxBucket, double cpuMillisPerRound, long dumpedPerRound) {
    }

    /** Lets {@code rounds} rounds run (they follow each other every max-revalidator at most) and reads what they cost. */
    static RoundCost measureRounds(Daemon d, int rounds) throws InterruptedException {
        FixedHistogram h = d.revalidators().roundDurations();
        awaitRounds(d, 2); // a round that began while we were filling is not one of ours
        FixedHistogram.Snapshot s0 = h.snapshot();
        long dumped0 = d.revalidators().counters().dumped();
        long cpu0 = revalidatorCpuNanos();
        awaitRounds(d, rounds);
        long cpu1 = revalidatorCpuNanos();
        FixedHistogram.Snapshot s1 = h.snapshot();
        long dumped1 = d.revalidators().counters().dumped();
        long n = s1.count() - s0.count();
        String maxBucket = "none";
        for (int b = s1.counts().length - 1; b >= 0; b--) {
            if (s1.counts()[b] - s0.counts()[b] > 0) {
                maxBucket = b < s1.boundsNanos().length ? "<=" + s1.boundsNanos()[b] / 1_000_000 + "ms"
                    : ">" + s1.boundsNanos()[s1.boundsNanos().length - 1] / 1_000_000 + "ms";
                break;
            }
        }
        return new RoundCost(n, (s1.sumNanos() - s0.sumNanos()) / 1e6 / n, maxBucket, (cpu1 - cpu0) / 1e6 / n,
            (dumped1 - dumped0) / n);
    }

    private static void awaitRounds(Daemon d, int rounds) throws InterruptedException {
        long target = d.revalidators().counters().rounds() + rounds;
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (d.revalidators().counters().rounds() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + rounds + " revalidator rounds in 10 minutes");
            }
            Thread.sleep(50);
        }
    }

    /** CPU time of the revalidator threads (the agents are named after their role, revalidator-N). */
    private static long revalidatorCpuNanos() {
        var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo ti : mx.dumpAllThreads(false, false)) {
            if (ti.getThreadName().startsWith("revalidator")) {
                sum += mx.getThreadCpuTime(ti.getThreadId());
            }
        }
        if (sum == 0) {
            throw new IllegalStateException("no revalidator thread found by name");
        }
        return sum;
    }

    /** The live heap in class histogram {@code h} (taken after a full GC): its total. */
    static long liveHeap(String h) {
        for (String line : h.split("\n")) {
            String l = line.trim();
            if (l.startsWith("Total")) {
                String[] f = l.split("\\s+");
                return Long.parseLong(f[2]);
            }
        }
        throw new IllegalStateException("no Total in the class histogram:\n" + h);
    }

    /** {@code jcmd <pid> GC.class_histogram} of this JVM (a full GC first, live objects only). */
    static String histogram() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
            "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    /** The {@code top} classes whose live bytes grew most between two histograms: instances and bytes. */
    static String topGrowth(String before, String after, int top) {
        java.util.Map<String, long[]> b = parse(before);
        java.util.Map<String, long[]> a = parse(after);
        List<java.util.Map.Entry<String, long[]>> grew = new ArrayList<>();
        for (var e : a.entrySet()) {
            long[] was = b.getOrDefault(e.getKey(), new long[2]);
            grew.add(java.util.Map.entry(e.getKey(), new long[] {e.getValue()[0] - was[0], e.getValue()[1] - was[1]}));
        }
        grew.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        StringBuilder sb = new StringBuilder("heap growth by class (instances, bytes):\n");
        for (int i = 0; i < Math.min(top, grew.size()); i++) {
            var e = grew.get(i);
            sb.append(String.format(Locale.ROOT, "  %12d %14d  %s%n", e.getValue()[0], e.getValue()[1], e.getKey()));
        }
        return sb.toString();
    }

    private static java.util.Map<String, long[]> parse(String histogram) {
        java.util.Map<String, long[]> m = new java.util.HashMap<>();
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return m;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
