package org.offloadbridge.dpdk;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.offloadbridge.dpdk.internal.rte.RteEthdev;
import org.offloadbridge.dpdk.internal.rte.RteMempool;

/**
 * One DPDK ethdev port: configuration (queues, promiscuous), start/stop, link and stats on the
 * control side; {@link #rxBurst}/{@link #txBurst} on the fast path.
 *
 * <p>Threading: control calls from any one thread at a time. Each rx queue is polled by exactly
 * one thread and each tx queue is used by exactly one thread at a time (DPDK queues are not
 * thread-safe); the datapath gives every PMD thread its own tx queue on every port and keeps the
 * last one for packet-out. The fast-path pointers are re-read on every start and stop, because
 * ethdev replaces a stopped port's functions with dummies.
 */
public final class EthdevPort {

    private final int id;
    private final String name;
    private final String devargs;

    private int nbRx;
    private int nbTx;
    private boolean sharedTx;
    private Object[] txLocks = new Object[0];
    private volatile boolean started;
    private boolean closed;
    // Fast-path cache, written before 'started' is set (volatile write publishes it).
    private MemorySegment rxFn = MemorySegment.NULL;
    private MemorySegment txFn = MemorySegment.NULL;
    private long[] rxQueues = new long[0];
    private long[] txQueues = new long[0];
    private long[] rxCallbackSlots = new long[0];
    private long[] txCallbackSlots = new long[0];

    EthdevPort(int id, String name, String devargs) {
        this.id = id;
        this.name = name;
        this.devargs = devargs;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String devargs() {
        return devargs;
    }

    public int rxQueueCount() {
        return nbRx;
    }

    public int txQueueCount() {
        return nbTx;
    }

    public boolean isStarted() {
        return started;
    }

    /**
     * rte_eth_dev_configure + every rx/tx queue setup. The port must be stopped.
     *
     * @param nbDesc descriptors per queue (ring size)
     */
    public void configure(int nbRxQueues, int nbTxQueues, int nbDesc, Mempool pool) {
        if (started) {
            throw new IllegalStateException("port " + name + " must be stopped to configure");
        }
        if (nbRxQueues < 1 || nbTxQueues < 1) {
            throw new IllegalArgumentException("port " + name + ": need at least one rx and one tx queue, got "
                + nbRxQueues + "/" + nbTxQueues);
        }
        DpdkException.check(RteEthdev.rte_eth_dev_configure(id, nbRxQueues, nbTxQueues), "rte_eth_dev_configure", name);
        int socket = RteEthdev.rte_eth_dev_socket_id(id);
        if (socket < 0) {
            socket = RteMempool.SOCKET_ID_ANY;
        }
        for (int q = 0; q < nbRxQueues; q++) {
            DpdkException.check(RteEthdev.rte_eth_rx_queue_setup(id, q, nbDesc, socket, pool.address()),
                "rte_eth_rx_queue_setup", name + " rxq " + q);
        }
        for (int q = 0; q < nbTxQueues; q++) {
            DpdkException.check(RteEthdev.rte_eth_tx_queue_setup(id, q, nbDesc, socket),
                "rte_eth_tx_queue_setup", name + " txq " + q);
        }
        this.nbRx = nbRxQueues;
        this.nbTx = nbTxQueues;
        this.txLocks = new Object[nbTxQueues];
        for (int q = 0; q < nbTxQueues; q++) {
            txLocks[q] = new Object();
        }
    }

    /** Most tx queues the driver offers (net_af_packet: its qpairs, default 1). */
    public int maxTxQueues() {
        return devInfoShort(RteEthdev.DEV_INFO_MAX_TX_QUEUES);
    }

    public int maxRxQueues() {
        return devInfoShort(RteEthdev.DEV_INFO_MAX_RX_QUEUES);
    }

    private int devInfoShort(int offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(RteEthdev.ETH_DEV_INFO_SIZEOF, 8);
            DpdkException.check(RteEthdev.rte_eth_dev_info_get(id, info), "rte_eth_dev_info_get", name);
            return Short.toUnsignedInt(info.get(JAVA_SHORT, offset));
        }
    }

    /**
     * Marks the tx queues as shared between more threads than there are queues (as OVS does for
     * devices with too few tx queues): {@link #txBurstShared} then locks per queue.
     */
    void sharedTx(boolean shared) {
        this.sharedTx = shared;
    }

    boolean isSharedTx() {
        return sharedTx;
    }

    /** tx burst on queue {@code txUser % queues}, under that queue's lock. */
    int txBurstShared(int txUser, long pkts, int n) {
        int q = txUser % nbTx;
        synchronized (txLocks[q]) {
            return txBurst(q, pkts, n);
        }
    }

    public void start() {
        if (nbRx == 0) {
            throw new IllegalStateException("port " + name + " must be configured before start");
        }
        DpdkException.check(RteEthdev.rte_eth_dev_start(id), "rte_eth_dev_start", name);
        refreshFastPath();
        started = true;
    }

    /** Stops the port; no thread may be polling it (the datapath removes it from PMDs first). */
    public void stop() {
        started = false;
        DpdkException.check(RteEthdev.rte_eth_dev_stop(id), "rte_eth_dev_stop", name);
        refreshFastPath();
    }

    /**
     * Stops (if needed) and closes the port, releasing its ethdev port id. Closing again does
     * nothing (the datapath closes its ports on close; a test may too).
     */
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (started) {
            stop();
        }
        closed = true;
        DpdkException.check(RteEthdev.rte_eth_dev_close(id), "rte_eth_dev_close", name);
    }

    private void refreshFastPath() {
        rxFn = MemorySegment.ofAddress(RteEthdev.fpRxBurst(id));
        txFn = MemorySegment.ofAddress(RteEthdev.fpTxBurst(id));
        long[] rq = new long[nbRx];
        long[] rc = new long[nbRx];
        for (int q = 0; q < nbRx; q++) {
            rq[q] = RteEthdev.fpRxQueue(id, q);
            rc[q] = RteEthdev.fpRxCallbackSlot(id, q);
        }
        long[] tq = new long[nbTx];
        long[] tc = new long[nbTx];
        for (int q = 0; q < nbTx; q++) {
            tq[q] = RteEthdev.fpTxQueue(id, q);
            tc[q] = RteEthdev.fpTxCallbackSlot(id, q);
        }
        rxQueues = rq;
        rxCallbackSlots = rc;
        txQueues = tq;
        txCallbackSlots = tc;
    }

    public void promiscuous(boolean on) {
        int rc = on ? RteEthdev.rte_eth_promiscuous_enable(id) : RteEthdev.rte_eth_promiscuous_disable(id);
        // -ENOTSUP: virtual devices without a filter (net_null, net_ring) are promiscuous anyway.
        if (rc < 0 && rc != -95) {
            DpdkException.check(rc, on ? "rte_eth_promiscuous_enable" : "rte_eth_promiscuous_disable", name);
        }
    }

    public boolean isPromiscuous() {
        return RteEthdev.rte_eth_promiscuous_get(id) == 1;
    }

    public LinkStatus link() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment l = a.allocate(RteEthdev.ETH_LINK_SIZEOF, 8);
            DpdkException.check(RteEthdev.rte_eth_link_get_nowait(id, l), "rte_eth_link_get_nowait", name);
            int bits = Short.toUnsignedInt(l.get(JAVA_SHORT, 4));
            return new LinkStatus(l.get(JAVA_INT, 0), (bits & 4) != 0, (bits & 1) != 0, (bits & 2) != 0);
        }
    }

    public PortStats stats() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(RteEthdev.ETH_STATS_SIZEOF, 8);
            DpdkException.check(RteEthdev.rte_eth_stats_get(id, s), "rte_eth_stats_get", name);
            return new PortStats(s.get(JAVA_LONG, 0), s.get(JAVA_LONG, 8), s.get(JAVA_LONG, 16), s.get(JAVA_LONG, 24),
                s.get(JAVA_LONG, 32), s.get(JAVA_LONG, 40), s.get(JAVA_LONG, 48), s.get(JAVA_LONG, 56));
        }
    }

    public void resetStats() {
        DpdkException.check(RteEthdev.rte_eth_stats_reset(id), "rte_eth_stats_reset", name);
    }

    /** The port's MAC address, 6 bytes. */
    public byte[] macAddress() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(6);
            DpdkException.check(RteEthdev.rte_eth_macaddr_get(id, m), "rte_eth_macaddr_get", name);
            return m.toArray(JAVA_BYTE);
        }
    }

    public String driverName() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(RteEthdev.ETH_DEV_INFO_SIZEOF, 8);
            DpdkException.check(RteEthdev.rte_eth_dev_info_get(id, info), "rte_eth_dev_info_get", name);
            MemorySegment p = info.get(java.lang.foreign.ValueLayout.ADDRESS, RteEthdev.DEV_INFO_DRIVER_NAME);
            return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(64).getString(0);
        }
    }

    // ---- fast path -------------------------------------------------------------------------

    /**
     * rte_eth_rx_burst: receives up to {@code n} mbufs into the pointer array at {@code pkts}.
     * Returns 0 when the port is stopped. Allocation-free.
     */
    public int rxBurst(int queue, long pkts, int n) {
        if (!started) {
            return 0;
        }
        int nb = RteEthdev.rx_pkt_burst(rxFn, rxQueues[queue], pkts, n);
        long cb = RteEthdev.readPointer(rxCallbackSlots[queue]);
        if (cb != 0) {
            nb = RteEthdev.rte_eth_call_rx_callbacks(id, queue, pkts, nb, n, cb);
        }
        return nb;
    }

    /**
     * rte_eth_tx_burst: queues up to {@code n} mbufs; returns how many were taken. The caller
     * still owns (and must free) the rest. Returns 0 when the port is stopped.
     */
    public int txBurst(int queue, long pkts, int n) {
        if (!started) {
            return 0;
        }
        long cb = RteEthdev.readPointer(txCallbackSlots[queue]);
        if (cb != 0) {
            n = RteEthdev.rte_eth_call_tx_callbacks(id, queue, pkts, n, cb);
        }
        return RteEthdev.tx_pkt_burst(txFn, txQueues[queue], pkts, n);
    }

    @Override
    public String toString() {
        return "port " + id + " (" + name + ")";
    }
}
