package org.offloadbridge.dpdk.internal.rte;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code struct rte_mbuf} (rte_mbuf_core.h, DPDK 22.11, x86_64) as offsets, plus the exported mbuf
 * helpers. All accessors take the mbuf's absolute address so the hot path handles plain longs.
 *
 * <pre>
 *   0 buf_addr   (void *)          8 buf_iova
 *  16 data_off   (u16)            18 refcnt (u16)   20 nb_segs (u16)   22 port (u16)
 *  24 ol_flags   (u64)
 *  32 packet_type(u32)            36 pkt_len (u32)
 *  40 data_len   (u16)            42 vlan_tci (u16) 44 hash (8 bytes)  52 vlan_tci_outer
 *  54 buf_len    (u16)            56 pool (struct rte_mempool *)
 *  64 next       (struct rte_mbuf *)  ... 128 = sizeof(struct rte_mbuf)
 * </pre>
 *
 * Checked against the installed headers by AbiTest.
 */
public final class RteMbuf {

    public static final int SIZEOF = 128;
    public static final int BUF_ADDR = 0;
    public static final int DATA_OFF = 16;
    public static final int REFCNT = 18;
    public static final int NB_SEGS = 20;
    public static final int PORT = 22;
    public static final int OL_FLAGS = 24;
    public static final int PACKET_TYPE = 32;
    public static final int PKT_LEN = 36;
    public static final int DATA_LEN = 40;
    public static final int VLAN_TCI = 42;
    public static final int HASH = 44;
    public static final int BUF_LEN = 54;
    public static final int POOL = 56;
    public static final int NEXT = 64;

    /** RTE_PKTMBUF_HEADROOM as Debian builds it: room to push VLAN tags and tunnel headers. */
    public static final int RTE_PKTMBUF_HEADROOM = 128;
    /** RTE_MBUF_DEFAULT_BUF_SIZE = 2048 + headroom. */
    public static final int RTE_MBUF_DEFAULT_BUF_SIZE = 2048 + RTE_PKTMBUF_HEADROOM;

    private static final MemorySegment M = NativeLibs.ALL;

    // free_bulk returns mbufs to a lock-free pool cache: short and never calls back into Java.
    private static final MethodHandle rte_pktmbuf_free_bulk = NativeLibs.downcall("rte_pktmbuf_free_bulk",
        FunctionDescriptor.ofVoid(NativeLibs.PTR, JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle rte_pktmbuf_copy = NativeLibs.downcall("rte_pktmbuf_copy",
        FunctionDescriptor.of(NativeLibs.PTR, NativeLibs.PTR, NativeLibs.PTR, JAVA_INT, JAVA_INT));
    private static final MethodHandle rte_pktmbuf_clone = NativeLibs.downcall("rte_pktmbuf_clone",
        FunctionDescriptor.of(NativeLibs.PTR, NativeLibs.PTR, NativeLibs.PTR));

    private RteMbuf() {
    }

    /** {@code void rte_pktmbuf_free_bulk(struct rte_mbuf **mbufs, unsigned int count)}. */
    public static void rte_pktmbuf_free_bulk(long mbufs, int count) {
        try {
            rte_pktmbuf_free_bulk.invokeExact(mbufs, count);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    /**
     * {@code struct rte_mbuf *rte_pktmbuf_copy(const struct rte_mbuf *m, struct rte_mempool *mp,
     * uint32_t off, uint32_t len)}: a deep copy (chained when it does not fit one segment), 0 when
     * the pool is empty.
     */
    public static long rte_pktmbuf_copy(long m, long mp, int off, int len) {
        try {
            return (long) rte_pktmbuf_copy.invokeExact(m, mp, off, len);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    public static long rte_pktmbuf_clone(long m, long mp) {
        try {
            return (long) rte_pktmbuf_clone.invokeExact(m, mp);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    public static long bufAddr(long m) {
        return M.get(JAVA_LONG_UNALIGNED, m + BUF_ADDR);
    }

    public static int dataOff(long m) {
        return Short.toUnsignedInt(M.get(JAVA_SHORT_UNALIGNED, m + DATA_OFF));
    }

    public static void dataOff(long m, int v) {
        M.set(JAVA_SHORT_UNALIGNED, m + DATA_OFF, (short) v);
    }

    public static int nbSegs(long m) {
        return Short.toUnsignedInt(M.get(JAVA_SHORT_UNALIGNED, m + NB_SEGS));
    }

    public static int port(long m) {
        return Short.toUnsignedInt(M.get(JAVA_SHORT_UNALIGNED, m + PORT));
    }

    public static void port(long m, int v) {
        M.set(JAVA_SHORT_UNALIGNED, m + PORT, (short) v);
    }

    public static long olFlags(long m) {
        return M.get(JAVA_LONG_UNALIGNED, m + OL_FLAGS);
    }

    public static void olFlags(long m, long v) {
        M.set(JAVA_LONG_UNALIGNED, m + OL_FLAGS, v);
    }

    public static int pktLen(long m) {
        return M.get(JAVA_INT_UNALIGNED, m + PKT_LEN);
    }

    public static void pktLen(long m, int v) {
        M.set(JAVA_INT_UNALIGNED, m + PKT_LEN, v);
    }

    public static int dataLen(long m) {
        return Short.toUnsignedInt(M.get(JAVA_SHORT_UNALIGNED, m + DATA_LEN));
    }

    public static void dataLen(long m, int v) {
        M.set(JAVA_SHORT_UNALIGNED, m + DATA_LEN, (short) v);
    }

    public static int vlanTci(long m) {
        return Short.toUnsignedInt(M.get(JAVA_SHORT_UNALIGNED, m + VLAN_TCI));
    }

    public static int bufLen(long m) {
        return Short.toUnsignedInt(M.get(JAVA_SHORT_UNALIGNED, m + BUF_LEN));
    }

    public static long pool(long m) {
        return M.get(JAVA_LONG_UNALIGNED, m + POOL);
    }

    public static long next(long m) {
        return M.get(JAVA_LONG_UNALIGNED, m + NEXT);
    }

    /** Address of the first byte of packet data in the first segment (rte_pktmbuf_mtod). */
    public static long mtod(long m) {
        return bufAddr(m) + dataOff(m);
    }

    /** Free bytes in front of the data (rte_pktmbuf_headroom). */
    public static int headroom(long m) {
        return dataOff(m);
    }

    /** Free bytes after the data of this segment (rte_pktmbuf_tailroom). */
    public static int tailroom(long m) {
        return bufLen(m) - dataOff(m) - dataLen(m);
    }

    /**
     * Fills a caller-owned 128-byte area as a single-segment mbuf header describing {@code len}
     * bytes at {@code data}, which rte_pktmbuf_copy can read from (it reads only data, lengths,
     * segment links and the metadata it copies). This is how packets are built without the
     * static-inline rte_pktmbuf_alloc: copy from a staged header into a real pool mbuf.
     */
    public static void stage(MemorySegment header, long data, int len) {
        header.fill((byte) 0);
        header.set(JAVA_LONG_UNALIGNED, BUF_ADDR, data);
        header.set(JAVA_LONG_UNALIGNED, 8, data); // buf_iova: never used for a copy, but not 0
        header.set(JAVA_SHORT_UNALIGNED, DATA_OFF, (short) 0);
        header.set(JAVA_SHORT_UNALIGNED, REFCNT, (short) 1);
        header.set(JAVA_SHORT_UNALIGNED, NB_SEGS, (short) 1);
        header.set(JAVA_INT_UNALIGNED, PKT_LEN, len);
        header.set(JAVA_SHORT_UNALIGNED, DATA_LEN, (short) len);
        header.set(JAVA_SHORT_UNALIGNED, BUF_LEN, (short) len);
    }

    /** Copies a whole (possibly chained) packet out of an mbuf into {@code dst}; returns its length. */
    public static int read(long m, MemorySegment dst) {
        int total = pktLen(m);
        if (total > dst.byteSize()) {
            throw new IllegalArgumentException("packet of " + total + " bytes does not fit " + dst.byteSize());
        }
        int at = 0;
        for (long seg = m; seg != 0 && at < total; seg = next(seg)) {
            int n = Math.min(dataLen(seg), total - at);
            MemorySegment.copy(M, mtod(seg), dst, at, n);
            at += n;
        }
        return at;
    }
}
