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
    /** The VXLAN traffic's frame: 50 outer bytes + the 60-byte inner frame. */
    static final int VXLAN_FRAME = FRAME + 50;
    /** The VXLAN runs' underlay: our endpoint, the remote's, the VNI, the two MACs. */
    static final int LOCAL_IP = 0xac1f0001; // 172.31.0.1
    static final int REMOTE_IP = 0xac1f0002; // 172.31.0.2
    static final int VNI = 42;
    static final long UNDERLAY_LOCAL_MAC = 0x02000000aa01L;
    static final long UNDERLAY_REMOTE_MAC = 0x02000000aa02L;

    private FlowPcap() {
    }

    static int dst(int i) {
        return 0x10000000 + i;
    }

    /**
     * Writes the pcap for {@code args[0]} flows to {@code args[1]} (for dpdk-testpmd and OVS-DPDK
     * runs on the same traffic); {@code args[2] = vxlan} writes the flows as they arrive
     * encapsulated (the decap runs' traffic).
     */
    public static void main(String[] args) throws IOException {
        Path tmp = write(Integer.parseInt(args[0]), args.length > 2 && args[2].equals("vxlan"));
        Files.move(tmp, Path.of(args[1]), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static Path write(int flows) throws IOException {
        return write(flows, false);
    }

    /**
     * The same N flows, each frame as it arrives from a VXLAN underlay when {@code vxlan}: outer
     * Ethernet ({@link #UNDERLAY_REMOTE_MAC} → {@link #UNDERLAY_LOCAL_MAC}), IPv4
     * {@link #REMOTE_IP} → {@link #LOCAL_IP} with DF, UDP to 4789 from a source port that varies
     * with the flow (as a sender's inner-flow hash spreads it), VXLAN VNI {@link #VNI}; then the
     * 60-byte inner frame — {@value #VXLAN_FRAME} bytes in all.
     */
    static Path write(int flows, boolean vxlan) throws IOException {
        Path p = Files.createTempFile("ob-dpdk-" + flows + (vxlan ? "-vxlan-" : "-"), ".pcap");
        int len = vxlan ? VXLAN_FRAME : FRAME;
        try (OutputStream out = Files.newOutputStream(p)) {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
            out.write(h.array());
            ByteBuffer r = ByteBuffer.allocate(16 + len);
            for (int i = 0; i < flows; i++) {
                r.clear();
                r.order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(0).putInt(len).putInt(len);
                r.order(ByteOrder.BIG_ENDIAN);
                if (vxlan) {
                    putEth(r, UNDERLAY_LOCAL_MAC, UNDERLAY_REMOTE_MAC);
                    putIpv4Udp(r, VXLAN_FRAME - 14, 0x4000, REMOTE_IP, LOCAL_IP, 49152 + (i & 0x3fff), 4789);
                    r.putInt(0x08000000).putInt(VNI << 8);
                }
                putEth(r, 0x020000000002L, 0x020000000001L);
                putIpv4Udp(r, FRAME - 14, 0, 0x0a000001, dst(i), 1024, 4789);
                while (r.position() < 16 + len) {
                    r.put((byte) 0);
                }
                out.write(r.array(), 0, 16 + len);
            }
        }
        return p;
    }

    private static void putEth(ByteBuffer r, long dst, long src) {
        r.putShort((short) (dst >>> 32)).putInt((int) dst).putShort((short) (src >>> 32)).putInt((int) src)
            .putShort((short) 0x0800);
    }

    /** An IPv4 header with its checksum, then a UDP header (checksum 0), at the buffer's position. */
    private static void putIpv4Udp(ByteBuffer r, int ipLen, int fragOff, int src, int dst, int sport, int dport) {
        int at = r.position();
        r.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0).putShort((short) fragOff)
            .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(src).putInt(dst);
        long sum = 0;
        for (int k = at; k < at + 20; k += 2) {
            sum += Short.toUnsignedInt(r.getShort(k));
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        r.putShort(at + 10, (short) ~sum);
        r.putShort((short) sport).putShort((short) dport).putShort((short) (ipLen - 20)).putShort((short) 0);
    }

    static Megaflow flow(int inPort, int i, int outPort) {
        return Megaflow.of(key(inPort, i), mask(), Actions.builder().output(outPort).build());
    }

    /** Flow i sent into VXLAN port {@code tunnelPort} to {@link #REMOTE_IP} with {@link #VNI}: the encap run's flows. */
    static Megaflow encapFlow(int inPort, int i, int tunnelPort) {
        Actions a = Actions.builder().setTunnelIpv4(VNI, 0, REMOTE_IP, 0, 64, 0, 4789, FlowKey.TUN_F_KEY)
            .output(tunnelPort).build();
        return Megaflow.of(key(inPort, i), mask(), a);
    }

    /**
     * Flow i as received on VXLAN port {@code tunnelPort} (tun_id, tun_src, tun_dst and the key
     * flag matched, as the daemon's decap megaflows do) → output: the decap run's flows.
     */
    static Megaflow decapFlow(int tunnelPort, int i, int outPort) {
        FlowKey k = key(tunnelPort, i);
        FlowMask m = mask();
        k.set(Field.TUN_ID, VNI);
        m.setExact(Field.TUN_ID);
        k.set(Field.TUN_IPV4_SRC, REMOTE_IP & 0xffffffffL);
        m.setExact(Field.TUN_IPV4_SRC);
        k.set(Field.TUN_IPV4_DST, LOCAL_IP & 0xffffffffL);
        m.setExact(Field.TUN_IPV4_DST);
        k.set(Field.TUN_FLAGS, FlowKey.TUN_F_KEY);
        m.set(Field.TUN_FLAGS, FlowKey.TUN_F_KEY);
        return Megaflow.of(k, m, Actions.builder().output(outPort).build());
    }

    private static FlowKey key(int inPort, int i) {
        FlowKey k = new FlowKey();
        k.setInPort(inPort);
        k.set(Field.ETH_TYPE, 0x0800);
        k.set(Field.IPV4_DST, dst(i) & 0xffffffffL);
        return k;
    }

    private static FlowMask mask() {
        FlowMask m = new FlowMask();
        m.setExact(Field.IN_PORT);
        m.setExact(Field.ETH_TYPE);
        m.setExact(Field.IPV4_DST);
        return m;
    }
}
