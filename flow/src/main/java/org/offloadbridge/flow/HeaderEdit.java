package org.offloadbridge.flow;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Every in-place rewrite of a frame's headers that a set action asks for, on {@code len} bytes
 * at {@code base} of any {@link MemorySegment} (a DPDK mbuf's first segment, a heap copy on the
 * socket slow path): the one implementation both datapaths use. IPv4 header and TCP/UDP
 * checksums are fixed up incrementally (RFC 1624: {@code HC' = ~(~HC + ~m + m')}; the L4
 * pseudo-header covers the IPv4 addresses).
 *
 * <p>Every write is bounds-checked against {@code len}: a field the packet does not carry (short
 * packet, not IPv4, a later fragment for ports) is not written and the method returns false, so
 * the caller can count it. Values are host-order as {@link Field} documents them. No allocation.
 */
public final class HeaderEdit {

    private static final ValueLayout.OfShort BE16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private HeaderEdit() {
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
    public static int csumUpdate16(int csum, int old, int neu) {
        int sum = (~csum & 0xffff) + (~old & 0xffff) + (neu & 0xffff);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    public static int csumUpdate32(int csum, int old, int neu) {
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
