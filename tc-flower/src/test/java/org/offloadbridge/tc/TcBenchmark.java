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
    private TcBenchmark() {}

    public static void main(String[] args) throws Exception {
        for (String a : args.length == 0 ? new String[] {"10000"} : args) {
            run(Integer.parseInt(a));
        }
    }

    static void run(int n) throws Exception {
        String name = "obtc-bench-" + n;
        try (NetNs ns = NetNs.create(name)) {
            Shell.sh("ip -n " + name + " link add b0 type veth peer name b1 && ip -n " + name + " link set b0 up && ip -n " + name + " link set b1 up"
                    + " && ip netns exec " + name + " tc qdisc add dev b0 clsact");
            int b0 = Integer.parseInt(Shell.sh("ip netns exec " + name + " cat /sys/class/net/b0/ifindex").trim());
            int b1 = Integer.parseInt(Shell.sh("ip netns exec " + name + " cat /sys/class/net/b1/ifindex").trim());
            List<Megaflow> flows = new ArrayList<>(n);
            List<Ufid> ufids = new ArrayList<>(n);
            Actions out = Actions.builder().output(b1).build();
            for (int i = 0; i < n; i++) {
                Megaflow f = Flows.on(b0).ipv4(6).exact(Field.IPV4_SRC, 0x0a000000L + i).exact(Field.IPV4_DST, 0x0ac80001L)
                        .exact(Field.TP_SRC, 1024 + (i % 60000)).exact(Field.TP_DST, 80).actions(out).build();
                flows.add(f);
                ufids.add(f.ufid());
            }
            double[] ours = new double[3];
            try (TcOffload tc = ns.call(() -> TcOffload.open(TcPolicy.SKIP_HW, TcPorts.IDENTITY))) {
                // Warm-up (qdisc, prio, JIT): a daemon runs long; measure the steady state.
                List<Megaflow> warm = new ArrayList<>();
                for (int i = 0; i < Math.min(n, 3000); i++) {
                    warm.add(Flows.on(b0).ipv4(17).exact(Field.IPV4_SRC, 0x0b000000L + i).actions(out).build());
                }
                for (int round = 0; round < 2; round++) {
                    tc.installAll(warm, OffloadPreference.NEVER);
                    tc.dump(b0);
                    tc.deleteAll(warm.stream().map(Megaflow::ufid).toList());
                }
                tc.install(Flows.on(b0).ipv4(17).actions(out).build(), OffloadPreference.NEVER);
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
                List<TcOutcome> del = tc.deleteAll(ufids);
                long t3 = System.nanoTime();
                if (del.stream().anyMatch(o -> !o.ok())) {
                    throw new IllegalStateException("delete failed: " + del.stream().filter(o -> !o.ok()).findFirst().orElseThrow());
                }
                tc.deleteAllOurs(b0);
                ours[0] = (t1 - t0) / 1e9;
                ours[1] = (t2 - t1) / 1e9;
                ours[2] = (t3 - t2) / 1e9;
            }
            // iproute2: the same filters, one tc -batch for adds, one for deletes, one dump.
            StringBuilder add = new StringBuilder();
            StringBuilder delete = new StringBuilder();
            for (int i = 0; i < n; i++) {
                long src = 0x0a000000L + i;
                add.append("filter add dev b0 ingress prio 1 handle ").append(i + 1).append(" protocol ip flower skip_hw ip_proto tcp src_ip ")
                        .append(src >>> 24).append('.').append((src >>> 16) & 255).append('.').append((src >>> 8) & 255).append('.').append(src & 255)
                        .append(" dst_ip 10.200.0.1 src_port ").append(1024 + (i % 60000)).append(" dst_port 80 action mirred egress redirect dev b1 cookie ")
                        .append(HexFormat.of().formatHex(flows.get(i).ufid().toCookieBytes())).append(" skip_hw\n");
                delete.append("filter del dev b0 ingress prio 1 handle ").append(i + 1).append(" protocol ip flower\n");
            }
            Path addFile = Files.createTempFile("bench-add", ".tc");
            Path delFile = Files.createTempFile("bench-del", ".tc");
            Files.writeString(addFile, add);
            Files.writeString(delFile, delete);
            long t0 = System.nanoTime();
            Shell.sh("ip netns exec " + name + " tc -batch " + addFile);
            long t1 = System.nanoTime();
            Shell.sh("ip netns exec " + name + " tc -s filter show dev b0 ingress > /dev/null");
            long t2 = System.nanoTime();
            Shell.sh("ip netns exec " + name + " tc -batch " + delFile);
            long t3 = System.nanoTime();
            double[] tc = {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9};
            String[] ops = {"install", "dump+stats", "delete"};
            System.out.printf("%n%d flows (5-tuple, skip_hw, one prio)%n", n);
            System.out.printf("%-11s %12s %12s %14s %14s %8s%n", "op", "ours s", "tc -batch s", "ours flows/s", "tc flows/s", "ours/tc");
            for (int i = 0; i < 3; i++) {
                System.out.printf("%-11s %12.2f %12.2f %14.0f %14.0f %8.2f%n", ops[i], ours[i], tc[i], n / ours[i], n / tc[i], tc[i] / ours[i]);
            }
        }
    }
}
