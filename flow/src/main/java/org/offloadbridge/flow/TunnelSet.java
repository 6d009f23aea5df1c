package org.offloadbridge.flow;

import java.lang.foreign.MemorySegment;

/**
 * The tunnel a {@code set(tunnel(…))} action asks for, decoded once per action list and kept
 * for the outputs after it (OVS: the tunnel metadata applies to later outputs to tunnel ports).
 * Mutable and reused by its owner (one per executor thread), so executing allocates nothing.
 * The socket slow path and the DPDK path both decode with it and write the tunnel slow path's
 * inject trailer from it ({@link TunnelFrame}).
 */
public final class TunnelSet {
    /** A set(tunnel) ran since {@link #clear()}. */
    public boolean set;
    public long id;
    /** IPv4 outer source and destination, host order (0: absent). */
    public int src, dst;
    /** The addresses are IPv6: {@code srcHi/srcLo}, {@code dstHi/dstLo}, network order. */
    public boolean ipv6;
    public long srcHi, srcLo, dstHi, dstLo;
    public int tos, ttl, tpSrc, tpDst, flags;

    public void clear() {
        set = false;
        ipv6 = false;
        id = srcHi = srcLo = dstHi = dstLo = 0;
        src = dst = tos = ttl = tpSrc = tpDst = flags = 0;
    }

    /** Decodes the set(tunnel) action at {@code pc} (its header word) of {@code alen} words. */
    public void load(Actions a, int pc, int alen) {
        clear();
        set = true;
        for (int i = pc + 1; i + 2 < pc + alen; i += 3) {
            long v = a.word(i + 1) & a.word(i + 2);
            switch (Field.of((int) a.word(i))) {
                case TUN_ID -> id = v;
                case TUN_IPV4_SRC -> src = (int) v;
                case TUN_IPV4_DST -> dst = (int) v;
                case TUN_TOS -> tos = (int) v;
                case TUN_TTL -> ttl = (int) v;
                case TUN_TP_SRC -> tpSrc = (int) v;
                case TUN_TP_DST -> tpDst = (int) v;
                case TUN_FLAGS -> flags = (int) v;
                case TUN_IPV6_SRC_HI -> { srcHi = v; ipv6 = true; }
                case TUN_IPV6_SRC_LO -> { srcLo = v; ipv6 = true; }
                case TUN_IPV6_DST_HI -> { dstHi = v; ipv6 = true; }
                case TUN_IPV6_DST_LO -> { dstLo = v; ipv6 = true; }
                default -> { } // other tunnel fields: a layer refuses them at install
            }
        }
    }

    /** Writes the inject trailer for this tunnel at {@code seg[off]} ({@link TunnelFrame#INJECT_TRAILER_LEN} bytes). */
    public void writeInjectTrailer(MemorySegment seg, long off) {
        if (ipv6) {
            TunnelFrame.writeInjectTrailerIpv6(seg, off, id, dstHi, dstLo, srcHi, srcLo, tos, ttl, flags);
        } else {
            TunnelFrame.writeInjectTrailer(seg, off, id, dst, src, tos, ttl, flags);
        }
    }
}
