package org.offloadbridge.daemon.metrics;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code obctl coverage/show}: every counter of the daemon's counters records, by name, as
 * {@code ovs-appctl coverage/show} lists OVS's (totals since start; OVS's per-interval rates are
 * Prometheus's job here). Names are the records' prefix and the component in snake case — the
 * names {@link RecordCounters} gives the metrics, without {@code offload_bridge_} and
 * {@code _total} — so a component that adds a counter to its record shows up here unasked.
 * A map component (counts by reason, by layer) gives one counter per key, every constant of an
 * enum key listed, 0 included: {@code upcall_by_reason_cross_switch}.
 */
public final class Coverage {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Coverage() {
    }

    /** One snapshot of each record, flattened to name → value, in the records' order. */
    public static Map<String, Long> collect(Map<String, Supplier<? extends Record>> records) {
        Map<String, Long> out = new LinkedHashMap<>();
        records.forEach((prefix, source) -> {
            Record r = source.get();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                Object v;
                try {
                    v = c.getAccessor().invoke(r);
                } catch (ReflectiveOperationException e) {
                    continue;
                }
                String name = prefix + "_" + RecordCounters.snake(c.getName());
                if (v instanceof Long || v instanceof Integer) {
                    out.put(name, ((Number) v).longValue());
                } else if (v instanceof Map<?, ?> m) {
                    // an enum-keyed map lists every constant, 0 where the map has none: the names stay put
                    if (c.getGenericType() instanceof ParameterizedType pt && pt.getActualTypeArguments()[0] instanceof Class<?> k
                            && k.isEnum()) {
                        for (Object e : k.getEnumConstants()) {
                            out.put(name + "_" + key(e), 0L);
                        }
                    }
                    m.forEach((k, n) -> {
                        if (n instanceof Number num) {
                            out.put(name + "_" + key(k), num.longValue());
                        }
                    });
                }
            }
        });
        return out;
    }

    /** A map key as a name part: its {@code token()} when it has one (reasons), else its text, in [a-z0-9_]. */
    private static String key(Object k) {
        String t = k.toString();
        if (k instanceof org.offloadbridge.flow.FlowResult.Reason r) {
            t = r.token();
        }
        return t.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    /** The text obctl prints: a header, then {@code name  total: N} a line, as OVS aligns them. */
    public static String render(Map<String, Long> counters) {
        int w = 1;
        for (String n : counters.keySet()) {
            w = Math.max(w, n.length());
        }
        StringBuilder sb = new StringBuilder("Event coverage (totals since the daemon started):\n");
        int zero = 0;
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s  total: %d%n", e.getKey(), e.getValue()));
            if (e.getValue() == 0) {
                zero++;
            }
        }
        sb.append(zero).append(" events never hit\n");
        return sb.toString();
    }

    /** The same as one JSON object, for programs. */
    public static ObjectNode json(Map<String, Long> counters) {
        ObjectNode o = JSON.createObjectNode();
        counters.forEach(o::put);
        return o;
    }
}
