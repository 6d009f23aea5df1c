package org.offloadbridge.upcall.pipeline;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of the bridge's ports: name, OpenFlow number and datapath number.
 *
 * <p>Rules name ports by name or OpenFlow number; flow keys and datapath actions carry
 * datapath numbers. The pipeline holds one snapshot and swaps it whole when ports change
 * (which bumps its sequence number, since a port change can change a translation).
 */
public final class PortTable {
    private final List<BridgePort> ports;
    private final Map<String, BridgePort> byName = new HashMap<>();
    private final Map<Integer, BridgePort> byOfPort = new HashMap<>();
    private final Map<Integer, BridgePort> byDpPort = new HashMap<>();

    public PortTable(Collection<BridgePort> ports) {
        this.ports = List.copyOf(ports);
        for (BridgePort p : this.ports) {
            if (byName.putIfAbsent(p.name(), p) != null) {
                throw new IllegalArgumentException("duplicate port name " + p.name());
            }
            if (byOfPort.putIfAbsent(p.ofPort(), p) != null) {
                throw new IllegalArgumentException("duplicate OpenFlow port number " + p.ofPort() + " (" + p.name() + ")");
            }
            if (byDpPort.putIfAbsent(p.dpPort(), p) != null) {
                throw new IllegalArgumentException("duplicate datapath port number " + p.dpPort() + " (" + p.name() + ")");
            }
        }
    }

    public static PortTable of(BridgePort... ports) {
        return new PortTable(List.of(ports));
    }

    public static PortTable empty() {
        return new PortTable(List.of());
    }

    /** Ports in the order given, which is the order flood and all output them. */
    public List<BridgePort> ports() {
        return ports;
    }

    public BridgePort byName(String name) {
        return byName.get(name);
    }

    public BridgePort byOfPort(int ofPort) {
        return byOfPort.get(ofPort);
    }

    public BridgePort byDpPort(int dpPort) {
        return byDpPort.get(dpPort);
    }
}
