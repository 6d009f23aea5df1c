package org.offloadbridge.dpdk.internal.rte;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.dpdk.Eal;
import org.offloadbridge.dpdk.EthdevPort;
import org.offloadbridge.dpdk.Mempool;
import org.offloadbridge.dpdk.TestEal;

/**
 * Debian's DPDK is built with RTE_ETHDEV_RXTX_CALLBACKS: the inline rx/tx burst calls the
 * registered callbacks, so our burst path must too. Registers Java callbacks (upcall stubs) with
 * rte_eth_add_rx_callback / rte_eth_add_tx_callback on a net_ring port and checks they run on
 * every burst, and stop running once removed.
 */
@Tag("host")
class RxTxCallbackTest {

    static final AtomicInteger RX_SEEN = new AtomicInteger();
    static final AtomicInteger TX_SEEN = new AtomicInteger();

    static short onRx(short port, short queue, MemorySegment pkts, short nb, short max, MemorySegment user) {
        RX_SEEN.addAndGet(nb);
        return nb;
    }

    static short onTx(short port, short queue, MemorySegment pkts, short nb, MemorySegment user) {
        TX_SEEN.addAndGet(nb);
        return nb;
    }

    @Test
    void burstsRunRegisteredCallbacks() throws Throwable {
        Eal eal = TestEal.get();
        try (Mempool pool = Mempool.create(eal, eal.uniqueName("cb"), 511, 0, RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE);
             Arena arena = Arena.ofShared()) {
            EthdevPort p = eal.attach("net_ring_cb1");
            p.configure(1, 1, 128, pool);
            p.start();
            FunctionDescriptor rxFd = FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS, JAVA_SHORT,
                JAVA_SHORT, ADDRESS);
            FunctionDescriptor txFd = FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS, JAVA_SHORT,
                ADDRESS);
            MethodHandles.Lookup l = MethodHandles.lookup();
            MemorySegment rxStub = NativeLibs.LINKER.upcallStub(l.findStatic(RxTxCallbackTest.class, "onRx",
                MethodType.methodType(short.class, short.class, short.class, MemorySegment.class, short.class,
                    short.class, MemorySegment.class)), rxFd, arena);
            MemorySegment txStub = NativeLibs.LINKER.upcallStub(l.findStatic(RxTxCallbackTest.class, "onTx",
                MethodType.methodType(short.class, short.class, short.class, MemorySegment.class, short.class,
                    MemorySegment.class)), txFd, arena);
            FunctionDescriptor addFd = FunctionDescriptor.of(ADDRESS, JAVA_SHORT, JAVA_SHORT, ADDRESS, ADDRESS);
            MethodHandle addRx = NativeLibs.downcall("rte_eth_add_rx_callback", addFd);
            MethodHandle addTx = NativeLibs.downcall("rte_eth_add_tx_callback", addFd);
            FunctionDescriptor rmFd = FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, ADDRESS);
            MethodHandle rmRx = NativeLibs.downcall("rte_eth_remove_rx_callback", rmFd);
            MethodHandle rmTx = NativeLibs.downcall("rte_eth_remove_tx_callback", rmFd);

            MemorySegment rxCb = (MemorySegment) addRx.invokeExact((short) p.id(), (short) 0, rxStub, MemorySegment.NULL);
            MemorySegment txCb = (MemorySegment) addTx.invokeExact((short) p.id(), (short) 0, txStub, MemorySegment.NULL);
            assertNotEquals(MemorySegment.NULL, rxCb);
            assertNotEquals(MemorySegment.NULL, txCb);

            MemorySegment burst = arena.allocate(ValueLayout.JAVA_LONG, 32);
            for (int i = 0; i < 3; i++) {
                burst.setAtIndex(ValueLayout.JAVA_LONG, i, pool.copyIn(new byte[60]));
            }
            assertEquals(3, p.txBurst(0, burst.address(), 3));
            assertEquals(3, TX_SEEN.get(), "tx callback saw the burst");
            assertEquals(3, p.rxBurst(0, burst.address(), 32));
            assertEquals(3, RX_SEEN.get(), "rx callback saw the burst");

            assertEquals(0, (int) rmRx.invokeExact((short) p.id(), (short) 0, rxCb));
            assertEquals(0, (int) rmTx.invokeExact((short) p.id(), (short) 0, txCb));
            assertEquals(3, p.txBurst(0, burst.address(), 3));
            assertEquals(3, p.rxBurst(0, burst.address(), 32));
            assertEquals(3, TX_SEEN.get(), "removed tx callback no longer runs");
            assertEquals(3, RX_SEEN.get(), "removed rx callback no longer runs");
            RteMbuf.rte_pktmbuf_free_bulk(burst.address(), 3);
            p.stop();
            assertEquals(0, pool.inUseCount());
        }
    }
}
