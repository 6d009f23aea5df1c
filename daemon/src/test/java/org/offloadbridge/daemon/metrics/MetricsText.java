package org.offloadbridge.daemon.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.offloadbridge.testkit.Shell;

/**
 * Reading a scrape in tests: its metric families in the golden list's form, one series' value,
 * the golden list itself, and Prometheus's own linter ({@code promtool check metrics}) over it.
 */
public final class MetricsText {
    /** The golden list: one line per metric family, {@code name type {labels}}; a rename is a change of this file. */
    public static final String GOLDEN = "metric-names.txt";

    private MetricsText() {
    }

    /**
     * The families of a scrape in the golden list's form, ours only (the JVM's vary with the
     * collector and are Micrometer's names): {@code name type {label,...}}, sorted.
     */
    public static Set<String> families(String text) {
        Map<String, String> types = new TreeMap<>();
        Map<String, Set<String>> labels = new TreeMap<>();
        Pattern type = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
        Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+$");
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");
        for (String line : text.split("\n")) {
            Matcher t = type.matcher(line);
            if (t.matches()) {
                types.put(t.group(1), t.group(2));
                labels.put(t.group(1), new TreeSet<>());
                continue;
            }
            Matcher m = sample.matcher(line);
            if (!m.matches() || m.group(2) == null) {
                continue;
            }
            String family = familyOf(m.group(1), types.keySet());
            Matcher l = label.matcher(m.group(2));
            while (l.find()) {
                if (!l.group(1).equals("le")) {
                    labels.get(family).add(l.group(1));
                }
            }
        }
        Set<String> out = new TreeSet<>();
        types.forEach((name, t) -> {
            if (name.startsWith("offload_bridge_")) {
                out.add(name + " " + t + (labels.get(name).isEmpty() ? "" : " {" + String.join(",", labels.get(name)) + "}"));
            }
        });
        return out;
    }

    private static String familyOf(String sample, Set<String> families) {
        if (families.contains(sample)) {
            return sample;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count", "_total")) {
            if (sample.endsWith(suffix) && families.contains(sample.substring(0, sample.length() - suffix.length()))) {
                return sample.substring(0, sample.length() - suffix.length());
            }
        }
        throw new AssertionError("sample " + sample + " of no family");
    }

    /** The golden list's lines (comments and blank lines left out). */
    public static Set<String> golden() {
        try (InputStream in = MetricsText.class.getResourceAsStream(GOLDEN)) {
            Set<String> out = new TreeSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.strip());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The metric names (the first word of each line) of the golden list. */
    public static Set<String> goldenNames() {
        Set<String> out = new TreeSet<>();
        for (String line : golden()) {
            out.add(line.split(" ")[0]);
        }
        return out;
    }

    /** The value a series has in a scrape ({@code name{labels}} exactly as exposed), or null. */
    public static Double value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return null;
    }

    /**
     * {@code promtool check metrics} over {@code text}: what it said, or null when it found
     * nothing wrong. A missing promtool is a failure, not a skip: tools/install-deps installs it
     * (Debian package prometheus), and a check that silently does not run checks nothing.
     */
    public static String promtool(String text) throws IOException {
        Path f = Files.createTempFile("scrape", ".prom");
        try {
            Files.writeString(f, text);
            Shell.Result r = Shell.run("sh", "-c", "exec " + tool() + " check metrics < " + f);
            return r.ok() ? null : r.toString();
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** promtool with {@code args}; missing promtool fails (see {@link #promtool(String)}). */
    public static Shell.Result promtoolRun(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = tool().toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Shell.run(cmd);
    }

    private static Path tool() {
        Path tool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(tool)) {
            throw new AssertionError("promtool not installed: run tools/install-deps as root (Debian package prometheus);"
                + " the metrics endpoint must pass `promtool check metrics`");
        }
        return tool;
    }
}
