package org.offloadbridge.daemon.logging;

import ch.qos.logback.core.PropertyDefinerBase;

/**
 * logback.xml's {@code PATTERN}: under systemd ({@code JOURNAL_STREAM} set, see
 * systemd.exec(5)) a journald line — priority prefix, no timestamp, since journald records
 * both; elsewhere a timestamped line. A property definer and not logback's {@code <if>},
 * which would need the Janino compiler on the classpath.
 */
public final class LogPattern extends PropertyDefinerBase {
    static final String JOURNAL = "%journalPriority%logger{0}: %msg%n";
    static final String TERMINAL = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg%n";

    @Override
    public String getPropertyValue() {
        return pattern(System.getenv("JOURNAL_STREAM"));
    }

    static String pattern(String journalStream) {
        return journalStream != null && !journalStream.isEmpty() ? JOURNAL : TERMINAL;
    }
}
