package org.offloadbridge.benchmarks.flow;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.PacketParser;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PacketParser#parse} cost per packet, frame in native memory (as a DPDK mbuf) or on
 * the heap, for a few frame shapes. Allocation per packet must read 0 B/op under
 * {@code -prof gc}. Figures: docs/benchmarks-flow.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketParseBenchmark {

    @Param({"ipv4_tcp", "ipv6_ext_tcp", "qinq_ipv4_udp", "arp"})
    public String frame;

    @Param({"native", "heap"})
    public String memory;

    private Arena arena;
    private MemorySegment seg;
    private int length;
    private final FlowKey key = new FlowKey();

    @Setup(Level.Trial)
    public void setup() {
        byte[] f = frame(frame);
        length = f.length;
        if (memory.equals("native")) {
            arena = Arena.ofConfined();
            seg = arena.allocate(2048, 64);
            MemorySegment.copy(f, 0, seg, ValueLayout.JAVA_BYTE, 128, f.length); // 128 = RTE_PKTMBUF_HEADROOM
        } else {
            byte[] buf = new byte[2048];
            System.arraycopy(f, 0, buf, 128, f.length);
            seg = MemorySegment.ofArray(buf);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (arena != null) {
            arena.close();
        }
    }

    @Benchmark
    public int parse() {
        return PacketParser.parse(seg, 128, length, 1, key) + key.tpDst();
    }

    static byte[] frame(String kind) {
        ByteBuffer b = ByteBuffer.allocate(256);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        switch (kind) {
            case "ipv4_tcp" -> {
                b.putShort((short) 0x0800);
                ipv4(b, 6, 20);
                tcp(b);
            }
            case "ipv6_ext_tcp" -> {
                b.putShort((short) 0x86dd);
                b.putInt(0x60000000).putShort((short) (8 + 8 + 20)).put((byte) 0).put((byte) 64);
                b.putLong(0xfd00000000000000L).putLong(1).putLong(0xfd00000000000000L).putLong(2);
                b.put((byte) 60).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0}); // hop-by-hop, PadN
                b.put((byte) 6).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0});  // dest opts, PadN
                tcp(b);
            }
            case "qinq_ipv4_udp" -> {
                b.putShort((short) 0x88a8).putShort((short) 100).putShort((short) 0x8100).putShort((short) 200).putShort((short) 0x0800);
                ipv4(b, 17, 8);
                b.putShort((short) 5000).putShort((short) 53).putShort((short) 8).putShort((short) 0);
            }
            case "arp" -> {
                b.putShort((short) 0x0806);
                b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
                b.put(new byte[] {2, 0, 0, 0, 0, 1}).putInt(0x0a000001).put(new byte[6]).putInt(0x0a000002);
            }
            default -> throw new IllegalArgumentException(kind);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static void ipv4(ByteBuffer b, int proto, int l4len) {
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4len)).putInt(0).put((byte) 64).put((byte) proto).putShort((short) 0);
        b.putInt(0x0a000001).putInt(0x0a000002);
    }

    private static void tcp(ByteBuffer b) {
        b.putShort((short) 40000).putShort((short) 80).putInt(1).putInt(0).putShort((short) 0x5002).putShort((short) 65535).putInt(0);
    }
}
