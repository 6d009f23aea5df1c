package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;

/**
 * Flow install/delete from other threads while a PMD runner forwards net_null's endless rx at
 * full rate: no crash, no packet sent by a deleted flow once delete returned, no lost stats
 * (the sum of the final stats delete returns equals what the sink port transmitted).
 */
@Tag("host")
class ConcurrentFlowChangesTest {

    static final int SRC = 10;
    static final int SINK = 11;
    static final int OTHER_SINK = 12;

    static Megaflow inPortFlow(int inPort, int out) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(inPort);
        m.setExact(Field.IN_PORT);
        return Megaflow.of(k, m, Actions.builder().output(out).build());
    }

    @Test
    void installAndDeleteWhileForwarding() throws Exception {
        Eal eal = TestEal.get();
        DpdkDatapath dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(4095).upcallQueue(64, 1000));
        try {
            dp.addPort(SRC, "net_null_cfsrc,size=64");
            EthdevPort sink = dp.addPort(SINK, "net_null_cfsink");
            dp.addPort(OTHER_SINK, "net_null_cfother");
            dp.start();

            // Churn unrelated flows (other masks, other in_ports) from a second writer thread. Their
            // in_ports are the datapath's other ports (a flow on a port it lacks is refused).
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> churnFailure = new AtomicReference<>();
            Thread churn = new Thread(() -> {
                try {
                    int i = 0;
                    while (!stop.get()) {
                        FlowKey k = new FlowKey();
                        FlowMask m = new FlowMask();
                        k.setInPort(i % 2 == 0 ? SINK : OTHER_SINK);
                        m.setExact(Field.IN_PORT);
                        k.set(Field.ETH_TYPE, 0x0800 + (i % 3));
                        m.setExact(Field.ETH_TYPE);
                        Megaflow f = Megaflow.of(k, m, Actions.builder().output(OTHER_SINK).build());
                        dp.flows().install(f);
                        dp.flows().delete(f.ufid());
                        i++;
                    }
                } catch (Throwable t) {
                    churnFailure.set(t);
                }
            }, "flow-churn");
            churn.start();

            long counted = 0;
            for (int round = 0; round < 5; round++) {
                Megaflow f = inPortFlow(SRC, SINK);
                dp.flows().install(f);
                Thread.sleep(40);
                FlowStats last = dp.flows().delete(f.ufid());
                long sentAtDelete = sink.stats().opackets();
                counted += last.packets();
                assertEquals(counted, sentAtDelete, "round " + round + ": sink sent exactly what the flow counted");
                Thread.sleep(20);
                assertEquals(sentAtDelete, sink.stats().opackets(), "round " + round + ": nothing sent after delete returned");
            }
            stop.set(true);
            churn.join(5000);
            if (churnFailure.get() != null) {
                throw new AssertionError("flow churn thread failed", churnFailure.get());
            }
            assertTrue(counted > 1000, "the PMD forwarded traffic while flows changed: " + counted);
            assertTrue(dp.counters().upcallsDeduplicated() > 0, "between rounds, misses were deduplicated");
        } finally {
            dp.close();
        }
    }

    /** One flow hit by two PMD threads at once: per-PMD stat slots add up to what was sent. */
    @Test
    void twoPmdsShareOneFlowWithoutLosingCounts() throws Exception {
        Eal eal = TestEal.get();
        DpdkDatapath dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().pmdThreads(2).mbufs(4095));
        try {
            dp.addPort(20, "net_null_2pa,size=64");
            dp.addPort(21, "net_null_2pb,size=64");
            EthdevPort sink = dp.addPort(22, "net_null_2ps");
            assertEquals(2, dp.pmds().size());
            // net_null frames are all-zero: eth_type 0 (802.3) → key eth_type 0x05ff on both ports
            FlowKey k = new FlowKey();
            FlowMask m = new FlowMask();
            k.set(Field.ETH_TYPE, 0x05ff);
            m.setExact(Field.ETH_TYPE);
            Megaflow f = Megaflow.of(k, m, Actions.builder().output(22).build());
            dp.flows().install(f);
            dp.start();
            Thread.sleep(150);
            FlowStats last = dp.flows().delete(f.ufid());
            long sent = sink.stats().opackets();
            assertEquals(last.packets(), sent, "both PMDs' slots summed = packets the sink sent");
            assertEquals(last.packets() * 64, last.bytes());
            assertTrue(dp.pmds().get(0).counters().rxPackets() > 0 && dp.pmds().get(1).counters().rxPackets() > 0,
                "each PMD polled its own source");
        } finally {
            dp.close();
        }
    }
}
