package org.offloadbridge.daemon.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The libc calls the slow path's packet sockets need, bound with JNA direct mapping (static
 * natives: no proxy, no per-call argument arrays), named like the C API. Buffers are passed
 * as addresses of direct buffers the caller owns, so calls allocate nothing. errno is saved
 * per thread by JNA right after each call ({@link #errno()}).
 */
public final class LibPacket {
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        Throwable cause = null;
        try {
            Native.register(LibPacket.class, NativeLibrary.getInstance("c"));
        } catch (Throwable t) {
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
    }

    private LibPacket() {
    }

    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    public static int errno() {
        return Native.getLastError();
    }

    /** {@code <linux/socket.h>} */
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;
    /** {@code <linux/socket.h>} SOL_PACKET and {@code <linux/if_packet.h>} options. */
    public static final int SOL_PACKET = 263;
    public static final int PACKET_IGNORE_OUTGOING = 23;
    /** getsockopt: {@code struct tpacket_stats} {u32 tp_packets, u32 tp_drops}, reset by the read. */
    public static final int PACKET_STATISTICS = 6;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;
    public static final int POLLIN = 0x1;
    public static final int EAGAIN = 11;
    public static final int EINTR = 4;
    /** {@code struct sockaddr_ll}: family u16, protocol be16, ifindex s32, hatype u16, pkttype u8, halen u8, addr[8]. */
    public static final int SOCKADDR_LL_LEN = 20;

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int fd, long addr, int addrlen);

    public static native int setsockopt(int fd, int level, int optname, long optval, int optlen);

    public static native int getsockopt(int fd, int level, int optname, long optval, long optlen);

    public static native long recv(int fd, long buf, long len, int flags);

    public static native long send(int fd, long buf, long len, int flags);

    public static native int poll(long fds, long nfds, int timeoutMillis);

    public static native int close(int fd);
}
