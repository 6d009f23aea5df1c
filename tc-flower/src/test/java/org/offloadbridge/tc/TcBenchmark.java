package org.offloadbridge.tc;

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
    /** delete: with the echo (final counters); delete-idle: without (counters as just dumped) — each on half the flows, scaled to N. */
    private static final String[] OPS = {"install", "dump+stats", "delete", "delete-idle"};

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
                flows.add(Flows.on(b0).ipv4(6).exact(Field.NW_FRAG, 0).exact(Field.IPV4_SRC, 0x0a000000L + i).exact(Field.IPV4_DST, 0x0ac80001L)
                        .exact(Field.TP_SRC, 1024 + (i % 60000)).exact(Field.TP_DST, 80).actions(out).build());
            }
            Path[] files = tcBatchFiles(flows);
            double[][] ours = new double[reps][];
            double[][] tc = new double[reps][];
            try (TcOffload offload = ns.call(() -> TcOffload.open(TcPolicy.SKIP_HW, TcPorts.IDENTITY))) {
                warmUp(offload, b0, out, n);
                System.out.printf("%n%d flows: %d rounds, each ours and tc -batch (alternating which goes first)%n", n, reps);
                for (int r = 0; r < reps; r++) {
                    // Alternating the order: a VM that speeds up or slows down over a run favours neither.
                    if (r % 2 == 0) {
                        ours[r] = ours(offload, flows, b0);
                        tc[r] = tcBatch(name, files);
                    } else {
                        tc[r] = tcBatch(name, files);
                        ours[r] = ours(offload, flows, b0);
                    }
                    System.out.printf("  round %d: ours %.2f / %.2f / %.2f / %.2f s, tc -batch %.2f / %.2f / %.2f s (install / dump+stats / delete"
                            + " [/ delete-idle], each as if of all %d)%n", r + 1, ours[r][0], ours[r][1], ours[r][2], ours[r][3], tc[r][0], tc[r][1], tc[r][2], n);
                }
                System.out.println("  ours: " + offload.counters());
            }
            System.out.printf("%n%d flows (5-tuple, skip_hw, one prio)%n", n);
            System.out.printf("%-11s %12s %12s %14s %14s %8s  %s%n", "op", "ours s", "tc -batch s", "ours flows/s", "tc flows/s", "ours/tc", "ratio per round");
            for (int i = 0; i < OPS.length; i++) {
                double[] o = column(ours, i);
                double[] t = column(tc, Math.min(i, 2)); // tc has one delete
                double[] ratio = new double[reps];
                StringBuilder each = new StringBuilder();
                for (int r = 0; r < reps; r++) {
                    ratio[r] = t[r] / o[r];
                    each.append(r == 0 ? "" : " ").append(String.format("%.2f", ratio[r]));
                }
                // Medians of each column, and the median of the per-round ratios (the figure: both
                // sides of one round saw the same VM).
                System.out.printf("%-11s %12.2f %12.2f %14.0f %14.0f %8.2f  %s%n", OPS[i], median(o), median(t), n / median(o), n / median(t),
                        median(ratio), each);
            }
        }
    }

    /**
     * Warm-up (qdisc, prio, JIT): a daemon runs long; measure the steady state. Under TCG the JIT
     * needs long: after 2 × 3,000 installs a round still ran at half the speed of a later one
     * (2026-12-07: 12.6 s, then 5.6 s for the same 10,000), so 6 × 5,000.
     */
    private static void warmUp(TcOffload tc, int b0, Actions out, int n) {
        List<Megaflow> warm = new ArrayList<>();
        for (int i = 0; i < Math.min(n, 5000); i++) {
            warm.add(Flows.on(b0).ipv4(17).exact(Field.NW_FRAG, 0).exact(Field.IPV4_SRC, 0x0b000000L + i).actions(out).build());
        }
        for (int round = 0; round < 6; round++) {
            tc.installAll(warm, OffloadPreference.NEVER);
            tc.dump(b0);
            tc.deleteAll(warm.stream().map(Megaflow::ufid).toList());
        }
        tc.install(Flows.on(b0).ipv4(17).actions(out).build(), OffloadPreference.NEVER);
    }

    /**
     * Install, dump with stats, delete: seconds each. The first half is deleted with final
     * counters (the echo), the second as the revalidator deletes idle flows (no echo); each
     * half's time doubled, as if of all N.
     */
    private static double[] ours(TcOffload tc, List<Megaflow> flows, int b0) {
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
        if (dumped.size() != n + 1) {
            throw new IllegalStateException("dumped " + dumped.size() + " of " + (n + 1));
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

    /** iproute2: the same filters (keys, actions, cookies), one tc -batch for adds, one for deletes, one dump. */
    private static Path[] tcBatchFiles(List<Megaflow> flows) throws java.io.IOException {
        StringBuilder add = new StringBuilder();
        StringBuilder delete = new StringBuilder();
        for (int i = 0; i < flows.size(); i++) {
            long src = 0x0a000000L + i;
            add.append("filter add dev b0 ingress prio 1 handle ").append(i + 1).append(" protocol ip flower skip_hw ip_proto tcp src_ip ")
                    .append(src >>> 24).append('.').append((src >>> 16) & 255).append('.').append((src >>> 8) & 255).append('.').append(src & 255)
                    .append(" dst_ip 10.200.0.1 src_port ").append(1024 + (i % 60000)).append(" dst_port 80 ip_flags nofrag action mirred egress redirect dev b1 cookie ")
                    .append(HexFormat.of().formatHex(flows.get(i).ufid().toCookieBytes())).append(" skip_hw\n");
            delete.append("filter del dev b0 ingress prio 1 handle ").append(i + 1).append(" protocol ip flower\n");
        }
        Path addFile = Files.createTempFile("bench-add", ".tc");
        Path delFile = Files.createTempFile("bench-del", ".tc");
        Files.writeString(addFile, add);
        Files.writeString(delFile, delete);
        return new Path[] {addFile, delFile};
    }

    /** Our filters are gone by now (deleted by ours()), so prio 1 is tc's: seconds for add, dump, delete. */
    private static double[] tcBatch(String name, Path[] files) {
        long t0 = System.nanoTime();
        Shell.ok(3600, "ip", "netns", "exec", name, "tc", "-batch", files[0].toString());
        long t1 = System.nanoTime();
        Shell.ok(3600, "sh", "-c", "ip netns exec " + name + " tc -s filter show dev b0 ingress > /dev/null");
        long t2 = System.nanoTime();
        Shell.ok(3600, "ip", "netns", "exec", name, "tc", "-batch", files[1].toString());
        long t3 = System.nanoTime();
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9};
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
