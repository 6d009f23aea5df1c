package org.offloadbridge.daemon.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The Prometheus endpoint: {@code GET /metrics} in the text exposition format, on one
 * address (loopback by default; anything else only when configured). One platform thread
 * serves scrapes, so a slow scraper can't take threads from the daemon.
 */
public final class MetricsServer implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final Scrapes scrapes;
    private final HttpServer http;
    private final JvmGcMetrics gc;

    private MetricsServer(PrometheusMeterRegistry registry, Scrapes scrapes, HttpServer http, JvmGcMetrics gc) {
        this.registry = registry;
        this.scrapes = scrapes;
        this.http = http;
        this.gc = gc;
    }

    /**
     * A registry with the JVM's own meters bound, for the daemon's components to bind theirs.
     *
     * <p>Two of Micrometer's process meters break Prometheus's naming rules ({@code promtool
     * check metrics} fails the scrape): {@code process_cpu_time_ns_total} (a unit that is not
     * the base unit) is replaced by the conventional {@code process_cpu_seconds_total}, and
     * {@code system_cpu_count} (a gauge ending in {@code _count}) is named {@code system_cpus}.
     */
    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        r.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
                .description("CPU time the daemon's process used").register(r);
        }
        new JvmMemoryMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        return r;
    }

    /**
     * Serves {@code registry} on {@code address} (port 0: any free port, see {@link #port()}).
     *
     * @throws UncheckedIOException naming the address when it can't be bound
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, Scrapes scrapes, InetSocketAddress address) {
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        HttpServer http;
        try {
            http = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("metrics endpoint: cannot listen on " + address + ": " + e.getMessage(), e);
        }
        http.createContext("/metrics", ex -> {
            try (ex) {
                if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] body = scrapes.scrape(registry).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
        });
        http.createContext("/", ex -> {
            try (ex) {
                ex.sendResponseHeaders(404, -1);
            }
        });
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return new MetricsServer(registry, scrapes, http, gc);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        http.stop(0);
        gc.close();
    }
}
