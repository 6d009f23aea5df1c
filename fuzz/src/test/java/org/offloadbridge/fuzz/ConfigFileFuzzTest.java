package org.offloadbridge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.offloadbridge.daemon.config.ConfigError;
import org.offloadbridge.daemon.config.ConfigException;
import org.offloadbridge.daemon.config.ConfigParser;

/**
 * The config file (TOML, docs/configuration.md), as {@code offload-bridge check} and the daemon
 * read it. Property: {@link ConfigParser#parse(Path, String)} returns a config or throws
 * {@link ConfigException} whose errors each name a line inside the file (0 when none applies).
 */
class ConfigFileFuzzTest {
    private static final Path FILE = Path.of("/etc/offload-bridge/offload-bridge.conf");
    private final ConfigParser parser = new ConfigParser(4);

    @FuzzTest
    void config(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            parser.parse(FILE, text);
        } catch (ConfigException e) {
            long lines = text.chars().filter(c -> c == '\n').count() + 1;
            for (ConfigError err : e.errors()) {
                NetlinkMessagesFuzzTest.check(err.line() >= 0 && err.line() <= lines, "line " + err.line() + " of " + lines + ": " + err);
            }
        }
    }
}
