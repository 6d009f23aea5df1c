package org.offloadbridge.benchmarks.dpdk;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.offloadbridge.dpdk.PmdThread;
import org.offloadbridge.dpdk.PortStats;

/**
 * A scripted run: one PMD thread forwards a net_pcap replay of N flows to net_null for a fixed
 * time; prints Mpps (from the sink port's tx counter; also per second of CPU time the thread
 * got, which a shared host distorts less), bytes allocated by the PMD thread in
 * steady state (after warm-up, from the JVM's per-thread allocation counter), and GC
 * collections and time during the measured window (after the warm-up).
 *
 * <p>{@code --vxlan=encap} sends every flow into a VXLAN port (its underlay the sink: 110-byte
 * frames leave), {@code --vxlan=decap} replays the flows VXLAN-encapsulated into the tunnel's
 * underlay (60-byte inner frames leave) — see {@link DpdkBench.Mode}. {@code --huge}: EAL memory in
 * hugepages (mounted hugetlbfs, 512 free 2 MiB pages) instead of {@code --no-huge}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar --enable-native-access=ALL-UNNAMED \
 *     org.offloadbridge.benchmarks.dpdk.DpdkForwardRun [--huge] [--vxlan=encap|decap] [seconds] [flows...]</pre>
 */
public final class DpdkForwardRun {

    private DpdkForwardRun() {
    }

    public static void main(String[] args) throws Exception {
        DpdkBench.Mode mode = DpdkBench.Mode.PLAIN;
        boolean huge = false;
        while (args.length > 0 && args[0].startsWith("--")) {
            if (args[0].equals("--huge")) {
                huge = true;
            } else if (args[0].startsWith("--vxlan=")) {
                String m = args[0].substring("--vxlan=".length());
                mode = switch (m) {
                    case "encap" -> DpdkBench.Mode.ENCAP;
                    case "decap" -> DpdkBench.Mode.DECAP;
                    default -> throw new IllegalArgumentException("--vxlan=" + m + ": expected encap or decap");
                };
            } else {
                throw new IllegalArgumentException(args[0] + ": expected --huge or --vxlan=encap|decap");
            }
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int[] flowCounts = args.length > 1
            ? java.util.Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {1, 1000, 100000};
        System.out.printf("%-8s %8s %10s %12s %14s %12s %10s %8s%n", "flows", "seconds", "Mpps", "Mpps/cpu-s",
            "alloc bytes", "emc hit %", "gc count", "gc ms");
        int seq = 0;
        for (int flows : flowCounts) {
            try (DpdkBench b = new DpdkBench(flows, ++seq, mode, huge)) {
                run(b, flows, seconds, mode);
            }
        }
    }

    static void run(DpdkBench b, int flows, int seconds, DpdkBench.Mode mode) throws InterruptedException {
        long[] result = new long[8];
        Thread t = new Thread(() -> {
            PmdThread pmd = b.dp.pmds().get(0);
            pmd.onStart(); // as its AgentRunner would: an EAL thread, so the mempool cache works
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long warmEnd = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                pmd.doWork();
            }
            PortStats s0 = b.sink.stats();
            long emc0 = pmd.counters().emcHits();
            long rx0 = pmd.counters().rxPackets();
            long tunnel0 = tunnelled(b, mode);
            long gc0 = gcCount(); // (these allocate: read before the allocation counter starts)
            long gcMs0 = gcTime();
            long a0 = mx.getCurrentThreadAllocatedBytes();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long end = t0 + seconds * 1_000_000_000L;
            // check the clock every 64 iterations: System.nanoTime per doWork would be noise
            while (true) {
                for (int i = 0; i < 64; i++) {
                    pmd.doWork();
                }
                if (System.nanoTime() >= end) {
                    break;
                }
            }
            long t1 = System.nanoTime();
            long a1 = mx.getCurrentThreadAllocatedBytes();
            result[6] = gcCount() - gc0; // in the window only: the warm-up's setup garbage is not the PMD's
            result[7] = gcTime() - gcMs0;
            result[4] = mx.getCurrentThreadCpuTime() - cpu0;
            result[5] = tunnelled(b, mode) - tunnel0;
            PortStats s1 = b.sink.stats();
            result[0] = s1.opackets() - s0.opackets();
            result[1] = t1 - t0;
            result[2] = a1 - a0;
            long rx = pmd.counters().rxPackets() - rx0;
            result[3] = rx == 0 ? 0 : (pmd.counters().emcHits() - emc0) * 1000 / rx;
            pmd.onClose();
        }, "pmd-bench");
        t.start();
        t.join();
        if (mode != DpdkBench.Mode.PLAIN && result[5] < result[0]) {
            // a tunnel figure must be of tunnelled packets, not of frames that went some other way
            throw new IllegalStateException(mode + ": " + result[0] + " packets out but only " + result[5]
                + " went through the VXLAN port");
        }
        double mpps = result[0] / (result[1] / 1e9) / 1e6;
        // packets per second of CPU time the PMD thread actually got: less sensitive to a shared host
        double mppsCpu = result[4] == 0 ? 0 : result[0] / (result[4] / 1e9) / 1e6;
        System.out.printf("%-8d %8d %10.2f %12.2f %14d %11.1f%% %10d %8d%n", flows, seconds, mpps, mppsCpu, result[2],
            result[3] / 10.0, result[6], result[7]);
    }

    /** Packets encapsulated (ENCAP) or decapsulated (DECAP) so far; 0 for PLAIN. */
    static long tunnelled(DpdkBench b, DpdkBench.Mode mode) {
        return switch (mode) {
            case PLAIN -> 0;
            case ENCAP -> b.dp.counters().tunnelEncaps();
            case DECAP -> b.dp.counters().tunnelDecaps();
        };
    }

    static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    static long gcTime() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }
}
