package org.offloadbridge.daemon;

import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.daemon.slowpath.MissDevices;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.NetlinkEventHandler;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkSubscription;
import org.offloadbridge.revalidator.Revalidators;
import org.offloadbridge.tc.TcEvents;
import org.offloadbridge.tc.TcFlowTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches RTNLGRP_TC so that a filter of ours deleted behind our back ({@code tc filter del},
 * a script "cleaning up") is put back at once, not at the next dump:
 * <ul>
 *   <li>a flower filter with our cookie deleted → its revalidator checks the ukey and, when the
 *       flow is still wanted where it was, installs it again ({@link Revalidators#onFlowDeleted});
 *       our own deletes come back here too and are told apart there, by the ukey's state;</li>
 *   <li>a whole priority, chain or the clsact qdisc of a port gone → the port's catch-all is
 *       put back first (without it the port's misses reach nobody), tc forgets what it knew of
 *       the device, and a resync round reinstalls what the ukeys say is missing;</li>
 *   <li>events lost (ENOBUFS) → a resync round.</li>
 * </ul>
 * {@code doWork()} drains the socket without waiting; only the rare flush repair talks to the
 * kernel (a request and its ack). Idle, the runner {@link #await}s on the socket.
 */
public final class TcEventAgent implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcEventAgent.class);

    /** What the agent saw. */
    public record Counters(long deleted, long flushed, long lost) {}

    private final NetlinkSubscription sub;
    private final TcEvents events;
    private final Revalidators revalidators;
    private final PortRegistry ports;
    private final MissDevices missDevices;
    private final TcFlowTarget tc;
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong flushed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    private final TcEvents.Listener listener = new TcEvents.Listener() {
        @Override
        public void onDeleted(Ufid ufid, int ifindex) {
            deleted.setRelease(deleted.getPlain() + 1);
            revalidators.onFlowDeleted(ufid);
        }

        @Override
        public void onFlushed(int ifindex) {
            flushed.setRelease(flushed.getPlain() + 1);
            repair(ifindex);
        }

        @Override
        public void onLost() {
            lostEvents();
        }
    };

    private final NetlinkEventHandler handler = new NetlinkEventHandler() {
        @Override
        public void onEvent(NetlinkMessage message) {
            events.dispatch(message, listener);
        }

        @Override
        public void onEventsLost() {
            lostEvents();
        }
    };

    /** Subscribes now, in the caller's network namespace. */
    public TcEventAgent(TcFlowTarget tc, Revalidators revalidators, PortRegistry ports, MissDevices missDevices) {
        this.tc = tc;
        this.revalidators = revalidators;
        this.ports = ports;
        this.missDevices = missDevices;
        this.events = new TcEvents(ports);
        this.sub = TcEvents.subscribe();
    }

    @Override
    public String roleName() {
        return "tc-events";
    }

    @Override
    public int doWork() {
        return sub.doWork(handler);
    }

    /** Blocks until an event is queued or {@code timeoutMillis} passed. */
    public void await(int timeoutMillis) {
        sub.await(timeoutMillis);
    }

    public Counters counters() {
        return new Counters(deleted.getAcquire(), flushed.getAcquire(), lost.getAcquire());
    }

    private void lostEvents() {
        lost.setRelease(lost.getPlain() + 1);
        LOG.warn("tc events lost (socket overrun): resync with a dump");
        revalidators.resync();
    }

    private void repair(int ifindex) {
        PortRegistry.Entry e = ports.snapshot().byIfindex().get(ifindex);
        if (e == null) {
            return; // not a port of ours
        }
        LOG.warn("filters of port {} were flushed behind our back: catch-all and flows put back", e.name());
        try {
            missDevices.attach(e.name());
        } catch (RuntimeException ex) {
            LOG.error("port {}: catch-all not put back: {}", e.name(), ex.getMessage());
        }
        tc.offload().forgetDevice(ifindex);
        revalidators.resync();
    }

    /** Closes the subscription; call after the agent's runner stopped. */
    @Override
    public void close() {
        sub.close();
    }
}
