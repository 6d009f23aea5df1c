package org.offloadbridge.benchmarks.pipeline;

import java.util.concurrent.TimeUnit;
import org.offloadbridge.upcall.pipeline.MacLearningTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * MAC learning on a full table, OVS's default 8,192 entries: every operation learns an address
 * the table has not seen, so it evicts one (the least recently learned) — a host churn, or the
 * flow-setup benchmark's 10,000 new source MACs. {@code refresh} learns an address already there
 * (the common case on a quiet bridge), for comparison.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar MacLearningBenchmark}; figures in
 * docs/benchmarks-pipeline.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MacLearningBenchmark {
    @Param({"8192"})
    public int entries;

    private MacLearningTable table;
    private long now = 1_000;
    private long nextMac;

    @Setup(Level.Trial)
    public void setUp() {
        table = new MacLearningTable(() -> now, 300_000, entries, e -> { });
        for (int i = 0; i < entries; i++) {
            now++;
            table.learn(0, 0x020000000000L + nextMac++, 1 + i % 8);
        }
    }

    @Benchmark
    public boolean learnNewOnFullTable() {
        now++;
        return table.learn(0, 0x020000000000L + (nextMac++ & 0xffffffffffL), 1 + (int) (nextMac & 7));
    }

    @Benchmark
    public boolean refresh() {
        now++;
        // an address learned in the last `entries` operations of this trial: present
        return table.learn(0, 0x020000000000L + ((nextMac - 1 - (now & 1023)) & 0xffffffffffL), 1 + (int) ((nextMac - 1 - (now & 1023)) & 7));
    }
}
