package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AwaitingIdleStrategyTest {
    @Test
    void yieldsAFewTurnsThenBlocksInTheAgentsWaitUntilWorkComesBack() {
        List<Integer> waits = new ArrayList<>();
        AwaitingIdleStrategy s = new AwaitingIdleStrategy(waits::add, 100);
        for (int i = 0; i < AwaitingIdleStrategy.YIELDS; i++) {
            s.idle(0);
        }
        assertEquals(List.of(), waits, "the first idle turns only yield");
        s.idle(0);
        s.idle(0);
        assertEquals(List.of(100, 100), waits, "then every idle turn blocks in the agent's wait, with the timeout");
        s.idle(3);
        s.idle(0);
        assertEquals(2, waits.size(), "work resets the count: yields again first");
        s.reset();
        for (int i = 0; i < AwaitingIdleStrategy.YIELDS; i++) {
            s.idle();
        }
        assertEquals(2, waits.size());
        s.idle();
        assertEquals(3, waits.size());
    }

    @Test
    void aTimeoutBelowOneMillisecondIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AwaitingIdleStrategy(t -> {}, 0));
    }
}
