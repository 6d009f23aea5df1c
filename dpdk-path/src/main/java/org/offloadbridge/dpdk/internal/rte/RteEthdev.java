package org.offloadbridge.dpdk.internal.rte;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * librte_ethdev (rte_ethdev.h, rte_ethdev_core.h) for DPDK 22.11.
 *
 * <h2>Bursts without C</h2>
 * rte_eth_rx_burst and rte_eth_tx_burst are static inline. What they do is small: look up
 * {@code p = &rte_eth_fp_ops[port_id]}, call {@code p->rx_pkt_burst(p->rxq.data[queue], pkts, n)},
 * and, because Debian builds with RTE_ETHDEV_RXTX_CALLBACKS, call
 * {@code rte_eth_call_rx_callbacks} when {@code p->rxq.clbk[queue]} is non-NULL. We do the same:
 * {@link #fpRxBurst}/{@link #fpTxBurst} read the function and queue pointers (a port caches them
 * after start and re-reads them after every start/stop, since ethdev swaps in dummies on stop),
 * and {@link #rx_pkt_burst}/{@link #tx_pkt_burst} call through them with all pointer arguments
 * as {@code long}, so a burst allocates nothing.
 *
 * <pre>
 * struct rte_eth_fp_ops (128 bytes, one per port, RTE_MAX_ETHPORTS = 32 of them)
 *   0 rx_pkt_burst   8 rx_queue_count  16 rx_descriptor_status
 *  24 rxq.data (void **)  32 rxq.clbk (void **)  40 reserved1[3]
 *  64 tx_pkt_burst  72 tx_pkt_prepare  80 tx_descriptor_status
 *  88 txq.data (void **)  96 txq.clbk (void **) 104 reserved2[3]
 * </pre>
 */
public final class RteEthdev {

    public static final int RTE_MAX_ETHPORTS = 32;
    public static final int FP_OPS_SIZEOF = 128;
    public static final int FP_RX_PKT_BURST = 0;
    public static final int FP_RXQ_DATA = 24;
    public static final int FP_RXQ_CLBK = 32;
    public static final int FP_TX_PKT_BURST = 64;
    public static final int FP_TXQ_DATA = 88;
    public static final int FP_TXQ_CLBK = 96;

    /** sizeof(struct rte_eth_conf): we pass it all-zero (defaults everywhere). */
    public static final int ETH_CONF_SIZEOF = 2272;
    /** sizeof(struct rte_eth_stats); the eight u64 totals come first. */
    public static final int ETH_STATS_SIZEOF = 704;
    /** sizeof(struct rte_eth_link): u32 link_speed, then bits duplex:1, autoneg:1, status:1. */
    public static final int ETH_LINK_SIZEOF = 8;
    public static final int ETH_DEV_INFO_SIZEOF = 376;
    public static final int DEV_INFO_DRIVER_NAME = 8;
    public static final int DEV_INFO_MAX_RX_QUEUES = 44;
    public static final int DEV_INFO_MAX_TX_QUEUES = 46;
    /** sizeof(struct rte_dev_iterator): seven pointers. */
    public static final int DEV_ITERATOR_SIZEOF = 56;
    /** RTE_ETH_NAME_MAX_LEN. */
    public static final int RTE_ETH_NAME_MAX_LEN = 64;

    private static final MemorySegment M = NativeLibs.ALL;
    private static final long FP_OPS = NativeLibs.symbol("rte_eth_fp_ops").address();

    private static final FunctionDescriptor BURST = FunctionDescriptor.of(JAVA_SHORT, JAVA_LONG, JAVA_LONG, JAVA_SHORT);
    // Bursts are short, poll-mode and never call back into Java: critical calls skip the thread
    // state transition. The function pointer is the first (MemorySegment) argument.
    private static final MethodHandle BURST_CALL = NativeLibs.pointerDowncall(BURST, Linker.Option.critical(false));

    private static final MethodHandle rte_eth_call_rx_callbacks = NativeLibs.downcall("rte_eth_call_rx_callbacks",
        FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_LONG, JAVA_SHORT, JAVA_SHORT, JAVA_LONG));
    private static final MethodHandle rte_eth_call_tx_callbacks = NativeLibs.downcall("rte_eth_call_tx_callbacks",
        FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_LONG, JAVA_SHORT, JAVA_LONG));

    private static final MethodHandle rte_eth_dev_configure = NativeLibs.downcall("rte_eth_dev_configure",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle rte_eth_rx_queue_setup = NativeLibs.downcall("rte_eth_rx_queue_setup",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle rte_eth_tx_queue_setup = NativeLibs.downcall("rte_eth_tx_queue_setup",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle rte_eth_dev_start = portCall("rte_eth_dev_start");
    private static final MethodHandle rte_eth_dev_stop = portCall("rte_eth_dev_stop");
    private static final MethodHandle rte_eth_dev_close = portCall("rte_eth_dev_close");
    private static final MethodHandle rte_eth_promiscuous_enable = portCall("rte_eth_promiscuous_enable");
    private static final MethodHandle rte_eth_promiscuous_disable = portCall("rte_eth_promiscuous_disable");
    private static final MethodHandle rte_eth_promiscuous_get = portCall("rte_eth_promiscuous_get");
    private static final MethodHandle rte_eth_dev_socket_id = portCall("rte_eth_dev_socket_id");
    private static final MethodHandle rte_eth_stats_reset = portCall("rte_eth_stats_reset");
    private static final MethodHandle rte_eth_dev_is_valid_port = portCall("rte_eth_dev_is_valid_port");
    private static final MethodHandle rte_eth_stats_get = portStructCall("rte_eth_stats_get");
    private static final MethodHandle rte_eth_link_get_nowait = portStructCall("rte_eth_link_get_nowait");
    private static final MethodHandle rte_eth_macaddr_get = portStructCall("rte_eth_macaddr_get");
    private static final MethodHandle rte_eth_dev_info_get = portStructCall("rte_eth_dev_info_get");
    private static final MethodHandle rte_eth_dev_get_name_by_port = portStructCall("rte_eth_dev_get_name_by_port");
    private static final MethodHandle rte_eth_dev_get_port_by_name = NativeLibs.downcall("rte_eth_dev_get_port_by_name",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle rte_eth_iterator_init = NativeLibs.downcall("rte_eth_iterator_init",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle rte_eth_iterator_next = NativeLibs.downcall("rte_eth_iterator_next",
        FunctionDescriptor.of(JAVA_SHORT, ADDRESS));

    private RteEthdev() {
    }

    private static MethodHandle portCall(String name) {
        return NativeLibs.downcall(name, FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    }

    private static MethodHandle portStructCall(String name) {
        return NativeLibs.downcall(name, FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    }

    // ---- fast path -------------------------------------------------------------------------

    /** Address of {@code rte_eth_fp_ops[port]}. */
    public static long fpOps(int port) {
        return FP_OPS + (long) port * FP_OPS_SIZEOF;
    }

    public static long fpRxBurst(int port) {
        return M.get(JAVA_LONG, fpOps(port) + FP_RX_PKT_BURST);
    }

    public static long fpTxBurst(int port) {
        return M.get(JAVA_LONG, fpOps(port) + FP_TX_PKT_BURST);
    }

    /** {@code rte_eth_fp_ops[port].rxq.data[queue]}: the driver's queue object. */
    public static long fpRxQueue(int port, int queue) {
        return M.get(JAVA_LONG, M.get(JAVA_LONG, fpOps(port) + FP_RXQ_DATA) + 8L * queue);
    }

    public static long fpTxQueue(int port, int queue) {
        return M.get(JAVA_LONG, M.get(JAVA_LONG, fpOps(port) + FP_TXQ_DATA) + 8L * queue);
    }

    /** Address of the slot holding the rx callback list head for a queue (read it per burst). */
    public static long fpRxCallbackSlot(int port, int queue) {
        return M.get(JAVA_LONG, fpOps(port) + FP_RXQ_CLBK) + 8L * queue;
    }

    public static long fpTxCallbackSlot(int port, int queue) {
        return M.get(JAVA_LONG, fpOps(port) + FP_TXQ_CLBK) + 8L * queue;
    }

    public static long readPointer(long addr) {
        return M.get(JAVA_LONG, addr);
    }

    /** Calls an {@code eth_rx_burst_t}: {@code uint16_t (*)(void *rxq, struct rte_mbuf **, uint16_t)}. */
    public static int rx_pkt_burst(MemorySegment fn, long rxq, long pkts, int n) {
        try {
            return Short.toUnsignedInt((short) BURST_CALL.invokeExact(fn, rxq, pkts, (short) n));
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    /** Calls an {@code eth_tx_burst_t}: same shape as rx. */
    public static int tx_pkt_burst(MemorySegment fn, long txq, long pkts, int n) {
        try {
            return Short.toUnsignedInt((short) BURST_CALL.invokeExact(fn, txq, pkts, (short) n));
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    public static int rte_eth_call_rx_callbacks(int port, int queue, long pkts, int nbRx, int nbPkts, long opaque) {
        try {
            return Short.toUnsignedInt((short) rte_eth_call_rx_callbacks.invokeExact((short) port, (short) queue,
                pkts, (short) nbRx, (short) nbPkts, opaque));
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    public static int rte_eth_call_tx_callbacks(int port, int queue, long pkts, int nbPkts, long opaque) {
        try {
            return Short.toUnsignedInt((short) rte_eth_call_tx_callbacks.invokeExact((short) port, (short) queue,
                pkts, (short) nbPkts, opaque));
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    // ---- control path ----------------------------------------------------------------------

    /** rte_eth_dev_configure with an all-zero rte_eth_conf: no RSS, no offloads, default MTU. */
    public static int rte_eth_dev_configure(int port, int nbRx, int nbTx) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment conf = arena.allocate(ETH_CONF_SIZEOF, 8);
            return (int) rte_eth_dev_configure.invokeExact((short) port, (short) nbRx, (short) nbTx, conf);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    /** rte_eth_rx_queue_setup with the driver's default rxconf (NULL). */
    public static int rte_eth_rx_queue_setup(int port, int queue, int nbDesc, int socketId, long mempool) {
        try {
            return (int) rte_eth_rx_queue_setup.invokeExact((short) port, (short) queue, (short) nbDesc, socketId,
                0L, mempool);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    /** rte_eth_tx_queue_setup with the driver's default txconf (NULL). */
    public static int rte_eth_tx_queue_setup(int port, int queue, int nbDesc, int socketId) {
        try {
            return (int) rte_eth_tx_queue_setup.invokeExact((short) port, (short) queue, (short) nbDesc, socketId, 0L);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    public static int rte_eth_dev_start(int port) {
        return callPort(rte_eth_dev_start, port);
    }

    public static int rte_eth_dev_stop(int port) {
        return callPort(rte_eth_dev_stop, port);
    }

    public static int rte_eth_dev_close(int port) {
        return callPort(rte_eth_dev_close, port);
    }

    public static int rte_eth_promiscuous_enable(int port) {
        return callPort(rte_eth_promiscuous_enable, port);
    }

    public static int rte_eth_promiscuous_disable(int port) {
        return callPort(rte_eth_promiscuous_disable, port);
    }

    public static int rte_eth_promiscuous_get(int port) {
        return callPort(rte_eth_promiscuous_get, port);
    }

    public static int rte_eth_dev_socket_id(int port) {
        return callPort(rte_eth_dev_socket_id, port);
    }

    public static int rte_eth_stats_reset(int port) {
        return callPort(rte_eth_stats_reset, port);
    }

    public static boolean rte_eth_dev_is_valid_port(int port) {
        return callPort(rte_eth_dev_is_valid_port, port) != 0;
    }

    /** Fills {@code stats} (ETH_STATS_SIZEOF bytes). */
    public static int rte_eth_stats_get(int port, MemorySegment stats) {
        return callPortStruct(rte_eth_stats_get, port, stats);
    }

    public static int rte_eth_link_get_nowait(int port, MemorySegment link) {
        return callPortStruct(rte_eth_link_get_nowait, port, link);
    }

    public static int rte_eth_macaddr_get(int port, MemorySegment mac6) {
        return callPortStruct(rte_eth_macaddr_get, port, mac6);
    }

    public static int rte_eth_dev_info_get(int port, MemorySegment info) {
        return callPortStruct(rte_eth_dev_info_get, port, info);
    }

    public static String rte_eth_dev_get_name_by_port(int port) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(RTE_ETH_NAME_MAX_LEN);
            int rc = callPortStruct(rte_eth_dev_get_name_by_port, port, name);
            return rc == 0 ? name.getString(0) : null;
        }
    }

    /** EthdevPort id for an ethdev name, or -errno. */
    public static int rte_eth_dev_get_port_by_name(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(JAVA_SHORT);
            int rc = (int) rte_eth_dev_get_port_by_name.invokeExact(arena.allocateFrom(name), id);
            return rc < 0 ? rc : Short.toUnsignedInt(id.get(JAVA_SHORT, 0));
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    /**
     * All ethdev ports matching a devargs string (RTE_ETH_FOREACH_MATCHING_DEV): how testpmd finds
     * the ports a "port attach" created, e.g. every representor of a PCI device.
     */
    public static int[] portsMatching(String devargs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iter = arena.allocate(DEV_ITERATOR_SIZEOF, 8);
            int rc = (int) rte_eth_iterator_init.invokeExact(iter, arena.allocateFrom(devargs));
            if (rc < 0) {
                return new int[0];
            }
            int[] ids = new int[RTE_MAX_ETHPORTS];
            int n = 0;
            while (true) {
                int id = Short.toUnsignedInt((short) rte_eth_iterator_next.invokeExact(iter));
                if (id >= RTE_MAX_ETHPORTS) {
                    break; // RTE_MAX_ETHPORTS means "no more"; next() cleaned up already
                }
                if (n < ids.length) {
                    ids[n++] = id;
                }
            }
            return java.util.Arrays.copyOf(ids, n);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    private static int callPort(MethodHandle mh, int port) {
        try {
            return (int) mh.invokeExact((short) port);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }

    private static int callPortStruct(MethodHandle mh, int port, MemorySegment s) {
        try {
            return (int) mh.invokeExact((short) port, s);
        } catch (Throwable t) {
            throw RteEal.rethrow(t);
        }
    }
}
