package org.offloadbridge.netlink;

import java.util.ServiceLoader;

/** Finds the test-only {@link NetlinkFaultInjector}, if one is on the class path; see there. */
final class NetlinkFaults {
    /** Null in production: the project ships no provider. */
    private static final NetlinkFaultInjector INJECTOR =
        ServiceLoader.load(NetlinkFaultInjector.class, NetlinkFaults.class.getClassLoader()).findFirst().orElse(null);

    private NetlinkFaults() {
    }

    /** {@code t} itself, or {@code t} behind the injector when one is present and active. */
    static NetlinkTransport requests(NetlinkTransport t, NetlinkProtocol protocol) {
        NetlinkFaultInjector in = INJECTOR;
        return in != null && in.active() ? new FaultyTransport(t, protocol, in, false) : t;
    }

    /** As {@link #requests}, for an event subscription's socket. */
    static NetlinkTransport events(NetlinkTransport t, NetlinkProtocol protocol) {
        NetlinkFaultInjector in = INJECTOR;
        return in != null && in.active() ? new FaultyTransport(t, protocol, in, true) : t;
    }
}
