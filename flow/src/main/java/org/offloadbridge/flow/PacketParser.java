package org.offloadbridge.flow;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Raw Ethernet frame → {@link FlowKey}, allocation-free, for any memory a
 * {@link MemorySegment} can view: DPDK mbuf data in native memory, or a heap array through
 * {@link MemorySegment#ofArray(byte[])}.
 *
 * <h2>Contract</h2>
 * {@link #parse} clears the key, fills it, and returns a {@link ParseStatus} code; it never
 * throws, whatever the bytes. On a non-OK status the key holds every field parsed before
 * the problem (e.g. L2 and L3 for a truncated TCP header) and nothing after it. Attributes
 * ({@link FlowKey#attrs()}) follow the packet's structure as OVS derives them from a flow:
 * recirc_id, in_port, eth, eth_type always once L2 parsed; vlan per tag; ipv4/ipv6/arp by
 * ethertype; tcp(+tcp_flags)/udp/sctp/icmp/icmpv6(+nd) by protocol unless the packet is a
 * later fragment — even when that header was truncated (its fields then stay zero).
 *
 * <h2>What is parsed (as OVS {@code flow_extract})</h2>
 * <ul>
 * <li>Up to two VLAN tags (TPID 0x8100 or 0x88a8, either position); a third stays as
 *     eth_type. VLAN CFI/present bit set, DEI dropped, as OVS.
 * <li>802.3 frames: LLC/SNAP with OUI 0 gives the SNAP type; otherwise eth_type 0x05ff (OVS
 *     FLOW_DL_TYPE_NONE).
 * <li>IPv4 with options (IHL), trailing padding ignored (total length), fragments:
 *     frag=first (MF, offset 0) or later (offset ≠ 0, no L4).
 * <li>IPv6 extension headers hop-by-hop, routing, destination options, fragment and AH, at
 *     most {@link #MAX_IPV6_EXT_HEADERS}; a later fragment stops the walk with proto 44
 *     ({@link IpProto#FRAGMENT}), as OVS and the kernel datapath report it.
 * <li>ARP/RARP (Ethernet/IPv4), TCP (ports, 12 flag bits), UDP, SCTP, ICMP, ICMPv6 with ND
 *     target and source/target link-layer address options.
 * </ul>
 * Values are stored host-order as {@link Field} documents.
 */
public final class PacketParser {
    private PacketParser() {}

    /** Bound on the IPv6 extension-header walk (a hostile packet cannot make us loop). */
    public static final int MAX_IPV6_EXT_HEADERS = 8;

    private static final ValueLayout.OfShort BE16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    // Word index and shift of every field the parser writes, as static finals so the JIT
    // folds them: a write is then one OR into a word of the (cleared) key.
    private static final int W_ARP_OP = Field.ARP_OP.word();
    private static final int S_ARP_OP = Field.ARP_OP.shift();
    private static final int W_ARP_SHA = Field.ARP_SHA.word();
    private static final int S_ARP_SHA = Field.ARP_SHA.shift();
    private static final int W_ARP_SPA = Field.ARP_SPA.word();
    private static final int S_ARP_SPA = Field.ARP_SPA.shift();
    private static final int W_ARP_THA = Field.ARP_THA.word();
    private static final int S_ARP_THA = Field.ARP_THA.shift();
    private static final int W_ARP_TPA = Field.ARP_TPA.word();
    private static final int S_ARP_TPA = Field.ARP_TPA.shift();
    private static final int W_ETH_DST = Field.ETH_DST.word();
    private static final int S_ETH_DST = Field.ETH_DST.shift();
    private static final int W_ETH_SRC = Field.ETH_SRC.word();
    private static final int S_ETH_SRC = Field.ETH_SRC.shift();
    private static final int W_ETH_TYPE = Field.ETH_TYPE.word();
    private static final int S_ETH_TYPE = Field.ETH_TYPE.shift();
    private static final int W_ICMP_CODE = Field.ICMP_CODE.word();
    private static final int S_ICMP_CODE = Field.ICMP_CODE.shift();
    private static final int W_ICMP_TYPE = Field.ICMP_TYPE.word();
    private static final int S_ICMP_TYPE = Field.ICMP_TYPE.shift();
    private static final int W_IN_PORT = Field.IN_PORT.word();
    private static final int S_IN_PORT = Field.IN_PORT.shift();
    private static final int W_IPV4_DST = Field.IPV4_DST.word();
    private static final int S_IPV4_DST = Field.IPV4_DST.shift();
    private static final int W_IPV4_SRC = Field.IPV4_SRC.word();
    private static final int S_IPV4_SRC = Field.IPV4_SRC.shift();
    private static final int W_IPV6_DST_HI = Field.IPV6_DST_HI.word();
    private static final int S_IPV6_DST_HI = Field.IPV6_DST_HI.shift();
    private static final int W_IPV6_DST_LO = Field.IPV6_DST_LO.word();
    private static final int S_IPV6_DST_LO = Field.IPV6_DST_LO.shift();
    private static final int W_IPV6_LABEL = Field.IPV6_LABEL.word();
    private static final int S_IPV6_LABEL = Field.IPV6_LABEL.shift();
    private static final int W_IPV6_SRC_HI = Field.IPV6_SRC_HI.word();
    private static final int S_IPV6_SRC_HI = Field.IPV6_SRC_HI.shift();
    private static final int W_IPV6_SRC_LO = Field.IPV6_SRC_LO.word();
    private static final int S_IPV6_SRC_LO = Field.IPV6_SRC_LO.shift();
    private static final int W_ND_TARGET_HI = Field.ND_TARGET_HI.word();
    private static final int S_ND_TARGET_HI = Field.ND_TARGET_HI.shift();
    private static final int W_ND_TARGET_LO = Field.ND_TARGET_LO.word();
    private static final int S_ND_TARGET_LO = Field.ND_TARGET_LO.shift();
    private static final int W_NW_FRAG = Field.NW_FRAG.word();
    private static final int S_NW_FRAG = Field.NW_FRAG.shift();
    private static final int W_NW_PROTO = Field.NW_PROTO.word();
    private static final int S_NW_PROTO = Field.NW_PROTO.shift();
    private static final int W_NW_TOS = Field.NW_TOS.word();
    private static final int S_NW_TOS = Field.NW_TOS.shift();
    private static final int W_NW_TTL = Field.NW_TTL.word();
    private static final int S_NW_TTL = Field.NW_TTL.shift();
    private static final int W_TCP_FLAGS = Field.TCP_FLAGS.word();
    private static final int S_TCP_FLAGS = Field.TCP_FLAGS.shift();
    private static final int W_TP_DST = Field.TP_DST.word();
    private static final int S_TP_DST = Field.TP_DST.shift();
    private static final int W_TP_SRC = Field.TP_SRC.word();
    private static final int S_TP_SRC = Field.TP_SRC.shift();

    private static final long BASE_ATTRS = KeyAttr.RECIRC_ID.bit() | KeyAttr.IN_PORT.bit();
    private static final long L2_ATTRS = KeyAttr.ETHERNET.bit() | KeyAttr.ETHERTYPE.bit();

    /** {@link #parse(MemorySegment, long, int, int, FlowKey)} over a whole heap array (wraps it: allocates). */
    public static int parse(byte[] frame, int inPort, FlowKey out) {
        return parse(MemorySegment.ofArray(frame), 0, frame.length, inPort, out);
    }

    /**
     * Parses {@code length} bytes at {@code offset} of {@code seg} into {@code out}.
     *
     * @return a {@link ParseStatus} code; never throws
     */
    public static int parse(MemorySegment seg, long offset, int length, int inPort, FlowKey out) {
        // Kept small on purpose (and common() and fillCommon() under the JIT's inlining size):
        // the JIT inlines the common packet's whole parse into a PMD's loop, where the segment is
        // a constant; a call into the general path's 800 bytes of bytecode for every packet cost
        // a PMD about a fifth of its rate (docs/benchmarks-dpdk.md).
        out.clear();
        put(out, W_IN_PORT, S_IN_PORT, inPort & 0xffffffffL);
        if (offset >= 0 && length >= 42 && offset <= seg.byteSize() - length) {
            long attrs = common(seg, offset, offset + length, out);
            if (attrs != 0) {
                out.setAttrs(attrs);
                return ParseStatus.OK;
            }
        }
        return general(seg, offset, length, inPort, out);
    }

    /**
     * {@link #parse(MemorySegment, long, int, int, FlowKey)}, with {@code common} false never
     * taking the shortcut for the common packet ({@link #common}): tests compare the two.
     */
    static int parse(MemorySegment seg, long offset, int length, int inPort, FlowKey out, boolean common) {
        return common ? parse(seg, offset, length, inPort, out) : general(seg, offset, length, inPort, out);
    }

    /** The whole parse, for every packet {@link #common} does not take. */
    private static int general(MemorySegment seg, long offset, int length, int inPort, FlowKey out) {
        out.clear();
        put(out, W_IN_PORT, S_IN_PORT, inPort & 0xffffffffL);
        long attrs = BASE_ATTRS;
        if (offset < 0 || length < 0 || offset > seg.byteSize() - length) {
            out.setAttrs(attrs);
            return ParseStatus.BAD_ARGUMENT;
        }
        final long end = offset + length;
        long p = offset;
        if (length < 14) {
            out.setAttrs(attrs);
            return ParseStatus.TRUNCATED_L2;
        }
        // Wide loads: every read is a bounds-checked segment access, so the parser reads 8 bytes
        // at a time where it may and takes the fields apart in registers (6 reads for a UDP
        // packet instead of 15).
        long dstAndSrcHi = seg.get(BE64, p);     // eth_dst, first 2 bytes of eth_src
        long srcAndType = seg.get(BE64, p + 6);  // eth_src, eth_type
        put(out, W_ETH_DST, S_ETH_DST, dstAndSrcHi >>> 16);
        put(out, W_ETH_SRC, S_ETH_SRC, srcAndType >>> 16);
        int type = (int) srcAndType & 0xffff;
        p += 14;
        attrs |= L2_ATTRS;

        for (int tag = 0; tag < 2 && (type == EthType.VLAN_8021Q || type == EthType.VLAN_8021AD); tag++) {
            if (end - p < 4) {
                put(out, W_ETH_TYPE, S_ETH_TYPE, type);
                out.setAttrs(attrs);
                return ParseStatus.TRUNCATED_VLAN;
            }
            int tci = u16(seg, p);
            long word = (long) type << 16 | (tci & 0xefff) | 0x1000; // DEI dropped, CFI = present
            // Word 3 holds tag 0 in bits 0..31 and tag 1 in 32..63, each tci:16 then tpid:16
            // (Field.VLAN0_* / VLAN1_*); the oracle tests read them back through Field.
            int shift = tag * 32;
            out.setWord(Field.VLAN0_TPID.word(), out.word(Field.VLAN0_TPID.word()) | word << shift);
            attrs |= KeyAttr.VLAN.bit();
            type = u16(seg, p + 2);
            p += 4;
        }
        if (type < 0x600) {
            // 802.3 length field: LLC/SNAP with OUI 0 carries a real ethertype.
            if (end - p >= 8 && u16(seg, p) == 0xaaaa && u8(seg, p + 2) == 0x03 && (u16(seg, p + 3) | u8(seg, p + 5)) == 0) {
                type = u16(seg, p + 6);
                p += 8;
            } else {
                type = EthType.NONE;
            }
        }
        put(out, W_ETH_TYPE, S_ETH_TYPE, type);

        long r;
        switch (type) {
            case EthType.IP -> {
                attrs |= KeyAttr.IPV4.bit();
                r = ipv4(seg, p, end, out);
            }
            case EthType.IPV6 -> {
                attrs |= KeyAttr.IPV6.bit();
                r = ipv6(seg, p, end, out);
            }
            case EthType.ARP, EthType.RARP -> {
                attrs |= KeyAttr.ARP.bit();
                r = arp(seg, p, end, out);
            }
            default -> r = ParseStatus.OK;
        }
        int status = (int) r & 0xff;
        if ((r & HAS_L4) != 0) {
            // L3 parsed and not a later fragment: L4 attribute by protocol, then the header.
            int proto = out.nwProto();
            boolean v6 = type == EthType.IPV6;
            attrs |= l4Attrs(proto, v6);
            long l4 = p + ((r >>> 16) & 0xffffff);
            long l3end = p + (r >>> 40);
            status = l4(seg, l4, l3end, proto, v6, out);
            if (v6 && proto == IpProto.ICMPV6 && out.get(Field.ICMP_CODE) == 0
                    && (out.get(Field.ICMP_TYPE) == 135 || out.get(Field.ICMP_TYPE) == 136)) {
                attrs |= KeyAttr.ND.bit();
            }
        }
        out.setAttrs(attrs);
        return status;
    }

    /** Bit in an L3 result: an L4 header follows; bits 16..39 = its offset from L3, 40..63 = L3 length. */
    private static final long HAS_L4 = 1L << 8;

    private static long l4Follows(long l3, long l4, long l3end) {
        return HAS_L4 | (l4 - l3) << 16 | (l3end - l3) << 40;
    }

    private static long l4Attrs(int proto, boolean v6) {
        return switch (proto) {
            case IpProto.TCP -> KeyAttr.TCP.bit() | KeyAttr.TCP_FLAGS.bit();
            case IpProto.UDP -> KeyAttr.UDP.bit();
            case IpProto.SCTP -> KeyAttr.SCTP.bit();
            case IpProto.ICMP -> v6 ? 0 : KeyAttr.ICMP.bit();
            case IpProto.ICMPV6 -> v6 ? KeyAttr.ICMPV6.bit() : 0;
            default -> 0;
        };
    }

    /**
     * The packet a datapath sees most — untagged IPv4 without options, not a fragment, UDP or
     * TCP with a sane header — in one straight pass over {@code [p, end)} (at least 42 bytes,
     * in bounds): four 8-byte reads and no dispatch on ethertype or protocol. It must leave
     * exactly the key the general path would ({@code PacketParserTest} compares them on every
     * frame of its corpus, every truncation and random rewrites). Returns the key's attributes,
     * or 0 when the packet is not that case — then it has written nothing.
     */
    static long common(MemorySegment seg, long p, long end, FlowKey out) {
        long srcAndType = seg.get(BE64, p + 6);  // eth_src, eth_type
        long h0 = seg.get(BE64, p + 14);         // IPv4: version/IHL, TOS, total length, ID, flags/fragment offset
        int total = (int) (h0 >>> 32) & 0xffff;
        long avail = end - p - 14;
        if (((int) srcAndType & 0xffff) != EthType.IP || (h0 & 0x0f00_0000_0000_3fffL) != 0x0500_0000_0000_0000L
                || total < 28 || avail < total || avail - total > 0xffff) {
            return 0; // not IPv4, options, a fragment, a short or overlong total length
        }
        long h1 = seg.get(BE64, p + 22);         // TTL, protocol, checksum, source
        int proto = (int) (h1 >>> 48) & 0xff;
        long attrs = COMMON_ATTRS | KeyAttr.UDP.bit();
        int tcpFlags = 0;
        if (proto == IpProto.TCP) {
            int offFlags = total < 40 ? 0 : u16(seg, p + 46);
            if (offFlags >>> 12 < 5 || (offFlags >>> 12) * 4 > total - 20) {
                return 0; // short, or a bad data offset
            }
            tcpFlags = offFlags & 0x0fff;
            attrs = COMMON_ATTRS | KeyAttr.TCP.bit() | KeyAttr.TCP_FLAGS.bit();
        } else if (proto != IpProto.UDP) {
            return 0; // (total >= 28: the 8-byte UDP header is there)
        }
        fillCommon(out, seg.get(BE64, p), srcAndType, h0, h1, seg.get(BE64, p + 30), tcpFlags);
        return attrs;
    }

    /**
     * {@link #common}'s writes, from its reads (a method of its own so that each of the two stays
     * under the JIT's inlining size): h2 is the IPv4 destination and the L4 ports.
     */
    private static void fillCommon(FlowKey out, long dstAndSrcHi, long srcAndType, long h0, long h1, long h2,
                                   int tcpFlags) {
        int proto = (int) (h1 >>> 48) & 0xff;
        put(out, W_ETH_DST, S_ETH_DST, dstAndSrcHi >>> 16);
        put(out, W_ETH_SRC, S_ETH_SRC, srcAndType >>> 16);
        put(out, W_ETH_TYPE, S_ETH_TYPE, EthType.IP);
        put(out, W_NW_TOS, S_NW_TOS, (h0 >>> 48) & 0xff);
        put(out, W_NW_FRAG, S_NW_FRAG, 0);
        put(out, W_NW_TTL, S_NW_TTL, h1 >>> 56);
        put(out, W_NW_PROTO, S_NW_PROTO, proto);
        put(out, W_IPV4_SRC, S_IPV4_SRC, h1 & 0xffffffffL);
        put(out, W_IPV4_DST, S_IPV4_DST, h2 >>> 32);
        put(out, W_TP_SRC, S_TP_SRC, (h2 >>> 16) & 0xffff);
        put(out, W_TP_DST, S_TP_DST, h2 & 0xffff);
        if (proto == IpProto.TCP) {
            put(out, W_TCP_FLAGS, S_TCP_FLAGS, tcpFlags);
        }
    }

    private static final long COMMON_ATTRS = BASE_ATTRS | L2_ATTRS | KeyAttr.IPV4.bit();

    /** IPv4 header: a status, or {@link #l4Follows} when an L4 header follows. */
    private static long ipv4(MemorySegment seg, long p, long end, FlowKey out) {
        if (end - p < 20) {
            return ParseStatus.TRUNCATED_L3;
        }
        // No version-nibble check: OVS (ipv4_sanity_check) and the kernel flow dissector do
        // not check it either, and a key must mean the same thing in every datapath.
        long h0 = seg.get(BE64, p);     // version/IHL, TOS, total length, ID, flags/fragment offset
        long h1 = seg.get(BE64, p + 8); // TTL, protocol, checksum, source
        int hlen = ((int) (h0 >>> 56) & 0xf) * 4;
        if (hlen < 20) {
            return ParseStatus.BAD_IP_HEADER_LEN;
        }
        if (end - p < hlen) {
            return ParseStatus.TRUNCATED_L3;
        }
        int total = (int) (h0 >>> 32) & 0xffff;
        if (total < hlen) {
            return ParseStatus.BAD_IP_TOTAL_LEN;
        }
        if (end - p < total) {
            return ParseStatus.TRUNCATED_L3;
        }
        if (end - p - total > 0xffff) {
            return ParseStatus.BAD_IP_TOTAL_LEN; // OVS: more than 64 KiB of "padding"
        }
        put(out, W_NW_TOS, S_NW_TOS, (h0 >>> 48) & 0xff);
        int fragOff = (int) h0 & 0xffff;
        int frag = 0;
        if ((fragOff & 0x3fff) != 0) {
            frag = FlowKey.FRAG_ANY;
            if ((fragOff & 0x1fff) != 0) {
                frag |= FlowKey.FRAG_LATER;
            }
        }
        put(out, W_NW_FRAG, S_NW_FRAG, frag);
        put(out, W_NW_TTL, S_NW_TTL, h1 >>> 56);
        put(out, W_NW_PROTO, S_NW_PROTO, (h1 >>> 48) & 0xff);
        put(out, W_IPV4_SRC, S_IPV4_SRC, h1 & 0xffffffffL);
        put(out, W_IPV4_DST, S_IPV4_DST, u32(seg, p + 16) & 0xffffffffL);
        if ((frag & FlowKey.FRAG_LATER) != 0) {
            return ParseStatus.OK;
        }
        // L4 bounds end at the IP total length: trailing Ethernet padding is not L4 data.
        return l4Follows(p, p + hlen, p + total);
    }

    private static long ipv6(MemorySegment seg, long p, long end, FlowKey out) {
        if (end - p < 40) {
            return ParseStatus.TRUNCATED_L3;
        }
        int vtcfl = u32(seg, p); // version nibble unchecked, as OVS and the kernel
        int plen = u16(seg, p + 4);
        if (end - p - 40 < plen) {
            return ParseStatus.TRUNCATED_L3;
        }
        if (end - p - 40 - plen > 0xffff) {
            return ParseStatus.BAD_IP_TOTAL_LEN;
        }
        long l3end = p + 40 + plen;
        put(out, W_IPV6_SRC_HI, S_IPV6_SRC_HI, seg.get(BE64, p + 8));
        put(out, W_IPV6_SRC_LO, S_IPV6_SRC_LO, seg.get(BE64, p + 16));
        put(out, W_IPV6_DST_HI, S_IPV6_DST_HI, seg.get(BE64, p + 24));
        put(out, W_IPV6_DST_LO, S_IPV6_DST_LO, seg.get(BE64, p + 32));
        int next = u8(seg, p + 6);
        long q = p + 40;
        int frag = 0;
        for (int n = 0; ; n++) {
            if (next != IpProto.HOPOPTS && next != IpProto.ROUTING && next != IpProto.DSTOPTS
                    && next != IpProto.FRAGMENT && next != IpProto.AH) {
                break;
            }
            // On a bad extension chain only the addresses are kept, as OVS does (label, tos,
            // ttl, proto and frag are set only once the chain has been walked).
            if (n == MAX_IPV6_EXT_HEADERS) {
                return ParseStatus.TOO_MANY_IPV6_EXT;
            }
            if (l3end - q < 8) {
                return ParseStatus.TRUNCATED_IPV6_EXT;
            }
            int nh = u8(seg, q);
            long len;
            if (next == IpProto.FRAGMENT) {
                int offlg = u16(seg, q + 2);
                len = 8;
                if (l3end - q < len) {
                    return ParseStatus.TRUNCATED_IPV6_EXT;
                }
                if (offlg != 0) {
                    frag = FlowKey.FRAG_ANY; // as OVS: any non-zero offset/flags word
                }
                if ((offlg & 0xfff8) != 0) {
                    setIpv6Rest(seg, p, vtcfl, IpProto.FRAGMENT, frag | FlowKey.FRAG_LATER, out);
                    return ParseStatus.OK;
                }
            } else if (next == IpProto.AH) {
                len = (u8(seg, q + 1) + 2L) * 4;
            } else {
                len = (u8(seg, q + 1) + 1L) * 8;
            }
            if (l3end - q < len) {
                return ParseStatus.TRUNCATED_IPV6_EXT;
            }
            q += len;
            next = nh;
        }
        setIpv6Rest(seg, p, vtcfl, next, frag, out);
        return l4Follows(p, q, l3end);
    }

    private static void setIpv6Rest(MemorySegment seg, long p, int vtcfl, int proto, int frag, FlowKey out) {
        put(out, W_NW_TOS, S_NW_TOS, (vtcfl >>> 20) & 0xff);
        put(out, W_IPV6_LABEL, S_IPV6_LABEL, vtcfl & 0xfffff);
        put(out, W_NW_TTL, S_NW_TTL, u8(seg, p + 7));
        put(out, W_NW_PROTO, S_NW_PROTO, proto);
        put(out, W_NW_FRAG, S_NW_FRAG, frag);
    }

    private static int arp(MemorySegment seg, long p, long end, FlowKey out) {
        if (end - p < 28) {
            return ParseStatus.TRUNCATED_L3;
        }
        if (u16(seg, p) != 1 || u16(seg, p + 2) != EthType.IP || u8(seg, p + 4) != 6 || u8(seg, p + 5) != 4) {
            return ParseStatus.UNSUPPORTED_ARP;
        }
        put(out, W_ARP_OP, S_ARP_OP, u16(seg, p + 6));
        put(out, W_ARP_SHA, S_ARP_SHA, mac(seg, p + 8));
        put(out, W_ARP_SPA, S_ARP_SPA, u32(seg, p + 14) & 0xffffffffL);
        put(out, W_ARP_THA, S_ARP_THA, mac(seg, p + 18));
        put(out, W_ARP_TPA, S_ARP_TPA, u32(seg, p + 24) & 0xffffffffL);
        return ParseStatus.OK;
    }

    private static int l4(MemorySegment seg, long p, long end, int proto, boolean v6, FlowKey out) {
        long avail = end - p;
        switch (proto) {
            case IpProto.TCP -> {
                if (avail < 20) {
                    return ParseStatus.TRUNCATED_L4;
                }
                int offFlags = u16(seg, p + 12);
                int doff = (offFlags >>> 12) * 4;
                if (doff < 20 || doff > avail) {
                    return ParseStatus.BAD_TCP_HEADER_LEN;
                }
                putPorts(out, u32(seg, p));
                put(out, W_TCP_FLAGS, S_TCP_FLAGS, offFlags & 0x0fff);
            }
            case IpProto.UDP -> {
                if (avail < 8) {
                    return ParseStatus.TRUNCATED_L4;
                }
                putPorts(out, u32(seg, p));
            }
            case IpProto.SCTP -> {
                if (avail < 12) {
                    return ParseStatus.TRUNCATED_L4;
                }
                putPorts(out, u32(seg, p));
            }
            case IpProto.ICMP -> {
                if (v6) {
                    return ParseStatus.OK;
                }
                if (avail < 4) {
                    return ParseStatus.TRUNCATED_L4;
                }
                put(out, W_ICMP_TYPE, S_ICMP_TYPE, u8(seg, p));
                put(out, W_ICMP_CODE, S_ICMP_CODE, u8(seg, p + 1));
            }
            case IpProto.ICMPV6 -> {
                if (!v6) {
                    return ParseStatus.OK;
                }
                if (avail < 4) {
                    return ParseStatus.TRUNCATED_L4;
                }
                int t = u8(seg, p);
                int c = u8(seg, p + 1);
                put(out, W_ICMP_TYPE, S_ICMP_TYPE, t);
                put(out, W_ICMP_CODE, S_ICMP_CODE, c);
                if (c == 0 && (t == 135 || t == 136)) {
                    return nd(seg, p, end, t, out);
                }
            }
            default -> { }
        }
        return ParseStatus.OK;
    }

    /**
     * ND target and link-layer address options, as OVS {@code parse_icmpv6}: source/target
     * link-layer options are taken whatever the message type; a zero-length or overlong option
     * ends the walk keeping what was found; a repeated option invalidates target and addresses.
     */
    private static int nd(MemorySegment seg, long p, long end, int type, FlowKey out) {
        if (end - p < 24) {
            return ParseStatus.TRUNCATED_L4;
        }
        put(out, W_ND_TARGET_HI, S_ND_TARGET_HI, seg.get(BE64, p + 8));
        put(out, W_ND_TARGET_LO, S_ND_TARGET_LO, seg.get(BE64, p + 16));
        long q = p + 24;
        while (end - q >= 8) {
            int optType = u8(seg, q);
            int optLen = u8(seg, q + 1) * 8;
            if (optLen == 0 || optLen > end - q) {
                return ParseStatus.BAD_ND_OPTION;
            }
            if (optLen == 8 && (optType == 1 || optType == 2)) {
                Field f = optType == 1 ? Field.ND_SLL : Field.ND_TLL;
                if (out.get(f) != 0) {
                    out.set(Field.ND_TARGET_HI, 0);
                    out.set(Field.ND_TARGET_LO, 0);
                    out.set(Field.ND_SLL, 0);
                    out.set(Field.ND_TLL, 0);
                    return ParseStatus.BAD_ND_OPTION;
                }
                out.set(f, mac(seg, q + 2));
            }
            q += optLen;
        }
        return ParseStatus.OK;
    }

    /** tp_src and tp_dst from the first 4 bytes of a TCP, UDP or SCTP header, read at once. */
    private static void putPorts(FlowKey out, int ports) {
        put(out, W_TP_SRC, S_TP_SRC, ports >>> 16);
        put(out, W_TP_DST, S_TP_DST, ports & 0xffff);
    }

    /** ORs {@code value} (already within the field's width) into a cleared key. */
    private static void put(FlowKey out, int word, int shift, long value) {
        out.w[word] |= value << shift;
        out.used |= 1L << word;
    }

    private static int u8(MemorySegment seg, long p) { return seg.get(JAVA_BYTE, p) & 0xff; }
    private static int u16(MemorySegment seg, long p) { return seg.get(BE16, p) & 0xffff; }
    private static int u32(MemorySegment seg, long p) { return seg.get(BE32, p); }
    private static long mac(MemorySegment seg, long p) {
        return (seg.get(BE32, p) & 0xffffffffL) << 16 | (seg.get(BE16, p + 4) & 0xffff);
    }
}
