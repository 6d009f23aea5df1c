package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowMask;

/**
 * Handles: each prio hands out the next handle above every one seen there — ours, learned from a
 * dump (a restart), someone else's — so a handle we choose never names a filter we know of.
 */
class PrioAllocatorTest {
    private final PrioAllocator prios = new PrioAllocator();

    @Test
    void aNewPrioStartsAtOneAndCountsUp() {
        assertEquals(1, prios.nextHandle(4, 1));
        assertEquals(2, prios.nextHandle(4, 1));
        assertEquals(1, prios.nextHandle(4, 2), "per prio");
        assertEquals(1, prios.nextHandle(5, 1), "per device");
        assertEquals(3, prios.nextHandle(4, 1));
    }

    @Test
    void handlesSeenPushTheNextOnePastThem() {
        prios.learnOurs(4, 1, 700, 0x0800, new FlowMask());
        assertEquals(701, prios.nextHandle(4, 1), "after a restart: above what the dump showed");
        prios.taken(4, 1, 9000); // installed at a handle the kernel picked
        assertEquals(9001, prios.nextHandle(4, 1));
        prios.taken(4, 1, 5); // lower: changes nothing
        assertEquals(9002, prios.nextHandle(4, 1));
        prios.learnForeign(4, 1, 20_000);
        assertEquals(20_001, prios.nextHandle(4, 1), "someone else's filter in the prio");
        prios.learnForeign(4, 1, 0x80000001); // past INT_MAX (chosen by hand): leaves ours alone
        assertEquals(20_002, prios.nextHandle(4, 1));
    }

    @Test
    void pastTheLastHandleItStartsAgainAtOne() {
        prios.taken(4, 1, PrioAllocator.LAST_HANDLE - 1);
        assertEquals(PrioAllocator.LAST_HANDLE, prios.nextHandle(4, 1));
        assertEquals(1, prios.nextHandle(4, 1));
        assertEquals(2, prios.nextHandle(4, 1));
    }

    @Test
    void aForgottenDeviceStartsAfresh() {
        prios.taken(4, 1, 50);
        prios.forget(4);
        assertEquals(1, prios.nextHandle(4, 1));
    }
}
