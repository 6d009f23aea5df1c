package org.offloadbridge.flow;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Datapath port number ⇄ name map for the text formats: with one, ports print as names
 * (like {@code ovs-appctl dpctl/dump-flows --names}, and {@code -m} in OVS 3.x), and names
 * parse back to numbers. Immutable.
 */
public final class PortNames {
    /** No names: ports print as numbers and only numbers parse. */
    public static final PortNames NONE = new PortNames(Map.of());

    private final Map<Integer, String> byNumber;
    private final Map<String, Integer> byName;

    private PortNames(Map<Integer, String> byNumber) {
        this.byNumber = Collections.unmodifiableMap(new HashMap<>(byNumber));
        Map<String, Integer> n = new HashMap<>();
        byNumber.forEach((k, v) -> n.put(v, k));
        this.byName = Collections.unmodifiableMap(n);
    }

    /** A map from port number to name. */
    public static PortNames of(Map<Integer, String> byNumber) { return new PortNames(byNumber); }

    /** The name of {@code port}, or null. */
    public String name(int port) { return byNumber.get(port); }

    /** The number of the port called {@code name}, or -1. */
    public int number(String name) {
        Integer n = byName.get(name);
        return n == null ? -1 : n;
    }

    /** True when no names are known. */
    public boolean isEmpty() { return byNumber.isEmpty(); }
}
