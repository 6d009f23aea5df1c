package org.offloadbridge.benchmarks.dpdk;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;

/**
 * The benchmark traffic: a pcap of N distinct flows of 64-byte Ethernet/IPv4/UDP frames
 * (flow i has destination 10.(i>>16).(i>>8).(i) + 16.0.0.0), and the matching megaflows: one
 * OpenFlow-like rule per flow (in_port, eth_type, ipv4_dst exact → output), so every packet class
 * is its own megaflow.
 */
public final class FlowPcap {

    static final int FRAME = 60; // + 4 bytes FCS on the wire = 64

    private FlowPcap() {
    }

    static int dst(int i) {
        return 0x10000000 + i;
    }

    /** Writes the pcap for {@code args[0]} flows to {@code args[1]} (for dpdk-testpmd runs on the same traffic). */
    public static void main(String[] args) throws IOException {
        Path tmp = write(Integer.parseInt(args[0]));
        Files.move(tmp, Path.of(args[1]), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static Path write(int flows) throws IOException {
        Path p = Files.createTempFile("ob-dpdk-" + flows + "-", ".pcap");
        try (OutputStream out = Files.newOutputStream(p)) {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
            out.write(h.array());
            ByteBuffer r = ByteBuffer.allocate(16 + FRAME);
            for (int i = 0; i < flows; i++) {
                r.clear();
                r.order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(0).putInt(FRAME).putInt(FRAME);
                r.order(ByteOrder.BIG_ENDIAN);
                r.putShort((short) 0x0200).putInt(2).putShort((short) 0x0200).putInt(1).putShort((short) 0x0800);
                int src = 0x0a000001;
                int dst = dst(i);
                r.put((byte) 0x45).put((byte) 0).putShort((short) (FRAME - 14)).putShort((short) 0).putShort((short) 0)
                    .put((byte) 64).put((byte) 17);
                int csumAt = r.position();
                r.putShort((short) 0).putInt(src).putInt(dst);
                r.putShort((short) 1024).putShort((short) 4789).putShort((short) (FRAME - 34)).putShort((short) 0);
                while (r.position() < 16 + FRAME) {
                    r.put((byte) 0);
                }
                long sum = 0;
                for (int k = 16 + 14; k < 16 + 34; k += 2) {
                    sum += Short.toUnsignedInt(r.getShort(k));
                }
                while ((sum >>> 16) != 0) {
                    sum = (sum & 0xffff) + (sum >>> 16);
                }
                r.putShort(csumAt, (short) ~sum);
                out.write(r.array(), 0, 16 + FRAME);
            }
        }
        return p;
    }

    static Megaflow flow(int inPort, int i, int outPort) {
        FlowKey k = new FlowKey();
        FlowMask m = new FlowMask();
        k.setInPort(inPort);
        m.setExact(Field.IN_PORT);
        k.set(Field.ETH_TYPE, 0x0800);
        m.setExact(Field.ETH_TYPE);
        k.set(Field.IPV4_DST, dst(i) & 0xffffffffL);
        m.setExact(Field.IPV4_DST);
        return Megaflow.of(k, m, Actions.builder().output(outPort).build());
    }
}
