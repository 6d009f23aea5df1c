package org.offloadbridge.daemon.slowpath;

import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.PacketParser;
import org.offloadbridge.flow.TunnelFrame;
import org.offloadbridge.flow.Upcall;
import org.offloadbridge.flow.UpcallQueue;
import org.offloadbridge.upcall.handler.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the miss devices' packet sockets and queues each frame as a miss upcall of its port
 * (the daemon without DPDK). {@link #doWork()} never blocks: one non-blocking receive per
 * socket, up to a burst per socket per call; with nothing to read, the runner's idle strategy
 * {@link #await}s in {@code poll(2)} on every socket (a polling reader took a second of CPU per
 * second from the handlers on a two-core host).
 *
 * <p>Each upcall copies its frame (the handler keeps it while it translates and executes). When
 * the upcall queue is full the reader stops reading and leaves the frames in the sockets: unlike
 * a PMD thread it can wait, and a miss device's socket buffer (16 MB) holds a burst of first
 * packets far larger than the queue — so a burst is delivered late rather than lost. What the
 * kernel then drops at a full socket is read from {@code PACKET_STATISTICS}, counted and logged
 * (rate-limited), as is any frame the queue still refused.
 */
public final class SocketSlowPath implements Agent {
    private static final int BURST = 32;
    private static final Logger LOG = LoggerFactory.getLogger(SocketSlowPath.class);
    private final LogLimiter dropLog = new LogLimiter(LOG, MonotonicClock.SYSTEM, 5_000);

    /**
     * The sockets read, their ports' numbers and, for a tunnel device's miss device, the UDP
     * port of its tunnels (0: a plain port); swapped whole when a port comes or goes.
     */
    private record Bound(PacketSocket[] sockets, int[] dpPorts, int[] tunnelUdpPorts) {}

    private volatile Bound bound;
    private final java.util.concurrent.ConcurrentLinkedQueue<PacketSocket> retired = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final UpcallQueue queue;
    private final PacketSocket.Frame frame = new PacketSocket.Frame(65536);
    private final java.lang.foreign.MemorySegment frameSeg = java.lang.foreign.MemorySegment.ofBuffer(frame.buffer().duplicate().clear());
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong queueDropped = new AtomicLong();
    /** Frames on a tunnel miss device without a miss header (never from our program). */
    private final AtomicLong malformed = new AtomicLong();

    /**
     * @param received     frames read and queued as upcalls
     * @param truncated    frames larger than the read buffer
     * @param queueDropped frames read but dropped, the upcall queue full
     * @param socketDropped frames the kernel dropped before we read them, a socket's queue full (PACKET_STATISTICS)
     */
    public record Counters(long received, long truncated, long queueDropped, long socketDropped) {}

    /** How often the sockets' kernel drop counts are read (a getsockopt each). */
    private static final long DROPS_EVERY_NANOS = 100_000_000L;
    private final java.util.concurrent.atomic.AtomicLong socketDropped = new java.util.concurrent.atomic.AtomicLong();
    private long dropsReadAt = System.nanoTime();
    /** pollfd array for {@link #await}, grown with the sockets. */
    private java.nio.ByteBuffer pollFds = PacketSocket.pollFds(8);
    private long pollFdsAddress = PacketSocket.addressOf(pollFds);

    /** @param dpPorts the datapath port of each socket's miss device, same order */
    public SocketSlowPath(PacketSocket[] sockets, int[] dpPorts, UpcallQueue queue) {
        if (sockets.length != dpPorts.length) {
            throw new IllegalArgumentException("one datapath port per socket");
        }
        this.bound = new Bound(sockets.clone(), dpPorts.clone(), new int[sockets.length]);
        this.queue = queue;
    }

    /** Also reads {@code socket} as port {@code dpPort} (a port attached at runtime). */
    public synchronized void add(PacketSocket socket, int dpPort) {
        add(socket, dpPort, 0);
    }

    /**
     * Also reads {@code socket} as port {@code dpPort}; with {@code tunnelUdpPort} &gt; 0 it is
     * a tunnel device's miss device, whose frames carry the tunnel metadata in front
     * ({@code flow.TunnelFrame}): each upcall gets the inner frame and a key with its tunnel
     * fields (the UDP port is the device's, which the header does not repeat).
     */
    public synchronized void add(PacketSocket socket, int dpPort, int tunnelUdpPort) {
        Bound b = bound;
        PacketSocket[] s = java.util.Arrays.copyOf(b.sockets(), b.sockets().length + 1);
        int[] d = java.util.Arrays.copyOf(b.dpPorts(), b.dpPorts().length + 1);
        int[] t = java.util.Arrays.copyOf(b.tunnelUdpPorts(), b.tunnelUdpPorts().length + 1);
        s[s.length - 1] = socket;
        d[d.length - 1] = dpPort;
        t[t.length - 1] = tunnelUdpPort;
        bound = new Bound(s, d, t);
    }

    /**
     * Stops reading port {@code dpPort}. Its socket is closed by the agent at the start of its
     * next {@code doWork()}: the call running now may still be reading it. Returns false when
     * no socket was bound to that port.
     */
    public synchronized boolean remove(int dpPort) {
        Bound b = bound;
        for (int i = 0; i < b.dpPorts().length; i++) {
            if (b.dpPorts()[i] == dpPort) {
                PacketSocket gone = b.sockets()[i];
                PacketSocket[] s = new PacketSocket[b.sockets().length - 1];
                int[] d = new int[s.length];
                int[] t = new int[s.length];
                for (int j = 0, k = 0; j < b.dpPorts().length; j++) {
                    if (j != i) {
                        s[k] = b.sockets()[j];
                        t[k] = b.tunnelUdpPorts()[j];
                        d[k++] = b.dpPorts()[j];
                    }
                }
                bound = new Bound(s, d, t);
                retired.offer(gone);
                return true;
            }
        }
        return false;
    }

    @Override
    public int doWork() {
        int work = 0;
        for (PacketSocket gone; (gone = retired.poll()) != null; ) {
            gone.close();
        }
        Bound now = bound;
        PacketSocket[] sockets = now.sockets();
        int[] dpPorts = now.dpPorts();
        int[] tunnelUdpPorts = now.tunnelUdpPorts();
        long tick = System.nanoTime();
        if (tick - dropsReadAt >= DROPS_EVERY_NANOS) {
            dropsReadAt = tick;
            long d = 0;
            for (PacketSocket sock : sockets) {
                d += sock.takeDrops();
            }
            if (d != 0) {
                socketDropped.setRelease(socketDropped.getPlain() + d);
                dropLog.warn("miss devices' sockets full: the kernel dropped {} missed packets before the daemon read them"
                    + " ({} so far); those flows' first packets are lost", d, socketDropped.getPlain());
            }
        }
        for (int i = 0; i < sockets.length; i++) {
            for (int b = 0; b < BURST; b++) {
                if (queue.full()) {
                    return work; // leave the rest in the sockets until the handlers catch up
                }
                int n = sockets[i].receive(frame);
                if (n == 0) {
                    break;
                }
                work++;
                if (n < 0) {
                    truncated.getAndIncrement();
                    continue;
                }
                Upcall u = tunnelUdpPorts[i] == 0 ? plain(dpPorts[i], n) : tunnelled(dpPorts[i], tunnelUdpPorts[i], n);
                if (u == null) {
                    continue;
                }
                received.getAndIncrement();
                if (!queue.offer(u)) {
                    long q = queueDropped.incrementAndGet();
                    dropLog.warn("upcall queue full ({} upcalls): a missed packet of port {} dropped ({} so far)", queue.capacity(),
                        Integer.toUnsignedString(dpPorts[i]), q);
                }
            }
        }
        return work;
    }

    private Upcall plain(int dpPort, int n) {
        byte[] copy = new byte[n];
        frame.buffer().get(0, copy);
        return Upcall.miss(dpPort, copy);
    }

    /** The inner frame, and a key with the miss header's tunnel fields; null (counted) for a frame without one. */
    private Upcall tunnelled(int dpPort, int udpPort, int n) {
        FlowKey key = new FlowKey();
        if (n < TunnelFrame.MISS_HEADER_LEN + 14) {
            malformed.getAndIncrement();
            return null;
        }
        byte[] inner = new byte[n - TunnelFrame.MISS_HEADER_LEN];
        frame.buffer().get(TunnelFrame.MISS_HEADER_LEN, inner);
        PacketParser.parse(inner, dpPort, key);
        if (!TunnelFrame.readMissHeader(frameSeg, 0, n, udpPort, key)) {
            malformed.getAndIncrement();
            dropLog.warn("a frame without the tunnel miss header on tunnel port {}'s miss device: dropped ({} so far)",
                Integer.toUnsignedString(dpPort), malformed.get());
            return null;
        }
        return new Upcall(Upcall.Kind.MISS, dpPort, key, inner, null);
    }

    /**
     * Waits in {@code poll(2)} until a socket has a frame or {@code timeoutMillis} passed. A port
     * added meanwhile is read from the next {@code doWork()} (at most a timeout later).
     */
    public void await(int timeoutMillis) {
        if (queue.full()) {
            // the sockets are readable but we hold back: wait for the handlers, not for poll(2)
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        PacketSocket[] sockets = bound.sockets();
        if (pollFds.capacity() < sockets.length * PacketSocket.POLLFD_SIZE) {
            pollFds = PacketSocket.pollFds(sockets.length * 2);
            pollFdsAddress = PacketSocket.addressOf(pollFds);
        }
        PacketSocket.awaitAny(sockets, pollFds, pollFdsAddress, timeoutMillis);
    }

    public Counters counters() {
        return new Counters(received.get(), truncated.get(), queueDropped.get(), socketDropped.getAcquire());
    }

    @Override
    public String roleName() {
        return "slow-path";
    }
}
