package org.offloadbridge.daemon.config;

import java.nio.file.Path;

/**
 * One problem in a configuration or rules file, positioned as compilers print it:
 * {@code file:line:column: key: message}. A line or column of 0 means "not known" and is left
 * out of the text (a file that cannot be read has neither).
 *
 * @param file    the file the problem is in
 * @param line    1-based line, or 0
 * @param column  1-based column, or 0
 * @param key     the key as written with its table ({@code dpdk.pmd-cores}, {@code port[2].name}),
 *                or empty when the problem is not about one key
 * @param message what is wrong and what is allowed
 */
public record ConfigError(Path file, int line, int column, String key, String message) {

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (!key.isEmpty()) {
            sb.append(key).append(": ");
        }
        return sb.append(message).toString();
    }

    /** Every error a line, then {@code N errors; nothing changed}: how a refused reload or rules file answers. */
    public static String nothingChanged(java.util.List<ConfigError> errors) {
        StringBuilder sb = new StringBuilder();
        for (ConfigError e : errors) {
            sb.append(e).append('\n');
        }
        return sb.append(errors.size()).append(errors.size() == 1 ? " error" : " errors").append("; nothing changed\n").toString();
    }
}
