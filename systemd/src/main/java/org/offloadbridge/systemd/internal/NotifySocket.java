package org.offloadbridge.systemd.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.offloadbridge.netlink.Errno;

/**
 * Sends one datagram to {@code $NOTIFY_SOCKET}: a path ({@code /run/systemd/notify}) or, with
 * a leading {@code @}, a name in the abstract namespace. What {@code sd_notify(3)} does, without
 * linking libsystemd (which a minimal host may lack and which would be one more native library).
 *
 * <p>{@code size_t} / {@code ssize_t} are mapped as Java {@code long}: Linux on LP64 (x86_64,
 * aarch64), the platforms this project builds for. Errno comes from JNA's per-thread last
 * error ({@link LastErrorException}), never from a shared field.
 */
public final class NotifySocket {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int CLOCK_MONOTONIC = 1;
    /** struct sockaddr_un: sa_family_t sun_family; char sun_path[108]. */
    static final int SUN_PATH_BYTES = 108;

    /** libc as sd_notify needs it; names and argument order as in the C API. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int clock_gettime(int clockId, long[] timespec) throws LastErrorException;
    }

    private static final LibC LIBC;
    private static final Throwable CAUSE;

    static {
        LibC lib = null;
        Throwable cause = null;
        try {
            lib = Native.load("c", LibC.class);
        } catch (Throwable t) { // UnsatisfiedLinkError, or JNA's own native part missing
            cause = t;
        }
        LIBC = lib;
        CAUSE = cause;
    }

    private NotifySocket() {
    }

    public static boolean isAvailable() {
        return LIBC != null;
    }

    /** Why libc could not be reached through JNA, or null when it can. */
    public static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /**
     * Sends {@code message} to the socket {@code address} names.
     *
     * @throws IOException naming the address, the call and the errno
     */
    public static void send(String address, String message) throws IOException {
        if (LIBC == null) {
            throw new IOException("sd_notify: libc is not reachable through JNA", CAUSE);
        }
        byte[] addr = sockaddrUn(address);
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        int fd;
        try {
            fd = LIBC.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("sd_notify: socket(AF_UNIX, SOCK_DGRAM): " + Errno.describe(e.getErrorCode()), e);
        }
        try {
            LIBC.sendto(fd, msg, msg.length, MSG_NOSIGNAL, addr, addrLength(address));
        } catch (LastErrorException e) {
            throw new IOException("sd_notify: sendto(NOTIFY_SOCKET=" + address + "): " + Errno.describe(e.getErrorCode()), e);
        } finally {
            try {
                LIBC.close(fd);
            } catch (LastErrorException e) {
                // a datagram socket we only sent on: nothing is lost if close complains
            }
        }
    }

    /** CLOCK_MONOTONIC in microseconds, as systemd reads MONOTONIC_USEC. */
    public static long monotonicMicros() throws IOException {
        if (LIBC == null) {
            throw new IOException("clock_gettime: libc is not reachable through JNA", CAUSE);
        }
        long[] ts = new long[2];
        try {
            LIBC.clock_gettime(CLOCK_MONOTONIC, ts);
        } catch (LastErrorException e) {
            throw new IOException("clock_gettime(CLOCK_MONOTONIC): " + Errno.describe(e.getErrorCode()), e);
        }
        return ts[0] * 1_000_000L + ts[1] / 1_000;
    }

    /**
     * The {@code struct sockaddr_un} for {@code address}: {@code @name} is abstract (a leading
     * NUL in sun_path, the name not NUL-terminated); anything else is a path.
     */
    public static byte[] sockaddrUn(String address) {
        boolean abstractName = address.startsWith("@");
        byte[] name = (abstractName ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        int max = SUN_PATH_BYTES - 1; // abstract: one byte for the leading NUL; path: one for the trailing NUL
        if (name.length == 0 || name.length > max) {
            throw new IllegalArgumentException("NOTIFY_SOCKET \"" + address + "\": a unix socket address is 1.." + max + " bytes");
        }
        if (!abstractName && name[0] != '/') {
            throw new IllegalArgumentException("NOTIFY_SOCKET \"" + address + "\": expected an absolute path or @abstract-name");
        }
        ByteBuffer b = ByteBuffer.allocate(2 + SUN_PATH_BYTES).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX);
        if (abstractName) {
            b.put((byte) 0);
        }
        b.put(name);
        return b.array();
    }

    /** The address length to pass: family + the bytes of sun_path that count. */
    public static int addrLength(String address) {
        int n = (address.startsWith("@") ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8).length;
        return 2 + 1 + n; // abstract: leading NUL + name; path: name + terminating NUL
    }
}
