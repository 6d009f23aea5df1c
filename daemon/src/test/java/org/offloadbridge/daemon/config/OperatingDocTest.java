package org.offloadbridge.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.control.CommandCatalog;
import org.offloadbridge.daemon.metrics.MetricsText;
import org.offloadbridge.daemon.slowpath.SocketSlowPath;
import org.offloadbridge.dpdk.DatapathCounters;
import org.offloadbridge.flow.FlowResult.Reason;

/**
 * docs/operating.md, the operator's page, against the code: a troubleshooting entry for every
 * word of the reason vocabulary and none for a word it lacks, and every obctl command, config
 * key, metric and coverage counter it names is one the daemon has. (In this package for the
 * config parser's key lists.)
 */
class OperatingDocTest {
    private static final Path PAGE = Path.of("..", "docs", "operating.md");

    private static String page() throws IOException {
        return Files.readString(PAGE);
    }

    private static List<String> all(Pattern p, String text, int group) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(group));
        }
        return out;
    }

    @Test
    void oneTroubleshootingEntryPerReasonInTheVocabularysOrder() throws IOException {
        List<String> entries = all(Pattern.compile("^#### `([^`]+)`$", Pattern.MULTILINE), page(), 1);
        List<String> vocabulary = new ArrayList<>();
        for (Reason r : Reason.values()) {
            vocabulary.add(r.token());
        }
        assertEquals(vocabulary, entries, "the #### entries of " + PAGE + " against flow.FlowResult.Reason's tokens");
    }

    @Test
    void everyObctlCommandNamedExists() throws IOException {
        Set<String> named = new TreeSet<>(all(Pattern.compile("(?:^|`|\\$ )obctl ([a-z][a-z/-]*)", Pattern.MULTILINE), page(), 1));
        named.removeAll(CommandCatalog.names());
        assertTrue(named.isEmpty(), "obctl commands " + PAGE + " names that obctl lacks: " + named);
        assertTrue(page().contains("obctl dump-flows type=offloaded -m") && page().contains("obctl explain")
            && page().contains("obctl trace"), "the page shows the three flow commands");
    }

    @Test
    void everyConfigKeyNamedExists() throws IOException {
        String text = page();
        Set<String> keys = new LinkedHashSet<>();
        // `key = value` in prose, and key lines and [table] headers in the ```toml blocks
        keys.addAll(all(Pattern.compile("`([a-z][a-z0-9-]*) = "), text, 1));
        Set<String> tables = new LinkedHashSet<>();
        for (String block : all(Pattern.compile("```toml\\n(.*?)```", Pattern.DOTALL), text, 1)) {
            keys.addAll(all(Pattern.compile("^([a-z][a-z0-9-]*) = ", Pattern.MULTILINE), block, 1));
            tables.addAll(all(Pattern.compile("^\\[\\[?([a-z]+)\\]\\]?$", Pattern.MULTILINE), block, 1));
        }
        // `[section] key` in prose
        for (String[] sk : all(Pattern.compile("`\\[([a-z]+)\\] ([a-z-]+)`"), text, 0).stream()
                .map(s -> s.replace("`", "").replace("[", "").split("] ")).toList()) {
            tables.add(sk[0]);
            keys.add(sk[1]);
        }
        Set<String> known = new TreeSet<>(ConfigParser.TOP_KEYS);
        known.addAll(ConfigParser.DPDK_KEYS);
        known.addAll(ConfigParser.CONTROL_KEYS);
        known.addAll(ConfigParser.METRICS_KEYS);
        known.addAll(ConfigParser.PORT_KEYS);
        known.addAll(ConfigParser.TUNNEL_KEYS);
        Set<String> unknown = new TreeSet<>(keys);
        unknown.removeAll(known);
        assertTrue(unknown.isEmpty(), "config keys " + PAGE + " names that the parser lacks: " + unknown);
        Set<String> unknownTables = new TreeSet<>(tables);
        unknownTables.removeAll(ConfigParser.TOP_KEYS);
        assertTrue(unknownTables.isEmpty(), "config tables the parser lacks: " + unknownTables);
        assertTrue(keys.containsAll(List.of("hw-offload", "stop-removes-flows", "listen")), "keys seen: " + keys);
    }

    /**
     * Keys are mostly named bare in prose (`max-idle`): every backticked hyphenated word is a
     * config key, a reason, or one of the few other words the page uses, so a misspelt key fails.
     */
    @Test
    void everyHyphenatedWordIsAKeyOrAReasonOrKnown() throws IOException {
        Set<String> words = new TreeSet<>(all(Pattern.compile("`([a-z]+(?:-[a-z0-9]+)+)`"), page(), 1));
        words.removeAll(ConfigParser.TOP_KEYS);
        words.removeAll(ConfigParser.TUNNEL_KEYS);
        for (Reason r : Reason.values()) {
            words.remove(r.token());
        }
        // layers (dump-flows --json, metrics labels), dump-flows type=, upcalls_dropped_total reasons,
        // the service's name, a systemctl verb
        words.removeAll(List.of("tc-hw", "tc-sw", "non-offloaded", "queue-full", "socket-full", "unknown-port", "bad-frame",
            "translate-error", "internal-error", "offload-bridge", "try-restart"));
        assertTrue(words.isEmpty(), "words " + PAGE + " writes like config keys that are none: " + words);
    }

    @Test
    void everyMetricNamedIsInTheGoldenList() throws IOException {
        Set<String> golden = MetricsText.goldenNames();
        Set<String> named = new TreeSet<>(all(Pattern.compile("\\b(offload_bridge_[a-z0-9_]+)"), page(), 1));
        // the page also writes a few without the prefix, e.g. flow_placements_total{...}
        for (String s : all(Pattern.compile("(?<![a-z_])([a-z][a-z0-9_]*_(?:total|seconds))\\b"), page(), 1)) {
            named.add(s.startsWith("offload_bridge_") ? s : "offload_bridge_" + s);
        }
        assertTrue(named.size() > 10, "metrics seen: " + named);
        named.removeAll(golden);
        assertTrue(named.isEmpty(), "metrics " + PAGE + " names that the daemon does not export: " + named);
        for (String reason : List.of("queue-full", "socket-full")) {
            assertTrue(page().contains("`" + reason + "`"), "upcalls_dropped_total's reason " + reason);
        }
    }

    @Test
    void everyCoverageCounterNamedExists() throws IOException {
        Set<String> counters = new TreeSet<>();
        for (RecordComponent c : DatapathCounters.class.getRecordComponents()) {
            counters.add("dpdk_" + snake(c.getName()));
        }
        for (RecordComponent c : SocketSlowPath.Counters.class.getRecordComponents()) {
            counters.add("slowpath_" + snake(c.getName()));
        }
        Set<String> named = new TreeSet<>(all(Pattern.compile("`((?:dpdk|slowpath)_[a-z_]+)`"), page(), 1));
        assertTrue(!named.isEmpty(), "coverage counters are named");
        named.removeAll(counters);
        assertTrue(named.isEmpty(), "coverage/show counters " + PAGE + " names that do not exist: " + named);
    }

    /** As coverage/show names a record's component (RecordCounters.snake). */
    private static String snake(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }
}
