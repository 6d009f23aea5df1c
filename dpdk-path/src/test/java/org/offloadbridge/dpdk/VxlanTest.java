package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.HeaderEdit;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Tunnel;
import org.offloadbridge.flow.Upcall;

/**
 * VXLAN encap/decap through the datapath, driven by hand over net_ring ports: ACCESS carries
 * inner frames, UNDER is the underlay (a ring port's tx feeds its own rx, so an encapsulated
 * frame sent there comes back in on the next doWork — a loopback underlay), TUN the tunnel
 * port, OUT where decapsulated frames go. Outer frames are built here byte by byte, not with
 * the datapath's codec, so the two check each other.
 */
@Tag("host")
class VxlanTest {

    static final int ACCESS = 1;
    static final int UNDER = 2;
    static final int TUN = 3;
    static final int OUT = 4;
    static final int LOCAL_IP = 0xc0a80001; // 192.168.0.1
    static final int REMOTE_IP = 0xc0a80002;
    static final long LOCAL_MAC = 0x02000000aa01L;
    static final long NEXT_HOP_MAC = 0x02000000aa02L;
    static final int VNI = 0x123456;
    static int seq;

    DpdkDatapath dp;
    EthdevPort access;
    EthdevPort under;
    EthdevPort out;
    PmdThread pmd;
    Arena arena;
    RingIo ring;

    @BeforeEach
    void setUp() {
        Eal eal = TestEal.get();
        seq++;
        dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(2047).descriptors(256, 256)
            .upcallQueue(8, 60_000).maxTxQueues(1).emcInsertInvProb(1));
        access = dp.addPort(ACCESS, "net_ring_va" + seq);
        under = dp.addPort(UNDER, "net_ring_vu" + seq);
        out = dp.addPort(OUT, "net_ring_vo" + seq);
        dp.addVxlanPort(TUN, Tunnel.vxlan(LOCAL_IP, REMOTE_IP), new VxlanUnderlay(UNDER, LOCAL_MAC, NEXT_HOP_MAC));
        pmd = dp.pmds().get(0);
        arena = Arena.ofConfined();
        ring = new RingIo(arena, dp.pool());
    }

    @AfterEach
    void tearDown() {
        for (EthdevPort p : new EthdevPort[] {access, under, out}) {
            if (p != null) {
                received(p);
            }
        }
        int inUse = dp.pool().inUseCount();
        dp.close();
        // release the ethdev ids too: a process has only RTE_MAX_ETHPORTS (32) of them
        for (EthdevPort p : new EthdevPort[] {access, under, out}) {
            if (p != null) {
                p.close();
            }
        }
        arena.close();
        assertEquals(0, inUse, "every mbuf returned");
    }

    void inject(EthdevPort p, byte[]... frames) {
        ring.inject(p, frames);
    }

    void injectMbufs(EthdevPort p, long... mbufs) {
        ring.injectMbufs(p, mbufs);
    }

    List<byte[]> received(EthdevPort p) {
        return ring.received(p);
    }

    static Actions encapTo(int ttl, int flags) {
        return Actions.builder().setTunnelIpv4(VNI, 0, REMOTE_IP, 0x10, ttl, 0, 4789, flags).output(TUN).build();
    }

    /** in_port=ACCESS, ipv4 → actions. */
    static Megaflow accessFlow(Actions a) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(ACCESS);
        m.setExact(Field.IN_PORT);
        k.set(Field.ETH_TYPE, 0x0800);
        m.setExact(Field.ETH_TYPE);
        return Megaflow.of(k, m, a);
    }

    /** in_port=TUN, tun_id, tun_src, tun_dst=local, tun_flags=+key, ipv4 → output(OUT). */
    static Megaflow decapFlow(long vni, int tunSrc) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(TUN);
        m.setExact(Field.IN_PORT);
        k.set(Field.TUN_ID, vni);
        m.setExact(Field.TUN_ID);
        k.set(Field.TUN_IPV4_SRC, tunSrc & 0xffffffffL);
        m.setExact(Field.TUN_IPV4_SRC);
        k.set(Field.TUN_IPV4_DST, LOCAL_IP & 0xffffffffL);
        m.setExact(Field.TUN_IPV4_DST);
        k.set(Field.TUN_FLAGS, FlowKey.TUN_F_KEY);
        m.set(Field.TUN_FLAGS, FlowKey.TUN_F_KEY);
        k.set(Field.ETH_TYPE, 0x0800);
        m.setExact(Field.ETH_TYPE);
        return Megaflow.of(k, m, Actions.builder().output(OUT).build());
    }

    /**
     * A VXLAN frame built independently of the datapath's codec: outer Ethernet/IPv4/UDP from
     * Frames.ipv4 (valid IP checksum), UDP checksum 0, then the VXLAN header and the inner frame.
     */
    static byte[] vxlanFrame(int srcIp, int dstIp, int dport, long vni, byte[] inner) {
        byte[] f = Frames.ipv4(NEXT_HOP_MAC, LOCAL_MAC, srcIp, dstIp, 17, 40000, dport, 8 + inner.length);
        MemorySegment s = MemorySegment.ofArray(f);
        HeaderEdit.put16(s, 40, 0); // UDP checksum: none
        f[42] = 0x08; // flags: I
        f[43] = f[44] = f[45] = 0;
        f[46] = (byte) (vni >>> 16);
        f[47] = (byte) (vni >>> 8);
        f[48] = (byte) vni;
        f[49] = 0;
        System.arraycopy(inner, 0, f, 50, inner.length);
        return f;
    }

    static void fixIpChecksum(byte[] f) {
        MemorySegment s = MemorySegment.ofArray(f);
        HeaderEdit.put16(s, 24, 0);
        HeaderEdit.put16(s, 24, HeaderEdit.checksum(s, 14, 20, 0));
    }

    static byte[] inner(int i) {
        return Frames.ipv4(Frames.MAC_A, Frames.MAC_B, 0x0a000001, 0x0a000002, 17, 1000 + i, 53, 30 + i);
    }

    @Test
    void encapsulatesFieldByField() {
        dp.flows().install(accessFlow(encapTo(33, FlowKey.TUN_F_DONT_FRAGMENT)));
        byte[] a = inner(0);
        byte[] b = inner(1);
        inject(access, a, a, b);
        assertEquals(3, pmd.doWork());
        List<byte[]> got = received(under);
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            byte[] in = i < 2 ? a : b;
            byte[] f = got.get(i);
            MemorySegment s = MemorySegment.ofArray(f);
            assertEquals(50 + in.length, f.length);
            assertEquals(NEXT_HOP_MAC, mac(f, 0), "outer eth dst = next hop");
            assertEquals(LOCAL_MAC, mac(f, 6), "outer eth src = ours");
            assertEquals(0x0800, HeaderEdit.u16(s, 12));
            assertEquals(0x45, f[14] & 0xff);
            assertEquals(0x10, f[15] & 0xff, "tos");
            assertEquals(36 + in.length, HeaderEdit.u16(s, 16), "ip total length");
            assertEquals(0x4000, HeaderEdit.u16(s, 20), "DF, no fragment offset");
            assertEquals(0, HeaderEdit.u16(s, 18), "ip id 0 for DF datagrams");
            assertEquals(33, f[22] & 0xff, "ttl");
            assertEquals(17, f[23] & 0xff, "proto udp");
            assertEquals(0, HeaderEdit.checksum(s, 14, 20, 0), "outer IPv4 checksum verifies");
            assertEquals(LOCAL_IP, s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 26));
            assertEquals(REMOTE_IP, s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 30));
            int sport = HeaderEdit.u16(s, 34);
            assertTrue(sport >= 32768 && sport < 61000, "source port " + sport + " in 32768..60999");
            assertEquals(4789, HeaderEdit.u16(s, 36));
            assertEquals(16 + in.length, HeaderEdit.u16(s, 38), "udp length");
            assertEquals(0, HeaderEdit.u16(s, 40), "udp checksum 0");
            assertEquals(0x08, f[42]);
            assertEquals(0, f[43] | f[44] | f[45] | f[49]);
            assertEquals(VNI, (f[46] & 0xff) << 16 | (f[47] & 0xff) << 8 | (f[48] & 0xff));
            assertArrayEquals(in, Arrays.copyOfRange(f, 50, f.length), "inner frame intact");
        }
        assertEquals(HeaderEdit.u16(MemorySegment.ofArray(got.get(0)), 34),
            HeaderEdit.u16(MemorySegment.ofArray(got.get(1)), 34), "same inner flow, same source port");
        assertNotEquals(HeaderEdit.u16(MemorySegment.ofArray(got.get(0)), 34),
            HeaderEdit.u16(MemorySegment.ofArray(got.get(2)), 34), "other inner 5-tuple, other source port");
        assertEquals(3, dp.counters().tunnelEncaps());
    }

    @Test
    void encapWithoutDfCountsIpIdsAndDefaultsTtl() {
        dp.flows().install(accessFlow(encapTo(0, 0)));
        inject(access, inner(0), inner(0));
        pmd.doWork();
        List<byte[]> got = received(under);
        assertEquals(2, got.size());
        MemorySegment s0 = MemorySegment.ofArray(got.get(0));
        MemorySegment s1 = MemorySegment.ofArray(got.get(1));
        assertEquals(0, HeaderEdit.u16(s0, 20), "no DF");
        assertEquals(64, got.get(0)[22] & 0xff, "ttl 0 in the action means the default 64");
        assertNotEquals(HeaderEdit.u16(s0, 18), HeaderEdit.u16(s1, 18), "ip ids differ without DF");
        assertEquals(0, HeaderEdit.checksum(s1, 14, 20, 0));
    }

    @Test
    void decapsulatesMatchesTunIdAndForwardsInnerByteIdentical() {
        dp.flows().install(decapFlow(VNI, REMOTE_IP));
        byte[] in = inner(3);
        inject(under, vxlanFrame(REMOTE_IP, LOCAL_IP, 4789, VNI, in));
        assertEquals(1, pmd.doWork());
        List<byte[]> got = received(out);
        assertEquals(1, got.size());
        assertArrayEquals(in, got.get(0));
        assertEquals(1, dp.counters().tunnelDecaps());
        assertEquals(0, dp.upcalls().size());

        // another VNI: the tunnel flow does not match; the miss carries the tunnel metadata
        inject(under, vxlanFrame(REMOTE_IP, LOCAL_IP, 4789, 77, in));
        pmd.doWork();
        assertTrue(received(out).isEmpty());
        Upcall u = dp.upcalls().poll();
        assertNotNull(u);
        assertEquals(TUN, u.inPort());
        assertArrayEquals(in, u.packet(), "the upcall carries the inner frame");
        FlowKey k = u.key();
        assertEquals(TUN, k.inPort());
        assertEquals(77, k.get(Field.TUN_ID));
        assertEquals(REMOTE_IP & 0xffffffffL, k.get(Field.TUN_IPV4_SRC));
        assertEquals(LOCAL_IP & 0xffffffffL, k.get(Field.TUN_IPV4_DST));
        assertEquals(64, k.get(Field.TUN_TTL));
        assertEquals(40000, k.get(Field.TUN_TP_SRC));
        assertEquals(4789, k.get(Field.TUN_TP_DST));
        assertEquals(FlowKey.TUN_F_KEY | FlowKey.TUN_F_DONT_FRAGMENT, k.get(Field.TUN_FLAGS));
        assertEquals(0x0a000002L, k.get(Field.IPV4_DST), "inner headers parsed");
        assertTrue(k.hasAttr(org.offloadbridge.flow.KeyAttr.TUNNEL));
    }

    @Test
    void roundTripEncapThenDecap() {
        // the encap target is our own address so the looped-back underlay frame is for us
        dp.flows().install(accessFlow(Actions.builder().setTunnelIpv4(VNI, 0, LOCAL_IP, 0, 0, 0, 4789, 0)
            .output(TUN).build()));
        dp.flows().install(decapFlow(VNI, LOCAL_IP));
        byte[][] frames = {inner(0), inner(1), inner(2)};
        inject(access, frames);
        assertEquals(3, pmd.doWork(), "encap pass");
        assertEquals(3, pmd.doWork(), "decap pass (the underlay ring loops back)");
        List<byte[]> got = received(out);
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(frames[i], got.get(i));
        }
        DatapathCounters c = dp.counters();
        assertEquals(3, c.tunnelEncaps());
        assertEquals(3, c.tunnelDecaps());
        assertEquals(0, c.tunnelMalformed());
    }

    @Test
    void encapAndDecapAllocateNothingInSteadyState() {
        dp.flows().install(accessFlow(Actions.builder().setTunnelIpv4(VNI, 0, LOCAL_IP, 0, 0, 0, 4789, 0)
            .output(TUN).build()));
        dp.flows().install(decapFlow(VNI, LOCAL_IP));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)
            java.lang.management.ManagementFactory.getThreadMXBean();
        byte[] f = inner(0);
        long[] mbufs = new long[32];
        long allocated = 0;
        long forwarded = 0;
        for (int round = 0; round < 1400; round++) {
            for (int i = 0; i < mbufs.length; i++) {
                mbufs[i] = dp.pool().copyIn(f);
            }
            injectMbufs(access, mbufs);
            long before = mx.getCurrentThreadAllocatedBytes();
            pmd.doWork(); // encap
            pmd.doWork(); // decap
            long after = mx.getCurrentThreadAllocatedBytes();
            if (round >= 1300) { // after JIT warm-up (fewer rounds still saw a few hundred bytes of it)
                allocated += after - before;
            }
            forwarded += ring.discard(out);
        }
        assertEquals(1400L * 32, forwarded);
        assertEquals(0, allocated, "bytes allocated by 100 rounds of 32-packet encap + decap");
    }

    @Test
    void badOuterHeadersAreCountedDrops() {
        dp.flows().install(decapFlow(VNI, REMOTE_IP));
        byte[] good = vxlanFrame(REMOTE_IP, LOCAL_IP, 4789, VNI, inner(0));
        List<byte[]> bad = new ArrayList<>();
        bad.add(Arrays.copyOf(good, 46)); // cut inside the VXLAN header (IP length says more)
        byte[] csum = good.clone();
        csum[24] ^= 0x01; // IPv4 header checksum wrong
        bad.add(csum);
        byte[] frag = good.clone();
        frag[20] = 0x20; // MF: a first fragment
        fixIpChecksum(frag);
        bad.add(frag);
        byte[] flags = good.clone();
        flags[42] = 0x0c; // I plus a reserved flag
        bad.add(flags);
        byte[] noI = good.clone();
        noI[42] = 0;
        bad.add(noI);
        byte[] reserved = good.clone();
        reserved[49] = 1; // reserved byte after the VNI
        bad.add(reserved);
        byte[] udpLen = good.clone();
        udpLen[39]++; // UDP length disagrees with the IP total length
        bad.add(udpLen);
        byte[] ihl = good.clone();
        ihl[14] = 0x44; // IHL 16 bytes
        fixIpChecksum(ihl);
        bad.add(ihl);
        byte[] noInner = vxlanFrame(REMOTE_IP, LOCAL_IP, 4789, VNI, new byte[10]); // inner < Ethernet header
        bad.add(noInner);
        inject(under, bad.toArray(byte[][]::new));
        assertEquals(bad.size(), pmd.doWork());
        assertEquals(bad.size(), dp.counters().tunnelMalformed());
        assertEquals(0, dp.counters().tunnelDecaps());
        assertTrue(received(out).isEmpty());
        assertEquals(0, dp.upcalls().size(), "dropped, not upcalled");

        // not for our endpoint (other address, other port): ordinary underlay traffic, a miss
        inject(under, vxlanFrame(REMOTE_IP, LOCAL_IP + 7, 4789, VNI, inner(0)),
            vxlanFrame(REMOTE_IP, LOCAL_IP, 4790, VNI, inner(0)));
        pmd.doWork();
        assertEquals(bad.size(), dp.counters().tunnelMalformed());
        Upcall u = dp.upcalls().poll();
        assertEquals(UNDER, u.inPort());
        assertEquals(0, u.key().get(Field.TUN_ID));
    }

    @Test
    void tooLittleHeadroomIsACountedDrop() {
        dp.flows().install(accessFlow(encapTo(64, 0)));
        byte[] f = inner(0);
        long m = dp.pool().copyIn(f);
        // move the data so only 40 bytes of headroom are left
        MemorySegment all = org.offloadbridge.dpdk.internal.rte.NativeLibs.ALL;
        MemorySegment.copy(MemorySegment.ofArray(f), 0, all, RteMbuf.bufAddr(m) + 40, f.length);
        RteMbuf.dataOff(m, 40);
        injectMbufs(access, m);
        assertEquals(1, pmd.doWork());
        assertTrue(received(under).isEmpty());
        assertEquals(1, dp.counters().tunnelHeadroomDrops());
        assertEquals(0, dp.counters().tunnelEncaps());
    }

    @Test
    void installAndPortChecks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> dp.flows().install(accessFlow(Actions.builder().output(TUN).build())));
        assertTrue(e.getMessage().contains("set(tunnel"), e.getMessage());
        assertThrows(IllegalStateException.class,
            () -> dp.addVxlanPort(9, Tunnel.vxlan(LOCAL_IP, REMOTE_IP), new VxlanUnderlay(UNDER, LOCAL_MAC, NEXT_HOP_MAC)),
            "one tunnel per underlay");
        assertThrows(IllegalArgumentException.class,
            () -> dp.addVxlanPort(9, Tunnel.vxlan(LOCAL_IP, REMOTE_IP), new VxlanUnderlay(77, LOCAL_MAC, NEXT_HOP_MAC)), "no underlay");
        assertThrows(IllegalArgumentException.class, () -> dp.addVxlanPort(9, new Tunnel("vxlan", LOCAL_IP, REMOTE_IP, 0, 0),
            new VxlanUnderlay(OUT, LOCAL_MAC, NEXT_HOP_MAC)), "UDP port 0");
        assertThrows(IllegalArgumentException.class, () -> dp.addVxlanPort(9, new Tunnel("geneve", LOCAL_IP, REMOTE_IP,
            6081, 0), new VxlanUnderlay(OUT, LOCAL_MAC, NEXT_HOP_MAC)), "vxlan only");
        assertThrows(IllegalArgumentException.class, () -> new VxlanUnderlay(Ports.MAX_PORTS, 0, 0), "port range");
        assertThrows(IllegalArgumentException.class, () -> new VxlanUnderlay(OUT, 1L << 48, 0), "48-bit MAC");
        assertNotNull(dp.vxlanPort(TUN));
        dp.removePort(TUN);
        assertNull(dp.vxlanPort(TUN));
        // with the tunnel gone, VXLAN frames on the underlay are ordinary traffic
        inject(under, vxlanFrame(REMOTE_IP, LOCAL_IP, 4789, VNI, inner(0)));
        pmd.doWork();
        assertEquals(UNDER, dp.upcalls().poll().inPort());
    }

    static long mac(byte[] f, int at) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (f[at + i] & 0xff);
        }
        return v;
    }
}
