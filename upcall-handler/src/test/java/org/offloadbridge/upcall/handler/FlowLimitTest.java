package org.offloadbridge.upcall.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The flow limit adapts to how long revalidation takes, as OVS's does. */
class FlowLimitTest {
    @Test
    void startsAtTheSmallerOfTheConfiguredLimitAndTenThousand() {
        assertEquals(10_000, new FlowLimit(200_000).current());
        assertEquals(500, new FlowLimit(500).current());
    }

    @Test
    void slowRoundsShrinkItFastRoundsGrowIt() {
        FlowLimit l = new FlowLimit(200_000);
        assertEquals(10_000 / 3, l.afterRound(3_500, 9_000), "over 2 s: divided by the whole seconds");
        assertEquals(3_333 * 3 / 4, l.afterRound(1_500, 2_000), "over 1.3 s: three quarters");
        int before = l.current();
        assertEquals(before + 1000, l.afterRound(400, before), "fast and near the limit: +1000");
        assertEquals(before + 1000, l.afterRound(400, 10), "fast but the table is small: unchanged");
        assertEquals(before + 1000, l.afterRound(1_100, before), "1..1.3 s: unchanged");
        assertEquals(1_100, l.lastDurationMillis());
    }

    @Test
    void neverBelowTheFloorNorAboveTheConfiguredLimit() {
        FlowLimit l = new FlowLimit(200_000);
        for (int i = 0; i < 10; i++) {
            l.afterRound(60_000, 100_000);
        }
        assertEquals(FlowLimit.FLOOR, l.current());
        FlowLimit small = new FlowLimit(1_500);
        for (int i = 0; i < 5; i++) {
            small.afterRound(10, 1_500);
        }
        assertEquals(1_500, small.current());
        FlowLimit tiny = new FlowLimit(3);
        tiny.afterRound(60_000, 3);
        assertEquals(3, tiny.current(), "a configured limit under the floor stays the limit");
    }
}
