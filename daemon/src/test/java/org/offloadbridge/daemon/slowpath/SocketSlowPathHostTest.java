package org.offloadbridge.daemon.slowpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Upcall;
import org.offloadbridge.flow.UpcallQueue;

/**
 * The socket reader holds back when the upcall queue is full: a burst larger than the queue
 * waits in the miss device's socket and is delivered as the handlers catch up, instead of being
 * read and thrown away. And an idle reader sleeps in poll(2) until a frame comes.
 */
@Tag("host")
class SocketSlowPathHostTest {
    private static final int BURST = 500;
    private static final int QUEUE = 64;

    @Test
    void aBurstLargerThanTheQueueWaitsInTheSocketAndNothingIsLost() throws Exception {
        try (SocketRig rig = new SocketRig("sspath")) {
            UpcallQueue q = new UpcallQueue(QUEUE, 1_000);
            SocketSlowPath reader = new SocketSlowPath(new PacketSocket[] {rig.socket}, new int[] {7}, q);
            // nothing there: await() blocks in poll(2) for its timeout and the reader finds no work
            long t0 = System.nanoTime();
            reader.await(200);
            assertTrue(System.nanoTime() - t0 >= 150_000_000L, "an idle reader waits in poll(2), it does not spin");
            assertEquals(0, reader.doWork());

            rig.send(BURST);
            t0 = System.nanoTime();
            reader.await(10_000);
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "a waiting frame ends the wait at once");

            Upcall[] batch = new Upcall[QUEUE];
            int delivered = 0;
            for (int round = 0; round < 100 && delivered < BURST; round++) {
                while (reader.doWork() > 0) {
                    // read until the queue is full
                }
                assertTrue(q.size() <= QUEUE);
                int n = q.take(batch, QUEUE);
                for (int i = 0; i < n; i++) {
                    assertEquals(7, batch[i].inPort());
                    assertEquals(64, batch[i].packet().length);
                    q.complete(batch[i]);
                }
                delivered += n;
            }
            SocketSlowPath.Counters c = reader.counters();
            assertEquals(BURST, delivered, "every frame of the burst reached the queue, " + QUEUE + " at a time");
            assertEquals(0, c.queueDropped(), "a full queue made the reader wait, it dropped nothing");
            assertEquals(BURST, c.received());
            assertFalse(q.full());
        }
    }
}
