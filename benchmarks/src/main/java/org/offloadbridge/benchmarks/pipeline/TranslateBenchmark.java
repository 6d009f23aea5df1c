package org.offloadbridge.benchmarks.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.PortTable;
import org.offloadbridge.upcall.pipeline.Translation;
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
 * Translations per second on one thread: packet key → datapath actions + megaflow mask,
 * through a two-table pipeline of {@code rules} rules.
 *
 * <p>The rule set is shaped like a host's policy, not like a best case: table 0 is an ACL of
 * 5-tuple-ish rules over several masks (/32 and /24 sources, /16 and /32 destinations, with and
 * without tp_dst) that resubmits allowed traffic to table 1, a route table of /24 and /32
 * prefixes. That gives a realistic number of subtables (about a dozen) and exercises staged
 * lookup and the prefix tries. Packets are drawn so roughly half hit an ACL rule and half fall
 * through to the default.
 *
 * <p>Each call translates into the same {@link Translation}, as a handler thread does with its
 * batch's (the upcall path's form, which allocates nothing in steady state); until 2026-12-07
 * every call made a new one (~940–1,010 B), which only traces and tests still do.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TranslateBenchmark -prof gc};
 * figures in docs/benchmarks-pipeline.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class TranslateBenchmark {
    @Param({"100", "10000", "100000"})
    public int rules;

    private Pipeline pipeline;
    private FlowKey[] packets;
    private int next;
    private final Translation into = new Translation();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        List<BridgePort> ports = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            ports.add(new BridgePort("p" + i, i, 100 + i));
        }
        pipeline = new Pipeline(new PortTable(ports));
        Random r = new Random(42);
        StringBuilder sb = new StringBuilder();
        int acl = rules / 2;
        int routes = rules - acl - 2;
        int[] tp = {22, 80, 443, 8080, 53, 123};
        for (int i = 0; i < acl; i++) {
            int shape = i % 4;
            int prio = 1000 + r.nextInt(1000);
            String src = "10." + r.nextInt(64) + "." + r.nextInt(256) + "." + (shape == 0 ? r.nextInt(256) : 0);
            String dst = "10." + (64 + r.nextInt(64)) + "." + r.nextInt(256) + "." + r.nextInt(256);
            sb.append("table=0,priority=").append(prio).append(",tcp");
            switch (shape) {
                case 0 -> sb.append(",nw_src=").append(src).append(",nw_dst=").append(dst).append(",tp_dst=").append(tp[r.nextInt(tp.length)]);
                case 1 -> sb.append(",nw_src=").append(src).append("/24,tp_dst=").append(tp[r.nextInt(tp.length)]);
                case 2 -> sb.append(",nw_src=").append(src).append("/24,nw_dst=").append(dst).append("/16");
                default -> sb.append(",nw_dst=").append(dst).append(",tp_dst=").append(tp[r.nextInt(tp.length)]);
            }
            sb.append(r.nextInt(5) == 0 ? ",actions=drop\n" : ",actions=resubmit(,1)\n");
        }
        sb.append("table=0,priority=0,ip,actions=resubmit(,1)\n");
        for (int i = 0; i < routes; i++) {
            boolean host = i % 3 == 0;
            sb.append("table=1,priority=").append(host ? 32 : 24).append(",ip,nw_dst=10.").append(64 + r.nextInt(64)).append('.')
                    .append(r.nextInt(256)).append('.').append(host ? r.nextInt(256) + "" : "0/24")
                    .append(",actions=dec_ttl,output:p").append(1 + r.nextInt(8)).append('\n');
        }
        sb.append("table=1,priority=0,actions=drop\n");
        pipeline.loadRulesFile(sb.toString());

        packets = new FlowKey[4096];
        for (int i = 0; i < packets.length; i++) {
            FlowKey k = new FlowKey();
            k.set(Field.IN_PORT, 101 + r.nextInt(8));
            k.set(Field.ETH_SRC, 0x020000000000L | r.nextInt(1000));
            k.set(Field.ETH_DST, 0x020000000000L | r.nextInt(1000));
            k.set(Field.ETH_TYPE, 0x0800);
            k.set(Field.NW_PROTO, 6);
            k.set(Field.NW_TTL, 64);
            k.set(Field.IPV4_SRC, (10L << 24) | r.nextInt(1 << 22));
            k.set(Field.IPV4_DST, (10L << 24) | ((64L + r.nextInt(64)) << 16) | r.nextInt(1 << 16));
            k.set(Field.TP_SRC, 1024 + r.nextInt(60000));
            k.set(Field.TP_DST, tp[r.nextInt(tp.length)]);
            packets[i] = k;
        }
    }

    @Benchmark
    public Translation translate() {
        FlowKey k = packets[next];
        next = (next + 1) & (packets.length - 1);
        return pipeline.translate(k, false, into);
    }
}
