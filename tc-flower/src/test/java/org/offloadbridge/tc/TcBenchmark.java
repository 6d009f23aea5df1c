package org.offloadbridge.tc;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.tc.internal.Flows;
import org.offloadbridge.testkit.Shell;

/**
 * Scripted benchmark (not a test): install, dump with stats and delete N distinct 5-tuple
 * flows with our code, then the same filters with {@code tc -batch} (the kernel's insertion
 * path through iproute2, our practical limit). Runs inside the kernel VM; see
 * docs/benchmarks-tc.md for the command and the figures.
 *
 * <pre>tc-flower/bench-vm 10000 100000</pre>
 */
public final class TcBenchmark {
    /**
     * delete: with the echo (final counters); delete-idle: without (counters as just dumped) — each
     * on half the flows, scaled to N — both against tc's delete; delete-vs-get+del: ours with final
     * counters against tc's get + delete per filter, which is how OVS gets a tc flow's final counters.
     */
    private static final String[] OPS = {"install", "dump+stats", "delete", "delete-idle", "delete-vs-get+del"};
    /** Per op: the column of ours and of tc it compares (tc's delete serves both of ours; ours with final counters also faces tc's get + delete). */
    private static final int[] OURS_COL = {0, 1, 2, 3, 2};
    private static final int[] TC_COL = {0, 1, 2, 2, 3};

    private TcBenchmark() {}

    /** {@code [-r REPS] N...}: per N, REPS rounds (default 3) of ours then tc, alternating which goes first. */
    public static void main(String[] args) throws Exception {
        int reps = 3;
        List<Integer> ns = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-r")) {
                reps = Integer.parseInt(args[++i]);
            } else {
                ns.add(Integer.parseInt(args[i]));
            }
        }
        for (int n : ns.isEmpty() ? List.of(10_000) : ns) {
            run(n, reps);
        }
    }

    static void run(int n, int reps) throws Exception {
        String name = "obtc-bench-" + n;
        try (NetNs ns = NetNs.create(name)) {
            Shell.sh("ip -n " + name + " link add b0 type veth peer name b1 && ip -n " + name + " link set b0 up && ip -n " + name + " link set b1 up"
                    + " && ip netns exec " + name + " tc qdisc add dev b0 clsact");
            int b0 = Integer.parseInt(Shell.sh("ip netns exec " + name + " cat /sys/class/net/b0/ifindex").trim());
            int b1 = Integer.parseInt(Shell.sh("ip netns exec " + name + " cat /sys/class/net/b1/ifindex").trim());
            List<Megaflow> flows = new ArrayList<>(n);
            Actions out = Actions.builder().output(b1).build();
            // frag=no pinned, as every megaflow the pipeline makes (the datapath baseline): without
            // it each install also pays an encode/decode round trip for its canonical form, which
            // no daemon install does (a JFR of the benchmark showed it: a third of the samples).
            for (int i = 0; i < n; i++) {
                flows.add(fiveTuple(b0, 0x0a000000L + i, i, out));
            }
            Path[] files = tcBatchFiles(flows);
            double[][] ours = new double[reps][];
            double[][] tc = new double[reps][];
            long[][] jit = new long[reps][2];
            try (TcOffload offload = ns.call(() -> TcOffload.open(TcPolicy.SKIP_HW, TcPorts.IDENTITY))) {
                warmUp(offload, b0, out, n);
                System.out.printf("%n%d flows: %d rounds, each ours and tc -batch (alternating which goes first)%n", n, reps);
                for (int r = 0; r < reps; r++) {
                    // Alternating the order: a VM that speeds up or slows down over a run favours neither.
                    for (int side : r % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0}) {
                        long c0 = jitMillis();
                        if (side == 0) {
                            ours[r] = ours(offload, flows, b0, 1);
                        } else {
                            tc[r] = tcBatch(name, files);
                        }
                        jit[r][side] = jitMillis() - c0;
                    }
                    System.out.printf("  round %d: ours %.2f / %.2f / %.2f / %.2f s, tc -batch %.2f / %.2f / %.2f / %.2f s (install / dump+stats / delete"
                            + " / ours: delete-idle, tc: get+delete; each as if of all %d); JIT compiling %.1f s during our side, %.1f s during tc's (its timed windows"
                            + " and the untimed re-adds between them)%n", r + 1,
                            ours[r][0], ours[r][1], ours[r][2], ours[r][3], tc[r][0], tc[r][1], tc[r][2], tc[r][3], n, jit[r][0] / 1e3, jit[r][1] / 1e3);
                }
                System.out.println("  ours: " + offload.counters());
            }
            System.out.printf("%n%d flows (5-tuple, skip_hw, one prio)%n", n);
            System.out.printf("%-17s %12s %12s %14s %14s %8s  %s%n", "op", "ours s", "tc -batch s", "ours flows/s", "tc flows/s", "ours/tc", "ratio per round");
            for (int i = 0; i < OPS.length; i++) {
                double[] o = column(ours, OURS_COL[i]);
                double[] t = column(tc, TC_COL[i]);
                double[] ratio = new double[reps];
                StringBuilder each = new StringBuilder();
                for (int r = 0; r < reps; r++) {
                    ratio[r] = t[r] / o[r];
                    each.append(r == 0 ? "" : " ").append(String.format("%.2f", ratio[r]));
                }
                // Medians of each column, and the median of the per-round ratios (the figure: both
                // sides of one round saw the same VM).
                System.out.printf("%-17s %12.2f %12.2f %14.0f %14.0f %8.2f  %s%n", OPS[i], median(o), median(t), n / median(o), n / median(t),
                        median(ratio), each);
            }
        }
    }

    /**
     * Warm-up (qdisc, prio, JIT) until the JIT is quiet: a daemon runs long, so the figure is the
     * steady state. Under TCG, C2 needs minutes of the emulated CPU for this path (a JFR of
     * {@code -r 3 10000} on 2026-12-07 counted 103 s of C2 in a 157-s run, 15.5 s of it one
     * compilation of {@code sendInstalls} during the last round), and on single-threaded TCG a
     * compilation takes its time from whichever side is measured then — ours, or tc running
     * beside the waiting JVM: a fixed warm-up of 6 × 5,000 left rounds at 0.85× and 3.44× in one
     * run. So warm-up rounds go on, with flows of the measured shape (the same codecs, the same
     * shape vouched for), until two in a row spend under {@value #QUIET_PERCENT} % of their time
     * compiling, or {@value #MAX_WARM_ROUNDS} rounds; the printout says which.
     */
    private static void warmUp(TcOffload tc, int b0, Actions out, int n) {
        List<Megaflow> warm = new ArrayList<>();
        for (int i = 0; i < Math.min(n, 5000); i++) {
            warm.add(fiveTuple(b0, 0x0b000000L + i, i, out));
        }
        int quietInARow = 0;
        int round = 0;
        double lastShare = 1;
        while (round < MAX_WARM_ROUNDS && quietInARow < 2) {
            long c0 = jitMillis();
            long t0 = System.nanoTime();
            ours(tc, warm, b0, 0);
            lastShare = (jitMillis() - c0) / ((System.nanoTime() - t0) / 1e6);
            quietInARow = lastShare * 100 < QUIET_PERCENT ? quietInARow + 1 : 0;
            round++;
        }
        System.out.printf("%nwarm-up: %d rounds of %d flows, %s (%.1f %% of the last round's time compiling)%n", round, warm.size(),
                quietInARow >= 2 ? "the JIT quiet" : "the JIT NOT quiet yet: the rounds below include compilation", lastShare * 100);
        // After the warm-up: the measured shape has prio 1 (which tc -batch takes while ours are
        // gone), this one another, and each measured dump reads it too.
        tc.install(Flows.on(b0).ipv4(17).actions(out).build(), OffloadPreference.NEVER);
    }

    private static final int QUIET_PERCENT = 2;
    private static final int MAX_WARM_ROUNDS = 40;

    /** Milliseconds the JIT's threads have spent compiling so far (all compilers). */
    private static long jitMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** The benchmark's flow: a TCP 5-tuple, frag=no, as the pipeline makes every megaflow. */
    private static Megaflow fiveTuple(int dev, long src, int i, Actions out) {
        return Flows.on(dev).ipv4(6).exact(Field.NW_FRAG, 0).exact(Field.IPV4_SRC, src).exact(Field.IPV4_DST, 0x0ac80001L)
                .exact(Field.TP_SRC, 1024 + (i % 60000)).exact(Field.TP_DST, 80).actions(out).build();
    }

    /**
     * Install, dump with stats, delete: seconds each. The first half is deleted with final
     * counters (the echo), the second as the revalidator deletes idle flows (no echo); each
     * half's time doubled, as if of all N; {@code others}: our other filters on b0, which the dump also reads.
     */
    private static double[] ours(TcOffload tc, List<Megaflow> flows, int b0, int others) {
        int n = flows.size();
        List<Ufid> ufids = flows.stream().map(Megaflow::ufid).toList();
        long t0 = System.nanoTime();
        List<TcOutcome> res = tc.installAll(flows, OffloadPreference.NEVER);
        long t1 = System.nanoTime();
        long bad = res.stream().filter(o -> !o.ok()).count();
        if (bad > 0) {
            throw new IllegalStateException(bad + " installs failed, first: " + res.stream().filter(o -> !o.ok()).findFirst().orElseThrow());
        }
        List<TcFlow> dumped = tc.dump(b0);
        long t2 = System.nanoTime();
        if (dumped.size() != n + others) {
            throw new IllegalStateException("dumped " + dumped.size() + " of " + (n + others));
        }
        List<TcOutcome> del = new ArrayList<>(tc.deleteAll(ufids.subList(0, n / 2)));
        long t3 = System.nanoTime();
        del.addAll(tc.deleteAll(ufids.subList(n / 2, n), false));
        long t4 = System.nanoTime();
        if (del.stream().anyMatch(o -> !o.ok())) {
            throw new IllegalStateException("delete failed: " + del.stream().filter(o -> !o.ok()).findFirst().orElseThrow());
        }
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9 * n / (n / 2), (t4 - t3) / 1e9 * n / (n - n / 2)};
    }

    /**
     * iproute2: the same filters (keys, actions, cookies), one tc -batch for adds, one for deletes,
     * one of a get then a delete per filter (what OVS's netdev_tc_flow_del does when it needs the
     * final counters: tc_get_flower, then the delete).
     */
    private static Path[] tcBatchFiles(List<Megaflow> flows) throws java.io.IOException {
        StringBuilder add = new StringBuilder();
        StringBuilder delete = new StringBuilder();
        StringBuilder getDelete = new StringBuilder();
        for (int i = 0; i < flows.size(); i++) {
            long src = 0x0a000000L + i;
            add.append("filter add dev b0 ingress prio 1 handle ").append(i + 1).append(" protocol ip flower skip_hw ip_proto tcp src_ip ")
                    .append(src >>> 24).append('.').append((src >>> 16) & 255).append('.').append((src >>> 8) & 255).append('.').append(src & 255)
                    .append(" dst_ip 10.200.0.1 src_port ").append(1024 + (i % 60000)).append(" dst_port 80 ip_flags nofrag action mirred egress redirect dev b1 cookie ")
                    .append(HexFormat.of().formatHex(flows.get(i).ufid().toCookieBytes())).append(" skip_hw\n");
            delete.append("filter del dev b0 ingress prio 1 handle ").append(i + 1).append(" protocol ip flower\n");
            getDelete.append("filter get dev b0 ingress prio 1 handle ").append(i + 1).append(" protocol ip flower\n")
                    .append("filter del dev b0 ingress prio 1 handle ").append(i + 1).append(" protocol ip flower\n");
        }
        Path addFile = Files.createTempFile("bench-add", ".tc");
        Path delFile = Files.createTempFile("bench-del", ".tc");
        Files.writeString(addFile, add);
        Path getDelFile = Files.createTempFile("bench-getdel", ".tc");
        Files.writeString(delFile, delete);
        Files.writeString(getDelFile, getDelete);
        return new Path[] {addFile, delFile, getDelFile};
    }

    /**
     * Our filters are gone by now (deleted by ours()), so prio 1 is tc's: seconds for add, dump,
     * delete, then (after an add again, not timed) get-with-counters + delete.
     */
    private static double[] tcBatch(String name, Path[] files) {
        long t0 = System.nanoTime();
        Shell.ok(3600, "ip", "netns", "exec", name, "tc", "-batch", files[0].toString());
        long t1 = System.nanoTime();
        Shell.ok(3600, "sh", "-c", "ip netns exec " + name + " tc -s filter show dev b0 ingress > /dev/null");
        long t2 = System.nanoTime();
        Shell.ok(3600, "ip", "netns", "exec", name, "tc", "-batch", files[1].toString());
        long t3 = System.nanoTime();
        Shell.ok(3600, "ip", "netns", "exec", name, "tc", "-batch", files[0].toString());
        long t4 = System.nanoTime();
        Shell.ok(3600, "sh", "-c", "ip netns exec " + name + " tc -s -batch " + files[2] + " > /dev/null");
        long t5 = System.nanoTime();
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t5 - t4) / 1e9};
    }

    private static double[] column(double[][] rows, int i) {
        double[] c = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            c[r] = rows[r][i];
        }
        return c;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
