package org.offloadbridge.benchmarks.dpdk;

import java.util.concurrent.TimeUnit;
import org.offloadbridge.dpdk.PmdThread;
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
 * One PMD thread forwarding 64-byte packets of N distinct flows (one megaflow each) from a
 * net_pcap replay to net_null, driven by JMH on the benchmark thread (registered with EAL, as a
 * runner would be). Score = packets per second; with {@code -prof gc}, gc.alloc.rate.norm is
 * bytes allocated per packet (0 expected).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar DpdkPmdBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class DpdkPmdBenchmark {

    static final int PACKETS = 32 * 32;

    @Param({"1", "1000", "100000"})
    public int flows;

    DpdkBench bench;
    PmdThread pmd;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        bench = new DpdkBench(flows, flows);
        bench.eal.registerThread();
        pmd = bench.dp.pmds().get(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        bench.close();
    }

    /** 32 bursts of 32 packets (net_pcap's infinite replay always fills a burst). */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public int forward() {
        int n = 0;
        while (n < PACKETS) {
            n += pmd.doWork();
        }
        return n;
    }
}
