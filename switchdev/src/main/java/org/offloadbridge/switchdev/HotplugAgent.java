package org.offloadbridge.switchdev;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.Agent;
import org.offloadbridge.netlink.NetlinkEventHandler;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkSubscription;

/**
 * Keeps the switchdev model current: listens to RTNLGRP_LINK (links added, removed,
 * renamed, moved) and devlink's "config" group (ports added and removed — what VF count and
 * e-switch mode changes produce), and when anything arrived, has one discovery pass run,
 * whose diff is what the model's listeners hear.
 *
 * <p>Why a full pass instead of patching the model per event: one {@code sriov_numvfs}
 * write produces a burst of link and port events, and a rename or a representor registered
 * before its netdev shows up in between; re-reading after the burst is simpler and never
 * half-applied. Lost events (ENOBUFS) are handled the same way: a pass is requested.
 *
 * <p>Threads. An Agrona {@link Agent}: {@link #doWork()} only drains the two non-blocking
 * event sockets and never blocks. A discovery pass is a handful of blocking netlink dumps
 * and sysfs reads, so it does not run inside {@code doWork()}: it is handed to the
 * <em>rediscovery executor</em> (by default one thread of the agent's own,
 * {@code switchdev-rediscovery}). Requests coalesce: while a pass runs, any number of
 * further requests make exactly one more pass after it, so a burst costs at most two. A
 * failed pass keeps the last good model and is retried on the next {@code doWork()}. Tests
 * that want one thread pass {@code Runnable::run} as the executor; the pass then runs on the
 * calling thread — a test-only mode, since that {@code doWork()} blocks.
 *
 * <p>{@link #counters()} may be read from any thread: the agent thread and the rediscovery
 * thread each write only their own counters, with release stores.
 */
public final class HotplugAgent implements Agent, AutoCloseable {
    /** What the agent has done so far; a consistent-enough view for metrics and tests. */
    public record Counters(long events, long lostEvents, long rediscoveries, long failedRediscoveries) {
    }

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int RUNNING_AGAIN = 2;

    private final Runnable rediscover;
    private final NetlinkSubscription links;
    private final NetlinkSubscription devlink;
    private final Executor executor;
    private final ExecutorService ownExecutor;

    /** Agent thread only. */
    private boolean dirty;
    /** IDLE, RUNNING or RUNNING_AGAIN: whether a pass runs and whether another is owed after it. */
    private final AtomicInteger pass = new AtomicInteger(IDLE);
    /** Set by the rediscovery thread when a pass failed; the agent turns it into a new request. */
    private final AtomicBoolean retry = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    // Single-writer counters: written with release stores, read with acquire loads.
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong lostEvents = new AtomicLong();
    private final AtomicLong rediscoveries = new AtomicLong();
    private final AtomicLong failedRediscoveries = new AtomicLong();
    private final AtomicReference<RuntimeException> lastFailure = new AtomicReference<>();

    private final NetlinkEventHandler handler = new NetlinkEventHandler() {
        @Override
        public void onEvent(NetlinkMessage message) {
            events.setRelease(events.getPlain() + 1);
            dirty = true;
        }

        @Override
        public void onEventsLost() {
            lostEvents.setRelease(lostEvents.getPlain() + 1);
            dirty = true;
        }
    };

    /**
     * @param rediscover one blocking discovery pass that installs its result in the model
     * @param executor   where passes run; null for a thread of the agent's own
     */
    HotplugAgent(Runnable rediscover, NetlinkSubscription links, NetlinkSubscription devlink, Executor executor) {
        this.rediscover = Objects.requireNonNull(rediscover, "rediscover");
        this.links = Objects.requireNonNull(links, "links");
        this.devlink = devlink;
        if (executor == null) {
            this.ownExecutor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("switchdev-rediscovery").unstarted(r));
            this.executor = ownExecutor;
        } else {
            this.ownExecutor = null;
            this.executor = executor;
        }
    }

    @Override
    public String roleName() {
        return "switchdev-hotplug";
    }

    /**
     * Drains both event sockets without blocking; requests one discovery pass if anything
     * arrived (or the last pass failed).
     *
     * @return events handled, plus one when a pass was requested; 0 once closed
     */
    @Override
    public int doWork() {
        if (closed.get()) {
            return 0;
        }
        int work = links.doWork(handler);
        if (devlink != null) {
            work += devlink.doWork(handler);
        }
        if (retry.getAcquire()) {
            retry.setRelease(false);
            dirty = true;
        }
        if (dirty) {
            dirty = false;
            requestPass();
            work++;
        }
        return work;
    }

    private void requestPass() {
        while (true) {
            final int s = pass.get();
            if (s == RUNNING_AGAIN || (s == RUNNING && pass.compareAndSet(RUNNING, RUNNING_AGAIN))) {
                return; // the running pass is followed by one more, which sees these events too
            }
            if (s == IDLE && pass.compareAndSet(IDLE, RUNNING)) {
                try {
                    executor.execute(this::runPasses);
                } catch (RejectedExecutionException e) {
                    pass.set(IDLE); // closed: nothing will run passes any more
                }
                return;
            }
        }
    }

    /** On the rediscovery executor: passes until no request came in during the last one. */
    private void runPasses() {
        do {
            pass.set(RUNNING);
            try {
                rediscover.run();
                rediscoveries.setRelease(rediscoveries.getPlain() + 1);
            } catch (RuntimeException e) {
                // Keep the last good model; the agent requests a new pass on its next doWork.
                lastFailure.set(e);
                failedRediscoveries.setRelease(failedRediscoveries.getPlain() + 1);
                retry.setRelease(true);
            }
        } while (!pass.compareAndSet(RUNNING, IDLE));
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

    /** Requests a discovery pass on the next {@link #doWork()}. Agent thread only. */
    public void markDirty() {
        dirty = true;
    }

    public boolean listensToDevlink() {
        return devlink != null;
    }

    /** Whether a discovery pass is running or owed; false once every request has been served. */
    public boolean passPending() {
        return pass.get() != IDLE || retry.getAcquire();
    }

    /** The counters, readable from any thread. */
    public Counters counters() {
        return new Counters(events.getAcquire(), lostEvents.getAcquire(), rediscoveries.getAcquire(),
                failedRediscoveries.getAcquire());
    }

    /** The last rediscovery failure, or null. */
    public RuntimeException lastFailure() {
        return lastFailure.get();
    }

    /** {@link org.agrona.concurrent.AgentRunner} calls this on its thread when it stops. */
    @Override
    public void onClose() {
        close();
    }

    /**
     * Closes both sockets and stops the agent's own rediscovery thread; a running pass may
     * finish (up to 10 s), so the {@link Switchdev} can be closed right after this.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (ownExecutor != null) {
                ownExecutor.shutdown();
                try {
                    ownExecutor.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            links.close();
        } finally {
            if (devlink != null) {
                devlink.close();
            }
        }
    }
}
