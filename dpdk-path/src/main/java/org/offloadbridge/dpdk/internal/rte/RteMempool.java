package org.offloadbridge.dpdk.internal.rte;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** librte_mempool (rte_mempool.h) and the pktmbuf pool constructor from rte_mbuf.h. */
public final class RteMempool {

    private static final MethodHandle rte_pktmbuf_pool_create = NativeLibs.downcall("rte_pktmbuf_pool_create",
        FunctionDescriptor.of(NativeLibs.PTR, ADDRESS, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_INT));
    private static final MethodHandle rte_mempool_free =
        NativeLibs.downcall("rte_mempool_free", FunctionDescriptor.ofVoid(NativeLibs.PTR));
    private static final MethodHandle rte_mempool_avail_count =
        NativeLibs.downcall("rte_mempool_avail_count", FunctionDescriptor.of(JAVA_INT, NativeLibs.PTR));
    private static final MethodHandle rte_mempool_in_use_count =
        NativeLibs.downcall("rte_mempool_in_use_count", FunctionDescriptor.of(JAVA_INT, NativeLibs.PTR));

    /** SOCKET_ID_ANY from rte_memory.h. */
    public static final int SOCKET_ID_ANY = -1;

    private RteMempool() {
    }

    /**
     * {@code struct rte_mempool *rte_pktmbuf_pool_create(const char *name, unsigned n,
     * unsigned cache_size, uint16_t priv_size, uint16_t data_room_size, int socket_id)}: the pool's
     * address, or 0 with rte_errno set.
     */
    public static long rte_pktmbuf_pool_create(String name, int n, int cacheSize, int privSize,
                                               int dataRoomSize, int socketId) {
        try (Arena arena = Arena.ofConfined()) {
            return (long) rte_pktmbuf_pool_create.invokeExact(arena.allocateFrom(name), n, cacheSize,
                (short) privSize, (short) dataRoomSize, socketId);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    public static void rte_mempool_free(long mp) {
        try {
            rte_mempool_free.invokeExact(mp);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    public static int rte_mempool_avail_count(long mp) {
        try {
            return (int) rte_mempool_avail_count.invokeExact(mp);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    public static int rte_mempool_in_use_count(long mp) {
        try {
            return (int) rte_mempool_in_use_count.invokeExact(mp);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }
}
