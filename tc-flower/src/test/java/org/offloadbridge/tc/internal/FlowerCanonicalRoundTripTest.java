package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.PacketParser;
import org.offloadbridge.flow.ParseStatus;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.tc.TcPorts;
import org.offloadbridge.testkit.Cases;

/**
 * Megaflows the way the rule pipeline makes them — a key parsed from a real frame, the
 * datapath baseline, then the fields the rules consulted un-wildcarded whatever the packet
 * holds (an {@code normal} action pins vlan0 cfi+vid on an untagged packet, a VLAN rewrite pins
 * all eight tag fields, a staged lookup may pin a port on a later fragment or an ICMP type on
 * TCP) — survive encoder → decoder unchanged: same key, mask, actions and ufid. This is the
 * revalidator's question ("is what tc holds what I installed?") over random packets and masks.
 */
public class FlowerCanonicalRoundTripTest {
    private static final int PORT = 3;

    /** One generated case: the frame's shape and the fields its rules consulted. */
    public record Shape(int tags, int l3, int l4, int frag, int icmpType, boolean tunnel, List<Field> consulted, int actions) {
        @Override
        public String toString() {
            return "tags=" + tags + " l3=0x" + Integer.toHexString(l3) + " l4=" + l4 + " frag=" + frag + " icmpType=" + icmpType
                    + " tunnel=" + tunnel + " actions=" + actions + " consulted=" + consulted;
        }
    }

    /** Fields a rule may consult that flower can carry whenever the packet has them. */
    private static final Field[] CONSULTABLE = {
        Field.ETH_SRC, Field.ETH_DST,
        Field.VLAN0_CFI, Field.VLAN0_VID, Field.VLAN0_PCP, Field.VLAN0_TPID,
        Field.VLAN1_CFI, Field.VLAN1_VID, Field.VLAN1_PCP, Field.VLAN1_TPID,
        Field.NW_PROTO, Field.NW_TOS, Field.NW_TTL, Field.IPV4_SRC, Field.IPV4_DST,
        Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, Field.IPV6_DST_HI, Field.IPV6_DST_LO,
        Field.TP_SRC, Field.TP_DST, Field.TCP_FLAGS, Field.ICMP_TYPE, Field.ICMP_CODE,
        Field.ARP_OP, Field.ARP_SPA, Field.ARP_TPA, Field.ARP_SHA, Field.ARP_THA,
    };

    public static Shape shape(SplittableRandom r) {
        int tags = r.nextInt(3);
        int l3 = new int[] {EthType.IP, EthType.IPV6, EthType.ARP}[r.nextInt(3)];
        int l4 = new int[] {IpProto.TCP, IpProto.UDP, IpProto.SCTP, IpProto.ICMP, IpProto.ICMPV6}[r.nextInt(5)];
        int frag = l3 == EthType.ARP ? 0 : r.nextInt(3); // no, first, later
        int icmpType = new int[] {0, 8, 128, 129, 135}[r.nextInt(5)];
        boolean tunnel = r.nextInt(4) == 0;
        List<Field> consulted = new ArrayList<>();
        switch (r.nextInt(4)) {
            case 0 -> { // normal: L2 learning on the tag's id
                consulted.add(Field.ETH_SRC);
                consulted.add(Field.ETH_DST);
                consulted.add(Field.VLAN0_CFI);
                consulted.add(Field.VLAN0_VID);
            }
            case 1 -> { // a VLAN push/rewrite reads every tag field
                for (Field f : new Field[] {Field.VLAN0_CFI, Field.VLAN0_VID, Field.VLAN0_PCP, Field.VLAN0_TPID,
                        Field.VLAN1_CFI, Field.VLAN1_VID, Field.VLAN1_PCP, Field.VLAN1_TPID}) {
                    consulted.add(f);
                }
            }
            default -> { }
        }
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            consulted.add(CONSULTABLE[r.nextInt(CONSULTABLE.length)]);
        }
        return new Shape(tags, l3, l4, frag, icmpType, tunnel, consulted, r.nextInt(3));
    }

    // ------------------------------------------------------------------ frames

    private static void put(ByteArrayOutputStream b, long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            b.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    static byte[] frame(Shape s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        put(b, 0x020000000002L, 6);
        put(b, 0x020000000001L, 6);
        if (s.tags() == 2) {
            put(b, EthType.VLAN_8021AD, 2);
            put(b, 0x200a, 2);
        }
        if (s.tags() >= 1) {
            put(b, EthType.VLAN_8021Q, 2);
            put(b, 0x6014, 2);
        }
        put(b, s.l3(), 2);
        ByteArrayOutputStream l4 = l4(s);
        if (s.l3() == EthType.ARP) {
            put(b, 1, 2);
            put(b, EthType.IP, 2);
            put(b, 6, 1);
            put(b, 4, 1);
            put(b, 2, 2);
            put(b, 0x020000000001L, 6);
            put(b, 0x0a000001L, 4);
            put(b, 0x020000000002L, 6);
            put(b, 0x0a000002L, 4);
        } else if (s.l3() == EthType.IP) {
            int proto = s.l4() == IpProto.ICMPV6 ? IpProto.ICMP : s.l4();
            put(b, 0x45b8, 2);
            put(b, 20 + l4.size(), 2);
            put(b, 0x1234, 2);
            put(b, s.frag() == 0 ? 0x4000 : s.frag() == 1 ? 0x2000 : 185, 2);
            put(b, 64, 1);
            put(b, proto, 1);
            put(b, 0, 2);
            put(b, 0x0a000001L, 4);
            put(b, 0xc0a80102L, 4);
        } else {
            int proto = s.l4() == IpProto.ICMP ? IpProto.ICMPV6 : s.l4();
            put(b, 0x6a000000L, 4);
            put(b, l4.size() + (s.frag() > 0 ? 8 : 0), 2);
            put(b, s.frag() > 0 ? IpProto.FRAGMENT : proto, 1);
            put(b, 255, 1);
            put(b, 0x20010db800000000L, 8);
            put(b, 1, 8);
            put(b, 0x20010db800000000L, 8);
            put(b, 2, 8);
            if (s.frag() > 0) {
                put(b, proto, 1);
                put(b, 0, 1);
                put(b, s.frag() == 1 ? 1 : 100 << 3, 2);
                put(b, 0xabcd, 4);
            }
        }
        b.writeBytes(l4.toByteArray());
        return b.toByteArray();
    }

    private static ByteArrayOutputStream l4(Shape s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (s.l3() == EthType.ARP) {
            return b;
        }
        int proto = s.l4();
        if (proto == IpProto.ICMP || proto == IpProto.ICMPV6) {
            put(b, s.icmpType(), 1);
            put(b, 0, 1);
            put(b, 0, 2);
            put(b, 0, 4);
            put(b, 0, 16); // room for an ND target
            return b;
        }
        put(b, 40000, 2);
        put(b, 4789, 2);
        if (proto == IpProto.TCP) {
            put(b, 1, 4);
            put(b, 0, 4);
            put(b, 0x5012, 2); // doff 5, SYN|ACK
            put(b, 1024, 2);
            put(b, 0, 4);
        } else if (proto == IpProto.UDP) {
            put(b, 8, 2);
            put(b, 0, 2);
        } else {
            put(b, 0, 8);
        }
        return b;
    }

    // ------------------------------------------------------------------ megaflows

    static Megaflow megaflow(Shape s) {
        return megaflow(s, PORT, PORT, 2, 4);
    }

    /**
     * The megaflow of {@code s} for a packet received on {@code in} ({@code tunnelIn} when the
     * shape has tunnel metadata), output to {@code out} (a tunnel set outputs to {@code tunnelOut}).
     */
    public static Megaflow megaflow(Shape s, int in, int tunnelIn, int out, int tunnelOut) {
        FlowKey k = new FlowKey();
        assertEquals(ParseStatus.OK, PacketParser.parse(frame(s), s.tunnel() ? tunnelIn : in, k), "the generated frame parses");
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(k);
        if (s.tunnel()) {
            // As if received on a vxlan port: tunnel metadata in the key, matched by the rules.
            k.set(Field.TUN_ID, 0x77);
            k.set(Field.TUN_IPV4_SRC, 0xc0000201L);
            k.set(Field.TUN_IPV4_DST, 0xc0000203L);
            k.set(Field.TUN_TP_DST, 4789);
            k.set(Field.TUN_FLAGS, org.offloadbridge.flow.FlowKey.TUN_F_KEY);
            m.setExact(Field.TUN_ID);
            m.setExact(Field.TUN_IPV4_SRC);
            m.setExact(Field.TUN_IPV4_DST);
            m.setExact(Field.TUN_TP_DST);
            m.unwildcard(Field.TUN_FLAGS, org.offloadbridge.flow.FlowKey.TUN_F_KEY); // as the pipeline pins it: flags(+key)
        }
        for (Field f : s.consulted()) {
            m.setExact(f);
            if (f == Field.TP_SRC || f == Field.TP_DST || f == Field.TCP_FLAGS || f == Field.ICMP_TYPE || f == Field.ICMP_CODE) {
                // A rule on an L4 field has nw_proto as prerequisite (OVS's flow prerequisites):
                // its lookup consults nw_proto first.
                m.setExact(Field.NW_PROTO);
            }
        }
        Actions.Builder a = Actions.builder();
        switch (s.actions()) {
            case 0 -> a.output(out);
            case 1 -> a.setTunnelIpv4(0x99, 0xc0000201, 0xc0000204, 0, 64, 0, 4789, FlowKey.TUN_F_CSUM).output(tunnelOut);
            default -> { } // drop
        }
        return Megaflow.of(k, m, a.build());
    }

    static Megaflow roundTrip(Megaflow f) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(512);
        new FlowerEncoder(TcPorts.IDENTITY).encode(w, 0, f, f.key().inPort(), 1, 1, 0, 0);
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        c.next();
        DecodedFilter d = new FlowerDecoder(TcPorts.IDENTITY).decode(c.message());
        assertNull(d.why());
        assertNotNull(d.flow());
        return d.flow();
    }

    /** The shapes issue #11 names, then one of each other class of meaningless mask bit. */
    public static final List<Shape> EDGES = List.of(
            // Issue #11 defect 3: untagged IPv4 through normal.
            new Shape(0, EthType.IP, IpProto.UDP, 0, 0, false, List.of(Field.ETH_SRC, Field.ETH_DST, Field.VLAN0_CFI, Field.VLAN0_VID), 0),
            // One tag, a VLAN rewrite reads the absent second tag.
            new Shape(1, EthType.IP, IpProto.TCP, 0, 0, false, List.of(Field.VLAN0_VID, Field.VLAN1_VID, Field.VLAN1_PCP, Field.VLAN1_CFI), 0),
            // A port looked up on a later fragment, an ICMP type on TCP, IPv4 fields on ARP.
            new Shape(0, EthType.IP, IpProto.UDP, 2, 0, false, List.of(Field.NW_PROTO, Field.TP_DST), 0),
            new Shape(0, EthType.IPV6, IpProto.TCP, 0, 0, false, List.of(Field.NW_PROTO, Field.ICMP_TYPE, Field.TP_SRC), 0),
            new Shape(0, EthType.ARP, IpProto.TCP, 0, 0, false, List.of(Field.IPV4_DST, Field.NW_PROTO, Field.TP_DST, Field.ARP_OP), 0),
            new Shape(2, EthType.IPV6, IpProto.ICMPV6, 1, 128, true, List.of(Field.IPV4_SRC, Field.TCP_FLAGS, Field.ICMP_TYPE), 1));

    @Test
    void pipelineShapedMegaflowsSurviveTheTcRoundTrip() {
        Cases.check(400, EDGES, FlowerCanonicalRoundTripTest::shape, Shape::toString, s -> {
            Megaflow f = megaflow(s);
            FlowKey packet = new FlowKey();
            PacketParser.parse(frame(s), PORT, packet);
            if (s.tunnel()) {
                packet.set(Field.TUN_ID, 0x77);
                packet.set(Field.TUN_IPV4_SRC, 0xc0000201L);
                packet.set(Field.TUN_IPV4_DST, 0xc0000203L);
                packet.set(Field.TUN_TP_DST, 4789);
                packet.set(Field.TUN_FLAGS, org.offloadbridge.flow.FlowKey.TUN_F_KEY);
            }
            assertTrue(f.matches(packet), "the canonical megaflow still matches its packet");
            Megaflow back = roundTrip(f);
            assertEquals(f.mask(), back.mask(), "mask");
            assertEquals(f.key(), back.key(), "key");
            assertEquals(f.actions(), back.actions(), "actions");
            assertEquals(f.ufid(), back.ufid(), "ufid");
            assertEquals(f, back);
            // The megaflow rebuilt from the dump gets the same ufid (what a restarted daemon computes).
            assertEquals(f.ufid(), Megaflow.of(back.key(), back.mask(), back.actions()).ufid(), "ufid of the dumped match");
        });
    }

    @Test
    void untaggedThroughNormalKeepsItsUfidAcrossTheCanonicalForm() {
        // The raw pipeline mask (vid pinned on an untagged packet) and the canonical one are the
        // same match: same ufid, same megaflow.
        Shape s = new Shape(0, EthType.IP, IpProto.UDP, 0, 0, false, List.of(Field.VLAN0_CFI, Field.VLAN0_VID), 0);
        Megaflow pinned = megaflow(s);
        Megaflow plain = megaflow(new Shape(0, EthType.IP, IpProto.UDP, 0, 0, false, List.of(), 0));
        assertEquals(plain, pinned);
        assertTrue(pinned.mask().isWildcard(Field.VLAN0_VID));
        assertTrue(pinned.mask().isExact(Field.VLAN0_CFI));
        assertTrue(pinned.mask().isExact(Field.VLAN0_TPID));
    }
}
