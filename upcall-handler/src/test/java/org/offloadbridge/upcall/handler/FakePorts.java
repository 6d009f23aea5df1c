package org.offloadbridge.upcall.handler;

import java.util.HashMap;
import java.util.Map;

/** Port facts set by hand: which ports exist, which are tc netdevs, which e-switch each is on. */
public final class FakePorts implements PortFacts {
    private record Facts(boolean tc, String eswitch) {}

    private final Map<Integer, Facts> ports = new HashMap<>();

    /** Ports 1..n, all tc netdevs on e-switch {@code sw0}. */
    public static FakePorts oneSwitch(int n) {
        FakePorts p = new FakePorts();
        for (int i = 1; i <= n; i++) {
            p.port(i, true, "pci/0000:08:00.0");
        }
        return p;
    }

    public FakePorts port(int dpPort, boolean tcCapable, String eswitch) {
        ports.put(dpPort, new Facts(tcCapable, eswitch));
        return this;
    }

    @Override
    public boolean exists(int dpPort) {
        return ports.containsKey(dpPort);
    }

    @Override
    public boolean tcCapable(int dpPort) {
        Facts f = ports.get(dpPort);
        return f != null && f.tc();
    }

    @Override
    public String eswitch(int dpPort) {
        Facts f = ports.get(dpPort);
        return f == null ? null : f.eswitch();
    }
}
