package org.offloadbridge.netlink;

import java.util.concurrent.atomic.AtomicInteger;

/** Names for throwaway test namespaces: unique per JVM and per test, so parallel builds never collide. */
final class HostNetns {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private HostNetns() {
    }

    static NetNs create(String prefix) {
        return NetNs.create(prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    }
}
