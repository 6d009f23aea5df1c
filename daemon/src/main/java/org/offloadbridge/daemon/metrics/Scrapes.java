package org.offloadbridge.daemon.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numbers the scrapes, so every {@link RecordCounters} takes one snapshot per scrape: the
 * counters one scrape shows come from one moment of each component.
 */
public final class Scrapes {
    private final AtomicLong epoch = new AtomicLong();

    long epoch() {
        return epoch.get();
    }

    /** Starts a new scrape and renders the registry in the Prometheus text format. */
    public String scrape(PrometheusMeterRegistry registry) {
        epoch.incrementAndGet();
        return registry.scrape();
    }
}
