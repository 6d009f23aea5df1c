/**
 * The Prometheus endpoint ({@link org.offloadbridge.daemon.metrics.MetricsServer}, loopback by
 * default) and what it serves: the JVM's meters and the daemon's
 * ({@link org.offloadbridge.daemon.metrics.DaemonMetrics}), named per Prometheus conventions
 * ({@code offload_bridge_…_total}, base units), with no series per flow, so a scrape costs the
 * same at 100 or 100,000 flows. docs/metrics.md describes every metric.
 */
package org.offloadbridge.daemon.metrics;
