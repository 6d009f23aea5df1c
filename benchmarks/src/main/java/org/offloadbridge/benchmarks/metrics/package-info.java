/** The cost of a Prometheus scrape of the daemon's metrics, at 100 and 100,000 flows. */
package org.offloadbridge.benchmarks.metrics;
