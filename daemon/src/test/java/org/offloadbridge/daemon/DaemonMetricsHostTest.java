package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.metrics.DaemonMetrics;
import org.offloadbridge.daemon.metrics.FakeSources;
import org.offloadbridge.daemon.metrics.MetricsServer;
import org.offloadbridge.daemon.metrics.MetricsText;
import org.offloadbridge.daemon.metrics.Scrapes;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.netlink.NetNs;

/**
 * The metrics of a real daemon (on this machine's kernel, in a netns, as {@link DaemonHostTest}),
 * scraped over HTTP as Prometheus would: the meters are there, they move with traffic, their
 * names are in the golden list, and Prometheus's own linter ({@code promtool check metrics})
 * accepts the scrape. A missing promtool fails these tests (tools/install-deps installs it).
 */
@Tag("host")
class DaemonMetricsHostTest {

    private static String get(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private static double value(String text, String series) {
        Double v = MetricsText.value(text, series);
        assertNotNull(v, series + " in the scrape:\n" + text);
        return v;
    }

    /** The families of a real scrape are golden ones (a real daemon shows a subset: no failures yet, say). */
    private static void allGolden(String text) {
        Set<String> unknown = new TreeSet<>(MetricsText.families(text));
        unknown.removeAll(MetricsText.golden());
        assertTrue(unknown.isEmpty(), "not in the golden list: " + unknown);
    }

    @Test
    void aDpdkDaemonsMetricsMoveWithTrafficAndPassPromtool() throws Exception {
        try (DaemonHostTest.Net t = DaemonHostTest.Net.create("dmet"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(DaemonHostTest.settings(true), MonotonicClock.SYSTEM))) {
            assertEquals("dpdk", d.mode());
            PrometheusMeterRegistry registry = MetricsServer.newRegistry();
            Scrapes scrapes = new Scrapes();
            DaemonMetrics.bind(registry, scrapes, d);
            try (MetricsServer server = MetricsServer.start(registry, scrapes, new InetSocketAddress("127.0.0.1", 0))) {
                String before = get(server.port());
                assertEquals(0.0, value(before, "offload_bridge_flows{layer=\"dpdk\"}"));
                assertNull(MetricsText.value(before, "offload_bridge_port_packets_total{layer=\"dpdk\",port=\"p1\"}"),
                    "no traffic, no port series yet");

                // as DaemonHostTest: the first packets of a flow go up (and those meanwhile are
                // deduplicated away), then the DPDK path forwards
                String warm = t.h1().sh("ping -c 3 -i 0.2 -W 2 10.9.0.2");
                assertTrue(warm.contains(" 0% packet loss"), warm);
                String ping = t.h1().sh("ping -c 10 -i 0.05 -W 2 10.9.0.2");
                assertTrue(ping.contains(" 0% packet loss"), ping);
                // the revalidators read the DPDK flows' counters at their next round (max-revalidator
                // 500 ms): the 10 echo requests, and those of the warm-up after the first
                assertTrue(DaemonHostTest.await(5_000, () -> {
                    Double v = scrapeValue(server.port(), "offload_bridge_port_packets_total{layer=\"dpdk\",port=\"p1\"}");
                    return v != null && v >= 10;
                }), "the DPDK flows' packets reach p1's sums: " + scrapeValue(server.port(),
                    "offload_bridge_port_packets_total{layer=\"dpdk\",port=\"p1\"}"));

                String after = get(server.port());
                assertTrue(value(after, "offload_bridge_flows{layer=\"dpdk\"}") >= 2, "a flow each way: " + after);
                assertTrue(value(after, "offload_bridge_upcalls_received_total") >= 2);
                assertTrue(value(after, "offload_bridge_upcall_handling_seconds_count") >= 2);
                assertTrue(value(after, "offload_bridge_upcall_handling_seconds_sum") > 0);
                assertTrue(value(after, "offload_bridge_flow_installs_total{layer=\"dpdk\"}") >= 2);
                assertTrue(value(after, "offload_bridge_flow_placements_total{layer=\"dpdk\",reason=\"hw-offload=false\"}") >= 2);
                assertTrue(value(after, "offload_bridge_revalidator_rounds_total") >= 1);
                assertTrue(value(after, "offload_bridge_revalidator_round_duration_seconds_count") >= 1);
                assertEquals(0.5, value(after, "offload_bridge_revalidator_max_revalidator_seconds"));
                assertTrue(value(after, "offload_bridge_port_packets_total{layer=\"dpdk\",port=\"p2\"}") > 0, "the replies");
                assertTrue(value(after, "offload_bridge_port_bytes_total{layer=\"dpdk\",port=\"p1\"}") >= 98 * 10,
                    "ICMP echo frames of 98 bytes");
                assertTrue(value(after, "offload_bridge_dpdk_port_packets_total{direction=\"rx\",port=\"p1\"}") > 0);
                assertTrue(value(after, "offload_bridge_dpdk_rx_packets_total") > 0);
                assertTrue(value(after, "offload_bridge_flow_limit") > 0);
                assertTrue(after.contains("jvm_memory_used_bytes"), "and the JVM's");
                allGolden(after);
                String lint = MetricsText.promtool(after);
                assertNull(lint, "promtool check metrics:\n" + lint);
            }
        }
    }

    @Test
    void aSocketDaemonCountsItsSlowPathPerPort() throws Exception {
        try (DaemonHostTest.Net t = DaemonHostTest.Net.create("dmes"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(DaemonHostTest.settings(false), MonotonicClock.SYSTEM))) {
            PrometheusMeterRegistry registry = MetricsServer.newRegistry();
            Scrapes scrapes = new Scrapes();
            DaemonMetrics.bind(registry, scrapes, d);
            try (MetricsServer server = MetricsServer.start(registry, scrapes, new InetSocketAddress("127.0.0.1", 0))) {
                String ping = t.h1().sh("ping -c 4 -i 0.1 -W 2 10.9.0.2");
                assertTrue(ping.contains(" 0% packet loss"), ping);
                String after = get(server.port());
                assertTrue(value(after, "offload_bridge_flows{layer=\"slow\"}") >= 2, after);
                assertTrue(value(after, "offload_bridge_port_packets_total{layer=\"slow\",port=\"p1\"}") >= 3,
                    "every echo request after the first is a slow-path packet of its flow");
                assertTrue(value(after, "offload_bridge_slow_path_packets_total") >= 6);
                assertTrue(value(after, "offload_bridge_flow_placements_total{layer=\"slow\",reason=\"hw-offload=false\"}") >= 2);
                assertTrue(!after.contains("offload_bridge_dpdk_"), "no DPDK datapath, no DPDK metrics");
                allGolden(after);
                String lint = MetricsText.promtool(after);
                assertNull(lint, "promtool check metrics:\n" + lint);
            }
        }
    }

    /** Every metric with every label the daemon can show (an in-memory daemon where all of them counted). */
    @Test
    void promtoolAcceptsEveryMetricTheDaemonHas() throws Exception {
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        Scrapes scrapes = new Scrapes();
        DaemonMetrics.bind(registry, scrapes, new FakeSources().everything());
        try (MetricsServer server = MetricsServer.start(registry, scrapes, new InetSocketAddress("127.0.0.1", 0))) {
            String text = get(server.port());
            assertEquals(MetricsText.golden(), MetricsText.families(text));
            String lint = MetricsText.promtool(text);
            assertNull(lint, "promtool check metrics:\n" + lint);
        }
    }

    private static Double scrapeValue(int port, String series) {
        try {
            return MetricsText.value(get(port), series);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
