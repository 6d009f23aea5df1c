package org.offloadbridge.switchdev;

import org.offloadbridge.netlink.NetlinkEventHandler;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkSubscription;

/**
 * Keeps the switchdev model current: listens to RTNLGRP_LINK (links added, removed,
 * renamed, moved) and devlink's "config" group (ports added and removed — what VF count and
 * e-switch mode changes produce), and when anything arrived, runs one discovery pass, whose
 * diff is what the model's listeners hear.
 *
 * <p>Why a full pass instead of patching the model per event: one {@code sriov_numvfs}
 * write produces a burst of link and port events, and a rename or a representor registered
 * before its netdev shows up in between; re-reading after the burst is simpler and never
 * half-applied. Discovery costs a handful of dumps, and it runs only when events came.
 * Lost events (ENOBUFS) are handled the same way: the next doWork rediscovers.
 *
 * <p>An agent in the Agrona sense: {@link #doWork()} never blocks and returns the work
 * done; a runner calls it with an idle strategy, tests call it by hand. One thread only.
 */
public final class HotplugAgent implements AutoCloseable {
    private final Runnable rediscover;
    private final NetlinkSubscription links;
    private final NetlinkSubscription devlink;
    private boolean dirty;
    private long events;
    private long lostEvents;
    private long rediscoveries;
    private long failedRediscoveries;
    private RuntimeException lastFailure;

    private final NetlinkEventHandler handler = new NetlinkEventHandler() {
        @Override
        public void onEvent(NetlinkMessage message) {
            events++;
            dirty = true;
        }

        @Override
        public void onEventsLost() {
            lostEvents++;
            dirty = true;
        }
    };

    HotplugAgent(Runnable rediscover, NetlinkSubscription links, NetlinkSubscription devlink) {
        this.rediscover = rediscover;
        this.links = links;
        this.devlink = devlink;
    }

    /** Drains both sockets; rediscovers once if anything arrived. @return events handled + 1 per rediscovery */
    public int doWork() {
        int work = links.doWork(handler);
        if (devlink != null) {
            work += devlink.doWork(handler);
        }
        if (dirty) {
            dirty = false;
            try {
                rediscover.run();
                rediscoveries++;
            } catch (RuntimeException e) {
                // Keep the last good model; the next event (or doWork with markDirty) retries.
                failedRediscoveries++;
                lastFailure = e;
                dirty = true;
            }
            work++;
        }
        return work;
    }

    /** Blocks up to {@code timeoutMillis} for link events, then does {@link #doWork()}. */
    public int poll(int timeoutMillis) {
        int work = links.poll(handler, timeoutMillis);
        return work + doWork();
    }

    /**
     * Sets the receive buffer of both event sockets: how many events may queue between two
     * {@link #doWork()} calls before the kernel drops them (and we resync). Returns the size the
     * kernel granted for the link socket.
     */
    public int receiveBufferSize(int bytes) {
        if (devlink != null) {
            devlink.receiveBufferSize(bytes);
        }
        return links.receiveBufferSize(bytes);
    }

    /** Forces a rediscovery on the next {@link #doWork()}. */
    public void markDirty() {
        dirty = true;
    }

    public boolean listensToDevlink() {
        return devlink != null;
    }

    public long events() {
        return events;
    }

    /** Times the kernel dropped events (ENOBUFS) and we resynced. */
    public long lostEvents() {
        return lostEvents;
    }

    public long rediscoveries() {
        return rediscoveries;
    }

    public long failedRediscoveries() {
        return failedRediscoveries;
    }

    /** The last rediscovery failure, or null. */
    public RuntimeException lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        try {
            links.close();
        } finally {
            if (devlink != null) {
                devlink.close();
            }
        }
    }
}
