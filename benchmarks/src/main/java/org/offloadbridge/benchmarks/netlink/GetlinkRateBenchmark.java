package org.offloadbridge.benchmarks.netlink;

import java.util.concurrent.TimeUnit;
import org.offloadbridge.netlink.BatchResult;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.RtnlLinks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Requests per second for 10,000 RTM_GETLINK (of {@code lo}, ifindex 1, in the caller's
 * namespace: read-only) against the running kernel: one request per sendmsg, waiting for
 * each ack, versus batches of {@code batchSize} requests per sendmsg with acks matched by
 * sequence number. One invocation = 10,000 requests, so the reported ops/s are requests/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class GetlinkRateBenchmark {
    static final int REQUESTS = 10_000;

    @Param({"100", "1000"})
    public int batchSize;

    private NetlinkConnection route;
    private final NetlinkMessageWriter one = new NetlinkMessageWriter(64);
    private final NetlinkMessageWriter all = new NetlinkMessageWriter(48 * REQUESTS);
    private final BatchResult result = new BatchResult();

    @Setup(Level.Trial)
    public void open() {
        route = NetlinkConnection.open(NetlinkProtocol.ROUTE).maxMessagesPerSend(batchSize);
        RtnlLinks.encodeGet(one, 1, null);
        for (int i = 0; i < REQUESTS; i++) {
            RtnlLinks.encodeGet(all, 1, null);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        route.close();
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public void onePerSyscall() {
        for (int i = 0; i < REQUESTS; i++) {
            route.request("getlink lo", one);
        }
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public int batched() {
        route.batch("getlink lo", all, null, result);
        if (result.failureCount() != 0) {
            throw result.exception(firstFailure());
        }
        return result.size();
    }

    private int firstFailure() {
        for (int i = 0; i < result.size(); i++) {
            if (!result.ok(i)) {
                return i;
            }
        }
        return -1;
    }
}
