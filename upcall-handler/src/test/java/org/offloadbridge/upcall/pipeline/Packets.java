package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;

/** Builds flow keys for tests, field by field (what the packet parser would fill). */
final class Packets {
    private final FlowKey k = new FlowKey();

    static Packets on(int dpPort) {
        Packets p = new Packets();
        p.k.set(Field.IN_PORT, dpPort);
        return p;
    }

    Packets eth(long src, long dst, int type) {
        k.set(Field.ETH_SRC, src);
        k.set(Field.ETH_DST, dst);
        k.set(Field.ETH_TYPE, type);
        return this;
    }

    Packets vlan(int vid, int pcp) {
        k.set(Field.VLAN0_TPID, 0x8100);
        k.set(Field.VLAN0_CFI, 1);
        k.set(Field.VLAN0_VID, vid);
        k.set(Field.VLAN0_PCP, pcp);
        return this;
    }

    Packets ipv4(String src, String dst, int proto, int ttl) {
        k.set(Field.ETH_TYPE, 0x0800);
        k.set(Field.IPV4_SRC, ip(src));
        k.set(Field.IPV4_DST, ip(dst));
        k.set(Field.NW_PROTO, proto);
        k.set(Field.NW_TTL, ttl);
        return this;
    }

    Packets ipv6(long srcHi, long srcLo, long dstHi, long dstLo, int proto) {
        k.set(Field.ETH_TYPE, 0x86dd);
        k.set(Field.IPV6_SRC_HI, srcHi);
        k.set(Field.IPV6_SRC_LO, srcLo);
        k.set(Field.IPV6_DST_HI, dstHi);
        k.set(Field.IPV6_DST_LO, dstLo);
        k.set(Field.NW_PROTO, proto);
        k.set(Field.NW_TTL, 64);
        return this;
    }

    Packets ports(int src, int dst) {
        k.set(Field.TP_SRC, src);
        k.set(Field.TP_DST, dst);
        return this;
    }

    Packets set(Field f, long v) {
        k.set(f, v);
        return this;
    }

    FlowKey key() {
        return k.copy();
    }

    static long ip(String s) {
        String[] p = s.split("\\.");
        return (Long.parseLong(p[0]) << 24) | (Long.parseLong(p[1]) << 16) | (Long.parseLong(p[2]) << 8) | Long.parseLong(p[3]);
    }
}
