package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.NetlinkSubscription;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * HotplugAgent's thread model on real RTNLGRP_LINK events (veths made in a namespace of the
 * test's own): doWork() returns at once while a discovery pass blocks on another thread,
 * events during a pass coalesce into exactly one more pass, and a failed pass is retried.
 * The pass itself is a stand-in here (the netdevsim VM test runs the real discovery).
 */
@Tag("host")
class HotplugAgentHostTest {
    private NetNs ns;
    private HotplugAgent agent;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger started = new AtomicInteger();
    private volatile RuntimeException failNext;

    @BeforeEach
    void namespace() {
        ns = NetNs.create("obhp-" + ProcessHandle.current().pid());
        final NetlinkSubscription links = ns.call(() -> NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_LINK));
        agent = new HotplugAgent(this::pass, links, null, null);
    }

    @AfterEach
    void close() {
        release.countDown();
        if (agent != null) {
            agent.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private void pass() {
        started.incrementAndGet();
        final RuntimeException e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    private void until(BooleanSupplier done, String what) throws InterruptedException {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; " + agent.counters());
            Thread.sleep(5);
        }
    }

    @Test
    void doWorkNeverWaitsForAPassAndEventsDuringOneCoalesce() throws Exception {
        assertEquals("switchdev-hotplug", agent.roleName());
        ns.ipIn("link", "add", "hp0", "type", "veth", "peer", "name", "hp1");
        until(() -> {
            agent.doWork();
            return started.get() == 1;
        }, "the first pass to start");
        assertTrue(agent.passPending());

        // The pass is blocked. More events: each doWork returns at once, and asks for one more pass.
        ns.ipIn("link", "add", "hp2", "type", "veth", "peer", "name", "hp3");
        ns.ipIn("link", "set", "hp0", "up");
        long slowest = 0;
        for (int i = 0; i < 50; i++) {
            final long t0 = System.nanoTime();
            agent.doWork();
            slowest = Math.max(slowest, System.nanoTime() - t0);
            Thread.sleep(2);
        }
        assertTrue(slowest < 500_000_000L, "doWork took " + slowest / 1_000_000 + " ms while a pass was blocked");
        assertEquals(1, started.get(), "no second pass while the first runs");
        assertTrue(agent.counters().events() >= 3, agent.counters().toString());

        release.countDown();
        until(() -> !agent.passPending(), "the owed pass to finish");
        assertEquals(2, started.get(), "the events during the first pass cost exactly one more pass");
        assertEquals(new HotplugAgent.Counters(agent.counters().events(), 0, 2, 0), agent.counters());

        assertEquals(0, agent.doWork(), "nothing new: no work, no pass");
        assertEquals(2, started.get());
    }

    @Test
    void aFailedPassKeepsItsCauseAndIsRetriedOnTheNextDoWork() throws Exception {
        release.countDown(); // passes do not block in this test
        final RuntimeException boom = new IllegalStateException("dump failed");
        failNext = boom;
        agent.markDirty();
        assertEquals(1, agent.doWork());
        until(() -> agent.counters().failedRediscoveries() == 1, "the failed pass");
        assertSame(boom, agent.lastFailure());
        until(() -> {
            agent.doWork();
            return agent.counters().rediscoveries() == 1 && !agent.passPending();
        }, "the retry");
        assertEquals(2, started.get());
        assertEquals(1, agent.counters().failedRediscoveries());
    }

    @Test
    void closedAgentRunsNoMorePasses() {
        release.countDown();
        agent.close();
        agent.markDirty();
        agent.doWork(); // the sockets are closed; the request is dropped, nothing throws from the executor
        assertFalse(agent.passPending());
        assertEquals(0, started.get());
        assertNull(agent.lastFailure());
    }
}
