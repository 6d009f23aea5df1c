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
     * The {@value #ENCAP_LEN} outer bytes of one tunnel's encapsulation, prepared once per flow
     * and output action and stamped on each packet (OVS keeps the same header in its tnl_push
     * action): six big-endian words and a 2-byte tail, the per-packet fields — IPv4 total
     * length, ID and checksum, UDP source port and length — left 0 until {@link #stamp}. The
     * IPv4 checksum of the fixed fields is summed once, so a packet costs seven stores and a
     * fold. UDP checksum 0 (allowed for IPv4, RFC 7348 §5). Values are host-order numbers.
     */
    public static final class Header {
        private long w0, w8, w16, w24, w32, w40;
        private int w48;
        private int fixedSum;

        /** Prepares the header of a tunnel: MACs, addresses, TOS, TTL, DF, UDP destination, VNI. */
        public void prepare(long dstMac, long srcMac, int srcIp, int dstIp, int tos, int ttl, boolean df, int dstPort,
                            int vni) {
            int verTos = 0x4500 | (tos & 0xff);
            int frag = df ? IP_DF : 0;
            int ttlProto = (ttl & 0xff) << 8 | IpProto.UDP;
            long src = srcIp & 0xffffffffL;
            long dst = dstIp & 0xffffffffL;
            int vniWord = (vni & 0xffffff) << 8;
            w0 = dstMac << 16 | srcMac >>> 32;                                              // bytes 0..7
            w8 = (srcMac & 0xffffffffL) << 32 | (long) EthType.IP << 16 | verTos;              // 8..15
            w16 = (long) frag << 16 | ttlProto;                                              // 16..23: len, id 0
            w24 = src << 16 | dst >>> 16;                                                    // 24..31: csum 0
            w32 = (dst & 0xffff) << 48 | (long) (dstPort & 0xffff) << 16;                    // 32..39: sport, len 0
            w40 = (long) VXLAN_HF_VNI << 16 | vniWord >>> 16;                                // 40..47: udp csum 0
            w48 = vniWord & 0xffff;                                                           // 48..49
            fixedSum = verTos + frag + ttlProto + (int) (src >>> 16) + (int) (src & 0xffff) + (int) (dst >>> 16)
                + (int) (dst & 0xffff);
        }

        /** Writes the header at {@code at}, in front of an inner frame of {@code innerLen} bytes. */
        public void stamp(MemorySegment s, long at, int ipId, int srcPort, int innerLen) {
            int totLen = (IPV4_HLEN + UDP_HLEN + VXLAN_HLEN + innerLen) & 0xffff; // 16-bit fields, as put16
            int id = ipId & 0xffff;
            int sum = fixedSum + totLen + id;
            sum = (sum & 0xffff) + (sum >>> 16);
            sum = (sum & 0xffff) + (sum >>> 16);
            int csum = ~sum & 0xffff;
            s.set(HeaderEdit.BE64, at, w0);
            s.set(HeaderEdit.BE64, at + 8, w8);
            s.set(HeaderEdit.BE64, at + 16, w16 | (long) totLen << 48 | (long) id << 32);
            s.set(HeaderEdit.BE64, at + 24, w24 | (long) csum << 48);
            s.set(HeaderEdit.BE64, at + 32, w32 | (long) (srcPort & 0xffff) << 32 | ((totLen - IPV4_HLEN) & 0xffff));
            s.set(HeaderEdit.BE64, at + 40, w40);
            HeaderEdit.put16(s, at + 48, w48);
        }
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
