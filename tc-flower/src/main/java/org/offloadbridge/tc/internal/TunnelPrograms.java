package org.offloadbridge.tc.internal;

import static org.offloadbridge.ebpf.Asm.R0;
import static org.offloadbridge.ebpf.Asm.R1;
import static org.offloadbridge.ebpf.Asm.R10;
import static org.offloadbridge.ebpf.Asm.R2;
import static org.offloadbridge.ebpf.Asm.R3;
import static org.offloadbridge.ebpf.Asm.R4;
import static org.offloadbridge.ebpf.Asm.R5;
import static org.offloadbridge.ebpf.Asm.R6;
import static org.offloadbridge.ebpf.Asm.R7;
import static org.offloadbridge.flow.TunnelFrame.BPF_F_TUNINFO_IPV6;
import static org.offloadbridge.flow.TunnelFrame.FLAG_IPV6;
import static org.offloadbridge.flow.TunnelFrame.INJECT_FLAGS;
import static org.offloadbridge.flow.TunnelFrame.INJECT_KEY;
import static org.offloadbridge.flow.TunnelFrame.INJECT_TRAILER_LEN;
import static org.offloadbridge.flow.TunnelFrame.KEY_LEN;
import static org.offloadbridge.flow.TunnelFrame.MISS_FLAGS;
import static org.offloadbridge.flow.TunnelFrame.MISS_HEADER_LEN;
import static org.offloadbridge.flow.TunnelFrame.MISS_KEY;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.offloadbridge.ebpf.Asm;
import org.offloadbridge.ebpf.Asm.Helper;
import org.offloadbridge.ebpf.BpfProgram;
import org.offloadbridge.flow.TunnelFrame;

/**
 * The two tc programs of a tunnel's slow path (layout: {@link TunnelFrame}). Both run
 * direct-action at the catch-all's prio, so they see only packets that missed every flow.
 *
 * <p><b>Miss</b>, on the VXLAN device's ingress: reads the decapsulated packet's tunnel key
 * (IPv4, else IPv6), puts the miss header in front of the frame and redirects it out of the
 * miss device. A packet without tunnel metadata (none arrives on a collect_md device) is dropped.
 *
 * <p><b>Inject</b>, on the miss device's kernel side ingress: takes the trailer off what the
 * datapath sent, sets the tunnel key from it and redirects the inner frame to the VXLAN
 * device's egress. A frame without our trailer is dropped: nothing else may leave through the
 * tunnel.
 *
 * <p>Both stage their 64 bytes in the stack frame, [r10-64, r10).
 */
public final class TunnelPrograms {
    /** What both return when they cannot do their job. */
    static final int TC_ACT_SHOT = 2;
    static final String LICENSE = "Dual BSD/GPL";

    private TunnelPrograms() {
    }

    /** The miss program, redirecting to {@code missIfindex}'s egress. */
    public static BpfProgram miss(int missIfindex) {
        int base = -MISS_HEADER_LEN;
        int key = base + MISS_KEY;
        Asm a = new Asm().mov64(R6, R1);
        ByteBuffer fixed = ByteBuffer.wrap(TunnelFrame.missHeaderFixed()).order(ByteOrder.nativeOrder());
        for (int i = 0; i < MISS_KEY; i += 4) {
            a.stW(R10, base + i, fixed.getInt(i));
        }
        for (int i = MISS_KEY + KEY_LEN; i < MISS_HEADER_LEN; i += 4) {
            a.stW(R10, base + i, 0);
        }
        getTunnelKey(a, key, 0).jeqImm(R0, 0, "have");
        getTunnelKey(a, key, BPF_F_TUNINFO_IPV6).jneImm(R0, 0, "drop")
            .stB(R10, base + MISS_FLAGS, FLAG_IPV6)
            .label("have")
            .mov64(R1, R6).mov64Imm(R2, MISS_HEADER_LEN).mov64Imm(R3, 0).call(Helper.SKB_CHANGE_HEAD)
            .jneImm(R0, 0, "drop")
            .mov64(R1, R6).mov64Imm(R2, 0).mov64(R3, R10).add64Imm(R3, base).mov64Imm(R4, MISS_HEADER_LEN).mov64Imm(R5, 0)
            .call(Helper.SKB_STORE_BYTES)
            .jneImm(R0, 0, "drop");
        redirect(a, missIfindex);
        return new BpfProgram("ob_tnl_miss", BpfProgram.Type.SCHED_CLS, a.assemble(), LICENSE);
    }

    /** The inject program, redirecting to the VXLAN device {@code vxlanIfindex}'s egress. */
    public static BpfProgram inject(int vxlanIfindex) {
        int base = -INJECT_TRAILER_LEN;
        int magic = ByteBuffer.allocate(4).putInt(TunnelFrame.INJECT_MAGIC).order(ByteOrder.nativeOrder()).getInt(0);
        Asm a = new Asm().mov64(R6, R1)
            .ldxW(R7, R6, 0)                          // skb->len: the frame with its trailer
            .jltImm(R7, INJECT_TRAILER_LEN + 14, "drop")
            .sub64Imm(R7, INJECT_TRAILER_LEN)          // the inner frame's length, and the trailer's offset
            .mov64(R1, R6).mov64(R2, R7).mov64(R3, R10).add64Imm(R3, base).mov64Imm(R4, INJECT_TRAILER_LEN)
            .call(Helper.SKB_LOAD_BYTES)
            .jneImm(R0, 0, "drop")
            .ldxW(R1, R10, base)
            .jneImm(R1, magic, "drop")
            .mov64(R1, R6).mov64(R2, R7).mov64Imm(R3, 0).call(Helper.SKB_CHANGE_TAIL)
            .jneImm(R0, 0, "drop")
            .mov64(R1, R6).mov64(R2, R10).add64Imm(R2, base + INJECT_KEY).mov64Imm(R3, KEY_LEN).ldxW(R4, R10, base + INJECT_FLAGS)
            .call(Helper.SKB_SET_TUNNEL_KEY)
            .jneImm(R0, 0, "drop");
        redirect(a, vxlanIfindex);
        return new BpfProgram("ob_tnl_inject", BpfProgram.Type.SCHED_CLS, a.assemble(), LICENSE);
    }

    private static Asm getTunnelKey(Asm a, int stackOff, int flags) {
        return a.mov64(R1, R6).mov64(R2, R10).add64Imm(R2, stackOff).mov64Imm(R3, KEY_LEN).mov64Imm(R4, flags)
            .call(Helper.SKB_GET_TUNNEL_KEY);
    }

    /** {@code return bpf_redirect(ifindex, 0)} (TC_ACT_REDIRECT), and the shared drop exit. */
    private static void redirect(Asm a, int ifindex) {
        a.mov64Imm(R1, ifindex).mov64Imm(R2, 0).call(Helper.REDIRECT).exit()
            .label("drop").mov64Imm(R0, TC_ACT_SHOT).exit();
    }
}
