package org.offloadbridge.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.upcall.handler.FixedHistogram;

/**
 * The daemon's metrics over a small in-memory daemon ({@link FakeSources}): the names are the
 * golden list's, exactly; the values are the sources' and move with them; a scrape has as many
 * series at 100,000 flows as at 100.
 */
class DaemonMetricsTest {
    static final String GOLDEN = MetricsText.GOLDEN;

    static String scrape(DaemonMetrics.Sources s) {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Scrapes scrapes = new Scrapes();
        DaemonMetrics.bind(r, scrapes, s);
        return scrapes.scrape(r);
    }

    @Test
    void theNamesAreTheGoldenListExactly() {
        Set<String> got = MetricsText.families(scrape(new FakeSources().everything()));
        Set<String> want = MetricsText.golden();
        Set<String> extra = new TreeSet<>(got);
        extra.removeAll(want);
        Set<String> missing = new TreeSet<>(want);
        missing.removeAll(got);
        assertTrue(extra.isEmpty() && missing.isEmpty(), "a metric was added, renamed or removed: update " + GOLDEN
            + " (and docs/metrics.md, the dashboard) if it is meant\n  new or changed: " + extra + "\n  gone: " + missing);
    }

    /** docs/metrics.md lists every metric the daemon has, and none it hasn't. */
    @Test
    void theOperatorsPageListsExactlyTheseMetrics() throws IOException {
        String page = Files.readString(Path.of("..", "docs", "metrics.md"));
        Set<String> listed = new TreeSet<>();
        Matcher m = Pattern.compile("^\\| `(offload_bridge_[a-z0-9_]+)` \\|", Pattern.MULTILINE).matcher(page);
        while (m.find()) {
            listed.add(m.group(1));
        }
        assertEquals(MetricsText.goldenNames(), listed, "the tables of docs/metrics.md against the golden list");
    }

    @Test
    void theValuesAreTheSourcesAndMoveWithThem() {
        FakeSources s = new FakeSources();
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Scrapes scrapes = new Scrapes();
        DaemonMetrics.bind(r, scrapes, s);

        String before = scrapes.scrape(r);
        assertEquals(0.0, MetricsText.value(before, "offload_bridge_flows{layer=\"tc-hw\"}"), before);
        assertEquals(0.0, MetricsText.value(before, "offload_bridge_upcall_handling_seconds_count"), before);
        assertEquals(null, MetricsText.value(before, "offload_bridge_flow_failures_total{layer=\"tc-hw\",op=\"install\",reason=\"device-refused\"}"),
            "no series before there is something to count");

        s.flows(8); // two in each layer, on ports 1..3
        s.layerCounters.put(FlowLayer.TC_HW, FlowResult.failed(null, Reason.DEVICE_REFUSED, "x", 95, null));
        s.layerCounters.put(FlowLayer.TC_HW, FlowResult.ok(null, FlowLayer.TC_HW));
        s.layerCounters.placed(FlowLayer.DPDK, Reason.UNSUPPORTED_KEY);
        s.handling.record(FixedHistogram.millis(0.03));
        s.handling.record(FixedHistogram.millis(3));
        s.rounds.record(FixedHistogram.millis(40));
        s.upcalls = FakeSources.values(7);
        s.queueFull = 2;
        s.revalidators = new org.offloadbridge.revalidator.RevalidatorCounters.Values(5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        s.flowLimit.afterRound(40, 8);

        String after = scrapes.scrape(r);
        assertEquals(2.0, MetricsText.value(after, "offload_bridge_flows{layer=\"tc-hw\"}"), after);
        assertEquals(2.0, MetricsText.value(after, "offload_bridge_flows{layer=\"slow\"}"), after);
        assertEquals(1.0, MetricsText.value(after, "offload_bridge_flow_failures_total{layer=\"tc-hw\",op=\"install\",reason=\"device-refused\"}"), after);
        assertEquals(1.0, MetricsText.value(after, "offload_bridge_flow_installs_total{layer=\"tc-hw\"}"), after);
        assertEquals(1.0, MetricsText.value(after, "offload_bridge_flow_placements_total{layer=\"dpdk\",reason=\"unsupported-key\"}"), after);
        assertEquals(7.0, MetricsText.value(after, "offload_bridge_upcalls_received_total"), after);
        assertEquals(2.0, MetricsText.value(after, "offload_bridge_upcalls_dropped_total{reason=\"queue-full\"}"), after);
        assertEquals(7.0, MetricsText.value(after, "offload_bridge_upcalls_deduplicated_total{stage=\"handler\"}"), after);
        assertEquals(2.0, MetricsText.value(after, "offload_bridge_upcall_handling_seconds_count"), after);
        assertEquals(0.0, MetricsText.value(after, "offload_bridge_upcall_handling_seconds_bucket{le=\"1.0E-5\"}"), after);
        assertEquals(1.0, MetricsText.value(after, "offload_bridge_upcall_handling_seconds_bucket{le=\"5.0E-5\"}"), after);
        assertEquals(2.0, MetricsText.value(after, "offload_bridge_upcall_handling_seconds_bucket{le=\"+Inf\"}"), after);
        assertEquals(0.00303, MetricsText.value(after, "offload_bridge_upcall_handling_seconds_sum"), 1e-9);
        assertEquals(1.0, MetricsText.value(after, "offload_bridge_revalidator_round_duration_seconds_count"), after);
        assertEquals(0.04, MetricsText.value(after, "offload_bridge_revalidator_last_round_duration_seconds"), after);
        assertEquals(0.5, MetricsText.value(after, "offload_bridge_revalidator_max_revalidator_seconds"), after);
        assertEquals(5.0, MetricsText.value(after, "offload_bridge_revalidator_rounds_total"), after);
        assertEquals(200_000.0, MetricsText.value(after, "offload_bridge_flow_limit_configured"), after);
        // flow i is on port 1 + i % 3, in layer i % 4: p1 has flows 0 (tc-hw, 10 packets dumped) and 3 (none, 1 executed)
        assertEquals(10.0, MetricsText.value(after, "offload_bridge_port_packets_total{layer=\"tc-hw\",port=\"p1\"}"), after);
        assertEquals(1000.0, MetricsText.value(after, "offload_bridge_port_bytes_total{layer=\"tc-hw\",port=\"p1\"}"), after);
        assertEquals(1.0, MetricsText.value(after, "offload_bridge_port_packets_total{layer=\"slow\",port=\"p1\"}"), after);
    }

    @Test
    void aScrapeHasAsManySeriesAtOneHundredThousandFlowsAsAtOneHundred() {
        FakeSources small = new FakeSources().everything().flows(100);
        FakeSources big = new FakeSources().everything().flows(100_000);
        assertEquals(100_008, big.ukeys.size());
        String a = scrape(small);
        String b = scrape(big);
        assertEquals(ours(a).size(), ours(b).size(), "no series per flow");
        assertEquals(25_002.0, MetricsText.value(b, "offload_bridge_flows{layer=\"dpdk\"}"));
    }

    private static List<String> ours(String text) {
        return text.lines().filter(l -> l.startsWith("offload_bridge_")).toList();
    }

    @Test
    void aPortThatIsGoneLeavesTheScrape() {
        FakeSources s = new FakeSources().everything();
        assertTrue(scrape(s).contains("port=\"p3\""));
        s.portNames.remove(3);
        assertTrue(!scrape(s).contains("port=\"p3\""));
    }
}
