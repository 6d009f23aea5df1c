package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_SW;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.tc.TcPorts;

/**
 * The shape an echo vouches for: the request's skeleton (attributes, nesting, lengths, action
 * kinds) — equal for requests that differ only in values, different as soon as one attribute,
 * one action kind or the skip flags differ. A shape nobody vouched for always asks for its echo.
 */
class FilterShapesTest {
    private final FlowerEncoder encoder = new FlowerEncoder(TcPorts.IDENTITY);
    private final NetlinkMessageWriter w = new NetlinkMessageWriter(4096);
    private final FilterShapes shapes = new FilterShapes();

    private byte[] shapeOf(Megaflow f, int clsFlags) {
        w.reset();
        encoder.encode(w, 0, f, f.key().inPort(), 3, 7, clsFlags, 0);
        return shapes.unverified(w.buffer(), 0, w.length(), clsFlags);
    }

    private static Megaflow tcp(int in, long src, long dst, int sport, int dport, int out) {
        return Flows.on(in).ipv4(6).exact(Field.IPV4_SRC, src).exact(Field.IPV4_DST, dst).exact(Field.TP_SRC, sport).exact(Field.TP_DST, dport)
                .actions(Actions.builder().output(out).build()).build();
    }

    @Test
    void oneEchoVouchesForEveryRequestThatDiffersOnlyInValues() {
        byte[] first = shapeOf(tcp(2, 0x0a000001L, 0x0a000002L, 1000, 80, 3), TCA_CLS_FLAGS_SKIP_HW);
        assertNotNull(first, "a shape nobody vouched for asks for its echo");
        assertNotNull(shapeOf(tcp(2, 0x0a000001L, 0x0a000002L, 1000, 80, 3), TCA_CLS_FLAGS_SKIP_HW), "still, until its echo matched");
        shapes.verified(first);
        // Other addresses, ports, device, output port and ufid: the same shape; so is a prefix
        // where the first had an exact address (flower writes a mask either way).
        assertNull(shapeOf(tcp(5, 0xc0a80101L, 0x0a0000ffL, 65535, 443, 9), TCA_CLS_FLAGS_SKIP_HW));
        assertNull(shapeOf(Flows.on(2).ipv4(6).prefix(Field.IPV4_SRC, 0x0a000000L, 8).exact(Field.IPV4_DST, 2).exact(Field.TP_SRC, 3)
                .exact(Field.TP_DST, 4).actions(Actions.builder().output(5).build()).build(), TCA_CLS_FLAGS_SKIP_HW));
        assertNull(shapeOf(tcp(2, 0x0a000001L, 0x0a000002L, 1000, 80, 3), TCA_CLS_FLAGS_SKIP_HW));
        assertEquals(1, shapes.size());
    }

    @Test
    void anotherAttributeActionKindOrSkipFlagIsAnotherShape() {
        Megaflow base = tcp(2, 1, 2, 3, 4, 5);
        shapes.verified(shapeOf(base, TCA_CLS_FLAGS_SKIP_HW));
        Map<String, Megaflow> others = new HashMap<>();
        others.put("one more key (ip tos)", Flows.on(2).ipv4(6).exact(Field.IPV4_SRC, 1).exact(Field.IPV4_DST, 2).exact(Field.TP_SRC, 3)
                .exact(Field.TP_DST, 4).exact(Field.NW_TOS, 0x10).actions(Actions.builder().output(5).build()).build());
        others.put("one key fewer (no dst port)", Flows.on(2).ipv4(6).exact(Field.IPV4_SRC, 1).exact(Field.IPV4_DST, 2).exact(Field.TP_SRC, 3)
                .actions(Actions.builder().output(5).build()).build());
        others.put("udp ports, not tcp", Flows.on(2).ipv4(17).exact(Field.IPV4_SRC, 1).exact(Field.IPV4_DST, 2).exact(Field.TP_SRC, 3)
                .exact(Field.TP_DST, 4).actions(Actions.builder().output(5).build()).build());
        others.put("ipv6, not ipv4", Flows.on(2).ipv6(6).ipv6Src(0x20010db8L << 32, 1, 128).ipv6Dst(0x20010db8L << 32, 2, 128).exact(Field.TP_SRC, 3)
                .exact(Field.TP_DST, 4).actions(Actions.builder().output(5).build()).build());
        others.put("drop, not output", Flows.on(2).ipv4(6).exact(Field.IPV4_SRC, 1).exact(Field.IPV4_DST, 2).exact(Field.TP_SRC, 3)
                .exact(Field.TP_DST, 4).actions(Actions.DROP).build());
        others.put("two outputs", Flows.on(2).ipv4(6).exact(Field.IPV4_SRC, 1).exact(Field.IPV4_DST, 2).exact(Field.TP_SRC, 3)
                .exact(Field.TP_DST, 4).actions(Actions.builder().output(5).output(6).build()).build());
        others.put("a vlan push first", Flows.on(2).ipv4(6).exact(Field.IPV4_SRC, 1).exact(Field.IPV4_DST, 2).exact(Field.TP_SRC, 3)
                .exact(Field.TP_DST, 4).actions(Actions.builder().pushVlan(0x8100, 10, 0).output(5).build()).build());
        Set<String> skeletons = new HashSet<>();
        for (Map.Entry<String, Megaflow> e : others.entrySet()) {
            byte[] s = shapeOf(e.getValue(), TCA_CLS_FLAGS_SKIP_HW);
            assertNotNull(s, e.getKey() + ": not vouched for by the 5-tuple's echo");
            assertTrue(skeletons.add(java.util.HexFormat.of().formatHex(s)), e.getKey() + ": a shape of its own");
        }
        assertNotNull(shapeOf(base, TCA_CLS_FLAGS_SKIP_SW), "other skip flags: another shape");
        assertNotNull(shapeOf(base, 0), "no skip flags: another shape");
    }

    @Test
    void askingAboutAShapeVouchedForAllocatesNothing() {
        Megaflow f = tcp(2, 1, 2, 3, 4, 5);
        shapes.verified(shapeOf(f, TCA_CLS_FLAGS_SKIP_HW));
        w.reset();
        encoder.encode(w, 0, f, 2, 3, 7, TCA_CLS_FLAGS_SKIP_HW, 0);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                assertNull(shapes.unverified(w.buffer(), 0, w.length(), TCA_CLS_FLAGS_SKIP_HW));
            }
            least = Math.min(least, mx.getCurrentThreadAllocatedBytes() - before);
        }
        assertEquals(0, least, "bytes allocated by 10,000 lookups");
    }

    @Test
    void noMoreThanMaxShapesAreRemembered() {
        for (int i = 0; i < FilterShapes.MAX_SHAPES + 10; i++) {
            shapes.verified(new byte[] {(byte) i, (byte) (i >>> 8), 1});
        }
        assertEquals(FilterShapes.MAX_SHAPES, shapes.size());
    }
}
