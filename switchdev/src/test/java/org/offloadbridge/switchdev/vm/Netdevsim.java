package org.offloadbridge.switchdev.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.offloadbridge.switchdev.DevlinkHandle;

/**
 * A netdevsim device (the kernel's reference switchdev driver) created through
 * /sys/bus/netdevsim for one test and deleted after it. Only in the kernel VM, where the
 * netdevsim module is loaded.
 */
final class Netdevsim implements AutoCloseable {
    static final Path BUS = Path.of("/sys/bus/netdevsim");

    final int id;
    final Path dir;

    private Netdevsim(int id) {
        this.id = id;
        this.dir = BUS.resolve("devices/netdevsim" + id);
    }

    static boolean available() {
        return Files.isWritable(BUS.resolve("new_device"));
    }

    /** A device with {@code ports} physical ports and an id no other test uses. */
    static Netdevsim create(int ports) throws Exception {
        final int id = 100 + ThreadLocalRandom.current().nextInt(100_000);
        Files.writeString(BUS.resolve("new_device"), id + " " + ports);
        final Netdevsim d = new Netdevsim(id);
        waitFor(() -> d.netdevs().size() >= ports, "netdevsim" + id + " netdevs");
        return d;
    }

    DevlinkHandle devlink() {
        return new DevlinkHandle("netdevsim", "netdevsim" + id);
    }

    /** The netdev names under the device (uplink ports and, in switchdev mode, VF representors). */
    List<String> netdevs() throws IOException {
        final Path net = dir.resolve("net");
        if (!Files.isDirectory(net)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(net)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void close() throws IOException {
        if (Files.exists(dir)) {
            Files.writeString(BUS.resolve("del_device"), Integer.toString(id));
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Waits up to 10 s for {@code c}; fails naming {@code what}. */
    static void waitFor(Check c, String what) throws Exception {
        final long end = System.nanoTime() + 10_000_000_000L;
        while (!c.ok()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after 10 s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
