package org.offloadbridge.netlink.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The libc calls netlink needs, bound with JNA direct mapping (static natives: no proxy,
 * no per-call argument arrays). Named like the C API. Pointers are passed as {@code long}
 * addresses of direct buffers the caller owns, so calls allocate nothing.
 *
 * <p>errno: JNA saves errno per thread right after each call; read it with
 * {@link #errno()} on the calling thread before anything else calls into native code.
 */
public final class LibC {
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        Throwable cause = null;
        try {
            Native.register(LibC.class, NativeLibrary.getInstance("c"));
        } catch (Throwable t) {
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
    }

    private LibC() {
    }

    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws a clear error when libc could not be bound (not Linux, JNA missing its native part). */
    public static void ensureAvailable() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new UnsupportedOperationException("netlink native calls unavailable: " + UNAVAILABILITY_CAUSE, UNAVAILABILITY_CAUSE);
        }
    }

    public static int errno() {
        return Native.getLastError();
    }

    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1;
    public static final int SOL_NETLINK = 270;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 02000000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int POLLIN = 0x1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int fd, long addr, int addrlen);

    public static native int getsockname(int fd, long addr, long addrlenPtr);

    public static native int setsockopt(int fd, int level, int optname, long optval, int optlen);

    public static native int getsockopt(int fd, int level, int optname, long optval, long optlenPtr);

    public static native long sendmsg(int fd, long msghdr, int flags);

    public static native long recvmsg(int fd, long msghdr, int flags);

    public static native int poll(long fds, long nfds, int timeoutMillis);

    public static native int close(int fd);

    public static native int open(String path, int flags);

    public static native int setns(int fd, int nstype);
}
