package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class ActionsUfidMegaflowTest {

    @Test
    void emptyListIsDrop() {
        Actions a = Actions.builder().build();
        assertSame(Actions.DROP, a);
        assertTrue(a.isDrop());
        assertEquals("drop", a.toString());
        assertTrue(a.isOffloadable());
    }

    @Test
    void encodedProgramRoundTripsThroughValues() {
        Actions a = Actions.builder()
                .pushVlan(0x8100, 10, 3)
                .output(3)
                .popVlan()
                .beginSet(KeyAttr.IPV4, true).field(Field.IPV4_SRC, 0x0a000063L, 0xffffff00L).field(Field.NW_TTL, 63, 0xff).endSet()
                .setTunnelIpv4(0x5, 0x0a000001, 0x0a000002, 0, 64, 0, 4789, FlowKey.TUN_F_DONT_FRAGMENT)
                .output(7)
                .userspace(42, "")
                .build();
        assertEquals(7, a.size());
        List<Action> v = a.toList();
        assertEquals(new Action.PushVlan(0x8100, 10, 3), v.get(0));
        assertEquals(new Action.Output(3), v.get(1));
        assertEquals(new Action.PopVlan(), v.get(2));
        Action.SetField s = (Action.SetField) v.get(3);
        assertEquals(KeyAttr.IPV4, s.attr());
        assertTrue(s.masked());
        assertEquals(List.of(new Action.FieldValue(Field.IPV4_SRC, 0x0a000063L, 0xffffff00L), new Action.FieldValue(Field.NW_TTL, 63, 0xff)), s.fields());
        assertEquals(new Action.Userspace(42, ""), v.get(6));
        assertFalse(a.isOffloadable());
        assertEquals(a, Actions.of(v));
        assertEquals(a.hashCode(), Actions.of(v).hashCode());

        // the walk the DPDK datapath does: header, length, no objects
        int outputs = 0;
        for (int pc = 0; pc < a.programLength(); pc += Actions.length(a.word(pc))) {
            if (Actions.type(a.word(pc)) == Actions.OUTPUT) {
                outputs += Actions.arg(a.word(pc));
            }
        }
        assertEquals(10, outputs);
    }

    @Test
    void builderRejectsMisuse() {
        assertThrows(IllegalStateException.class, () -> Actions.builder().field(Field.TP_DST, 1, -1));
        assertThrows(IllegalStateException.class, () -> Actions.builder().beginSet(KeyAttr.TCP, true).output(1));
        assertThrows(IllegalStateException.class, () -> Actions.builder().beginSet(KeyAttr.TCP, true).endSet());
        assertThrows(IllegalArgumentException.class, () -> Actions.builder().pushVlan(0x8100, 4096, 0));
    }

    @Test
    void ufidTextIsOvsForm() {
        Ufid u = Ufid.parse("ufid:5efba054-d68f-4ac3-a585-4d3fbf4d87ae");
        assertEquals(0x5efba054d68f4ac3L, u.hi());
        assertEquals(0xa5854d3fbf4d87aeL, u.lo());
        assertEquals("ufid:5efba054-d68f-4ac3-a585-4d3fbf4d87ae", u.toString());
        assertEquals(u, Ufid.parse("5efba054-d68f-4ac3-a585-4d3fbf4d87ae"));
        assertEquals("ufid:00000000-0000-0001-0000-000000000002", new Ufid(1, 2).toString());
        assertEquals(0x5efba054, u.u32(0));
        assertEquals(u, Ufid.fromCookieBytes(u.toCookieBytes()));
        assertEquals((byte) 0x54, u.toCookieBytes()[0], "u32[0] little-endian first");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ufid.parse("ufid:5efba054-d68f-4ac3-a585x4d3fbf4d87ae"));
        assertTrue(e.getMessage().contains("column 29"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ufid.parse("ufid:5efba054-d68f-4ac3-a585-4d3fbf4d87ag"));
        assertTrue(e.getMessage().contains("hex digit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ufid.parse("ufid:1234"));
    }

    @Test
    void ufidOfMatchIsDeterministicAndIgnoresWildcardedBits() {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.set(Field.IPV4_DST, 0x0a000001L);
        k.set(Field.TP_SRC, 999);
        m.setPrefix(Field.IPV4_DST, 24);
        Ufid a = Ufid.of(k, m);
        k.set(Field.TP_SRC, 1000);
        k.set(Field.IPV4_DST, 0x0a000002L);
        assertEquals(a, Ufid.of(k, m));
        m.setPrefix(Field.IPV4_DST, 32);
        assertNotEquals(a, Ufid.of(k, m));
        assertNotEquals(Ufid.random(), Ufid.random());
    }

    @Test
    void megaflowStoresMaskedCopies() {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.set(Field.IPV4_DST, 0x0a0000ffL);
        k.set(Field.TP_DST, 80);
        m.setPrefix(Field.IPV4_DST, 24);
        Megaflow f = Megaflow.of(k, m, Actions.builder().output(2).build());
        k.set(Field.IPV4_DST, 0);
        m.setAll();
        assertEquals(0x0a000000L, f.key().get(Field.IPV4_DST));
        assertEquals(0, f.key().get(Field.TP_DST));
        assertEquals(24, f.mask().prefixLength(Field.IPV4_DST));
        FlowKey p = new FlowKey();
        p.set(Field.IPV4_DST, 0x0a000017L);
        p.set(Field.TP_DST, 443);
        assertTrue(f.matches(p));
        p.set(Field.IPV4_DST, 0x0a000117L);
        assertFalse(f.matches(p));
        Megaflow g = f.withActions(Actions.DROP);
        assertEquals(f.ufid(), g.ufid());
        assertEquals(Actions.DROP, g.actions());
    }

    /**
     * Megaflows of one mask shape share one mask instance (memory at 200,000 flows), and the
     * shared mask is not the caller's: mutating what was passed in changes no megaflow.
     */
    @Test
    void megaflowsOfOneMaskShareItAndTheCallersMaskStaysTheirs() {
        FlowMask m = new FlowMask();
        m.setPrefix(Field.IPV4_DST, 24);
        m.setExact(Field.TP_DST);
        java.util.List<Megaflow> flows = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            FlowKey k = new FlowKey();
            k.set(Field.IPV4_DST, 0x0a000000L + ((long) i << 8));
            k.set(Field.TP_DST, 80 + i);
            flows.add(Megaflow.of(k, m, Actions.DROP));
        }
        for (Megaflow f : flows) {
            assertSame(flows.get(0).mask(), f.mask(), "one mask instance for one shape");
            assertNotSame(m, f.mask(), "never the caller's instance");
        }
        FlowMask before = flows.get(0).mask().copy();
        m.setAll();
        assertEquals(before, flows.get(0).mask(), "the caller's later change reaches no megaflow");
        FlowMask other = new FlowMask();
        other.setPrefix(Field.IPV4_DST, 16);
        FlowKey k = new FlowKey();
        k.set(Field.IPV4_DST, 0x0a010000L);
        Megaflow o = Megaflow.of(k, other, Actions.DROP);
        assertNotSame(flows.get(0).mask(), o.mask());
        assertEquals(16, o.mask().prefixLength(Field.IPV4_DST));
        assertSame(o.mask(), o.withActions(Actions.builder().output(1).build()).mask(), "a modify keeps the mask");
        // equal action lists are one instance too, built apart or not
        Megaflow a = Megaflow.of(k, other, Actions.builder().output(7).build());
        Megaflow b = Megaflow.of(k, m, Actions.builder().output(7).build());
        assertSame(a.actions(), b.actions());
        assertSame(a.actions(), o.withActions(Actions.builder().output(7).build()).actions());
        assertNotSame(a.actions(), Megaflow.of(k, m, Actions.builder().output(8).build()).actions());
    }

    /**
     * A reused builder hands back the list it built before when it builds an equal one (no
     * allocation on the upcall path), and never a different list: over many random lists,
     * far more than its table holds, each build equals what a fresh builder makes.
     */
    @Test
    void aReusedBuilderReturnsEqualListsOnlyAndSharesRepeats() {
        Actions.Builder reused = Actions.builder();
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            int port = r.nextInt(300);
            boolean vlan = r.nextBoolean();
            boolean set = r.nextInt(4) == 0;
            Actions.Builder fresh = Actions.builder();
            for (Actions.Builder b : List.of(reused.reset(), fresh)) {
                if (vlan) {
                    b.pushVlan(0x8100, port & 0xfff, 0);
                }
                if (set) {
                    b.setField(KeyAttr.IPV4, Field.NW_TTL, port & 0xff);
                }
                b.output(port);
            }
            Actions got = reused.build();
            Actions want = fresh.build();
            assertEquals(want, got, "list " + i);
            assertEquals(want.toString(), got.toString());
        }
        reused.reset().output(5);
        Actions first = reused.build();
        reused.reset().output(5);
        assertSame(first, reused.build(), "an equal list built again is the same instance");
        reused.reset().output(6);
        assertNotEquals(first, reused.build());
        assertSame(Actions.DROP, reused.reset().build(), "an empty list is drop");
        // userspace actions carry text and are never shared
        reused.reset().userspace(7, "a");
        Actions ua = reused.build();
        reused.reset().userspace(7, "b");
        assertNotEquals(ua, reused.build());
    }
}

