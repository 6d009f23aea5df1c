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
    /** Tunnel ports by the datapath port of the tunnel device they share (one per UDP port). */
    private final Map<Integer, List<BridgePort>> tunnelsByDpPort = new HashMap<>();

    public PortTable(Collection<BridgePort> ports) {
        this.ports = List.copyOf(ports);
        for (BridgePort p : this.ports) {
            if (byName.putIfAbsent(p.name(), p) != null) {
                throw new IllegalArgumentException("duplicate port name " + p.name());
            }
            if (byOfPort.putIfAbsent(p.ofPort(), p) != null) {
                throw new IllegalArgumentException("duplicate OpenFlow port number " + p.ofPort() + " (" + p.name() + ")");
            }
            if (p.isTunnel()) {
                tunnelsByDpPort.computeIfAbsent(p.dpPort(), k -> new java.util.ArrayList<>()).add(p);
            } else if (byDpPort.putIfAbsent(p.dpPort(), p) != null) {
                throw new IllegalArgumentException("duplicate datapath port number " + p.dpPort() + " (" + p.name() + ")");
            }
        }
        for (Integer dp : tunnelsByDpPort.keySet()) {
            if (byDpPort.containsKey(dp)) {
                throw new IllegalArgumentException("datapath port " + dp + " is both port " + byDpPort.get(dp).name()
                    + " and a tunnel device (" + tunnelsByDpPort.get(dp).get(0).name() + ")");
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

    /** The plain port with datapath number {@code dpPort}; null for a tunnel device, whose port the packet's tunnel decides. */
    public BridgePort byDpPort(int dpPort) {
        return byDpPort.get(dpPort);
    }

    /** Families of the tunnel ports on tunnel device {@code dpPort}: {@link #V4} and/or {@link #V6} bits, 0 for none. */
    public int tunnelFamilies(int dpPort) {
        List<BridgePort> ts = tunnelsByDpPort.get(dpPort);
        int f = 0;
        if (ts != null) {
            for (BridgePort p : ts) {
                f |= p.tunnel().isIpv6() ? V6 : V4;
            }
        }
        return f;
    }

    public static final int V4 = 1, V6 = 2;

    /** Whether {@code dpPort} is a tunnel device that tunnel ports share ({@link #tunnelPort}). */
    public boolean isTunnelDevice(int dpPort) {
        return tunnelsByDpPort.containsKey(dpPort);
    }

    /**
     * The tunnel port a packet received on tunnel device {@code dpPort} belongs to, as OVS's
     * tnl_find picks it: the local address must be the port's; then a port with this remote and
     * this key, else one with this remote and {@code key=flow}, else {@code remote_ip=flow} with
     * this key, else {@code remote_ip=flow} and {@code key=flow}; null when none is.
     *
     * @param tunSrc the outer source (the remote), host order
     * @param tunDst the outer destination (ours), host order
     */
    public BridgePort tunnelPort(int dpPort, long tunId, int tunSrc, int tunDst) {
        return tunnelPort(dpPort, tunId, false, tunSrc, 0, tunDst, 0);
    }

    /**
     * As {@link #tunnelPort(int, long, int, int)}, for either IP version: with {@code ipv6} the
     * addresses are {@code srcHi/srcLo} and {@code dstHi/dstLo} (network order), else the low 32
     * bits of {@code srcHi} and {@code dstHi}.
     */
    public BridgePort tunnelPort(int dpPort, long tunId, boolean ipv6, long srcHi, long srcLo, long dstHi, long dstLo) {
        List<BridgePort> ts = tunnelsByDpPort.get(dpPort);
        if (ts == null) {
            return null;
        }
        for (int pass = 0; pass < 4; pass++) {
            boolean remoteFlow = pass >= 2;
            boolean keyFlow = (pass & 1) != 0;
            for (BridgePort p : ts) {
                var t = p.tunnel();
                if (t.isIpv6() != ipv6 || t.remoteFlow() != remoteFlow || t.keyFlow() != keyFlow || (!keyFlow && t.key() != tunId)) {
                    continue;
                }
                boolean local = ipv6 ? t.ipv6().localHi() == dstHi && t.ipv6().localLo() == dstLo : t.localIp() == (int) dstHi;
                boolean remote = remoteFlow
                    || (ipv6 ? t.ipv6().remoteHi() == srcHi && t.ipv6().remoteLo() == srcLo : t.remoteIp() == (int) srcHi);
                if (local && remote) {
                    return p;
                }
            }
        }
        return null;
    }
}
