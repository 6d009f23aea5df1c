package org.offloadbridge.daemon.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %journalPriority}: the sd-daemon(3) prefix ({@code <3>} error, {@code <4>} warning,
 * {@code <6>} info, {@code <7>} debug) that journald reads from a service's stderr to set each
 * line's priority, so {@code journalctl -p warning -u offload-bridge} works with no syslog
 * library. journald timestamps every line itself, which is why the journal pattern has none.
 */
public final class JournalPriority extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return prefix(event.getLevel());
    }

    static String prefix(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "<3>";
            case Level.WARN_INT -> "<4>";
            case Level.INFO_INT -> "<6>";
            default -> "<7>";
        };
    }
}
