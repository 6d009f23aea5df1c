package org.offloadbridge.daemon.slowpath;

import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.offloadbridge.flow.Upcall;
import org.offloadbridge.flow.UpcallQueue;

/**
 * Reads the miss devices' packet sockets and queues each frame as a miss upcall of its port
 * (the daemon without DPDK). {@link #doWork()} never blocks: one non-blocking receive per
 * socket, up to a burst per socket per call.
 *
 * <p>Each upcall copies its frame (the handler keeps it while it translates and executes); a
 * full queue drops the frame and counts it, as the DPDK path's PMD threads do (the queue keeps
 * no counters: each producer counts its own outcomes).
 */
public final class SocketSlowPath implements Agent {
    private static final int BURST = 32;

    /** The sockets read and their ports' numbers, swapped whole when a port comes or goes. */
    private record Bound(PacketSocket[] sockets, int[] dpPorts) {}

    private volatile Bound bound;
    private final java.util.concurrent.ConcurrentLinkedQueue<PacketSocket> retired = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final UpcallQueue queue;
    private final PacketSocket.Frame frame = new PacketSocket.Frame(65536);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong queueDropped = new AtomicLong();

    /**
     * @param received     frames read and queued as upcalls
     * @param truncated    frames larger than the read buffer
     * @param queueDropped frames read but dropped, the upcall queue full
     * @param socketDropped frames the kernel dropped before we read them, a socket's queue full (PACKET_STATISTICS)
     */
    public record Counters(long received, long truncated, long queueDropped, long socketDropped) {}

    /** doWork() calls between two reads of the sockets' kernel drop counts. */
    private static final int DROPS_EVERY = 1024;
    private final java.util.concurrent.atomic.AtomicLong socketDropped = new java.util.concurrent.atomic.AtomicLong();
    private int sinceDrops;

    /** @param dpPorts the datapath port of each socket's miss device, same order */
    public SocketSlowPath(PacketSocket[] sockets, int[] dpPorts, UpcallQueue queue) {
        if (sockets.length != dpPorts.length) {
            throw new IllegalArgumentException("one datapath port per socket");
        }
        this.bound = new Bound(sockets.clone(), dpPorts.clone());
        this.queue = queue;
    }

    /** Also reads {@code socket} as port {@code dpPort} (a port attached at runtime). */
    public synchronized void add(PacketSocket socket, int dpPort) {
        Bound b = bound;
        PacketSocket[] s = java.util.Arrays.copyOf(b.sockets(), b.sockets().length + 1);
        int[] d = java.util.Arrays.copyOf(b.dpPorts(), b.dpPorts().length + 1);
        s[s.length - 1] = socket;
        d[d.length - 1] = dpPort;
        bound = new Bound(s, d);
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
                for (int j = 0, k = 0; j < b.dpPorts().length; j++) {
                    if (j != i) {
                        s[k] = b.sockets()[j];
                        d[k++] = b.dpPorts()[j];
                    }
                }
                bound = new Bound(s, d);
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
        if (++sinceDrops >= DROPS_EVERY) {
            sinceDrops = 0;
            long d = 0;
            for (PacketSocket sock : sockets) {
                d += sock.takeDrops();
            }
            if (d != 0) {
                socketDropped.setRelease(socketDropped.getPlain() + d);
            }
        }
        for (int i = 0; i < sockets.length; i++) {
            for (int b = 0; b < BURST; b++) {
                int n = sockets[i].receive(frame);
                if (n == 0) {
                    break;
                }
                work++;
                if (n < 0) {
                    truncated.getAndIncrement();
                    continue;
                }
                byte[] copy = new byte[n];
                frame.buffer().get(0, copy);
                received.getAndIncrement();
                if (!queue.offer(Upcall.miss(dpPorts[i], copy))) {
                    queueDropped.getAndIncrement();
                }
            }
        }
        return work;
    }

    public Counters counters() {
        return new Counters(received.get(), truncated.get(), queueDropped.get(), socketDropped.getAcquire());
    }

    @Override
    public String roleName() {
        return "slow-path";
    }
}
