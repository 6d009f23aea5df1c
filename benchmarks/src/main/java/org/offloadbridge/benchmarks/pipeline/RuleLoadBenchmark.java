package org.offloadbridge.benchmarks.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.PortTable;
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
 * Control-plane costs of the rule pipeline: loading a rules file of {@code rules} /24 and /32
 * routes (parse everything, build the classifier, swap), and adding one rule to table 0 of
 * a pipeline that holds them in table 1 (only table 0 is rebuilt).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RuleLoadBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class RuleLoadBenchmark {
    @Param({"10000", "100000"})
    public int rules;

    private String file;
    private Pipeline pipeline;
    private int added;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        List<BridgePort> ports = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            ports.add(new BridgePort("p" + i, i, 100 + i));
        }
        pipeline = new Pipeline(new PortTable(ports));
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rules; i++) {
            boolean host = i % 3 == 0;
            sb.append("table=1,priority=").append(host ? 32 : 24).append(",ip,nw_dst=10.").append(r.nextInt(256)).append('.')
                    .append(r.nextInt(256)).append('.').append(host ? r.nextInt(256) + "" : "0/24")
                    .append(",actions=dec_ttl,output:p").append(1 + r.nextInt(8)).append('\n');
        }
        file = sb.toString();
        pipeline.loadRulesFile(file);
    }

    @Benchmark
    public Object loadRulesFile() throws Exception {
        return pipeline.loadRulesFile(file);
    }

    @Benchmark
    public Object addOneRuleNextToThem() throws Exception {
        return pipeline.addRule("table=0,priority=" + (added++ & 0xffff) + ",ip,actions=resubmit(,1)");
    }
}
