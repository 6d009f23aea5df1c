package org.offloadbridge.benchmarks.dpdk;

import java.io.IOException;
import java.nio.file.Path;
import org.offloadbridge.dpdk.DpdkDatapath;
import org.offloadbridge.dpdk.Eal;
import org.offloadbridge.dpdk.EalConfig;
import org.offloadbridge.dpdk.EthdevPort;

/** One datapath set up for a benchmark: net_pcap (infinite replay of N flows) → datapath → net_null. */
final class DpdkBench implements AutoCloseable {

    static final int IN = 1;
    static final int OUT = 2;

    final Eal eal;
    final DpdkDatapath dp;
    final EthdevPort source;
    final EthdevPort sink;
    final Path pcap;

    DpdkBench(int flows, int seq) throws IOException {
        eal = Eal.initOrGet(new EalConfig().memoryMb(1024));
        pcap = FlowPcap.write(flows);
        // infinite_rx keeps every packet of the file in mbufs: the pool must hold them all
        int mbufs = Math.max(16383, Integer.highestOneBit(flows + 8192) * 2 - 1);
        dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(mbufs).mbufDataRoom(128 + 256)
            .idleParkNanos(0));
        source = dp.addPort(IN, "net_pcap_b" + seq + ",rx_pcap=" + pcap + ",infinite_rx=1");
        sink = dp.addPort(OUT, "net_null_b" + seq + ",no-rx=1");
        for (int i = 0; i < flows; i++) {
            dp.flows().install(FlowPcap.flow(IN, i, OUT));
        }
    }

    @Override
    public void close() throws IOException {
        dp.close();
        java.nio.file.Files.deleteIfExists(pcap);
    }
}
