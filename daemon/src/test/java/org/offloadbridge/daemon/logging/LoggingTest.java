package org.offloadbridge.daemon.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {
    @Test
    void journalPrioritiesAreSdDaemonPrefixes() {
        assertEquals("<3>", JournalPriority.prefix(Level.ERROR));
        assertEquals("<4>", JournalPriority.prefix(Level.WARN));
        assertEquals("<6>", JournalPriority.prefix(Level.INFO));
        assertEquals("<7>", JournalPriority.prefix(Level.DEBUG));
        assertEquals("<7>", JournalPriority.prefix(Level.TRACE));
    }

    @Test
    void theShippedConfigurationLoadsWithoutErrors() {
        ch.qos.logback.classic.LoggerContext ctx = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
        for (ch.qos.logback.core.status.Status st : ctx.getStatusManager().getCopyOfStatusList()) {
            assertTrue(st.getLevel() < ch.qos.logback.core.status.Status.WARN, "logback.xml: " + st);
        }
        assertTrue(ctx.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT") != null, "our appender is configured");
        assertEquals(LogPattern.JOURNAL, LogPattern.pattern("8:12345"));
        assertEquals(LogPattern.TERMINAL, LogPattern.pattern(null));
    }

    @Test
    void aFloodLogsOneLinePerIntervalAndSaysHowManyItSuppressed() {
        Logger logger = (Logger) LoggerFactory.getLogger("rate-test");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        logger.addAppender(seen);
        AtomicLong now = new AtomicLong(1000);
        RateLimitedLog r = new RateLimitedLog(logger, now::get, 1000);
        assertTrue(r.warn("bad frame on port 3"));
        for (int i = 0; i < 50; i++) {
            assertFalse(r.warn("bad frame on port 3"));
        }
        now.addAndGet(999);
        assertFalse(r.warn("bad frame on port 3"));
        now.addAndGet(1);
        assertTrue(r.warn("bad frame on port 3"));
        assertEquals(2, seen.list.size());
        assertEquals("bad frame on port 3", seen.list.get(0).getFormattedMessage());
        assertEquals("bad frame on port 3 (51 similar suppressed)", seen.list.get(1).getFormattedMessage());
    }
}
