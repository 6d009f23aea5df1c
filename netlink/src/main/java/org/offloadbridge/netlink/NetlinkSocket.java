package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.internal.LibC.AF_NETLINK;
import static org.offloadbridge.netlink.internal.LibC.EAGAIN;
import static org.offloadbridge.netlink.internal.LibC.EINTR;
import static org.offloadbridge.netlink.internal.LibC.MSG_DONTWAIT;
import static org.offloadbridge.netlink.internal.LibC.MSG_PEEK;
import static org.offloadbridge.netlink.internal.LibC.MSG_TRUNC;
import static org.offloadbridge.netlink.internal.LibC.POLLIN;
import static org.offloadbridge.netlink.internal.LibC.SOCK_CLOEXEC;
import static org.offloadbridge.netlink.internal.LibC.SOCK_RAW;
import static org.offloadbridge.netlink.internal.LibC.SOL_NETLINK;
import static org.offloadbridge.netlink.internal.LibC.SOL_SOCKET;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import org.offloadbridge.netlink.internal.LibC;
import org.offloadbridge.netlink.uapi.NetlinkConstants;

/**
 * One netlink socket: the thin layer over socket(2)/bind/setsockopt/sendmsg/recvmsg.
 * Not thread-safe — one owner at a time. For requests use {@link NetlinkConnection} (which
 * adds sequence numbers, acks, dumps, batching and a lock); for events use
 * {@link NetlinkSubscription}.
 *
 * <p>Options set at {@link #open}: {@code NETLINK_EXT_ACK} (the kernel explains errors),
 * {@code NETLINK_CAP_ACK} (error acks do not echo our whole request back) and, on
 * NETLINK_ROUTE, {@code NETLINK_GET_STRICT_CHK} (the kernel validates dump requests and
 * honours their filters, as iproute2 asks). Each is best-effort: an older kernel that lacks
 * one still works, with less detail.
 *
 * <p>Receiving: one recvmsg per datagram, into two iovecs — the receive buffer (32 KiB,
 * growing) and a fixed {@value #OVERFLOW_BYTES}-byte overflow area behind it, as OVS does.
 * A datagram that spills into the overflow area is moved into a grown receive buffer;
 * one larger than both (the kernel sends none that big in practice) is reported as
 * {@code -EMSGSIZE}, never silently cut. {@code MSG_TRUNC} makes recvmsg return the
 * real length, so truncation is always detected. Peeking each datagram's size first
 * ({@code MSG_PEEK|MSG_TRUNC}, as iproute2 does) costs a second syscall per datagram; it
 * is available with {@link #peekSizing(boolean)} where no loss at all is acceptable.
 * Datagrams not sent by the kernel (port id 0) are dropped. A socket keeps the network namespace it was
 * created in: open it on a thread inside the target namespace ({@link NetNs}).
 */
public final class NetlinkSocket implements NetlinkTransport {
    // Native scratch area, one per socket: the structs sendmsg/recvmsg/poll read.
    private static final int SA_SEND = 0;     // struct sockaddr_nl (12)
    private static final int SA_RECV = 16;    // struct sockaddr_nl (12)
    private static final int IOV = 32;        // struct iovec[2] (32)
    private static final int MSGHDR = 64;     // struct msghdr (56)
    private static final int OPTVAL = 120;    // int
    private static final int SOCKLEN = 124;   // socklen_t
    private static final int POLLFD = 128;    // struct pollfd (8)
    private static final int SCRATCH = 136;
    /** Size of the overflow area behind the receive buffer (see class comment). */
    public static final int OVERFLOW_BYTES = 256 * 1024;
    /** sizeof(struct sockaddr_nl). */
    private static final int SOCKADDR_NL = 12;

    private final NetlinkProtocol protocol;
    private final ByteBuffer scratch;
    private final long scratchAddress;
    private ByteBuffer receiveBuffer;
    private long receiveAddress;
    private final ByteBuffer overflow;
    private final long overflowAddress;
    /** Counters: written by the owner with opaque stores, read from any thread. */
    private final AtomicLong truncated = new AtomicLong();
    private boolean peekSizing;
    private ByteBuffer sendBuffer;
    private long sendAddress;
    private int fd;
    private final int portId;
    private final AtomicLong droppedForeign = new AtomicLong();

    /**
     * This socket's counters, one snapshot; readable from any thread while the owner receives.
     *
     * @param truncatedDatagrams      datagrams that exceeded the receive buffer plus overflow
     *                                area and were lost (reported as {@code -EMSGSIZE})
     * @param droppedForeignDatagrams datagrams dropped because a process rather than the kernel
     *                                sent them
     */
    public record Counters(long truncatedDatagrams, long droppedForeignDatagrams) {
    }

    private NetlinkSocket(NetlinkProtocol protocol, int fd, int receiveBufferBytes, int overflowBytes) {
        this.protocol = protocol;
        this.fd = fd;
        this.scratch = ByteBuffer.allocateDirect(SCRATCH).order(ByteOrder.nativeOrder());
        this.scratchAddress = MemorySegment.ofBuffer(scratch).address();
        growReceiveBuffer(receiveBufferBytes);
        this.overflow = ByteBuffer.allocateDirect(overflowBytes).order(ByteOrder.nativeOrder());
        this.overflowAddress = MemorySegment.ofBuffer(overflow).address();
        this.portId = bindAndName();
    }

    /** Whether the native calls are usable on this machine. */
    public static boolean isAvailable() {
        return LibC.isAvailable();
    }

    /** Why the native calls are not usable, or null. */
    public static Throwable unavailabilityCause() {
        return LibC.unavailabilityCause();
    }

    /** Opens and binds a socket (kernel-assigned port id) with the default options. */
    public static NetlinkSocket open(NetlinkProtocol protocol) {
        return open(protocol, 32 * 1024);
    }

    /** As {@link #open(NetlinkProtocol)} with an initial receive buffer of {@code receiveBufferBytes} (tests use a tiny one to exercise growth). */
    static NetlinkSocket open(NetlinkProtocol protocol, int receiveBufferBytes) {
        return open(protocol, receiveBufferBytes, OVERFLOW_BYTES);
    }

    /** Test seam: the overflow area's size too (0 makes every datagram bigger than the buffer overflow it). */
    static NetlinkSocket open(NetlinkProtocol protocol, int receiveBufferBytes, int overflowBytes) {
        LibC.ensureAvailable();
        int fd = LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol.value());
        if (fd < 0) {
            throw new NetlinkException("socket(AF_NETLINK, " + protocol + ")", LibC.errno());
        }
        NetlinkSocket s;
        try {
            s = new NetlinkSocket(protocol, fd, receiveBufferBytes, overflowBytes);
        } catch (RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
        s.trySetOption(SOL_NETLINK, NetlinkConstants.NETLINK_EXT_ACK, 1);
        s.trySetOption(SOL_NETLINK, NetlinkConstants.NETLINK_CAP_ACK, 1);
        if (protocol == NetlinkProtocol.ROUTE) {
            s.trySetOption(SOL_NETLINK, NetlinkConstants.NETLINK_GET_STRICT_CHK, 1);
        }
        return s;
    }

    private int bindAndName() {
        scratch.putShort(SA_SEND, (short) AF_NETLINK);
        scratch.putShort(SA_SEND + 2, (short) 0);
        scratch.putInt(SA_SEND + 4, 0);
        scratch.putInt(SA_SEND + 8, 0);
        if (LibC.bind(fd, scratchAddress + SA_SEND, SOCKADDR_NL) < 0) {
            throw new NetlinkException("bind(AF_NETLINK)", LibC.errno());
        }
        scratch.putInt(SOCKLEN, SOCKADDR_NL);
        if (LibC.getsockname(fd, scratchAddress + SA_RECV, scratchAddress + SOCKLEN) < 0) {
            throw new NetlinkException("getsockname(AF_NETLINK)", LibC.errno());
        }
        return scratch.getInt(SA_RECV + 4);
    }

    public NetlinkProtocol protocol() {
        return protocol;
    }

    /** The port id the kernel assigned ({@code nl_pid}); replies carry it. */
    public int portId() {
        return portId;
    }

    public int fd() {
        return fd;
    }

    /** This socket's counters (see {@link Counters}). */
    public Counters counters() {
        return new Counters(truncated.getOpaque(), droppedForeign.getOpaque());
    }

    /** Sets an int socket option; throws on failure. */
    public void setOption(int level, int name, int value) {
        if (!trySetOption(level, name, value)) {
            throw new NetlinkException("setsockopt(level " + level + ", option " + name + ", " + value + ")", LibC.errno());
        }
    }

    /**
     * Has the kernel drop messages of these {@code nlmsg_type}s before they are queued on this
     * socket (a classic BPF socket filter, {@code SO_ATTACH_FILTER}): a listener that only wants
     * some of a group's events then neither wakes nor spends a receive on the others. A
     * datagram is judged by its first message, which for the kernel's notifications is the only one.
     */
    public void dropMessageTypes(int... types) {
        checkOpen();
        if (types.length == 0 || types.length > 200) {
            throw new IllegalArgumentException("1 to 200 message types, got " + types.length);
        }
        int n = types.length + 3; // ldh, one jeq per type, accept, drop
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment prog = arena.allocate(8L * n, 8);
            // ldh [4]: nlmsg_type, which BPF loads in network byte order
            putInsn(prog, 0, 0x28, 0, 0, 4);
            for (int i = 0; i < types.length; i++) {
                int t = types[i] & 0xffff;
                int loaded = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? Short.reverseBytes((short) t) & 0xffff : t;
                int at = 1 + i;
                putInsn(prog, at, 0x15, n - 1 - (at + 1), 0, loaded); // jeq #type → drop
            }
            putInsn(prog, n - 2, 0x06, 0, 0, 0xffffffff); // ret #-1: keep the whole datagram
            putInsn(prog, n - 1, 0x06, 0, 0, 0);          // ret #0: drop it
            java.lang.foreign.MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) n);
            fprog.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, prog.address());
            if (LibC.setsockopt(fd, LibC.SOL_SOCKET, SO_ATTACH_FILTER, fprog.address(), 16) < 0) {
                throw new NetlinkException("setsockopt(SO_ATTACH_FILTER)", LibC.errno());
            }
        }
    }

    private static final int SO_ATTACH_FILTER = 26;

    /** One {@code struct sock_filter}: code, jt, jf, k. */
    private static void putInsn(java.lang.foreign.MemorySegment prog, int index, int code, int jt, int jf, int k) {
        long o = 8L * index;
        prog.set(java.lang.foreign.ValueLayout.JAVA_SHORT, o, (short) code);
        prog.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 2, (byte) jt);
        prog.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 3, (byte) jf);
        prog.set(java.lang.foreign.ValueLayout.JAVA_INT, o + 4, k);
    }

    /** Reads an int socket option. */
    public int getOption(int level, int name) {
        checkOpen();
        scratch.putInt(SOCKLEN, 4);
        if (LibC.getsockopt(fd, level, name, scratchAddress + OPTVAL, scratchAddress + SOCKLEN) < 0) {
            throw new NetlinkException("getsockopt(level " + level + ", option " + name + ")", LibC.errno());
        }
        return scratch.getInt(OPTVAL);
    }

    private boolean trySetOption(int level, int name, int value) {
        checkOpen();
        scratch.putInt(OPTVAL, value);
        return LibC.setsockopt(fd, level, name, scratchAddress + OPTVAL, 4) == 0;
    }

    /**
     * Sets the kernel receive buffer. With {@code force}, uses {@code SO_RCVBUFFORCE} (needs
     * CAP_NET_ADMIN, ignores {@code net.core.rmem_max}) and falls back to {@code SO_RCVBUF}
     * when not permitted. A big buffer matters: acks and events that do not fit are dropped
     * by the kernel (ENOBUFS).
     *
     * @return the size the kernel reports afterwards (it doubles the request for bookkeeping)
     */
    public int setReceiveBufferSize(int bytes, boolean force) {
        if (!(force && trySetOption(SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes))) {
            setOption(SOL_SOCKET, LibC.SO_RCVBUF, bytes);
        }
        return getOption(SOL_SOCKET, LibC.SO_RCVBUF);
    }

    /** As {@link #setReceiveBufferSize} for the send side, which bounds one sendmsg (a batch). */
    public int setSendBufferSize(int bytes, boolean force) {
        if (!(force && trySetOption(SOL_SOCKET, LibC.SO_SNDBUFFORCE, bytes))) {
            setOption(SOL_SOCKET, LibC.SO_SNDBUF, bytes);
        }
        return getOption(SOL_SOCKET, LibC.SO_SNDBUF);
    }

    /** Joins a multicast group ({@code RTNLGRP_*}, or a generic netlink group id). */
    public void joinGroup(int group) {
        setOption(SOL_NETLINK, NetlinkConstants.NETLINK_ADD_MEMBERSHIP, group);
    }

    public void leaveGroup(int group) {
        setOption(SOL_NETLINK, NetlinkConstants.NETLINK_DROP_MEMBERSHIP, group);
    }

    /**
     * Sends {@code length} bytes of {@code buffer} from {@code offset} — one message or a
     * whole batch — to the kernel in one sendmsg. A heap buffer is copied into a direct one
     * first.
     */
    public void send(ByteBuffer buffer, int offset, int length) {
        checkOpen();
        long base;
        if (buffer.isDirect()) {
            if (buffer != sendBuffer) {
                sendBuffer = buffer;
                sendAddress = MemorySegment.ofBuffer(buffer).address();
            }
            base = sendAddress;
        } else {
            ByteBuffer copy = ByteBuffer.allocateDirect(length);
            copy.put(0, buffer, offset, length);
            sendBuffer = copy;
            sendAddress = MemorySegment.ofBuffer(copy).address();
            base = sendAddress;
            offset = 0;
        }
        scratch.putShort(SA_SEND, (short) AF_NETLINK);
        scratch.putInt(SA_SEND + 4, 0);
        scratch.putInt(SA_SEND + 8, 0);
        scratch.putLong(IOV, base + offset);
        scratch.putLong(IOV + 8, length);
        setMsghdr(SA_SEND, 1);
        while (true) {
            long n = LibC.sendmsg(fd, scratchAddress + MSGHDR, 0);
            if (n >= 0) {
                if (n != length) {
                    throw new NetlinkException("sendmsg sent " + n + " of " + length + " bytes", Errno.EMSGSIZE.value());
                }
                return;
            }
            int err = LibC.errno();
            if (err != EINTR) {
                throw new NetlinkException("sendmsg(" + length + " bytes)", err);
            }
        }
    }

    private void setMsghdr(int nameOffset, int iovlen) {
        scratch.putLong(MSGHDR, scratchAddress + nameOffset);
        scratch.putInt(MSGHDR + 8, SOCKADDR_NL);
        scratch.putInt(MSGHDR + 12, 0);
        scratch.putLong(MSGHDR + 16, scratchAddress + IOV);
        scratch.putLong(MSGHDR + 24, iovlen);
        scratch.putLong(MSGHDR + 32, 0);
        scratch.putLong(MSGHDR + 40, 0);
        scratch.putInt(MSGHDR + 48, 0);
    }

    /**
     * Receives one datagram from the kernel into {@link #receiveBuffer()} (from offset 0).
     *
     * @param timeoutMillis 0 = do not wait, negative = wait forever
     * @return the datagram's length (&gt;= 0); {@code -EAGAIN} when none arrived in time;
     *         {@code -ENOBUFS} when the kernel dropped messages for this socket because its
     *         receive buffer was full (the socket stays usable; what was lost is unknown);
     *         {@code -EMSGSIZE} when a datagram exceeded even the overflow area and was
     *         truncated (it is lost; the buffer has grown so the next one fits)
     * @throws NetlinkException on any other failure
     */
    public int receive(int timeoutMillis) {
        checkOpen();
        while (true) {
            int n = 0;
            if (peekSizing) {
                // A negative result (nothing queued, or a pending ENOBUFS the peek consumed) is
                // handled below exactly like one from the real receive.
                n = recv(MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
                if (n > receiveBuffer.capacity() + overflow.capacity()) {
                    growReceiveBuffer(n);
                }
            }
            if (n >= 0) {
                n = recv(MSG_TRUNC | MSG_DONTWAIT);
            }
            if (n == -EAGAIN) {
                if (timeoutMillis == 0 || !waitReadable(timeoutMillis)) {
                    return -EAGAIN;
                }
                continue;
            }
            if (n < 0) {
                return n;
            }
            int main = receiveBuffer.capacity();
            if (n > main + overflow.capacity()) {
                // Generous growth: the datagrams that follow (rest of a dump) tend to be as big.
                growReceiveBuffer(2 * n);
                truncated.setOpaque(truncated.getPlain() + 1);
                return -Errno.EMSGSIZE.value();
            }
            if (scratch.getInt(SA_RECV + 4) != 0) {
                droppedForeign.setOpaque(droppedForeign.getPlain() + 1);
                continue;
            }
            if (n > main) {
                // The datagram spilled into the overflow area: move it into a main buffer big
                // enough for it, so callers see it contiguous (and the next one lands there).
                ByteBuffer head = receiveBuffer;
                growReceiveBuffer(n);
                receiveBuffer.put(0, head, 0, main);
                receiveBuffer.put(main, overflow, 0, n - main);
            }
            return n;
        }
    }

    /**
     * With {@code true}, every receive first peeks ({@code MSG_PEEK|MSG_TRUNC}) at the
     * datagram's size and grows the buffer before taking it, so no datagram of any size is
     * ever lost — at the cost of a second recvmsg per datagram. Off by default: the
     * overflow area already holds anything the kernel sends in practice, and a bigger one
     * is reported, not cut.
     */
    public NetlinkSocket peekSizing(boolean on) {
        this.peekSizing = on;
        return this;
    }

    private int recv(int flags) {
        scratch.putLong(IOV, receiveAddress);
        scratch.putLong(IOV + 8, receiveBuffer.capacity());
        scratch.putLong(IOV + 16, overflowAddress);
        scratch.putLong(IOV + 24, overflow.capacity());
        setMsghdr(SA_RECV, 2);
        while (true) {
            long n = LibC.recvmsg(fd, scratchAddress + MSGHDR, flags);
            if (n >= 0) {
                return (int) n;
            }
            int err = LibC.errno();
            if (err == EINTR) {
                continue;
            }
            if (err == EAGAIN || err == Errno.ENOBUFS.value()) {
                return -err;
            }
            throw new NetlinkException("recvmsg", err);
        }
    }

    boolean waitReadable(int timeoutMillis) {
        scratch.putInt(POLLFD, fd);
        scratch.putShort(POLLFD + 4, (short) POLLIN);
        scratch.putShort(POLLFD + 6, (short) 0);
        while (true) {
            int r = LibC.poll(scratchAddress + POLLFD, 1, timeoutMillis);
            if (r >= 0) {
                return r > 0;
            }
            int err = LibC.errno();
            if (err != EINTR) {
                throw new NetlinkException("poll", err);
            }
        }
    }

    private void growReceiveBuffer(int atLeast) {
        int cap = Math.max(atLeast, receiveBuffer == null ? 0 : receiveBuffer.capacity() * 2);
        receiveBuffer = ByteBuffer.allocateDirect(cap).order(ByteOrder.nativeOrder());
        receiveAddress = MemorySegment.ofBuffer(receiveBuffer).address();
    }

    /** The buffer {@link #receive} fills; replaced when a bigger datagram arrives, so fetch it after each receive. */
    public ByteBuffer receiveBuffer() {
        return receiveBuffer;
    }

    private void checkOpen() {
        if (fd < 0) {
            throw new IllegalStateException("netlink socket closed");
        }
    }

    public boolean isOpen() {
        return fd >= 0;
    }

    /** Closes the socket. Call it from the thread using the socket, or after that thread stopped. */
    @Override
    public void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
        }
    }
}
