package org.offloadbridge.tc;

import java.util.concurrent.atomic.AtomicInteger;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Shell;

/**
 * A test's own network namespace (the "switch") in the kernel VM, with helpers to add veth
 * pairs and read ifindexes; {@link #close()} deletes it and everything in it.
 */
final class VmNet implements AutoCloseable {
    private static final AtomicInteger NEXT = new AtomicInteger();

    final String name;
    final NetNs ns;

    VmNet(String purpose) {
        this.name = "obtc-" + purpose + "-" + NEXT.incrementAndGet();
        this.ns = NetNs.create(name);
    }

    /** {@code ip -n <ns> link add a type veth peer name b}, both up. */
    void veth(String a, String b) {
        sh("ip link add " + a + " type veth peer name " + b + " && ip link set " + a + " up && ip link set " + b + " up");
    }

    int ifindex(String dev) {
        return Integer.parseInt(sh("cat /sys/class/net/" + dev + "/ifindex").trim());
    }

    /** Runs a shell snippet inside the namespace; fails the test unless it exits 0. */
    String sh(String script) {
        return Shell.sh("ip netns exec " + name + " sh -c '" + script.replace("'", "'\\''") + "'");
    }

    Shell.Result run(String script) {
        return Shell.run("ip", "netns", "exec", name, "sh", "-c", script);
    }

    TcOffload offload(TcPolicy policy) {
        return ns.call(() -> TcOffload.open(policy, TcPorts.IDENTITY));
    }

    @Override
    public void close() {
        ns.close();
    }
}
