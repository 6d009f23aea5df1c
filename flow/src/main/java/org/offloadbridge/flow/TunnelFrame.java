package org.offloadbridge.flow;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How a tunnel's metadata crosses the veth between the kernel's VXLAN device and the daemon's
 * datapath, which would otherwise lose it (a veth scrubs the skb's metadata dst). One layout,
 * written by the tc programs on the kernel side and read here by every datapath.
 *
 * <p><b>Miss</b> (kernel → datapath): a decapsulated packet that missed every tc filter gets a
 * {@value #MISS_HEADER_LEN}-byte header in front of its inner Ethernet frame:
 * <pre>
 *  0  Ethernet dst 02:6f:62:74:6e:6c ("ob tnl", locally administered), src 02:00:00:00:00:00,
 * 12  ethertype 0x88b5 (IEEE local experimental 1: taps and the stack see a frame, not garbage)
 * 14  version ({@value #VERSION}), flags ({@link #FLAG_IPV6})
 * 16  struct bpf_tunnel_key, 44 bytes, as bpf_skb_get_tunnel_key fills it (host byte order;
 *     IPv6 addresses in network order): tunnel_id, remote (the outer source), tos, ttl,
 *     tunnel_ext, label, local (the outer destination)
 * 60  zero
 * </pre>
 * <b>Inject</b> (datapath → tunnel): the datapath sends the inner frame followed by a
 * {@value #INJECT_TRAILER_LEN}-byte trailer; the kernel-side program cuts it off, sets the
 * tunnel key from it and redirects the frame to the VXLAN device, which builds the outer
 * headers with the kernel's own route and neighbour lookup:
 * <pre>
 *  0  magic "OBTI"
 *  4  bpf_skb_set_tunnel_key flags (BPF_F_TUNINFO_IPV6, BPF_F_ZERO_CSUM_TX, BPF_F_DONT_FRAGMENT), host order
 *  8  struct bpf_tunnel_key, 44 bytes: tunnel_id, remote (the outer destination), tos, ttl,
 *     0, 0, local (the outer source; 0: the route's)
 * 52  zero
 * </pre>
 * A trailer rather than a header because the kernel can cut bytes off the end of any frame
 * ({@code bpf_skb_change_tail}) but off the front only of IP frames ({@code bpf_skb_adjust_room}).
 */
public final class TunnelFrame {
    public static final int MISS_HEADER_LEN = 64;
    public static final int INJECT_TRAILER_LEN = 64;
    public static final int ETHERTYPE = 0x88b5;
    public static final int VERSION = 1;
    /** Miss header flag: the tunnel is over IPv6. */
    public static final int FLAG_IPV6 = 1;
    /** The inject trailer's first four bytes. */
    public static final int INJECT_MAGIC = 'O' << 24 | 'B' << 16 | 'T' << 8 | 'I';

    /** Offsets in the miss header. */
    public static final int MISS_VERSION = 14, MISS_FLAGS = 15, MISS_KEY = 16;
    /** Offsets in the inject trailer. */
    public static final int INJECT_FLAGS = 4, INJECT_KEY = 8;

    /** {@code struct bpf_tunnel_key} ({@code <linux/bpf.h>}): offsets and its size with local_ipv6 (kernel 6.0+). */
    public static final int KEY_TUNNEL_ID = 0, KEY_REMOTE = 4, KEY_TOS = 20, KEY_TTL = 21, KEY_EXT = 22, KEY_LABEL = 24,
        KEY_LOCAL = 28, KEY_LEN = 44;

    /** bpf_skb_set_tunnel_key / get_tunnel_key flags ({@code <linux/bpf.h>}). */
    public static final int BPF_F_TUNINFO_IPV6 = 1, BPF_F_ZERO_CSUM_TX = 1 << 1, BPF_F_DONT_FRAGMENT = 1 << 2;

    private static final byte[] MISS_FIXED = {
        0x02, 0x6f, 0x62, 0x74, 0x6e, 0x6c, 0x02, 0, 0, 0, 0, 0, (byte) 0x88, (byte) 0xb5, VERSION, 0};

    private TunnelFrame() {
    }

    /** The miss header's first 16 bytes (MACs, ethertype, version; flags 0), as the program stores them. */
    public static byte[] missHeaderFixed() {
        return MISS_FIXED.clone();
    }

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong NET_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * Reads the miss header at {@code b[off]} into {@code key}'s tunnel fields (and marks the key
     * as having a tunnel). The inner frame starts {@value #MISS_HEADER_LEN} bytes on.
     *
     * @param tpDst the VXLAN device's UDP port (the header does not carry it: one device, one port)
     * @return false when the frame is too short or is not a miss header of this version; the key is then untouched
     */
    public static boolean readMissHeader(ByteBuffer b, int off, int len, int tpDst, FlowKey key) {
        return readMissHeader(whole(b), off, len, tpDst, key);
    }

    /** As {@link #readMissHeader(ByteBuffer, int, int, int, FlowKey)}, from native memory (a DPDK mbuf); allocates nothing. */
    public static boolean readMissHeader(MemorySegment seg, long off, long len, int tpDst, FlowKey key) {
        if (len < MISS_HEADER_LEN + 14 || (seg.get(ValueLayout.JAVA_BYTE, off + 12) & 0xff) != 0x88
            || (seg.get(ValueLayout.JAVA_BYTE, off + 13) & 0xff) != 0xb5 || seg.get(ValueLayout.JAVA_BYTE, off + MISS_VERSION) != VERSION) {
            return false;
        }
        long k = off + MISS_KEY;
        boolean v6 = (seg.get(ValueLayout.JAVA_BYTE, off + MISS_FLAGS) & FLAG_IPV6) != 0;
        key.set(Field.TUN_ID, seg.get(INT, k + KEY_TUNNEL_ID) & 0xffffffffL);
        if (v6) {
            // The kernel copies IPv6 addresses as they are on the wire.
            key.set(Field.TUN_IPV6_SRC_HI, seg.get(NET_LONG, k + KEY_REMOTE));
            key.set(Field.TUN_IPV6_SRC_LO, seg.get(NET_LONG, k + KEY_REMOTE + 8));
            key.set(Field.TUN_IPV6_DST_HI, seg.get(NET_LONG, k + KEY_LOCAL));
            key.set(Field.TUN_IPV6_DST_LO, seg.get(NET_LONG, k + KEY_LOCAL + 8));
        } else {
            key.set(Field.TUN_IPV4_SRC, seg.get(INT, k + KEY_REMOTE) & 0xffffffffL);
            key.set(Field.TUN_IPV4_DST, seg.get(INT, k + KEY_LOCAL) & 0xffffffffL);
        }
        key.set(Field.TUN_TOS, seg.get(ValueLayout.JAVA_BYTE, k + KEY_TOS) & 0xff);
        key.set(Field.TUN_TTL, seg.get(ValueLayout.JAVA_BYTE, k + KEY_TTL) & 0xff);
        key.set(Field.TUN_TP_DST, tpDst);
        // A VXLAN frame always carries its VNI; the kernel before 6.2 does not report the
        // outer checksum and DF bits to a program, so they are left out rather than guessed.
        key.set(Field.TUN_FLAGS, FlowKey.TUN_F_KEY);
        key.addAttr(KeyAttr.TUNNEL);
        return true;
    }

    /**
     * Writes the inject trailer at {@code b[off]} for an IPv4 tunnel.
     *
     * @param tunId    the VNI
     * @param remote   the outer destination, host order
     * @param local    the outer source, host order (0: the route's)
     * @param tos      outer TOS (0: the kernel's default)
     * @param ttl      outer TTL (0: the route's hop limit)
     * @param tunFlags {@link FlowKey#TUN_F_CSUM} for a UDP checksum, {@link FlowKey#TUN_F_DONT_FRAGMENT} for DF
     */
    public static void writeInjectTrailer(ByteBuffer b, int off, long tunId, int remote, int local, int tos, int ttl, int tunFlags) {
        writeInjectTrailer(whole(b), off, tunId, remote, local, tos, ttl, tunFlags);
    }

    /**
     * Writes the inject trailer at {@code seg[off]} for an IPv6 tunnel: the addresses as two
     * longs each in network order (the flow key's), copied as they go on the wire.
     */
    public static void writeInjectTrailerIpv6(MemorySegment seg, long off, long tunId, long remoteHi, long remoteLo, long localHi,
                                              long localLo, int tos, int ttl, int tunFlags) {
        writeInjectTrailer(seg, off, tunId, 0, 0, tos, ttl, tunFlags);
        seg.set(INT, off + INJECT_FLAGS, seg.get(INT, off + INJECT_FLAGS) | BPF_F_TUNINFO_IPV6);
        long k = off + INJECT_KEY;
        seg.set(NET_LONG, k + KEY_REMOTE, remoteHi);
        seg.set(NET_LONG, k + KEY_REMOTE + 8, remoteLo);
        seg.set(NET_LONG, k + KEY_LOCAL, localHi);
        seg.set(NET_LONG, k + KEY_LOCAL + 8, localLo);
    }

    /** All of {@code b}, offsets absolute (a segment of a buffer starts at its position). */
    private static MemorySegment whole(ByteBuffer b) {
        return MemorySegment.ofBuffer(b.duplicate().clear());
    }

    /** As {@link #writeInjectTrailer(ByteBuffer, int, long, int, int, int, int, int)}, into native memory; allocates nothing. */
    public static void writeInjectTrailer(MemorySegment seg, long off, long tunId, int remote, int local, int tos, int ttl, int tunFlags) {
        for (int i = 0; i < INJECT_TRAILER_LEN; i += 4) {
            seg.set(INT, off + i, 0);
        }
        seg.set(NET_INT, off, INJECT_MAGIC);
        int flags = ((tunFlags & FlowKey.TUN_F_CSUM) == 0 ? BPF_F_ZERO_CSUM_TX : 0)
            | ((tunFlags & FlowKey.TUN_F_DONT_FRAGMENT) != 0 ? BPF_F_DONT_FRAGMENT : 0);
        seg.set(INT, off + INJECT_FLAGS, flags);
        long k = off + INJECT_KEY;
        seg.set(INT, k + KEY_TUNNEL_ID, (int) tunId);
        seg.set(INT, k + KEY_REMOTE, remote);
        seg.set(ValueLayout.JAVA_BYTE, k + KEY_TOS, (byte) tos);
        seg.set(ValueLayout.JAVA_BYTE, k + KEY_TTL, (byte) ttl);
        seg.set(INT, k + KEY_LOCAL, local);
    }
}
