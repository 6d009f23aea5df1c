package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Cases;

/** {@link FlowMask#canonicalize}: which bits go, which stay, and that the match never changes. */
class FlowMaskCanonicalTest {

    private static FlowKey untaggedIpv4Udp() {
        FlowKey k = new FlowKey();
        k.setInPort(3);
        k.set(Field.ETH_TYPE, EthType.IP);
        k.set(Field.NW_PROTO, IpProto.UDP);
        k.set(Field.IPV4_DST, 0x0a000002L);
        k.set(Field.TP_DST, 53);
        return k;
    }

    @Test
    void untaggedDropsTheVidAndPcpAndSaysNoTagOneWay() {
        FlowKey k = untaggedIpv4Udp();
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(k);
        m.setExact(Field.VLAN0_VID);
        m.setExact(Field.VLAN0_PCP);
        m.setExact(Field.VLAN1_VID);
        assertTrue(m.canonicalize(k));
        assertTrue(m.isWildcard(Field.VLAN0_VID));
        assertTrue(m.isWildcard(Field.VLAN0_PCP));
        assertTrue(m.isWildcard(Field.VLAN1_VID));
        assertTrue(m.isExact(Field.VLAN0_CFI));
        assertTrue(m.isExact(Field.VLAN0_TPID));
        assertFalse(m.canonicalize(k), "a fixed point");

        // cfi alone and tpid alone say the same "no tag": one form, one ufid.
        FlowMask cfi = new FlowMask();
        cfi.setExact(Field.ETH_TYPE);
        cfi.setExact(Field.VLAN0_CFI);
        FlowMask tpid = new FlowMask();
        tpid.setExact(Field.ETH_TYPE);
        tpid.setExact(Field.VLAN0_TPID);
        assertEquals(Ufid.of(k, cfi), Ufid.of(k, tpid));
        assertEquals(Megaflow.of(k, cfi, Actions.DROP), Megaflow.of(k, tpid, Actions.DROP));
    }

    @Test
    void oneTagDropsTheAbsentSecondTagsFields() {
        FlowKey k = untaggedIpv4Udp();
        k.set(Field.VLAN0_CFI, 1);
        k.set(Field.VLAN0_TPID, EthType.VLAN_8021Q);
        k.set(Field.VLAN0_VID, 20);
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(k);
        m.setExact(Field.VLAN0_VID);
        m.setExact(Field.VLAN1_VID);
        m.setExact(Field.VLAN1_PCP);
        m.canonicalize(k);
        assertTrue(m.isExact(Field.VLAN0_VID), "the present tag's id stays");
        assertTrue(m.isWildcard(Field.VLAN1_VID));
        assertTrue(m.isWildcard(Field.VLAN1_PCP));
        assertTrue(m.isExact(Field.VLAN1_CFI));
        assertTrue(m.isExact(Field.VLAN1_TPID));
    }

    @Test
    void fieldsOfAbsentHeadersGoAndPresentOnesStay() {
        FlowKey k = untaggedIpv4Udp();
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(k);
        for (Field f : new Field[] {Field.NW_PROTO, Field.IPV4_DST, Field.TP_DST, Field.TCP_FLAGS, Field.ICMP_TYPE, Field.IPV6_SRC_HI,
                Field.IPV6_LABEL, Field.ARP_OP, Field.ND_SLL}) {
            m.setExact(f);
        }
        m.canonicalize(k);
        for (Field f : new Field[] {Field.NW_PROTO, Field.IPV4_DST, Field.TP_DST, Field.NW_FRAG}) {
            assertTrue(m.isExact(f), f + " stays");
        }
        for (Field f : new Field[] {Field.TCP_FLAGS, Field.ICMP_TYPE, Field.IPV6_SRC_HI, Field.IPV6_LABEL, Field.ARP_OP, Field.ND_SLL}) {
            assertTrue(m.isWildcard(f), f + " goes");
        }
        // A later fragment has no L4 header.
        FlowKey later = k.copy();
        later.set(Field.TP_DST, 0);
        later.set(Field.NW_FRAG, FlowKey.FRAG_LATER_FRAGMENT);
        FlowMask lm = new FlowMask();
        lm.setDatapathBaseline(later);
        lm.setExact(Field.NW_PROTO);
        lm.setExact(Field.TP_DST);
        lm.canonicalize(later);
        assertTrue(lm.isWildcard(Field.TP_DST));
        assertTrue(lm.isExact(Field.NW_PROTO));
    }

    @Test
    void aKeyWithAValueWhereTheHeaderIsAbsentIsLeftAlone() {
        // Matches nothing the parser produces; the layers refuse it rather than widen it.
        FlowKey k = untaggedIpv4Udp();
        k.set(Field.VLAN0_VID, 5);
        k.set(Field.ARP_OP, 1);
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(k);
        m.setExact(Field.VLAN0_VID);
        m.setExact(Field.ARP_OP);
        FlowMask before = m.copy();
        assertFalse(m.canonicalize(k));
        assertEquals(before, m);
    }

    @Test
    void tunnelFieldsAreNotTouched() {
        FlowKey k = untaggedIpv4Udp();
        FlowMask m = new FlowMask();
        m.setDatapathBaseline(k);
        m.setExact(Field.TUN_ID);
        m.setExact(Field.TUN_IPV4_DST);
        FlowMask before = m.copy();
        m.canonicalize(k);
        assertEquals(before, m);
    }

    /** Random keys and masks: canonicalisation never changes which keys match (checked on random probes). */
    @Test
    void theMatchIsUnchanged() {
        Field[] fields = Field.values();
        Cases.check(300, List.of(), r -> r.nextLong(), Long::toHexString, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            FlowKey k = packetLike(r);
            FlowMask m = new FlowMask();
            m.setDatapathBaseline(k);
            for (int i = r.nextInt(8); i > 0; i--) {
                m.setExact(fields[r.nextInt(fields.length)]);
            }
            FlowMask c = m.copy();
            c.canonicalize(k);
            for (int probe = 0; probe < 50; probe++) {
                FlowKey p = probe == 0 ? k : packetLike(r);
                assertEquals(k.maskedEquals(m, p), k.maskedEquals(c, p), () -> "probe " + p + " mask " + m + " canonical " + c);
            }
            assertEquals(Ufid.of(k, m), Ufid.of(k, c));
        });
    }

    /** A key shaped like a parse result: absent headers' fields are 0, values from a tiny set so probes collide. */
    private static FlowKey packetLike(SplittableRandom r) {
        FlowKey k = new FlowKey();
        k.setInPort(3);
        int tags = r.nextInt(3);
        if (tags >= 1) {
            k.set(Field.VLAN0_CFI, 1);
            k.set(Field.VLAN0_TPID, EthType.VLAN_8021Q);
            k.set(Field.VLAN0_VID, r.nextInt(2));
        }
        if (tags == 2) {
            k.set(Field.VLAN1_CFI, 1);
            k.set(Field.VLAN1_TPID, EthType.VLAN_8021Q);
            k.set(Field.VLAN1_PCP, r.nextInt(2));
        }
        int type = new int[] {EthType.IP, EthType.IPV6, EthType.ARP}[r.nextInt(3)];
        k.set(Field.ETH_TYPE, type);
        if (type == EthType.ARP) {
            k.set(Field.ARP_OP, 1 + r.nextInt(2));
            return k;
        }
        int frag = new int[] {FlowKey.FRAG_NO, FlowKey.FRAG_FIRST, FlowKey.FRAG_LATER_FRAGMENT}[r.nextInt(3)];
        k.set(Field.NW_FRAG, frag);
        int proto = new int[] {IpProto.TCP, IpProto.UDP, IpProto.ICMP, IpProto.ICMPV6}[r.nextInt(4)];
        k.set(Field.NW_PROTO, proto);
        if (type == EthType.IP) {
            k.set(Field.IPV4_DST, r.nextInt(2));
        } else {
            k.set(Field.IPV6_DST_LO, r.nextInt(2));
        }
        if (frag == FlowKey.FRAG_LATER_FRAGMENT) {
            return k;
        }
        if (proto == IpProto.TCP || proto == IpProto.UDP) {
            k.set(Field.TP_DST, r.nextInt(2));
        }
        if (proto == IpProto.TCP) {
            k.set(Field.TCP_FLAGS, r.nextInt(2));
        }
        if ((proto == IpProto.ICMP && type == EthType.IP) || (proto == IpProto.ICMPV6 && type == EthType.IPV6)) {
            k.set(Field.ICMP_TYPE, r.nextInt(2));
        }
        return k;
    }
}
