package org.offloadbridge.dpdk.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.HeaderEdit;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.KeyAttr;

/**
 * VXLAN (RFC 7348) over IPv4 header codec, on raw memory (mbuf data or a heap array in tests),
 * allocation-free: writes the 50 outer bytes (Ethernet, IPv4, UDP, VXLAN) for encap, and for
 * decap recognises a frame addressed to a local endpoint, validates it and fills a key's
 * tunnel fields from it. No I/O here: the datapath moves mbuf data_off around these calls.
 */
public final class Vxlan {

    public static final int ETH_HLEN = 14;
    public static final int IPV4_HLEN = 20;
    public static final int UDP_HLEN = 8;
    public static final int VXLAN_HLEN = 8;
    /** Outer bytes an encap prepends (no VLAN tag, no IP options). */
    public static final int ENCAP_LEN = ETH_HLEN + IPV4_HLEN + UDP_HLEN + VXLAN_HLEN;
    /** IANA-assigned VXLAN UDP port (RFC 7348 §5). */
    public static final int IANA_VXLAN_UDP_PORT = 4789;
    /** First word of a VXLAN header: only the I flag (VNI valid), as include/net/vxlan.h VXLAN_HF_VNI. */
    public static final int VXLAN_HF_VNI = 0x08000000;
    /** UDP source port range OVS's userspace tunnels use (tnl_udp_port_min/max, lib/netdev-native-tnl.c). */
    public static final int SRC_PORT_MIN = 32768;
    public static final int SRC_PORT_MAX = 61000;
    static final int IP_DF = 0x4000;
    static final int IP_MF = 0x2000;
    static final int IP_OFFMASK = 0x1fff;

    /** {@link #decapOffset} result: not VXLAN to us, process the frame as ordinary underlay traffic. */
    public static final int NOT_VXLAN = -1;
    /** {@link #decapOffset} result: VXLAN to us with a bad outer header (drop and count). */
    public static final int MALFORMED = -2;

    private Vxlan() {
    }

    /**
     * UDP source port for an encapsulated packet, spread over [{@value #SRC_PORT_MIN},
     * {@value #SRC_PORT_MAX}) by the inner flow hash so underlay ECMP/RSS keeps a flow on one path
     * (RFC 7348 §5 asks for a hash of the inner headers; the range is OVS's).
     */
    public static int sourcePort(int hash) {
        return SRC_PORT_MIN + (int) (((hash & 0xffffffffL) * (SRC_PORT_MAX - SRC_PORT_MIN)) >>> 32);
    }

    /**
     * Hash of the inner flow: Ethernet addresses and type, and for untagged IPv4 the addresses,
     * protocol and (first fragments only) the first 4 bytes of L4 — the 5-tuple for TCP/UDP/SCTP.
     * Reads only within {@code len}.
     */
    public static int innerHash(MemorySegment s, long base, int len) {
        if (len < ETH_HLEN) {
            return 0;
        }
        long h = 0x9e3779b97f4a7c15L;
        h = mix(h ^ s.get(HeaderEdit.BE64, base)); // dst mac + 2 bytes of src
        h = mix(h ^ s.get(HeaderEdit.BE32, base + 8)); // rest of src mac
        int type = HeaderEdit.u16(s, base + 12);
        h = mix(h ^ type);
        if (type == EthType.IP && len >= ETH_HLEN + IPV4_HLEN) {
            long ip = base + ETH_HLEN;
            int ihl = (s.get(JAVA_BYTE, ip) & 0x0f) * 4;
            h = mix(h ^ s.get(HeaderEdit.BE64, ip + 12)); // src + dst address
            h = mix(h ^ Byte.toUnsignedLong(s.get(JAVA_BYTE, ip + 9)));
            if (ihl >= IPV4_HLEN && (HeaderEdit.u16(s, ip + 6) & IP_OFFMASK) == 0 && ETH_HLEN + ihl + 4 <= len) {
                h = mix(h ^ s.get(HeaderEdit.BE32, ip + ihl));
            }
        }
        return (int) (h ^ (h >>> 32));
    }

    private static long mix(long h) {
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }

    /**
     * Writes the {@value #ENCAP_LEN} outer header bytes at {@code at} for an inner frame of
     * {@code innerLen} bytes: IPv4 header checksum computed, UDP checksum 0 (allowed for IPv4,
     * RFC 7348 §5), VXLAN I flag and VNI. Addresses and values are host-order numbers.
     */
    public static void writeHeaders(MemorySegment s, long at, long dstMac, long srcMac, int srcIp, int dstIp,
                                    int tos, int ttl, boolean df, int ipId, int srcPort, int dstPort, int vni,
                                    int innerLen) {
        putMac(s, at, dstMac);
        putMac(s, at + 6, srcMac);
        HeaderEdit.put16(s, at + 12, EthType.IP);
        long ip = at + ETH_HLEN;
        HeaderEdit.put16(s, ip, 0x4500 | (tos & 0xff));
        HeaderEdit.put16(s, ip + 2, IPV4_HLEN + UDP_HLEN + VXLAN_HLEN + innerLen);
        HeaderEdit.put16(s, ip + 4, ipId);
        HeaderEdit.put16(s, ip + 6, df ? IP_DF : 0);
        HeaderEdit.put16(s, ip + 8, (ttl & 0xff) << 8 | IpProto.UDP);
        HeaderEdit.put16(s, ip + 10, 0);
        s.set(HeaderEdit.BE32, ip + 12, srcIp);
        s.set(HeaderEdit.BE32, ip + 16, dstIp);
        HeaderEdit.put16(s, ip + 10, HeaderEdit.checksum(s, ip, IPV4_HLEN, 0));
        long udp = ip + IPV4_HLEN;
        HeaderEdit.put16(s, udp, srcPort);
        HeaderEdit.put16(s, udp + 2, dstPort);
        HeaderEdit.put16(s, udp + 4, UDP_HLEN + VXLAN_HLEN + innerLen);
        HeaderEdit.put16(s, udp + 6, 0);
        long vx = udp + UDP_HLEN;
        s.set(HeaderEdit.BE32, vx, VXLAN_HF_VNI);
        s.set(HeaderEdit.BE32, vx + 4, (vni & 0xffffff) << 8);
    }

    private static void putMac(MemorySegment s, long at, long mac) {
        HeaderEdit.put16(s, at, (int) (mac >>> 32));
        s.set(HeaderEdit.BE32, at + 2, (int) mac);
    }

    /**
     * Decides whether the {@code len}-byte frame at {@code base} is VXLAN for the endpoint
     * {@code localIp}:{@code udpPort}: an untagged IPv4 UDP datagram to that address and port.
     *
     * @return the offset of the inner frame (outer headers length); {@link #NOT_VXLAN} when it
     *     is not addressed to the endpoint (or too short to tell: ordinary traffic);
     *     {@link #MALFORMED} when it is addressed to the endpoint but unusable — an IP fragment
     *     (not reassembled), bad IPv4 header length/checksum, IP or UDP length beyond the frame
     *     or inconsistent, VXLAN flags other than exactly I (as OVS's netdev_vxlan_pop_header),
     *     or an inner frame shorter than an Ethernet header.
     */
    public static int decapOffset(MemorySegment s, long base, int len, int localIp, int udpPort) {
        if (len < ETH_HLEN + IPV4_HLEN || HeaderEdit.u16(s, base + 12) != EthType.IP) {
            return NOT_VXLAN;
        }
        long ip = base + ETH_HLEN;
        int vihl = Byte.toUnsignedInt(s.get(JAVA_BYTE, ip));
        if (vihl >>> 4 != 4 || s.get(JAVA_BYTE, ip + 9) != IpProto.UDP
                || s.get(HeaderEdit.BE32, ip + 16) != localIp) {
            return NOT_VXLAN;
        }
        int ihl = (vihl & 0x0f) * 4;
        if (ihl < IPV4_HLEN || ETH_HLEN + ihl > len) {
            return MALFORMED;
        }
        if ((HeaderEdit.u16(s, ip + 6) & (IP_MF | IP_OFFMASK)) != 0) {
            return MALFORMED; // a fragment: this endpoint does not reassemble
        }
        int l4 = ETH_HLEN + ihl;
        if (l4 + UDP_HLEN > len) {
            return MALFORMED;
        }
        if (HeaderEdit.u16(s, base + l4 + 2) != udpPort) {
            return NOT_VXLAN;
        }
        int totLen = HeaderEdit.u16(s, ip + 2);
        int udpLen = HeaderEdit.u16(s, base + l4 + 4);
        if (totLen < ihl + UDP_HLEN + VXLAN_HLEN || ETH_HLEN + totLen > len
                || udpLen != totLen - ihl || HeaderEdit.checksum(s, ip, ihl, 0) != 0) {
            return MALFORMED;
        }
        int inner = l4 + UDP_HLEN + VXLAN_HLEN;
        long vx = base + l4 + UDP_HLEN;
        if (s.get(HeaderEdit.BE32, vx) != VXLAN_HF_VNI || (s.get(HeaderEdit.BE32, vx + 4) & 0xff) != 0
                || ETH_HLEN + totLen - inner < ETH_HLEN) {
            return MALFORMED;
        }
        return inner;
    }

    /**
     * Inner frame length of a frame {@link #decapOffset} accepted: what the outer IPv4 total
     * length covers (Ethernet padding after it is not part of the inner frame).
     */
    public static int innerLength(MemorySegment s, long base, int innerOffset) {
        return ETH_HLEN + HeaderEdit.u16(s, base + ETH_HLEN + 2) - innerOffset;
    }

    /**
     * Fills {@code key}'s tunnel fields from the outer headers of a frame {@link #decapOffset}
     * accepted (the bytes stay readable in the headroom after the strip): tun_id = VNI, outer
     * addresses, tos, ttl, UDP ports, flags = key present, plus don't-fragment and csum when the
     * outer header says so (as OVS's ip_extract_tnl_md/udp_extract_tnl_md).
     */
    public static void fillKey(MemorySegment s, long base, FlowKey key) {
        long ip = base + ETH_HLEN;
        int ihl = (s.get(JAVA_BYTE, ip) & 0x0f) * 4;
        long udp = ip + ihl;
        key.set(Field.TUN_ID, Integer.toUnsignedLong(s.get(HeaderEdit.BE32, udp + UDP_HLEN + 4)) >>> 8);
        key.set(Field.TUN_IPV4_SRC, Integer.toUnsignedLong(s.get(HeaderEdit.BE32, ip + 12)));
        key.set(Field.TUN_IPV4_DST, Integer.toUnsignedLong(s.get(HeaderEdit.BE32, ip + 16)));
        key.set(Field.TUN_TOS, Byte.toUnsignedInt(s.get(JAVA_BYTE, ip + 1)));
        key.set(Field.TUN_TTL, Byte.toUnsignedInt(s.get(JAVA_BYTE, ip + 8)));
        key.set(Field.TUN_TP_SRC, HeaderEdit.u16(s, udp));
        key.set(Field.TUN_TP_DST, HeaderEdit.u16(s, udp + 2));
        int flags = FlowKey.TUN_F_KEY;
        if ((HeaderEdit.u16(s, ip + 6) & IP_DF) != 0) {
            flags |= FlowKey.TUN_F_DONT_FRAGMENT;
        }
        if (HeaderEdit.u16(s, udp + 6) != 0) {
            flags |= FlowKey.TUN_F_CSUM;
        }
        key.set(Field.TUN_FLAGS, flags);
        key.addAttr(KeyAttr.TUNNEL);
    }
}
