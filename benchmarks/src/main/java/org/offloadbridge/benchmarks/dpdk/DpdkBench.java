package org.offloadbridge.benchmarks.dpdk;

import java.io.IOException;
import java.nio.file.Path;
import org.offloadbridge.dpdk.DpdkDatapath;
import org.offloadbridge.dpdk.Eal;
import org.offloadbridge.dpdk.EalConfig;
import org.offloadbridge.dpdk.EthdevPort;
import org.offloadbridge.dpdk.VxlanUnderlay;
import org.offloadbridge.flow.Tunnel;

/**
 * One datapath set up for a benchmark: net_pcap (infinite replay of N flows) → datapath →
 * net_null, in one of three {@link Mode}s. The sink is always datapath port {@link #OUT}.
 */
final class DpdkBench implements AutoCloseable {

    static final int IN = 1;
    static final int OUT = 2;
    /** The VXLAN port, on the underlay port (OUT for encap, IN for decap). */
    static final int TUN = 3;

    /** What each packet goes through. */
    enum Mode {
        /** in_port + ipv4_dst exact → output. */
        PLAIN,
        /** The same match → set(tunnel(VNI 42, to 172.31.0.2)), output to a VXLAN port whose underlay is the sink. */
        ENCAP,
        /** VXLAN frames to 172.31.0.1 on the source port: decapsulated, matched on tunnel + inner fields → output. */
        DECAP
    }

    final Eal eal;
    final DpdkDatapath dp;
    final EthdevPort source;
    final EthdevPort sink;
    final Path pcap;

    DpdkBench(int flows, int seq) throws IOException {
        this(flows, seq, Mode.PLAIN);
    }

    DpdkBench(int flows, int seq, Mode mode) throws IOException {
        this(flows, seq, mode, false);
    }

    /** @param huge EAL memory in hugepages (else {@code --no-huge}); the first bench of a JVM decides */
    DpdkBench(int flows, int seq, Mode mode, boolean huge) throws IOException {
        eal = Eal.initOrGet(new EalConfig().memoryMb(1024).hugepages(huge));
        pcap = FlowPcap.write(flows, mode == Mode.DECAP);
        // infinite_rx keeps every packet of the file in mbufs: the pool must hold them all
        int mbufs = Math.max(16383, Integer.highestOneBit(flows + 8192) * 2 - 1);
        dp = DpdkDatapath.create(eal, new DpdkDatapath.Config().mbufs(mbufs).mbufDataRoom(128 + 256)
            .idleParkNanos(0));
        source = dp.addPort(IN, "net_pcap_b" + seq + ",rx_pcap=" + pcap + ",infinite_rx=1");
        sink = dp.addPort(OUT, "net_null_b" + seq + ",no-rx=1");
        if (mode != Mode.PLAIN) {
            int underlay = mode == Mode.ENCAP ? OUT : IN;
            dp.addVxlanPort(TUN, Tunnel.vxlan(FlowPcap.LOCAL_IP, FlowPcap.REMOTE_IP),
                new VxlanUnderlay(underlay, FlowPcap.UNDERLAY_LOCAL_MAC, FlowPcap.UNDERLAY_REMOTE_MAC));
        }
        for (int i = 0; i < flows; i++) {
            dp.flows().install(switch (mode) {
                case PLAIN -> FlowPcap.flow(IN, i, OUT);
                case ENCAP -> FlowPcap.encapFlow(IN, i, TUN);
                case DECAP -> FlowPcap.decapFlow(TUN, i, OUT);
            });
        }
    }

    @Override
    public void close() throws IOException {
        dp.close();
        java.nio.file.Files.deleteIfExists(pcap);
    }
}
