package org.offloadbridge.daemon.slowpath;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.offloadbridge.daemon.internal.LibPacket;
import org.offloadbridge.flow.EthType;

/**
 * A non-blocking AF_PACKET socket bound to one miss device's datapath side: the slow path's
 * I/O when the daemon runs without DPDK. It receives what the port's catch-all redirected (the
 * packets that missed every tc filter) and sends what the daemon executes for that port.
 * {@code PACKET_IGNORE_OUTGOING} keeps our own sends out of our receive queue.
 *
 * <p>Allocation-free after open: {@link #receive} and {@link #send} take direct buffers the
 * caller reuses. Not thread-safe; one owner thread (the slow-path agent).
 */
public final class PacketSocket implements AutoCloseable {
    private final int fd;
    private final int ifindex;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(LibPacket.SOCKADDR_LL_LEN).order(ByteOrder.nativeOrder());
    /** tpacket_stats (8 bytes) then the optlen word, for {@link #takeDrops()}: the reading thread's alone. */
    private final ByteBuffer stats = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());

    /**
     * The receive queue asked for (SO_RCVBUFFORCE, CAP_NET_ADMIN; else what SO_RCVBUF allows). The
     * kernel's default (~208 KB, a few hundred small frames) overflowed under a burst of 1,000 new
     * flows: 721 first packets lost before the daemon saw them (docs/benchmarks-flow-setup.md).
     */
    public static final int RECEIVE_BUFFER = 16 << 20;
    private boolean closed;

    private PacketSocket(int fd, int ifindex) {
        this.fd = fd;
        this.ifindex = ifindex;
    }

    /** Whether packet sockets can be used here (libc bound); see {@link #unavailabilityCause()}. */
    public static boolean isAvailable() {
        return LibPacket.isAvailable();
    }

    public static Throwable unavailabilityCause() {
        return LibPacket.unavailabilityCause();
    }

    /**
     * Opens a socket on {@code ifindex} (in the caller's network namespace).
     *
     * @throws IllegalStateException naming the device, the call and errno (EPERM: needs CAP_NET_RAW)
     */
    public static PacketSocket open(int ifindex, String name) {
        if (!LibPacket.isAvailable()) {
            throw new IllegalStateException("packet sockets unavailable: " + LibPacket.unavailabilityCause());
        }
        int proto = Short.toUnsignedInt(Short.reverseBytes((short) EthType.ALL));
        int fd = LibPacket.socket(LibPacket.AF_PACKET, LibPacket.SOCK_RAW | LibPacket.SOCK_NONBLOCK | LibPacket.SOCK_CLOEXEC, proto);
        if (fd < 0) {
            throw failure("socket(AF_PACKET) for " + name, LibPacket.errno());
        }
        PacketSocket s = new PacketSocket(fd, ifindex);
        try {
            ByteBuffer b = s.scratch.clear();
            b.putInt(0, 1);
            if (LibPacket.setsockopt(fd, LibPacket.SOL_PACKET, LibPacket.PACKET_IGNORE_OUTGOING, address(b), 4) != 0) {
                throw failure("setsockopt(PACKET_IGNORE_OUTGOING) on " + name, LibPacket.errno());
            }
            b.putInt(0, RECEIVE_BUFFER);
            if (LibPacket.setsockopt(fd, LibPacket.SOL_SOCKET, LibPacket.SO_RCVBUFFORCE, address(b), 4) != 0) {
                LibPacket.setsockopt(fd, LibPacket.SOL_SOCKET, LibPacket.SO_RCVBUF, address(b), 4); // capped by rmem_max
            }
            for (int i = 0; i < LibPacket.SOCKADDR_LL_LEN; i++) {
                b.put(i, (byte) 0);
            }
            b.putShort(0, (short) LibPacket.AF_PACKET);
            b.putShort(2, Short.reverseBytes((short) EthType.ALL));
            b.putInt(4, ifindex);
            if (LibPacket.bind(fd, address(b), LibPacket.SOCKADDR_LL_LEN) != 0) {
                throw failure("bind(AF_PACKET) to " + name + " (ifindex " + ifindex + ")", LibPacket.errno());
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Frames the kernel dropped for this socket (its receive queue full) since the last call
     * (PACKET_STATISTICS resets as it is read); 0 when it can't say. No allocation.
     */
    public long takeDrops() {
        stats.putInt(8, 8);
        long a = address(stats);
        if (LibPacket.getsockopt(fd, LibPacket.SOL_PACKET, LibPacket.PACKET_STATISTICS, a, a + 8) != 0) {
            return 0;
        }
        return Integer.toUnsignedLong(stats.getInt(4));
    }

    private static IllegalStateException failure(String what, int errno) {
        String hint = errno == 1 ? " (EPERM: the daemon needs CAP_NET_RAW)" : "";
        return new IllegalStateException(what + " failed: errno " + errno + hint);
    }

    private static long address(ByteBuffer direct) {
        return MemorySegment.ofBuffer(direct).address();
    }

    /** A direct buffer for frames with its native address taken once, so receive and send allocate nothing. */
    public static final class Frame {
        final ByteBuffer buf;
        final long address;

        public Frame(int capacity) {
            this.buf = ByteBuffer.allocateDirect(capacity);
            this.address = address(buf);
        }

        public ByteBuffer buffer() {
            return buf;
        }
    }

    /** Bytes of one {@code struct pollfd}. */
    static final int POLLFD_SIZE = 8;

    /** A native buffer for {@link #awaitAny} with room for {@code n} sockets. */
    static long addressOf(ByteBuffer direct) {
        return address(direct);
    }

    static ByteBuffer pollFds(int n) {
        return ByteBuffer.allocateDirect(n * POLLFD_SIZE).order(ByteOrder.nativeOrder());
    }

    /**
     * Blocks in {@code poll(2)} until one of {@code sockets} is readable or {@code timeoutMillis}
     * passed; {@code fds} from {@link #pollFds} with room for all, at native address {@code fdsAddress}. EINTR returns early (the
     * caller loops anyway); a closed socket's POLLNVAL too.
     */
    static void awaitAny(PacketSocket[] sockets, ByteBuffer fds, long fdsAddress, int timeoutMillis) {
        if (sockets.length == 0) {
            try {
                Thread.sleep(timeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        for (int i = 0; i < sockets.length; i++) {
            fds.putInt(i * POLLFD_SIZE, sockets[i].fd);
            fds.putShort(i * POLLFD_SIZE + 4, (short) LibPacket.POLLIN);
            fds.putShort(i * POLLFD_SIZE + 6, (short) 0);
        }
        LibPacket.poll(fdsAddress, sockets.length, timeoutMillis);
    }

    public int fd() {
        return fd;
    }

    public int ifindex() {
        return ifindex;
    }

    /**
     * Receives one frame into {@code f} (from position 0; the buffer's limit is set to the
     * frame's length).
     *
     * @return the frame's length, 0 when none is waiting, or -(its real length) when it was
     *         longer than the buffer (the frame is dropped; the caller counts it)
     */
    public int receive(Frame f) {
        ByteBuffer buf = f.buf;
        long n = LibPacket.recv(fd, f.address, buf.capacity(), LibPacket.MSG_DONTWAIT | LibPacket.MSG_TRUNC);
        if (n < 0) {
            int e = LibPacket.errno();
            if (e == LibPacket.EAGAIN || e == LibPacket.EINTR) {
                return 0;
            }
            throw failure("recv on ifindex " + ifindex, e);
        }
        if (n > buf.capacity()) {
            return (int) -n;
        }
        buf.position(0).limit((int) n);
        return (int) n;
    }

    /**
     * Sends {@code length} bytes of {@code f} from {@code offset} as one frame.
     *
     * @return true when the kernel took it, false when its queue was full (EAGAIN/ENOBUFS: count a drop)
     */
    public boolean send(Frame f, int offset, int length) {
        long n = LibPacket.send(fd, f.address + offset, length, LibPacket.MSG_DONTWAIT);
        if (n < 0) {
            int e = LibPacket.errno();
            if (e == LibPacket.EAGAIN || e == 105 /* ENOBUFS */ || e == LibPacket.EINTR) {
                return false;
            }
            throw failure("send on ifindex " + ifindex, e);
        }
        return true;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibPacket.close(fd);
        }
    }
}
