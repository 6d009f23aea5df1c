package org.offloadbridge.benchmarks.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.offloadbridge.daemon.metrics.DaemonMetrics;
import org.offloadbridge.daemon.metrics.FakeSources;
import org.offloadbridge.daemon.metrics.MetricsServer;
import org.offloadbridge.daemon.metrics.Scrapes;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code /metrics} scrape rendered, as the endpoint renders it: the JVM's meters and the
 * daemon's (every series of every metric present: {@link FakeSources#everything()}), over a
 * ukey table of {@code flows} flows spread over the four layers and three ports. Issue 13 asks
 * for under 50 ms and no growth with the flow count: nothing in a scrape walks the flows.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ScrapeBenchmark -prof gc};
 * figures in docs/benchmarks-metrics.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Threads(1)
public class ScrapeBenchmark {
    @Param({"100", "100000"})
    public int flows;

    private PrometheusMeterRegistry registry;
    private Scrapes scrapes;
    private PrometheusMeterRegistry daemonOnly;
    private Scrapes daemonOnlyScrapes;

    @Setup(Level.Trial)
    public void setUp() {
        FakeSources s = new FakeSources().everything();
        s.flows(flows - s.ukeys.size());
        if (s.ukeys.size() != flows) {
            throw new IllegalStateException("table of " + s.ukeys.size() + " flows, wanted " + flows);
        }
        registry = MetricsServer.newRegistry();
        scrapes = new Scrapes();
        DaemonMetrics.bind(registry, scrapes, s);
        daemonOnly = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        daemonOnlyScrapes = new Scrapes();
        DaemonMetrics.bind(daemonOnly, daemonOnlyScrapes, s);
    }

    /** The whole endpoint: the JVM's meters and the daemon's. */
    @Benchmark
    public String scrape() {
        return scrapes.scrape(registry);
    }

    /** The daemon's meters alone: what this project adds to a scrape. */
    @Benchmark
    public String scrapeDaemonMetricsOnly() {
        return daemonOnlyScrapes.scrape(daemonOnly);
    }
}
