package org.offloadbridge.dpdk.internal;


import java.lang.foreign.MemorySegment;
import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.HeaderEdit;
import org.offloadbridge.flow.KeyAttr;

/**
 * The header edits that change an mbuf's length — VLAN push/pop, the VXLAN prepend and strip —
 * and what a set action may carry here. The set-field rewrites themselves are
 * {@link org.offloadbridge.flow.HeaderEdit}'s, shared with the socket slow path.
 */
public final class PacketEdit {

    private static final MemorySegment M = NativeLibs.ALL;

    private PacketEdit() {
    }

    /**
     * Grows mbuf {@code m}'s data by {@code n} bytes at the front, into the headroom
     * (rte_pktmbuf_prepend, static inline in C, by hand). The caller checked the headroom and
     * writes the new bytes at {@code mtod - n} (VXLAN encap's outer headers).
     */
    public static void prepend(long m, int n) {
        RteMbuf.dataOff(m, RteMbuf.dataOff(m) - n);
        RteMbuf.dataLen(m, RteMbuf.dataLen(m) + n);
        RteMbuf.pktLen(m, RteMbuf.pktLen(m) + n);
    }

    /**
     * Grows mbuf {@code m}'s data by {@code n} bytes at the end, into the tailroom
     * (rte_pktmbuf_append for one segment, by hand). The caller checked the tailroom and wrote
     * the bytes at {@code mtod + data_len} (the tunnel slow path's inject trailer).
     */
    public static void append(long m, int n) {
        RteMbuf.dataLen(m, RteMbuf.dataLen(m) + n);
        RteMbuf.pktLen(m, RteMbuf.pktLen(m) + n);
    }

    /**
     * Drops the first {@code off} bytes of mbuf {@code m} and keeps {@code len} after them
     * (rte_pktmbuf_adj then a trim, by hand): VXLAN decap, where the outer IP length says how
     * long the inner frame is. Nothing is copied; the outer bytes stay readable in the headroom.
     */
    public static void strip(long m, int off, int len) {
        RteMbuf.dataOff(m, RteMbuf.dataOff(m) + off);
        RteMbuf.dataLen(m, len);
        RteMbuf.pktLen(m, len);
    }

    /**
     * Pushes a VLAN tag ({@code tpid}, {@code tci}) in front of the ethertype of mbuf {@code m}:
     * the MAC addresses move 4 bytes into the headroom (data_off/data_len/pkt_len adjusted by hand,
     * as rte_pktmbuf_prepend). False, untouched, without 4 bytes of headroom or a 12-byte header.
     */
    public static boolean pushVlan(long m, int tpid, int tci) {
        if (RteMbuf.headroom(m) < 4 || RteMbuf.dataLen(m) < 12) {
            return false;
        }
        long start = RteMbuf.mtod(m);
        MemorySegment.copy(M, start, M, start - 4, 12);
        HeaderEdit.put16(M, start + 8, tpid);
        HeaderEdit.put16(M, start + 10, tci);
        prepend(m, 4);
        return true;
    }

    /** Pops the outer VLAN tag of mbuf {@code m}; false, untouched, when it has none. */
    public static boolean popVlan(long m) {
        if (RteMbuf.dataLen(m) < 18) {
            return false;
        }
        long start = RteMbuf.mtod(m);
        int t = HeaderEdit.u16(M, start + 12);
        if (t != EthType.VLAN_8021Q && t != EthType.VLAN_8021AD) {
            return false;
        }
        MemorySegment.copy(M, start, M, start + 4, 12);
        RteMbuf.dataOff(m, RteMbuf.dataOff(m) + 4);
        RteMbuf.dataLen(m, RteMbuf.dataLen(m) - 4);
        RteMbuf.pktLen(m, RteMbuf.pktLen(m) - 4);
        return true;
    }

    /**
     * Null when a set action may carry field {@code f} of attribute {@code attr} here; else what
     * is wrong (the flow is refused at install).
     */
    public static String unsettable(KeyAttr attr, Field f) {
        boolean ok = switch (attr) {
            case ETHERNET -> f == Field.ETH_SRC || f == Field.ETH_DST;
            case IPV4 -> f == Field.IPV4_SRC || f == Field.IPV4_DST || f == Field.NW_TOS || f == Field.NW_TTL;
            case TCP, UDP -> f == Field.TP_SRC || f == Field.TP_DST;
            case TUNNEL -> f == Field.TUN_ID || f == Field.TUN_IPV4_SRC || f == Field.TUN_IPV4_DST
                || f == Field.TUN_TOS || f == Field.TUN_TTL || f == Field.TUN_TP_SRC || f == Field.TUN_TP_DST
                || f == Field.TUN_FLAGS || f == Field.TUN_IPV6_SRC_HI || f == Field.TUN_IPV6_SRC_LO || f == Field.TUN_IPV6_DST_HI
                || f == Field.TUN_IPV6_DST_LO;
            default -> false;
        };
        return ok ? null : ("set(" + attr.ovsName() + "(" + f.ovsName()
                + ")) is not supported by the DPDK datapath (supported: eth src/dst, ipv4 src/dst/tos/ttl, tcp/udp src/dst, tunnel(tun_id/src/dst/ipv6_src/ipv6_dst/tos/ttl/tp_src/tp_dst/flags))");
    }
}
