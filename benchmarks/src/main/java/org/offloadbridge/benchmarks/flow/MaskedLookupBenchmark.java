package org.offloadbridge.benchmarks.flow;

import java.util.concurrent.TimeUnit;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-subtable work of a megaflow classifier over {@link FlowKey}: masked hash of the
 * packet key, then a masked compare with the stored key. Figures: docs/benchmarks-flow.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MaskedLookupBenchmark {
    private final FlowKey packet = new FlowKey();
    private final FlowKey stored = new FlowKey();
    private final FlowMask mask = new FlowMask();
    private long words;

    @Setup
    public void setup() {
        packet.set(Field.IN_PORT, 2);
        packet.set(Field.ETH_TYPE, 0x0800);
        packet.set(Field.IPV4_SRC, 0x0a000001L);
        packet.set(Field.IPV4_DST, 0x0a000002L);
        packet.set(Field.NW_PROTO, 6);
        packet.set(Field.TP_SRC, 40000);
        packet.set(Field.TP_DST, 80);
        mask.setExact(Field.IN_PORT);
        mask.setExact(Field.ETH_TYPE);
        mask.setPrefix(Field.IPV4_DST, 24);
        mask.setExact(Field.NW_PROTO);
        mask.setExact(Field.TP_DST);
        packet.and(mask, stored);
        words = mask.wordBitmap();
    }

    @Benchmark
    public boolean hashAndCompare() {
        int h = packet.maskedHash(mask);
        return (h != 0) & stored.maskedEquals(mask, packet);
    }

    /** The same, visiting only the mask's non-zero words (the bitmap a subtable computes once). */
    @Benchmark
    public boolean hashAndCompareWordBitmap() {
        int h = packet.maskedHash(mask, words);
        return (h != 0) & stored.maskedEquals(mask, packet, words);
    }
}
