package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSG_MIN_TYPE;

import java.util.concurrent.atomic.AtomicLong;
import org.offloadbridge.netlink.internal.LibC;

/**
 * A multicast listener: its own socket, joined to groups ({@code RTNLGRP_LINK},
 * {@code RTNLGRP_TC}, or a generic netlink family's group id), delivering events to a
 * {@link NetlinkEventHandler}. Kept apart from the request path so events never queue behind
 * (or get mistaken for) replies.
 *
 * <p>Lost events are never silent: when the kernel could not queue an event (ENOBUFS) — or,
 * rarer, an event was too big for the receive buffers (EMSGSIZE) — the
 * handler's {@link NetlinkEventHandler#onEventsLost()} is called and the owner must resync
 * with a dump — the contract OVS's netlink notifier follows too.
 *
 * <p>Agent-style: call {@link #poll} from one thread in a loop (or {@link #doWork} to
 * never block). Not thread-safe; open it on a thread inside the namespace to watch.
 */
public final class NetlinkSubscription implements AutoCloseable {
    private final NetlinkSocket socket;
    /** The socket, or the socket behind a test's fault injector ({@link NetlinkFaultInjector}). */
    private final NetlinkTransport transport;
    private final NetlinkMessageCursor cursor = new NetlinkMessageCursor();
    /** Counters: written by the polling thread with opaque stores, read from any thread. */
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong overruns = new AtomicLong();

    /**
     * This subscription's counters, one snapshot; readable from any thread while another polls.
     *
     * @param events   events delivered since open
     * @param overruns times the kernel reported dropped events (ENOBUFS) or one was too big to
     *                 receive (EMSGSIZE): each one a {@link NetlinkEventHandler#onEventsLost()}
     */
    public record Counters(long events, long overruns) {
    }

    private NetlinkSubscription(NetlinkSocket socket) {
        this.socket = socket;
        this.transport = NetlinkFaults.events(socket, socket.protocol());
    }

    /** Opens a socket of {@code protocol} joined to {@code groups}, with a 4 MiB (forced when permitted) receive buffer. */
    public static NetlinkSubscription open(NetlinkProtocol protocol, int... groups) {
        NetlinkSocket s = NetlinkSocket.open(protocol);
        try {
            s.setReceiveBufferSize(4 << 20, true);
            for (int g : groups) {
                s.joinGroup(g);
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return new NetlinkSubscription(s);
    }

    /** See {@link NetlinkSocket#dropMessageTypes}: events of these types never reach this subscription. */
    public NetlinkSubscription dropMessageTypes(int... types) {
        socket.dropMessageTypes(types);
        return this;
    }

    /** Joins one more group. */
    public void join(int group) {
        socket.joinGroup(group);
    }

    public void leave(int group) {
        socket.leaveGroup(group);
    }

    /** Sets the receive buffer (how many events may queue before the kernel drops them). */
    public int receiveBufferSize(int bytes) {
        return socket.setReceiveBufferSize(bytes, true);
    }

    /** See {@link NetlinkSocket#peekSizing(boolean)}: no event of any size is ever lost to truncation, one more syscall per datagram. */
    public NetlinkSubscription peekSizing(boolean on) {
        socket.peekSizing(on);
        return this;
    }

    /** Delivers what is queued without waiting. */
    public int doWork(NetlinkEventHandler handler) {
        return poll(handler, 0);
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: forever) for a datagram, then delivers
     * every event in it and in any datagrams already queued behind it.
     *
     * @return the number of events delivered (a loss report counts as one)
     */
    public int poll(NetlinkEventHandler handler, int timeoutMillis) {
        int delivered = 0;
        int wait = timeoutMillis;
        while (true) {
            int n = transport.receive(wait);
            if (n == -LibC.EAGAIN) {
                return delivered;
            }
            if (n == -Errno.ENOBUFS.value() || n == -Errno.EMSGSIZE.value()) {
                overruns.setOpaque(overruns.getPlain() + 1);
                handler.onEventsLost();
                delivered++;
                wait = 0;
                continue;
            }
            cursor.reset(transport.receiveBuffer(), 0, n);
            while (cursor.next()) {
                NetlinkMessage m = cursor.message();
                if (m.type() >= NLMSG_MIN_TYPE) {
                    events.setOpaque(events.getPlain() + 1);
                    delivered++;
                    handler.onEvent(m);
                }
            }
            wait = 0;
        }
    }

    /**
     * Blocks until an event is queued or {@code timeoutMillis} passed, without taking it: for an
     * agent's idle strategy, which then lets {@link #doWork} deliver.
     */
    public void await(int timeoutMillis) {
        socket.waitReadable(timeoutMillis);
    }

    /** This subscription's counters (see {@link Counters}). */
    public Counters counters() {
        return new Counters(events.getOpaque(), overruns.getOpaque());
    }

    public int portId() {
        return socket.portId();
    }

    @Override
    public void close() {
        socket.close();
    }
}
