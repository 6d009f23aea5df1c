package org.offloadbridge.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.offloadbridge.dpdk.internal.rte.RteEal;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.dpdk.internal.rte.RteMempool;

/**
 * A pool of packet buffers (rte_pktmbuf_pool_create). Ports receive into it; packet-out and
 * multi-output copies allocate from it.
 *
 * <p>{@link #copyIn} builds an mbuf from bytes without the static-inline rte_pktmbuf_alloc: it
 * stages a header describing the bytes and lets the exported rte_pktmbuf_copy allocate and fill
 * the real mbuf (chained when the bytes exceed one segment's data room). It is a slow-path call
 * (packet-out, tests), serialised on the pool.
 */
public final class Mempool implements AutoCloseable {

    /** Largest packet copyIn accepts. */
    public static final int MAX_COPY_IN = 65535;

    private final String name;
    private final long address;
    private final int dataRoom;
    private final Arena staging = Arena.ofShared();
    private final MemorySegment stagedHeader = staging.allocate(RteMbuf.SIZEOF, 64);
    private final MemorySegment stagedData = staging.allocate(MAX_COPY_IN, 64);
    private volatile boolean closed;

    private Mempool(String name, long address, int dataRoom) {
        this.name = name;
        this.address = address;
        this.dataRoom = dataRoom;
    }

    /**
     * @param nbMbufs      buffers in the pool (a power of two minus one is best for the ring)
     * @param cacheSize    per-lcore cache (0..512); registered threads use it
     * @param dataRoomSize bytes per buffer including RTE_PKTMBUF_HEADROOM (2176 for 2 KiB packets)
     */
    public static Mempool create(Eal eal, String name, int nbMbufs, int cacheSize, int dataRoomSize) {
        if (eal == null) {
            throw new IllegalStateException("EAL is not initialised");
        }
        if (dataRoomSize <= RteMbuf.RTE_PKTMBUF_HEADROOM || dataRoomSize > 65535) {
            throw new IllegalArgumentException("data room " + dataRoomSize + " must be in ("
                + RteMbuf.RTE_PKTMBUF_HEADROOM + ", 65535]");
        }
        long mp = RteMempool.rte_pktmbuf_pool_create(name, nbMbufs, cacheSize, 0, dataRoomSize,
            RteMempool.SOCKET_ID_ANY);
        if (mp == 0) {
            throw new DpdkException("rte_pktmbuf_pool_create", name + " n=" + nbMbufs, RteEal.rte_errno());
        }
        return new Mempool(name, mp, dataRoomSize);
    }

    public String name() {
        return name;
    }

    /** The {@code struct rte_mempool *}. */
    public long address() {
        return address;
    }

    public int dataRoomSize() {
        return dataRoom;
    }

    public int availableCount() {
        checkOpen();
        return RteMempool.rte_mempool_avail_count(address);
    }

    public int inUseCount() {
        checkOpen();
        return RteMempool.rte_mempool_in_use_count(address);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("mempool " + name + " is closed");
        }
    }

    /** A new mbuf holding a copy of {@code bytes}; 0 when the pool is exhausted. */
    public synchronized long copyIn(MemorySegment bytes) {
        checkOpen();
        long len = bytes.byteSize();
        if (len <= 0 || len > MAX_COPY_IN) {
            throw new IllegalArgumentException("packet length " + len + " not in 1.." + MAX_COPY_IN);
        }
        MemorySegment.copy(bytes, 0, stagedData, 0, len);
        RteMbuf.stage(stagedHeader, stagedData.address(), (int) len);
        return RteMbuf.rte_pktmbuf_copy(stagedHeader.address(), address, 0, (int) len);
    }

    public long copyIn(byte[] bytes) {
        return copyIn(MemorySegment.ofArray(bytes));
    }

    /** Returns one mbuf (and its chain) to its pool. */
    public static void free(long mbuf) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, mbuf);
            RteMbuf.rte_pktmbuf_free_bulk(one.address(), 1);
        }
    }

    /** The bytes of a (possibly chained) mbuf. */
    public static byte[] bytesOf(long mbuf) {
        int len = RteMbuf.pktLen(mbuf);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(Math.max(1, len));
            RteMbuf.read(mbuf, dst);
            return dst.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Frees the pool; every mbuf must have been returned. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            RteMempool.rte_mempool_free(address);
            staging.close();
        }
    }
}
