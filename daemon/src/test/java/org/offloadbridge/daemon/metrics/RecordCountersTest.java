package org.offloadbridge.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecordCountersTest {
    record Sample(long upcallsQueued, long upcallsDropped, int flows, String notANumber) {}

    @Test
    void everyNumericComponentBecomesOneMeterReadFromOneSnapshot() throws Exception {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicInteger snapshots = new AtomicInteger();
        Scrapes scrapes = new Scrapes();
        List<String> names = RecordCounters.bind(r, scrapes, "offload_bridge_test", Sample.class, () -> {
            snapshots.incrementAndGet();
            return new Sample(7, 2, 40, "x");
        }, Set.of("flows"), Tags.of("layer", "dpdk"));
        assertEquals(List.of("offload_bridge_test_upcalls_queued_total", "offload_bridge_test_upcalls_dropped_total",
            "offload_bridge_test_flows"), names);
        String text = scrapes.scrape(r);
        assertTrue(text.contains("offload_bridge_test_upcalls_queued_total{layer=\"dpdk\"} 7.0"), text);
        assertTrue(text.contains("offload_bridge_test_upcalls_dropped_total{layer=\"dpdk\"} 2.0"), text);
        assertTrue(text.contains("offload_bridge_test_flows{layer=\"dpdk\"} 40.0"), text);
        assertTrue(text.contains("# TYPE offload_bridge_test_flows gauge"), text);
        assertTrue(text.contains("# TYPE offload_bridge_test_upcalls_queued_total counter"), text);
        assertEquals(1, snapshots.get(), "one scrape, one snapshot");
        scrapes.scrape(r);
        assertEquals(2, snapshots.get(), "the next scrape, the next snapshot");
    }

    /** Micrometer holds a function counter's object weakly: the binding must not freeze after a GC. */
    @Test
    void countersKeepMovingAfterGarbageCollection() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Scrapes scrapes = new Scrapes();
        AtomicInteger n = new AtomicInteger();
        RecordCounters.bind(r, scrapes, "offload_bridge_test", Sample.class, () -> new Sample(n.get(), 0, 0, "x"), Set.of(),
            Tags.empty());
        n.set(1);
        assertTrue(scrapes.scrape(r).contains("offload_bridge_test_upcalls_queued_total 1.0"));
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        n.set(2);
        String text = scrapes.scrape(r);
        assertTrue(text.contains("offload_bridge_test_upcalls_queued_total 2.0"), text);
    }

    @Test
    void snakeCase() {
        assertEquals("upcalls_queued", RecordCounters.snake("upcallsQueued"));
        assertEquals("rx_packets", RecordCounters.snake("rxPackets"));
        assertEquals("installs", RecordCounters.snake("installsTotal"));
    }

    @Test
    void theEndpointServesTheTextFormatOnLoopback() throws Exception {
        PrometheusMeterRegistry r = MetricsServer.newRegistry();
        try (MetricsServer s = MetricsServer.start(r, new Scrapes(), new InetSocketAddress("127.0.0.1", 0))) {
            HttpClient c = HttpClient.newHttpClient();
            HttpResponse<String> ok = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("jvm_memory_used_bytes"), ok.body());
            assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            HttpResponse<String> other = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/x")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        }
    }
}
