package org.offloadbridge.daemon.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Log levels changed while the daemon runs: {@code obctl vlog/set} and {@code vlog/list} (as
 * {@code ovs-appctl vlog/set} and {@code vlog/list}), and the config key {@code log-level} at
 * start and on reload. Logback's levels are live: a set takes effect on the next log call of
 * every thread, with no restart and no lock on the logging path.
 *
 * <p>A module is a logger: the root ({@code ANY}, as OVS names "every module"), a logger's full
 * name ({@code org.offloadbridge.revalidator.Revalidator}), a package below
 * {@code org.offloadbridge} by its last part ({@code revalidator} = the
 * {@code org.offloadbridge.revalidator} package and all below it), or a class by its simple
 * name ({@code Revalidator}). Levels: {@code off}, {@code error} (OVS's {@code err} and
 * {@code emer} too), {@code warn}, {@code info}, {@code debug} ({@code dbg}), {@code trace}.
 */
public final class LogLevels {
    static final String PROJECT = "org.offloadbridge";

    private LogLevels() {
    }

    private static LoggerContext context() {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        if (!(f instanceof LoggerContext c)) {
            throw new IllegalStateException("log levels: the logging backend is " + f.getClass().getName() + ", not Logback");
        }
        return c;
    }

    /** Sets the root level ({@code log-level}); {@code level} is one of the words above. */
    public static void setRoot(String level) {
        context().getLogger(Logger.ROOT_LOGGER_NAME).setLevel(level(level));
    }

    /** The root level as text ({@code info}). */
    public static String root() {
        return context().getLogger(Logger.ROOT_LOGGER_NAME).getLevel().toString().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code vlog/set [MODULE:[DESTINATION:]]LEVEL}: sets one logger's level (the root's when
     * no module is given) and says what it did.
     *
     * @throws IllegalArgumentException naming the part of {@code spec} that is wrong
     */
    public static String set(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length > 3 || spec.isEmpty()) {
            throw new IllegalArgumentException("\"" + spec + "\": expected LEVEL, MODULE:LEVEL or MODULE:DESTINATION:LEVEL");
        }
        String module = parts.length == 1 ? "ANY" : parts[0];
        if (parts.length == 3 && !List.of("ANY", "any", "console", "syslog", "file").contains(parts[1])) {
            throw new IllegalArgumentException("\"" + parts[1] + "\": unknown destination (there is one: the journal, or"
                + " stderr; write ANY or leave it out)");
        }
        Level l = level(parts[parts.length - 1]);
        Logger logger = logger(module);
        logger.setLevel(l);
        return (logger.getName().equals(Logger.ROOT_LOGGER_NAME) ? "every module (root)" : logger.getName()) + ": "
            + l.toString().toLowerCase(Locale.ROOT) + "\n";
    }

    /**
     * {@code vlog/list}: the root and every logger of this project with its effective level,
     * marked where a level was set on it.
     */
    public static String list() {
        LoggerContext c = context();
        List<Logger> loggers = new ArrayList<>();
        for (Logger l : c.getLoggerList()) {
            if (l.getName().equals(Logger.ROOT_LOGGER_NAME) || l.getName().startsWith(PROJECT + ".") || l.getLevel() != null) {
                loggers.add(l);
            }
        }
        loggers.sort(Comparator.comparing((Logger l) -> !l.getName().equals(Logger.ROOT_LOGGER_NAME)).thenComparing(Logger::getName));
        int w = 8;
        for (Logger l : loggers) {
            w = Math.max(w, l.getName().length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + w + "s  %s%n", "module", "level"));
        for (Logger l : loggers) {
            String name = l.getName().equals(Logger.ROOT_LOGGER_NAME) ? "ANY (root)" : l.getName();
            sb.append(String.format(Locale.ROOT, "%-" + w + "s  %s%s%n", name, l.getEffectiveLevel().toString().toLowerCase(Locale.ROOT),
                l.getLevel() != null && !l.getName().equals(Logger.ROOT_LOGGER_NAME) ? " (set)" : ""));
        }
        return sb.toString();
    }

    /** One level word, OVS's spellings included. */
    static Level level(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "off" -> Level.OFF;
            case "error", "err", "emer" -> Level.ERROR;
            case "warn", "warning" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug", "dbg" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default -> throw new IllegalArgumentException("\"" + word
                + "\": unknown level; expected off, error, warn, info, debug or trace (OVS's err, emer and dbg too)");
        };
    }

    private static Logger logger(String module) {
        LoggerContext c = context();
        if (module.equalsIgnoreCase("ANY") || module.equals(Logger.ROOT_LOGGER_NAME)) {
            return c.getLogger(Logger.ROOT_LOGGER_NAME);
        }
        List<Logger> all = c.getLoggerList();
        for (Logger l : all) {
            if (l.getName().equals(module)) {
                return l;
            }
        }
        String pkg = PROJECT + "." + module;
        if (module.matches("[a-z][a-z0-9_.]*") && LogLevels.class.getClassLoader().getResource(pkg.replace('.', '/')) != null) {
            return c.getLogger(pkg); // a package of ours, whether or not a class of it has logged yet
        }
        Logger bySimpleName = null;
        for (Logger l : all) {
            if (l.getName().startsWith(PROJECT + ".") && l.getName().substring(l.getName().lastIndexOf('.') + 1).equals(module)) {
                if (bySimpleName != null) {
                    throw new IllegalArgumentException("\"" + module + "\": more than one module has that name ("
                        + bySimpleName.getName() + ", " + l.getName() + "); give the full name");
                }
                bySimpleName = l;
            }
        }
        if (bySimpleName != null) {
            return bySimpleName;
        }
        if (module.startsWith(PROJECT + ".") || module.contains(".")) {
            return c.getLogger(module); // a logger that has not logged yet, by its full name
        }
        throw new IllegalArgumentException("\"" + module + "\": unknown module (obctl vlog/list lists them; ANY is every module)");
    }
}
