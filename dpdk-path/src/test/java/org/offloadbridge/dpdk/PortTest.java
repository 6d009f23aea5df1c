package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.testkit.Cases;

/**
 * Ports on DPDK's virtual devices in this JVM's shared EAL: net_null and net_ring. Packet
 * contents are seeded random cases ({@link Cases}: {@code -Dob.seed=… -Dob.case=I} replays one).
 */
@Tag("host")
class PortTest {

    static Eal eal;
    static Mempool pool;
    static Arena arena;
    static MemorySegment burst;

    @BeforeAll
    static void setUp() {
        eal = TestEal.get();
        pool = Mempool.create(eal, eal.uniqueName("porttest"), 4095, 64, RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE);
        arena = Arena.ofShared();
        burst = arena.allocate(ValueLayout.JAVA_LONG, 64);
    }

    @AfterAll
    static void tearDown() {
        assertEquals(0, pool.inUseCount(), "every mbuf returned to the pool");
        pool.close();
        arena.close();
    }

    @Test
    void ealIsSharedAndAvailable() {
        assertTrue(Dpdk.isAvailable(), () -> String.valueOf(Dpdk.unavailabilityCause()));
        assertSame(eal, Eal.initOrGet(new EalConfig().memoryMb(64)), "EAL initialises once per JVM");
        assertTrue(eal.args().contains("--no-huge"));
    }

    @Test
    void receivesFromAndTransmitsToNetNull() {
        EthdevPort p = eal.attach("net_null_pt1,size=96");
        assertEquals("net_null_pt1", p.name());
        p.configure(1, 1, 256, pool);
        p.start();
        try {
            assertTrue(p.link().up(), "net_null link is up once started");
            int n = p.rxBurst(0, burst.address(), 32);
            assertEquals(32, n, "net_null always fills a burst");
            for (int i = 0; i < n; i++) {
                long m = burst.getAtIndex(ValueLayout.JAVA_LONG, i);
                assertEquals(96, RteMbuf.pktLen(m));
                assertEquals(p.id(), RteMbuf.port(m));
                assertEquals(1, RteMbuf.nbSegs(m));
            }
            int sent = p.txBurst(0, burst.address(), n);
            assertEquals(n, sent, "net_null takes the whole burst (and frees it)");
            PortStats s = p.stats();
            assertEquals(32, s.ipackets());
            assertEquals(32, s.opackets());
            // net_null counts packets only (its stats have no byte counters)
        } finally {
            p.stop();
        }
        assertEquals(0, p.rxBurst(0, burst.address(), 32), "a stopped port yields nothing");
    }

    @Test
    void ringPortLoopsPacketsBackByteIdentical() {
        EthdevPort p = eal.attach("net_ring_pt2");
        p.configure(1, 1, 512, pool);
        p.start();
        try {
            // One case: a burst of 20 random packets of 14…1513 bytes.
            Cases.check(10, List.of(), r -> {
                byte[][] packets = new byte[20][];
                for (int i = 0; i < packets.length; i++) {
                    packets[i] = new byte[14 + r.nextInt(1500)];
                    r.nextBytes(packets[i]);
                }
                return packets;
            }, b -> "packets of " + Arrays.toString(Arrays.stream(b).mapToInt(x -> x.length).toArray()) + " bytes", sent -> {
                for (int i = 0; i < sent.length; i++) {
                    long m = pool.copyIn(sent[i]);
                    assertTrue(m != 0);
                    burst.setAtIndex(ValueLayout.JAVA_LONG, i, m);
                }
                assertEquals(sent.length, p.txBurst(0, burst.address(), sent.length));
                int got = p.rxBurst(0, burst.address(), 32);
                assertEquals(sent.length, got);
                for (int i = 0; i < got; i++) {
                    long m = burst.getAtIndex(ValueLayout.JAVA_LONG, i);
                    assertArrayEquals(sent[i], Mempool.bytesOf(m), "packet " + i);
                    Mempool.free(m);
                }
            });
        } finally {
            p.stop();
        }
    }

    @Test
    void stopAndStartReReadsFastPathPointers() {
        EthdevPort p = eal.attach("net_null_pt3");
        p.configure(1, 1, 128, pool);
        p.start();
        p.stop();
        assertEquals(0, p.rxBurst(0, burst.address(), 8));
        p.start();
        try {
            int n = p.rxBurst(0, burst.address(), 8);
            assertEquals(8, n);
            org.offloadbridge.dpdk.internal.rte.RteMbuf.rte_pktmbuf_free_bulk(burst.address(), n);
        } finally {
            p.stop();
        }
    }

    @Test
    void copyInChainsSegmentsWhenPacketExceedsDataRoom() {
        try (Mempool small = Mempool.create(eal, eal.uniqueName("small"), 255, 0, RteMbuf.RTE_PKTMBUF_HEADROOM + 256)) {
            // One case: 1000 random bytes.
            Cases.check(10, List.of(), r -> {
                byte[] b = new byte[1000];
                r.nextBytes(b);
                return b;
            }, HexFormat.of()::formatHex, big -> {
                long m = small.copyIn(big);
                assertEquals(4, RteMbuf.nbSegs(m), "1000 bytes in 256-byte segments");
                assertEquals(1000, RteMbuf.pktLen(m));
                assertArrayEquals(big, Mempool.bytesOf(m));
                Mempool.free(m);
                assertEquals(0, small.inUseCount());
            });
        }
    }

    @Test
    void badDeviceStringsNameTheDevice() {
        DpdkException e = assertThrows(DpdkException.class, () -> eal.attach("net_bogus_pt4"));
        assertTrue(e.getMessage().contains("net_bogus_pt4"), e.getMessage());
        assertTrue(e.errno() > 0);
        EthdevPort p = eal.attach("net_null_pt5");
        assertThrows(IllegalArgumentException.class, () -> p.configure(0, 1, 128, pool));
        assertThrows(IllegalStateException.class, p::start, "start before configure");
    }
}
