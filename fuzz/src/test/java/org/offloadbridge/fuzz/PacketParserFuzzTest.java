package org.offloadbridge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.PacketParser;
import org.offloadbridge.flow.ParseStatus;

/**
 * Frames as the slow path and the DPDK path receive them. Property (PacketParser's contract):
 * {@link PacketParser#parse} never throws, returns a {@link ParseStatus} code, and reads the
 * same key from a heap array as from native memory (the DPDK path's mbufs) — at offset 0 and
 * at an odd offset inside a larger segment, so no read strays outside the frame.
 */
class PacketParserFuzzTest {
    private final FlowKey heap = new FlowKey();
    private final FlowKey nativeKey = new FlowKey();

    @FuzzTest
    void frame(byte[] data) {
        int status = PacketParser.parse(data, 3, heap);
        NetlinkMessagesFuzzTest.check(status >= 0 && status < ParseStatus.COUNT, "status " + status);
        try (Arena arena = Arena.ofConfined()) {
            // the frame at offset 7 of a segment with 0xff bytes around it
            MemorySegment seg = arena.allocate(data.length + 16);
            seg.fill((byte) 0xff);
            MemorySegment.copy(MemorySegment.ofArray(data), 0, seg, 7, data.length);
            int s2 = PacketParser.parse(seg, 7, data.length, 3, nativeKey);
            NetlinkMessagesFuzzTest.check(s2 == status, "status " + status + " from the array, " + s2 + " from native memory");
            NetlinkMessagesFuzzTest.check(heap.equals(nativeKey), "keys differ between array and native memory:\n  "
                    + heap + "\n  " + nativeKey);
        }
    }
}
