package org.offloadbridge.upcall.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.DatapathConfig;

/** The settings: OVS's names, defaults, one validation, frozen afterwards. */
class DatapathConfigTest {
    @Test
    void defaults() {
        DatapathConfig c = new DatapathConfig().cores(8).conclude();
        assertFalse(c.hwOffload());
        assertEquals(TcPolicy.NONE, c.tcPolicy());
        assertEquals(10_000, c.maxIdleMillis());
        assertEquals(500, c.maxRevalidatorMillis());
        assertEquals(200_000, c.flowLimit());
        assertEquals(8, c.handlerThreads());
        assertEquals(3, c.revalidatorThreads(), "handlers / 4 + 1");
        assertEquals(2_000, c.hwStatsGraceMillis());
        assertEquals(10_000, FlowLimit.from(c).current(), "the flow limit starts at min(flow-limit, 10000)");
        assertFalse(LivePolicy.from(c).current().hwOffload());
    }

    @Test
    void ovsKeysFromText() {
        DatapathConfig c = new DatapathConfig()
            .set("hw-offload", "true").set("tc-policy", "skip_hw").set("max-idle", "2500")
            .set("max-revalidator", "1500").set("flow-limit", "5000").set("n-handler-threads", "2")
            .set("n-revalidator-threads", "1").conclude();
        assertTrue(c.hwOffload());
        assertEquals(TcPolicy.SKIP_HW, c.tcPolicy());
        assertEquals(2_500, c.maxIdleMillis());
        assertEquals(3_000, c.hwStatsGraceMillis());
        assertEquals(5_000, c.flowLimit());
        assertEquals(2, c.handlerThreads());
        assertEquals(1, c.revalidatorThreads());
    }

    @Test
    void badValuesNameTheKey() {
        assertEquals("hw-offload=\"yes\": expected true or false",
            assertThrows(IllegalArgumentException.class, () -> new DatapathConfig().set("hw-offload", "yes")).getMessage());
        assertEquals("max-idle=\"10s\": expected a whole number ('s' at position 3 is not a digit)",
            assertThrows(IllegalArgumentException.class, () -> new DatapathConfig().set("max-idle", "10s")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DatapathConfig().set("max-idel", "1"))
            .getMessage().startsWith("unknown setting \"max-idel\""));
        assertEquals("max-idle=50: must be >= 100",
            assertThrows(IllegalArgumentException.class, () -> new DatapathConfig().maxIdleMillis(50).conclude()).getMessage());
        assertEquals("n-handler-threads=0: must be 1..1024",
            assertThrows(IllegalArgumentException.class, () -> new DatapathConfig().handlerThreads(0).conclude()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DatapathConfig().set("tc-policy", "hw"))
            .getMessage().contains("expected none, skip_sw or skip_hw"));
    }

    @Test
    void frozenAfterConcludeAndUnreadableBefore() {
        DatapathConfig c = new DatapathConfig();
        assertThrows(IllegalStateException.class, c::maxIdleMillis);
        c.conclude();
        assertThrows(IllegalStateException.class, () -> c.hwOffload(true));
        assertThrows(IllegalStateException.class, () -> c.set("flow-limit", "1"));
    }

    /** Issue 16: obctl set max-idle=١٠٠٠ (Arabic-Indic digits) was 1000 to Long.parseLong. */
    @Test
    void numbersAreAsciiDigits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new DatapathConfig().set(DatapathConfig.MAX_IDLE, "\u0661\u0660\u0660\u0660"));
        assertEquals("max-idle=\"\\u0661\\u0660\\u0660\\u0660\": expected a whole number (non-ASCII digit U+0661 at position 1:"
            + " numbers are ASCII 0-9)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DatapathConfig().set(DatapathConfig.FLOW_LIMIT, "10\u001b[2J"));
        assertEquals("flow-limit=\"10\\x1b[2J\": expected a whole number ('\\x1b' at position 3 is not a digit)", e.getMessage());
        assertEquals(1000, new DatapathConfig().cores(8).set(DatapathConfig.MAX_IDLE, "1000").conclude().maxIdleMillis());
    }
}
