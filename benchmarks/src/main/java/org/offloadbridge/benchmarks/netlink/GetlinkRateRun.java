package org.offloadbridge.benchmarks.netlink;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.offloadbridge.netlink.BatchResult;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.RtnlLinks;

/**
 * Scripted companion to {@link GetlinkRateBenchmark} for a shared, noisy machine: besides
 * wall-clock requests/s it reports the calling thread's CPU time per request. The kernel
 * handles a netlink request synchronously inside sendmsg/recvmsg, so that CPU time (user +
 * system, from ThreadMXBean) covers our code and the kernel's and is far less disturbed by
 * other processes competing for the cores than wall time is.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar org.offloadbridge.benchmarks.netlink.GetlinkRateRun [rounds] [batchSize]
 * </pre>
 * Each round sends 10,000 RTM_GETLINK (ifindex 1, read-only) per mode; medians are printed.
 */
public final class GetlinkRateRun {
    private GetlinkRateRun() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int n = GetlinkRateBenchmark.REQUESTS;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (NetlinkConnection rt = NetlinkConnection.open(NetlinkProtocol.ROUTE).maxMessagesPerSend(batchSize)) {
            NetlinkMessageWriter one = new NetlinkMessageWriter(64);
            RtnlLinks.encodeGet(one, 1, null);
            NetlinkMessageWriter all = new NetlinkMessageWriter(48 * n);
            for (int i = 0; i < n; i++) {
                RtnlLinks.encodeGet(all, 1, null);
            }
            BatchResult result = new BatchResult();
            long[][] wall = new long[2][rounds];
            long[][] cpu = new long[2][rounds];
            for (int warm = 0; warm < 3; warm++) {
                for (int i = 0; i < n; i++) {
                    rt.request("getlink", one);
                }
                rt.batch("getlink", all, null, result).throwIfFailed();
            }
            for (int r = 0; r < rounds; r++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    rt.request("getlink", one);
                }
                wall[0][r] = System.nanoTime() - t0;
                cpu[0][r] = mx.getCurrentThreadCpuTime() - c0;
                c0 = mx.getCurrentThreadCpuTime();
                t0 = System.nanoTime();
                rt.batch("getlink", all, null, result).throwIfFailed();
                wall[1][r] = System.nanoTime() - t0;
                cpu[1][r] = mx.getCurrentThreadCpuTime() - c0;
            }
            String[] names = {"one-per-syscall", "batched(" + batchSize + "/sendmsg)"};
            for (int m = 0; m < 2; m++) {
                long w = median(wall[m]);
                long c = median(cpu[m]);
                System.out.printf("%-24s %9.0f requests/s wall   %6.2f us CPU/request   (median of %d rounds of %d)%n",
                        names[m], n * 1e9 / w, c / 1e3 / n, rounds, n);
            }
        }
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
