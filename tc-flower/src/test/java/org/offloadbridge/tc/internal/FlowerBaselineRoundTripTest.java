package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.PacketParser;
import org.offloadbridge.flow.ParseStatus;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.tc.TcPorts;

/**
 * Megaflows as the upcall handler builds them — a key from {@link PacketParser} on a real
 * frame, a mask from {@link FlowMask#setDatapathBaseline} plus what the rules consulted —
 * encode to a flower filter that decodes back to exactly the same megaflow. Also what a
 * megaflow without the baseline decodes to (itself plus the bits flower implies), and that
 * the decoded form is a fixed point.
 */
class FlowerBaselineRoundTripTest {
    private static final int PORT = 3;
    private static final long DST = 0x020000000002L;
    private static final long SRC = 0x020000000001L;

    // ------------------------------------------------------------------ frames

    /** Ethernet header with the given tags (tpid, tci pairs) and ethertype. */
    private static ByteArrayOutputStream eth(int ethType, int... tags) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        put(b, DST, 6);
        put(b, SRC, 6);
        for (int i = 0; i < tags.length; i += 2) {
            put(b, tags[i], 2);
            put(b, tags[i + 1], 2);
        }
        put(b, ethType, 2);
        return b;
    }

    private static void put(ByteArrayOutputStream b, long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            b.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    /** IPv4/UDP 10.0.0.1:1000 → 10.0.0.2:53; {@code fragWord} is flags|offset (0x2000 = MF). */
    private static byte[] ipv4Udp(int fragWord, int... tags) {
        ByteArrayOutputStream b = eth(0x0800, tags);
        put(b, 0x4500, 2);
        put(b, 20 + 8, 2);
        put(b, 0x1234, 2);
        put(b, fragWord, 2);
        put(b, 64, 1);
        put(b, 17, 1);
        put(b, 0, 2); // checksum: the parser doesn't check it
        put(b, 0x0a000001L, 4);
        put(b, 0x0a000002L, 4);
        udp(b);
        return b.toByteArray();
    }

    private static void udp(ByteArrayOutputStream b) {
        put(b, 1000, 2);
        put(b, 53, 2);
        put(b, 8, 2);
        put(b, 0, 2);
    }

    /** IPv6/UDP 2001:db8::1 → 2001:db8::2, optionally behind a fragment header ({@code fragOff} ≥ 0). */
    private static byte[] ipv6Udp(int fragOff) {
        ByteArrayOutputStream b = eth(0x86dd);
        put(b, 0x60000000L, 4);
        put(b, 8 + (fragOff >= 0 ? 8 : 0), 2);
        put(b, fragOff >= 0 ? 44 : 17, 1);
        put(b, 64, 1);
        put(b, 0x20010db800000000L, 8);
        put(b, 1, 8);
        put(b, 0x20010db800000000L, 8);
        put(b, 2, 8);
        if (fragOff >= 0) {
            put(b, 17, 1);
            put(b, 0, 1);
            put(b, (fragOff << 3) | (fragOff == 0 ? 1 : 0), 2); // offset in 8-byte units, M flag on the first
            put(b, 0xabcd, 4);
        }
        udp(b);
        return b.toByteArray();
    }

    private static byte[] arpRequest() {
        ByteArrayOutputStream b = eth(0x0806);
        put(b, 1, 2);
        put(b, 0x0800, 2);
        put(b, 6, 1);
        put(b, 4, 1);
        put(b, 1, 2);
        put(b, SRC, 6);
        put(b, 0x0a000001L, 4);
        put(b, 0, 6);
        put(b, 0x0a000002L, 4);
        return b.toByteArray();
    }

    // ------------------------------------------------------------------ round trips

    static Stream<Arguments> frames() {
        return Stream.of(
                Arguments.of("untagged ipv4 udp", ipv4Udp(0)),
                Arguments.of("untagged ipv4 first fragment", ipv4Udp(0x2000)),
                Arguments.of("untagged ipv4 later fragment", ipv4Udp(185)),
                Arguments.of("untagged ipv4 last fragment", ipv4Udp(370)),
                Arguments.of("untagged ipv6 udp", ipv6Udp(-1)),
                Arguments.of("untagged ipv6 first fragment", ipv6Udp(0)),
                Arguments.of("untagged ipv6 later fragment", ipv6Udp(100)),
                Arguments.of("untagged arp", arpRequest()),
                Arguments.of("802.1Q ipv4 udp", ipv4Udp(0, 0x8100, 0x6014)),
                Arguments.of("802.1Q ipv4 later fragment", ipv4Udp(185, 0x8100, 20)),
                Arguments.of("802.1ad ipv4 udp", ipv4Udp(0, 0x88a8, 7)),
                Arguments.of("qinq ipv4 udp", ipv4Udp(0, 0x88a8, 10, 0x8100, 0xa014)),
                Arguments.of("qinq ipv4 first fragment", ipv4Udp(0x2000, 0x88a8, 10, 0x8100, 20)));
    }

    private static FlowKey parse(byte[] frame) {
        FlowKey k = new FlowKey();
        assertEquals(ParseStatus.OK, PacketParser.parse(frame, PORT, k));
        return k;
    }

    private static Megaflow roundTrip(Megaflow f) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        new FlowerEncoder(TcPorts.IDENTITY).encode(w, 0, f, f.key().inPort(), 1, 1, 0, 0);
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        c.next();
        DecodedFilter d = new FlowerDecoder(TcPorts.IDENTITY).decode(c.message());
        assertNull(d.why());
        assertNotNull(d.flow());
        return d.flow();
    }

    private static final Actions OUT = Actions.builder().output(2).build();

    @ParameterizedTest(name = "{0}, baseline only")
    @MethodSource("frames")
    void baselineOnlyRoundTrips(String name, byte[] frame) {
        FlowKey packet = parse(frame);
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(packet);
        Megaflow f = Megaflow.of(packet, m, OUT);
        assertTrue(f.matches(packet), name);
        assertTrue(f.mask().hasDatapathBaseline(f.key()), name + ": TcOffload takes such a flow as its own canonical form");
        assertEquals(f, roundTrip(f), name);
    }

    @ParameterizedTest(name = "{0}, baseline and rule fields")
    @MethodSource("frames")
    void baselineWithRuleFieldsRoundTrips(String name, byte[] frame) {
        FlowKey packet = parse(frame);
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(packet);
        // What a typical rule set consults: L2 addresses, VLAN ids, L3 addresses/protocol, and
        // L4 ports where the packet has them (not on later fragments).
        m.setExact(Field.ETH_DST);
        m.setPrefix(Field.ETH_SRC, 24);
        if (packet.hasVlan()) {
            m.setExact(Field.VLAN0_VID);
            m.setExact(Field.VLAN0_PCP);
        }
        if (packet.hasTwoVlans()) {
            m.setExact(Field.VLAN1_VID);
        }
        int type = packet.ethType();
        long frag = packet.get(Field.NW_FRAG);
        if (type == 0x0800) {
            m.setExact(Field.NW_PROTO);
            m.setPrefix(Field.IPV4_DST, 24);
            m.setExact(Field.IPV4_SRC);
        } else if (type == 0x86dd) {
            m.setExact(Field.NW_PROTO);
            m.setPrefix128(Field.IPV6_DST_HI, Field.IPV6_DST_LO, 64);
        } else if (type == 0x0806) {
            m.setExact(Field.ARP_OP);
            m.setExact(Field.ARP_TPA);
        }
        if ((type == 0x0800 || type == 0x86dd) && (frag & FlowKey.FRAG_LATER) == 0) {
            m.setExact(Field.TP_DST);
        }
        Megaflow f = Megaflow.of(packet, m, OUT);
        assertTrue(f.matches(packet), name);
        assertEquals(f, roundTrip(f), name);
    }

    @Test
    void parsedFragmentStatesAreTheOnesUnderTest() {
        // Guards the frames above: the cases really are no/first/later for both IP versions.
        assertEquals(FlowKey.FRAG_NO, parse(ipv4Udp(0)).get(Field.NW_FRAG));
        assertEquals(FlowKey.FRAG_FIRST, parse(ipv4Udp(0x2000)).get(Field.NW_FRAG));
        assertEquals(FlowKey.FRAG_LATER_FRAGMENT, parse(ipv4Udp(185)).get(Field.NW_FRAG));
        assertEquals(FlowKey.FRAG_FIRST, parse(ipv6Udp(0)).get(Field.NW_FRAG));
        assertEquals(FlowKey.FRAG_LATER_FRAGMENT, parse(ipv6Udp(100)).get(Field.NW_FRAG));
        assertTrue(parse(ipv4Udp(0, 0x88a8, 10, 0x8100, 20)).hasTwoVlans());
    }

    // ------------------------------------------------------------------ without the baseline

    /** A megaflow built field by field (no baseline helper): only what is set is matched. */
    private static Megaflow legacy(Object... fieldValue) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.set(Field.IN_PORT, PORT);
        m.setExact(Field.IN_PORT);
        for (int i = 0; i < fieldValue.length; i += 2) {
            Field f = (Field) fieldValue[i];
            k.set(f, ((Number) fieldValue[i + 1]).longValue());
            m.setExact(f);
        }
        return Megaflow.of(k, m, OUT);
    }

    private static Megaflow plus(Megaflow f, Field... exactZero) {
        FlowKey k = f.key().copy();
        FlowMask m = f.mask().copy();
        for (Field x : exactZero) {
            k.set(x, 0);
            m.setExact(x);
        }
        return new Megaflow(k, m, f.actions(), f.ufid());
    }

    @Test
    void withoutTheBaselineDecodeAddsWhatFlowerImplies() {
        // eth_type alone: protocol ip only sees untagged packets, in chain 0.
        Megaflow ip = legacy(Field.ETH_TYPE, 0x0800, Field.NW_PROTO, 17);
        Megaflow ipBack = roundTrip(ip);
        assertFalse(ip.mask().hasDatapathBaseline(ip.key()), "without it, TcOffload round-trips the flow to learn its form");
        assertEquals(plus(ip, Field.RECIRC_ID, Field.VLAN0_CFI, Field.VLAN0_TPID), ipBack);
        assertEquals(ipBack, roundTrip(ipBack), "the decoded form is canonical (a fixed point)");

        // The older "untagged" form (cfi only) and OVS's (tpid 0 only) encode alike.
        Megaflow cfiOnly = legacy(Field.ETH_TYPE, 0x0806, Field.VLAN0_CFI, 0);
        Megaflow tpidOnly = legacy(Field.ETH_TYPE, 0x0806, Field.VLAN0_TPID, 0);
        Megaflow arpBack = plus(cfiOnly, Field.RECIRC_ID, Field.VLAN0_TPID);
        assertEquals(arpBack, roundTrip(cfiOnly));
        assertEquals(new Megaflow(arpBack.key(), arpBack.mask(), OUT, tpidOnly.ufid()), roundTrip(tpidOnly));

        // No ethertype, "no tag": protocol all + num_of_vlans 0.
        Megaflow noTag = legacy(Field.VLAN0_TPID, 0, Field.ETH_DST, DST);
        assertEquals(plus(noTag, Field.RECIRC_ID, Field.VLAN0_CFI), roundTrip(noTag));

        // One tag, known inner ethertype: "no second tag"; tpid 0x8100 when not given.
        Megaflow tagged = legacy(Field.VLAN0_CFI, 1, Field.VLAN0_VID, 5, Field.ETH_TYPE, 0x86dd);
        FlowKey tk = tagged.key().copy();
        FlowMask tm = tagged.mask().copy();
        tk.set(Field.VLAN0_TPID, 0x8100);
        tm.setExact(Field.VLAN0_TPID);
        assertEquals(plus(new Megaflow(tk, tm, OUT, tagged.ufid()), Field.RECIRC_ID, Field.VLAN1_CFI, Field.VLAN1_TPID), roundTrip(tagged));

        // "Not a fragment" as is_fragment alone (mask 0x1) is the same match as frag=no (0x3).
        FlowKey fk = ip.key().copy();
        FlowMask fm = ip.mask().copy();
        fm.unwildcard(Field.NW_FRAG, FlowKey.FRAG_ANY);
        Megaflow notFrag = new Megaflow(fk, fm, OUT, ip.ufid());
        assertEquals(plus(notFrag, Field.RECIRC_ID, Field.VLAN0_CFI, Field.VLAN0_TPID, Field.NW_FRAG), roundTrip(notFrag));

        // An IP flow without nw_frag matches every fragment state: it stays wildcarded.
        assertTrue(ipBack.mask().isWildcard(Field.NW_FRAG));
    }

    @Test
    void contradictoryTagPresenceIsRefused() {
        FlowerEncoder enc = new FlowerEncoder(TcPorts.IDENTITY);
        // Tag present but tpid 0.
        Refusal r = assertThrows(Refusal.class, () -> enc.encode(new NetlinkMessageWriter(256), 0,
                legacy(Field.VLAN0_CFI, 1, Field.VLAN0_TPID, 0, Field.ETH_TYPE, 0x0800), PORT, 1, 0, 0, 0));
        assertTrue(r.detail().contains("vlan0_tpid"), r.detail());
        // No tag but a tpid.
        r = assertThrows(Refusal.class, () -> enc.encode(new NetlinkMessageWriter(256), 0,
                legacy(Field.VLAN0_CFI, 0, Field.VLAN0_TPID, 0x8100, Field.ETH_TYPE, 0x0800), PORT, 1, 0, 0, 0));
        assertTrue(r.detail().contains("vlan0_tpid"), r.detail());
        // No second tag but a second tpid.
        r = assertThrows(Refusal.class, () -> enc.encode(new NetlinkMessageWriter(256), 0,
                legacy(Field.VLAN0_CFI, 1, Field.VLAN0_TPID, 0x8100, Field.VLAN1_CFI, 0, Field.VLAN1_TPID, 0x8100, Field.ETH_TYPE, 0x0800),
                PORT, 1, 0, 0, 0));
        assertTrue(r.detail().contains("vlan1_tpid"), r.detail());
        // A tpid without the tag's presence.
        r = assertThrows(Refusal.class, () -> enc.encode(new NetlinkMessageWriter(256), 0,
                legacy(Field.VLAN0_TPID, 0x8100, Field.ETH_TYPE, 0x0800), PORT, 1, 0, 0, 0));
        assertTrue(r.detail().contains("tpid"), r.detail());
    }

    @Test
    void aKnownFilterIsReadForItsCookieAndCountersOnlyAndAStrangerInFull() {
        FlowKey packet = parse(ipv4Udp(0));
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(packet);
        Megaflow f = Megaflow.of(packet, m, OUT);
        Megaflow cached = Megaflow.of(packet, m, Actions.builder().output(7).build()); // told apart from a real decode
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        int ifindex = f.key().inPort();
        new FlowerEncoder(TcPorts.IDENTITY).encode(w, 0, f, ifindex, 5, 9, 0, 0);
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        c.next();
        FlowerDecoder d = new FlowerDecoder(TcPorts.IDENTITY);
        DecodedFilter same = d.decode(c.message(), (ufid, ifx, prio, handle) ->
            ufid.equals(f.ufid()) && ifx == ifindex && prio == 5 && handle == 9 ? cached : null);
        assertSame(cached, same.flow(), "same identity, same cookie: the flow as installed");
        assertEquals(f.ufid(), same.ufid());
        DecodedFilter other = d.decode(c.message(), (ufid, ifx, prio, handle) -> null);
        assertEquals(f, other.flow(), "an identity we don't hold is decoded in full");
    }
}
