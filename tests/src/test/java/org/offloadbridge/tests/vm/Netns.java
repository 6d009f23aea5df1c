package org.offloadbridge.tests.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of the test's own ({@code ip netns add}), deleted on close, so tests
 * neither see nor leave each other's links, qdiscs and filters.
 */
final class Netns implements AutoCloseable {
    private static final AtomicInteger NEXT = new AtomicInteger();

    final String name;

    Netns(String purpose) {
        this.name = "obvm-" + purpose + "-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet();
        Shell.ok("ip", "netns", "add", name);
    }

    /** {@code ip netns exec <ns> <command...>}: the command sees this namespace's links and sysfs. */
    String[] exec(String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(command));
        return argv.toArray(String[]::new);
    }

    /** {@code tc -n <ns> <args...>}. */
    String[] tc(String... args) {
        List<String> argv = new ArrayList<>(List.of("tc", "-n", name));
        argv.addAll(List.of(args));
        return argv.toArray(String[]::new);
    }

    /** {@code ip -n <ns> <args...>}. */
    String[] ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return argv.toArray(String[]::new);
    }

    @Override
    public void close() {
        Shell.ok("ip", "netns", "del", name);
    }
}
