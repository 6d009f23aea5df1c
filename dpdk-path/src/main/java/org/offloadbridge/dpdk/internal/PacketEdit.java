package org.offloadbridge.dpdk.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.KeyAttr;

/**
 * Every in-place header edit of the datapath: VLAN push/pop on an mbuf, and set-field rewrites on {@code len} bytes at {@code base} of a segment
 * (the first mbuf segment, or a heap array in tests), with incremental checksum fix-up
 * (RFC 1624: {@code HC' = ~(~HC + ~m + m')}) of the IPv4 header checksum and the TCP/UDP checksum
 * (whose pseudo-header covers the IPv4 addresses).
 *
 * <p>Every write is bounds-checked against {@code len}: a field the packet does not carry (short
 * packet, not IPv4, a later fragment for ports) is not written and the method returns false, so
 * the caller can count it. Values are host-order as {@link Field} documents them.
 */
public final class PacketEdit {

    private static final ValueLayout.OfShort BE16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

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
        put16(M, start + 8, tpid);
        put16(M, start + 10, tci);
        prepend(m, 4);
        return true;
    }

    /** Pops the outer VLAN tag of mbuf {@code m}; false, untouched, when it has none. */
    public static boolean popVlan(long m) {
        if (RteMbuf.dataLen(m) < 18) {
            return false;
        }
        long start = RteMbuf.mtod(m);
        int t = u16(M, start + 12);
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
     * One field of a set action ({@code value} under {@code mask}, host order) on the {@code len}
     * bytes at {@code base}; false, untouched, when the packet does not carry the field.
     */
    public static boolean setField(MemorySegment s, Field f, long value, long mask, long base, int len) {
        return switch (f) {
            case ETH_SRC -> setMac(s, base, len, true, value, mask);
            case ETH_DST -> setMac(s, base, len, false, value, mask);
            case IPV4_SRC, IPV4_DST, NW_TOS, NW_TTL -> setIpv4(s, base, len, f, value, mask);
            case TP_SRC, TP_DST -> {
                int proto = l4Proto(s, base, len);
                yield proto >= 0 && setL4Port(s, base, len, proto, f == Field.TP_SRC, value, mask);
            }
            default -> false;
        };
    }

    private static int l4Proto(MemorySegment s, long base, int len) {
        int l3 = l3Offset(s, base, len);
        if (l3 < 0 || l3 + 20 > len || u16(s, base + l3 - 2) != EthType.IP) {
            return -1;
        }
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, base + l3 + 9));
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
                || f == Field.TUN_FLAGS;
            default -> false;
        };
        return ok ? null : ("set(" + attr.ovsName() + "(" + f.ovsName()
                + ")) is not supported by the DPDK datapath (supported: eth src/dst, ipv4 src/dst/tos/ttl, tcp/udp src/dst, IPv4 tunnel(tun_id/src/dst/tos/ttl/tp_src/tp_dst/flags))");
    }


    public static int u16(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(BE16, at));
    }

    public static void put16(MemorySegment s, long at, int v) {
        s.set(BE16, at, (short) v);
    }

    /** Offset of the L3 header after up to two VLAN tags; -1 when the frame is too short. */
    public static int l3Offset(MemorySegment s, long base, int len) {
        if (len < 14) {
            return -1;
        }
        int off = 12;
        for (int i = 0; i < 2; i++) {
            int t = u16(s, base + off);
            if (t != EthType.VLAN_8021Q && t != EthType.VLAN_8021AD) {
                break;
            }
            off += 4;
            if (off + 2 > len) {
                return -1;
            }
        }
        return off + 2;
    }

    /** Ethertype after the VLAN tags, or -1. */
    public static int ethType(MemorySegment s, long base, int len) {
        int l3 = l3Offset(s, base, len);
        return l3 < 0 ? -1 : u16(s, base + l3 - 2);
    }

    /** {@code old + delta} one's-complement checksum update for a 16-bit word changing old → neu. */
    static int csumUpdate16(int csum, int old, int neu) {
        int sum = (~csum & 0xffff) + (~old & 0xffff) + (neu & 0xffff);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    static int csumUpdate32(int csum, int old, int neu) {
        return csumUpdate16(csumUpdate16(csum, old >>> 16, neu >>> 16), old & 0xffff, neu & 0xffff);
    }

    /** Rewrites eth_src (src=true) or eth_dst bits selected by mask. */
    public static boolean setMac(MemorySegment s, long base, int len, boolean src, long value, long mask) {
        if (len < 14) {
            return false;
        }
        long at = base + (src ? 6 : 0);
        long old = 0;
        for (int i = 0; i < 6; i++) {
            old = old << 8 | Byte.toUnsignedLong(s.get(JAVA_BYTE, at + i));
        }
        long neu = (old & ~mask) | (value & mask);
        for (int i = 5; i >= 0; i--) {
            s.set(JAVA_BYTE, at + i, (byte) neu);
            neu >>>= 8;
        }
        return true;
    }

    /**
     * Sets an IPv4 field (IPV4_SRC, IPV4_DST, NW_TOS, NW_TTL) and fixes the IPv4 header checksum,
     * and for addresses the TCP/UDP checksum (pseudo-header) when the L4 header is present.
     */
    public static boolean setIpv4(MemorySegment s, long base, int len, Field f, long value, long mask) {
        int l3 = l3Offset(s, base, len);
        if (l3 < 0 || u16(s, base + l3 - 2) != EthType.IP || l3 + 20 > len) {
            return false;
        }
        long ip = base + l3;
        int ihl = (s.get(JAVA_BYTE, ip) & 0x0f) * 4;
        if (ihl < 20 || l3 + ihl > len) {
            return false;
        }
        int csum = u16(s, ip + 10);
        switch (f) {
            case IPV4_SRC, IPV4_DST -> {
                long at = ip + (f == Field.IPV4_SRC ? 12 : 16);
                int old = (u16(s, at) << 16) | u16(s, at + 2);
                int neu = (int) ((old & ~mask) | (value & mask));
                put16(s, at, neu >>> 16);
                put16(s, at + 2, neu & 0xffff);
                put16(s, ip + 10, csumUpdate32(csum, old, neu));
                fixL4PseudoHeader(s, base, len, ip, ihl, old, neu);
            }
            case NW_TOS, NW_TTL -> {
                // TOS is the low byte of word 0 (version/ihl, tos); TTL the high byte of word 8 (ttl, proto).
                long wordAt = ip + (f == Field.NW_TOS ? 0 : 8);
                int oldWord = u16(s, wordAt);
                int newWord;
                if (f == Field.NW_TOS) {
                    int tos = (int) (((oldWord & 0xff) & ~mask) | (value & mask)) & 0xff;
                    newWord = (oldWord & 0xff00) | tos;
                } else {
                    int ttl = (int) ((((oldWord >>> 8) & ~mask) | (value & mask)) & 0xff);
                    newWord = (ttl << 8) | (oldWord & 0xff);
                }
                put16(s, wordAt, newWord);
                put16(s, ip + 10, csumUpdate16(csum, oldWord, newWord));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void fixL4PseudoHeader(MemorySegment s, long base, int len, long ip, int ihl, int old, int neu) {
        int fragOff = u16(s, ip + 6) & 0x1fff;
        if (fragOff != 0) {
            return; // later fragment: no L4 header here
        }
        int proto = Byte.toUnsignedInt(s.get(JAVA_BYTE, ip + 9));
        long l4 = ip + ihl;
        if (proto == IpProto.TCP && l4 + 18 - base <= len) {
            put16(s, l4 + 16, csumUpdate32(u16(s, l4 + 16), old, neu));
        } else if (proto == IpProto.UDP && l4 + 8 - base <= len) {
            int c = u16(s, l4 + 6);
            if (c != 0) { // 0 = no checksum (IPv4 UDP): stays 0
                c = csumUpdate32(c, old, neu);
                put16(s, l4 + 6, c == 0 ? 0xffff : c);
            }
        }
    }

    /** Sets the TCP or UDP source/destination port (proto decides) and fixes the L4 checksum. */
    public static boolean setL4Port(MemorySegment s, long base, int len, int proto, boolean src, long value, long mask) {
        int l3 = l3Offset(s, base, len);
        if (l3 < 0 || u16(s, base + l3 - 2) != EthType.IP || l3 + 20 > len) {
            return false;
        }
        long ip = base + l3;
        int ihl = (s.get(JAVA_BYTE, ip) & 0x0f) * 4;
        int actual = Byte.toUnsignedInt(s.get(JAVA_BYTE, ip + 9));
        if (ihl < 20 || actual != proto || (u16(s, ip + 6) & 0x1fff) != 0) {
            return false;
        }
        long l4 = ip + ihl;
        int need = proto == IpProto.TCP ? 18 : 8;
        if (l4 + need - base > len) {
            return false;
        }
        long at = l4 + (src ? 0 : 2);
        int old = u16(s, at);
        int neu = (int) ((old & ~mask) | (value & mask)) & 0xffff;
        put16(s, at, neu);
        if (proto == IpProto.TCP) {
            put16(s, l4 + 16, csumUpdate16(u16(s, l4 + 16), old, neu));
        } else {
            int c = u16(s, l4 + 6);
            if (c != 0) {
                c = csumUpdate16(c, old, neu);
                put16(s, l4 + 6, c == 0 ? 0xffff : c);
            }
        }
        return true;
    }

    /** Full one's-complement checksum of {@code n} bytes (for tests and verification). */
    public static int checksum(MemorySegment s, long at, int n, long initial) {
        long sum = initial;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            sum += u16(s, at + i);
        }
        if (i < n) {
            sum += Byte.toUnsignedInt(s.get(JAVA_BYTE, at + i)) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
