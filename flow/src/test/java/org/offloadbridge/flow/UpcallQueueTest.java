package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one upcall queue, with both producers' ways in and the handlers' drain. */
class UpcallQueueTest {
    private static final byte[] FRAME = new byte[64];

    private static FlowKey key(int tpDst) {
        FlowKey k = new FlowKey();
        k.set(Field.IN_PORT, 1);
        k.set(Field.ETH_TYPE, EthType.IP);
        k.set(Field.NW_PROTO, IpProto.UDP);
        k.set(Field.TP_DST, tpDst);
        return k;
    }

    @Test
    void aPendingKeyQueuesABoundedFewPacketsUntilItsUpcallIsDrained() {
        UpcallQueue q = new UpcallQueue(64, 1_000);
        FlowKey probe = key(53);
        assertEquals(UpcallQueue.QUEUED, q.offerMiss(probe, 1, () -> FRAME, 0));
        for (int i = 0; i < UpcallQueue.PACKETS_PER_PENDING_KEY; i++) {
            assertEquals(UpcallQueue.QUEUED, q.offerMiss(probe, 1, () -> FRAME, 10),
                "packet " + (i + 2) + " of a flow being installed is delivered, not lost");
        }
        assertEquals(UpcallQueue.DEDUPLICATED, q.offerMiss(probe, 1, () -> FRAME, 10), "beyond that, a flood makes no more upcalls");
        assertEquals(UpcallQueue.QUEUED, q.offerMiss(key(54), 1, () -> FRAME, 10), "another key is not held back");
        assertEquals(2, q.pendingKeys());

        probe.set(Field.TP_DST, 99); // the producer reuses its key: the queued upcall holds a copy
        List<Upcall> got = new ArrayList<>();
        assertEquals(UpcallQueue.PACKETS_PER_PENDING_KEY + 2, q.drain(got::add, 64));
        assertEquals(53, got.get(0).key().tpDst());
        assertEquals(Upcall.Kind.MISS, got.get(0).kind());
        assertEquals(0, q.pendingKeys(), "drain completes what it handed out");
        assertEquals(UpcallQueue.QUEUED, q.offerMiss(key(53), 1, () -> FRAME, 20));
    }

    @Test
    void aPendingMarkExpires() {
        UpcallQueue q = new UpcallQueue(8, 1_000);
        assertEquals(UpcallQueue.QUEUED, q.offerMiss(key(53), 1, () -> FRAME, 0));
        assertEquals(UpcallQueue.QUEUED, q.offerMiss(key(53), 1, () -> FRAME, 1_000));
    }

    @Test
    void offerAndActionsAreNeverDeduplicatedAndAFullQueueRefuses() {
        UpcallQueue q = new UpcallQueue(3, 1_000);
        assertTrue(q.offer(Upcall.miss(1, FRAME)));
        assertTrue(q.offer(Upcall.miss(1, FRAME)));
        assertTrue(q.offerAction(key(53), 1, FRAME, "pid=1"));
        assertFalse(q.offer(Upcall.miss(1, FRAME)));
        assertFalse(q.offerAction(key(53), 1, FRAME, "pid=1"));
        assertEquals(UpcallQueue.DROPPED, q.offerMiss(key(7), 1, () -> FRAME, 0));
        assertEquals(0, q.pendingKeys(), "a dropped miss leaves no pending mark");
        assertEquals(3, q.size());
        assertEquals(3, q.capacity());
    }

    @Test
    void drainTakesAtMostMaxInOrderAndCompletesAnUpcallWhoseHandlerThrew() {
        UpcallQueue q = new UpcallQueue(8, 1_000);
        Upcall first = Upcall.miss(1, FRAME);
        q.offer(first);
        q.offerMiss(key(53), 2, () -> FRAME, 0);
        List<Upcall> got = new ArrayList<>();
        assertEquals(1, q.drain(got::add, 1));
        assertSame(first, got.get(0));
        assertThrows(IllegalStateException.class, () -> q.drain(u -> {
            throw new IllegalStateException("handler bug");
        }, 8));
        assertEquals(0, q.pendingKeys());
        assertNull(q.poll());
    }

    @Test
    void aTakenUpcallKeepsItsKeyPendingUntilCompleted() {
        UpcallQueue q = new UpcallQueue(64, 60_000);
        assertEquals(UpcallQueue.QUEUED, q.offerMiss(key(53), 1, () -> FRAME, 0));
        Upcall[] batch = new Upcall[8];
        assertEquals(1, q.take(batch, 8));
        assertEquals(1, q.pendingKeys(), "taken, not yet handled: still pending");
        assertEquals(UpcallQueue.QUEUED, q.offerMiss(key(53), 1, () -> FRAME, 1), "a second packet rides along");
        assertEquals(1, q.pendingKeys());
        q.complete(batch[0]);
        assertEquals(0, q.pendingKeys());
    }

    @Test
    void awaitReturnsWhenAnUpcallArrivesNotOnlyAtTheTimeout() throws Exception {
        UpcallQueue q = new UpcallQueue(64, 1_000);
        java.util.concurrent.CountDownLatch asleep = new java.util.concurrent.CountDownLatch(1);
        long[] waited = new long[1];
        Thread handler = new Thread(() -> {
            asleep.countDown();
            long t0 = System.nanoTime();
            q.await(60_000);
            waited[0] = System.nanoTime() - t0;
        });
        handler.start();
        asleep.await();
        Thread.sleep(50); // most likely inside await() by now; if not, await() sees the upcall and returns at once
        assertTrue(q.offer(Upcall.miss(1, FRAME)));
        handler.join(10_000);
        assertFalse(handler.isAlive(), "the offer woke the waiting handler (it would otherwise wait 60 s)");
        assertTrue(waited[0] < 30_000_000_000L);
    }

    @Test
    void awaitWithSomethingQueuedDoesNotWaitAndAnEmptyQueueWaitsOutItsTimeout() {
        UpcallQueue q = new UpcallQueue(64, 1_000);
        assertTrue(q.offer(Upcall.miss(1, FRAME)));
        long t0 = System.nanoTime();
        q.await(60_000);
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "an upcall is queued: no wait");
        Upcall[] batch = new Upcall[1];
        assertEquals(1, q.take(batch, 1));
        t0 = System.nanoTime();
        q.await(20);
        assertTrue(System.nanoTime() - t0 >= 15_000_000L, "nothing queued: await() blocks until its timeout");
    }
}
