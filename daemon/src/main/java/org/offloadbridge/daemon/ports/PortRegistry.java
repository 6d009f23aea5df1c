package org.offloadbridge.daemon.ports;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.offloadbridge.daemon.slowpath.MissDevices;
import org.offloadbridge.tc.TcPorts;
import org.offloadbridge.upcall.handler.PortFacts;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.PortTable;

/**
 * The bridge's ports: name, datapath port number (flow keys and actions), OpenFlow number
 * (rules), the netdev's ifindex (tc), its e-switch, and its miss device (the slow path).
 * Readers on handler and revalidator threads see one immutable {@link Snapshot}, swapped whole
 * on a change (one volatile write), so they never block; changes come from one control thread.
 *
 * <p>It answers the three mappings the layers need: {@link TcPorts} (port number ⇄ ifindex for
 * tc), {@link PortFacts} (the install decision's questions) and the pipeline's {@link PortTable}.
 */
public final class PortRegistry implements TcPorts, PortFacts {

    /**
     * One attached port.
     *
     * @param name    netdev name
     * @param dpPort  datapath port number (1..)
     * @param ofPort  OpenFlow port number rules use
     * @param ifindex the netdev's ifindex
     * @param eswitch the e-switch it is a representor/uplink of (devlink handle text), or null
     * @param miss    its miss device
     * @param tunnelPorts for a VXLAN device, the tunnel ports it carries (the pipeline's ports
     *                in its place; {@code ofPort} is then 0); empty for a plain port
     */
    public record Entry(String name, int dpPort, int ofPort, int ifindex, String eswitch, MissDevices.MissDevice miss,
                        List<BridgePort> tunnelPorts) {
        public Entry {
            tunnelPorts = List.copyOf(tunnelPorts);
        }

        /** A plain port. */
        public Entry(String name, int dpPort, int ofPort, int ifindex, String eswitch, MissDevices.MissDevice miss) {
            this(name, dpPort, ofPort, ifindex, eswitch, miss, List.of());
        }

        /** Whether this is a VXLAN device whose packets belong to tunnel ports. */
        public boolean isTunnelDevice() {
            return !tunnelPorts.isEmpty();
        }
    }

    /** An immutable view of every attached port. */
    public record Snapshot(List<Entry> entries, Map<Integer, Entry> byDpPort, Map<Integer, Entry> byIfindex,
                           Map<String, Entry> byName) {
        static final Snapshot EMPTY = new Snapshot(List.of(), Map.of(), Map.of(), Map.of());

        static Snapshot of(List<Entry> entries) {
            Map<Integer, Entry> dp = new HashMap<>();
            Map<Integer, Entry> ifx = new HashMap<>();
            Map<String, Entry> names = new HashMap<>();
            for (Entry e : entries) {
                dp.put(e.dpPort(), e);
                ifx.put(e.ifindex(), e);
                names.put(e.name(), e);
            }
            return new Snapshot(List.copyOf(entries), Map.copyOf(dp), Map.copyOf(ifx), Map.copyOf(names));
        }
    }

    private volatile Snapshot snapshot = Snapshot.EMPTY;

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Adds a port; its numbers must be free. Returns the entry. */
    public synchronized Entry add(Entry e) {
        Snapshot s = snapshot;
        if (s.byName().containsKey(e.name())) {
            throw new IllegalArgumentException("port " + e.name() + " is attached already");
        }
        if (s.byDpPort().containsKey(e.dpPort())) {
            throw new IllegalArgumentException("port " + e.name() + ": datapath port " + e.dpPort() + " is taken by "
                + s.byDpPort().get(e.dpPort()).name());
        }
        List<Entry> next = new ArrayList<>(s.entries());
        next.add(e);
        snapshot = Snapshot.of(next);
        return e;
    }

    /** Replaces the entry of the same name and datapath port (a tunnel device whose tunnel ports changed). */
    public synchronized Entry replace(Entry e) {
        Snapshot s = snapshot;
        Entry old = s.byName().get(e.name());
        if (old == null || old.dpPort() != e.dpPort()) {
            throw new IllegalArgumentException("port " + e.name() + ": no entry with datapath port " + e.dpPort() + " to replace");
        }
        List<Entry> next = new ArrayList<>(s.entries());
        next.set(next.indexOf(old), e);
        snapshot = Snapshot.of(next);
        return e;
    }

    /** Removes the port named {@code name}; returns its entry, or null. */
    public synchronized Entry remove(String name) {
        Snapshot s = snapshot;
        Entry e = s.byName().get(name);
        if (e == null) {
            return null;
        }
        List<Entry> next = new ArrayList<>(s.entries());
        next.remove(e);
        snapshot = Snapshot.of(next);
        return e;
    }

    /** The lowest datapath port number not in use (numbers start at 1). */
    public synchronized int nextDpPort() {
        int n = 1;
        while (snapshot.byDpPort().containsKey(n)) {
            n++;
        }
        return n;
    }

    /** The lowest OpenFlow port number neither in use nor in {@code reserved} (numbers start at 1). */
    public synchronized int nextOfPort(java.util.Collection<Integer> reserved) {
        java.util.Set<Integer> taken = new java.util.HashSet<>(reserved);
        for (Entry e : snapshot.entries()) {
            taken.add(e.ofPort());
            e.tunnelPorts().forEach(t -> taken.add(t.ofPort()));
        }
        int n = 1;
        while (taken.contains(n)) {
            n++;
        }
        return n;
    }

    /** The pipeline's view: name, OpenFlow number, datapath number, in attach order (flood order). */
    public PortTable portTable() {
        List<BridgePort> ports = new ArrayList<>();
        for (Entry e : snapshot.entries()) {
            if (e.isTunnelDevice()) {
                ports.addAll(e.tunnelPorts());
            } else {
                ports.add(new BridgePort(e.name(), e.ofPort(), e.dpPort()));
            }
        }
        return new PortTable(ports);
    }

    @Override
    public int ifindexOf(int port) {
        Entry e = snapshot.byDpPort().get(port);
        return e == null ? -1 : e.ifindex();
    }

    @Override
    public int portOf(int ifindex) {
        Entry e = snapshot.byIfindex().get(ifindex);
        return e == null ? -1 : e.dpPort();
    }

    @Override
    public boolean exists(int dpPort) {
        return snapshot.byDpPort().containsKey(dpPort);
    }

    @Override
    public boolean tcCapable(int dpPort) {
        return snapshot.byDpPort().containsKey(dpPort); // every attached port is a netdev
    }

    @Override
    public String eswitch(int dpPort) {
        Entry e = snapshot.byDpPort().get(dpPort);
        return e == null ? null : e.eswitch();
    }
}
