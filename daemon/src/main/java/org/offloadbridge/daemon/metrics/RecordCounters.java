package org.offloadbridge.daemon.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds a component's counters record to meters: one meter per {@code long}/{@code int}
 * component, named {@code <prefix>_<component in snake case>}, so a component that adds a
 * counter to its record gets a metric without anyone listing it here.
 *
 * <p>Why a record: each component (datapath, handlers, tc, revalidators) publishes one
 * immutable snapshot of its counters, read from other threads without locks. A scrape takes
 * one snapshot per record however many meters read it (the {@link Scrapes} epoch says when a
 * new scrape began), so the numbers of one scrape are consistent with each other, and a scrape
 * costs the same at 100 or 100,000 flows: no per-flow series exist.
 *
 * <p>Components are counters ({@code _total}, monotonic) unless named in {@code gauges}.
 */
public final class RecordCounters<R extends Record> {
    private final Supplier<R> source;
    private final Scrapes scrapes;
    private R snapshot;
    private long takenIn = -1;

    private RecordCounters(Supplier<R> source, Scrapes scrapes) {
        this.source = source;
        this.scrapes = scrapes;
    }

    /**
     * Registers a meter for each numeric component of the records {@code source} gives.
     *
     * @param prefix  e.g. {@code offload_bridge_upcalls} (Prometheus naming: lower snake case)
     * @param type    the record class (its components name the meters)
     * @param gauges  components that go up and down (sizes), registered as gauges
     * @return the names of the registered meters, as Prometheus will expose them
     */
    public static <R extends Record> List<String> bind(MeterRegistry registry, Scrapes scrapes, String prefix, Class<R> type,
                                                       Supplier<R> source, Set<String> gauges, Tags tags) {
        return bind(registry, scrapes, prefix, type, source, gauges, tags, Map.of());
    }

    /**
     * {@link #bind(MeterRegistry, Scrapes, String, Class, Supplier, Set, Tags)} with a description
     * (Prometheus's HELP) for each meter.
     *
     * @param help one line per meter, by component name; a component without one is described
     *             by its record and component name ({@code promtool check metrics} wants a HELP)
     */
    public static <R extends Record> List<String> bind(MeterRegistry registry, Scrapes scrapes, String prefix, Class<R> type,
                                                       Supplier<R> source, Set<String> gauges, Tags tags,
                                                       Map<String, String> help) {
        RecordCounters<R> rc = new RecordCounters<>(source, scrapes);
        List<String> names = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> t = c.getType();
            if (t != long.class && t != int.class) {
                continue;
            }
            String name = prefix + "_" + snake(c.getName());
            ToDoubleFunction<RecordCounters<R>> read = x -> {
                try {
                    Object v = c.getAccessor().invoke(x.current());
                    return ((Number) v).doubleValue();
                } catch (ReflectiveOperationException e) {
                    return Double.NaN;
                }
            };
            String description = help.getOrDefault(c.getName(), type.getSimpleName() + "." + c.getName());
            if (gauges.contains(c.getName())) {
                Gauge.builder(name, rc, read).tags(tags).description(description).strongReference(true).register(registry);
                names.add(name);
            } else {
                // A FunctionCounter holds its object weakly and would freeze at its last value once
                // rc is collected: the function (held strongly) keeps rc alive with the meter.
                FunctionCounter.builder(name, rc, x -> read.applyAsDouble(rc)).tags(tags).description(description)
                    .register(registry);
                names.add(name + "_total");
            }
        }
        return names;
    }

    private synchronized R current() {
        long epoch = scrapes.epoch();
        if (snapshot == null || epoch != takenIn) {
            snapshot = source.get();
            takenIn = epoch;
        }
        return snapshot;
    }

    /** {@code upcallsQueued} → {@code upcalls_queued}; a trailing {@code Total} is dropped (Prometheus adds {@code _total}). */
    static String snake(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 8);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0) {
                    b.append('_');
                }
                b.append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        String s = b.toString();
        return s.endsWith("_total") ? s.substring(0, s.length() - "_total".length()) : s;
    }
}
