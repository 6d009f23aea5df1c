package org.offloadbridge.upcall.handler;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.offloadbridge.flow.FlowLayer;

/**
 * What the ukey table holds, added up as it changes, so that nobody has to walk the table to
 * know: the flows in each layer, and the packets and bytes each in_port's flows carried in each
 * layer. A {@link Ukey} reports here every change of its layer and every growth of its counters
 * while it is in the table ({@link UkeyTable#insert} to {@link UkeyTable#remove}); reading costs
 * O(layers) and O(ports), whatever the number of flows — what a metrics scrape must cost.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>The flows of all layers add up to {@link UkeyTable#size()}, and each ukey in the table
 *       counts in exactly its own {@link Ukey#layer()} ({@link FlowLayer#NONE}: being placed, or
 *       on the slow path) — up to the updates in flight at the moment of reading.</li>
 *   <li>A port's packets and bytes never go down. They grow by what each flow's counters grew by,
 *       in the layer that counted them: tc and DPDK counters as the revalidators read them
 *       (dumps, the final counters of a delete, the kept counters of a modify), slow-path packets
 *       as the handlers execute them. Counters a flow already had when it came into the table
 *       (adopted at start, or found in a layer that already held it) are not counted: they are
 *       from before.</li>
 * </ul>
 *
 * <p>Writers: handlers (a new flow; slow-path packets) and revalidators. Everything is a
 * {@code LongAdder}; a port's sums are created the first time the port is seen (ports below
 * {@value #DIRECT_PORTS} — every datapath port number the daemon hands out — are found by array
 * index, so adding to them allocates nothing).
 */
public final class LayerTotals {
    /** Ports numbered below this are found by index; others (none the daemon makes) through a map. */
    static final int DIRECT_PORTS = 4096;
    private static final FlowLayer[] LAYERS = FlowLayer.values();

    private final LongAdder[] flows = adders(LAYERS.length);
    private final AtomicReferenceArray<PortSums> direct = new AtomicReferenceArray<>(DIRECT_PORTS);
    private final ConcurrentHashMap<Integer, PortSums> far = new ConcurrentHashMap<>();
    private final List<PortSums> ports = new CopyOnWriteArrayList<>();

    /** One in_port's sums, per layer. */
    private static final class PortSums {
        final int port;
        final LongAdder[] packets = adders(LAYERS.length);
        final LongAdder[] bytes = adders(LAYERS.length);

        PortSums(int port) {
            this.port = port;
        }
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** Flows in {@code layer} now ({@link FlowLayer#NONE}: the slow path, and flows being placed). */
    public long flows(FlowLayer layer) {
        return flows[layer.ordinal()].sum();
    }

    void added(FlowLayer layer) {
        flows[layer.ordinal()].increment();
    }

    void removed(FlowLayer layer) {
        flows[layer.ordinal()].decrement();
    }

    void moved(FlowLayer from, FlowLayer to) {
        flows[from.ordinal()].decrement();
        flows[to.ordinal()].increment();
    }

    /** Adds what a flow of {@code inPort} carried in {@code layer}. */
    void traffic(int inPort, FlowLayer layer, long packets, long bytes) {
        PortSums p = sums(inPort);
        p.packets[layer.ordinal()].add(packets);
        p.bytes[layer.ordinal()].add(bytes);
    }

    private PortSums sums(int port) {
        if (Integer.compareUnsigned(port, DIRECT_PORTS) < 0) {
            PortSums p = direct.get(port);
            return p != null ? p : create(port);
        }
        PortSums p = far.get(port);
        return p != null ? p : create(port);
    }

    private synchronized PortSums create(int port) {
        PortSums p = Integer.compareUnsigned(port, DIRECT_PORTS) < 0 ? direct.get(port) : far.get(port);
        if (p == null) {
            p = new PortSums(port);
            if (Integer.compareUnsigned(port, DIRECT_PORTS) < 0) {
                direct.set(port, p);
            } else {
                far.put(port, p);
            }
            ports.add(p);
        }
        return p;
    }

    /** Receives one port's sums in one layer. */
    @FunctionalInterface
    public interface PortVisitor {
        void port(int inPort, FlowLayer layer, long packets, long bytes);
    }

    /**
     * Every port that has carried traffic, in every layer (zeros included once the port is
     * known), in the order the ports were first seen. O(ports × layers).
     */
    public void forEachPort(PortVisitor v) {
        for (PortSums p : ports) {
            for (FlowLayer l : LAYERS) {
                v.port(p.port, l, p.packets[l.ordinal()].sum(), p.bytes[l.ordinal()].sum());
            }
        }
    }

    /** One port's packets in {@code layer} (0 for a port never seen). */
    public long packets(int inPort, FlowLayer layer) {
        PortSums p = Integer.compareUnsigned(inPort, DIRECT_PORTS) < 0 ? direct.get(inPort) : far.get(inPort);
        return p == null ? 0 : p.packets[layer.ordinal()].sum();
    }

    /** One port's bytes in {@code layer} (0 for a port never seen). */
    public long bytes(int inPort, FlowLayer layer) {
        PortSums p = Integer.compareUnsigned(inPort, DIRECT_PORTS) < 0 ? direct.get(inPort) : far.get(inPort);
        return p == null ? 0 : p.bytes[layer.ordinal()].sum();
    }
}
