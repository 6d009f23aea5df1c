package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;

/**
 * Puts frames into, and takes them out of, net_ring ports for tests that drive the datapath
 * by hand: tx queue 0 of a ring port feeds its own rx queue 0, so injecting is a tx burst on
 * the port the datapath will read.
 */
final class RingIo {
    private final MemorySegment burst;
    private final Mempool pool;

    RingIo(Arena arena, Mempool pool) {
        this.burst = arena.allocate(ValueLayout.JAVA_LONG, 64);
        this.pool = pool;
    }

    /** Copies each frame into an mbuf and queues them all for the datapath to read from {@code p}. */
    void inject(EthdevPort p, byte[]... frames) {
        long[] mbufs = new long[frames.length];
        for (int i = 0; i < frames.length; i++) {
            mbufs[i] = pool.copyIn(frames[i]);
        }
        injectMbufs(p, mbufs);
    }

    void injectMbufs(EthdevPort p, long... mbufs) {
        for (int i = 0; i < mbufs.length; i++) {
            burst.setAtIndex(ValueLayout.JAVA_LONG, i, mbufs[i]);
        }
        assertEquals(mbufs.length, p.txBurst(0, burst.address(), mbufs.length));
    }

    /** Everything that came out on {@code p}'s ring, as bytes; the mbufs are freed. */
    List<byte[]> received(EthdevPort p) {
        List<byte[]> got = new ArrayList<>();
        int n;
        while ((n = p.rxBurst(0, burst.address(), 32)) > 0) {
            for (int i = 0; i < n; i++) {
                long m = burst.getAtIndex(ValueLayout.JAVA_LONG, i);
                got.add(Mempool.bytesOf(m));
                Mempool.free(m);
            }
        }
        return got;
    }

    /** Frees everything waiting on {@code p}'s ring without copying it out; returns how many. */
    long discard(EthdevPort p) {
        long total = 0;
        int n;
        while ((n = p.rxBurst(0, burst.address(), 32)) > 0) {
            total += n;
            RteMbuf.rte_pktmbuf_free_bulk(burst.address(), n);
        }
        return total;
    }
}
