package org.offloadbridge.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Shell;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard (docs/grafana/offload-bridge.json) is well-formed JSON that Grafana can
 * import, and every metric its queries use is one the daemon exposes (the golden list), so a
 * rename cannot leave a panel empty without this failing.
 */
class DashboardTest {
    /** The dashboard in the repository, from the daemon module's directory (surefire's working directory). */
    public static final Path DASHBOARD = Path.of("..", "docs", "grafana", "offload-bridge.json");

    /** PromQL words that are not metric names: functions, aggregations, keywords. */
    private static final Set<String> PROMQL = Set.of("sum", "by", "without", "rate", "irate", "increase", "histogram_quantile",
        "clamp_min", "clamp_max", "max", "min", "avg", "count", "topk", "bottomk", "on", "ignoring", "group_left",
        "group_right", "bool", "and", "or", "unless", "offset", "label_values");

    static JsonNode dashboard() throws IOException {
        return JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    }

    /** Every query of the dashboard: panel targets and the template variables' queries. */
    static List<String> queries(JsonNode d) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : d.get("panels")) {
            if (p.has("targets")) {
                for (JsonNode t : p.get("targets")) {
                    out.add(t.get("expr").asString());
                }
            }
        }
        for (JsonNode v : d.get("templating").get("list")) {
            if (v.has("definition")) {
                out.add(v.get("definition").asString());
            }
        }
        return out;
    }

    /**
     * The metric names a PromQL expression reads: what is left once label matchers ({@code {...}}),
     * grouping lists ({@code by (...)}), ranges ({@code [...]}), strings, numbers, Grafana's
     * variables and PromQL's own words are taken out.
     */
    static Set<String> metricsOf(String expr) {
        String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", " ")
            .replaceAll("\\$\\w+", " ")
            .replaceAll("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*),\\s*\\w+\\)", "$1");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(e);
        while (m.find()) {
            String w = m.group();
            if (!PROMQL.contains(w) && !(m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1)))) {
                names.add(w);
            }
        }
        return names;
    }

    @Test
    void theDashboardIsWellFormedAndLaidOut() throws IOException {
        JsonNode d = dashboard();
        assertEquals("offload-bridge", d.get("uid").asString());
        assertTrue(d.get("schemaVersion").asInt() > 30);
        Set<String> titles = new TreeSet<>();
        List<int[]> boxes = new ArrayList<>();
        for (JsonNode p : d.get("panels")) {
            assertTrue(titles.add(p.get("title").asString()), "one panel per title: " + p.get("title"));
            JsonNode g = p.get("gridPos");
            int[] box = {g.get("x").asInt(), g.get("y").asInt(), g.get("w").asInt(), g.get("h").asInt()};
            assertTrue(box[0] >= 0 && box[0] + box[2] <= 24, p.get("title") + ": inside the 24-column grid");
            for (int[] other : boxes) {
                boolean apart = box[0] + box[2] <= other[0] || other[0] + other[2] <= box[0]
                    || box[1] + box[3] <= other[1] || other[1] + other[3] <= box[1];
                assertTrue(apart, p.get("title") + " overlaps another panel");
            }
            boxes.add(box);
            if (!p.get("type").asString().equals("row")) {
                assertFalse(p.get("targets").isEmpty(), p.get("title") + ": has queries");
            }
        }
        for (String wanted : List.of("Flows by layer", "Failures by reason", "Upcall handling latency", "Flow limit",
                "Revalidation round duration vs max-revalidator", "Packets per port by layer")) {
            assertTrue(titles.contains(wanted), "a panel " + wanted + " in " + titles);
        }
    }

    @Test
    void everyMetricTheDashboardQueriesIsOneTheDaemonExposes() throws IOException {
        Set<String> exposed = new TreeSet<>();
        for (String line : MetricsText.golden()) {
            String[] f = line.split(" ");
            exposed.add(f[0]);
            if (f[1].equals("histogram")) {
                for (String suffix : List.of("_bucket", "_sum", "_count")) {
                    exposed.add(f[0] + suffix);
                }
            }
        }
        List<String> queries = queries(dashboard());
        assertTrue(queries.size() > 20, "the dashboard's queries: " + queries.size());
        Set<String> used = new TreeSet<>();
        for (String q : queries) {
            Set<String> names = metricsOf(q);
            assertFalse(names.isEmpty(), "a query with no metric: " + q);
            for (String n : names) {
                assertTrue(exposed.contains(n), n + " (in `" + q + "`) is not a metric the daemon exposes");
            }
            used.addAll(names);
        }
        assertTrue(used.contains("offload_bridge_upcall_handling_seconds_bucket"), "latency quantiles from the histogram");
    }

    /**
     * Each query parses as PromQL, by Prometheus's own parser ({@code promtool check rules} over
     * recording rules of them, with Grafana's variables given values). Needs promtool, as the
     * metrics host test.
     */
    @Test
    @Tag("host")
    void everyQueryIsPromQL() throws IOException {
        StringBuilder rules = new StringBuilder("groups:\n- name: dashboard\n  rules:\n");
        int i = 0;
        for (String q : queries(dashboard())) {
            if (q.startsWith("label_values(")) {
                continue; // Grafana's, not PromQL
            }
            String expr = q.replace("$__rate_interval", "5m").replace("$instance", ".*");
            rules.append("  - record: dashboard:query").append(i++).append("\n    expr: '").append(expr.replace("'", "''"))
                .append("'\n");
        }
        Path f = Files.createTempFile("dashboard", ".rules.yml");
        try {
            Files.writeString(f, rules);
            Shell.Result r = MetricsText.promtoolRun("check", "rules", f.toString());
            assertTrue(r.ok(), "promtool check rules over the dashboard's queries:\n" + r + "\n" + rules);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void theQueryReaderFindsMetricNamesOnly() {
        assertEquals(Set.of("offload_bridge_flows"), metricsOf("sum by (layer) (offload_bridge_flows{instance=~\"$instance\"})"));
        assertEquals(Set.of("a_bucket"), metricsOf("histogram_quantile(0.99, sum by (le) (rate(a_bucket{x=\"y\"}[$__rate_interval])))"));
        assertEquals(Set.of("a", "b_total"), metricsOf("sum(a) / clamp_min(sum(rate(b_total[5m])), 1) * 8"));
        assertEquals(Set.of("offload_bridge_flows"), metricsOf("label_values(offload_bridge_flows, instance)"));
    }
}
