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

    private final PacketSocket[] sockets;
    private final int[] dpPorts;
    private final UpcallQueue queue;
    private final PacketSocket.Frame frame = new PacketSocket.Frame(65536);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong queueDropped = new AtomicLong();

    public record Counters(long received, long truncated, long queueDropped) {}

    /** @param dpPorts the datapath port of each socket's miss device, same order */
    public SocketSlowPath(PacketSocket[] sockets, int[] dpPorts, UpcallQueue queue) {
        if (sockets.length != dpPorts.length) {
            throw new IllegalArgumentException("one datapath port per socket");
        }
        this.sockets = sockets.clone();
        this.dpPorts = dpPorts.clone();
        this.queue = queue;
    }

    @Override
    public int doWork() {
        int work = 0;
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
        return new Counters(received.get(), truncated.get(), queueDropped.get());
    }

    @Override
    public String roleName() {
        return "slow-path";
    }
}
