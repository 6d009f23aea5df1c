package org.offloadbridge.netlink;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.offloadbridge.netlink.internal.LibC;

/**
 * A named network namespace ({@code /run/netns/NAME}, as {@code ip netns} manages them)
 * and a thread living inside it.
 *
 * <p>Why a thread: setns(2) moves only the calling thread, and a netlink socket belongs for
 * life to the namespace it was created in. So code that must act inside a namespace opens
 * its sockets through {@link #call}, which runs on a dedicated platform thread that entered
 * the namespace once; the sockets can then be used from any thread.
 *
 * <pre>
 *   try (NetNs ns = NetNs.create("t-" + id)) {            // ip netns add
 *       NetlinkConnection rt = ns.call(() -&gt; NetlinkConnection.open(NetlinkProtocol.ROUTE));
 *       ...
 *   }                                                      // ip netns del, thread stopped
 * </pre>
 */
public final class NetNs implements AutoCloseable {
    private final String name;
    private final boolean owned;
    private final int fd;
    private final ExecutorService thread;

    private NetNs(String name, boolean owned) {
        String bad = invalidName(name);
        if (bad != null) {
            throw new IllegalArgumentException("netns name '" + printable(name) + "' " + bad);
        }
        this.name = name;
        this.owned = owned;
        LibC.ensureAvailable();
        String path = "/run/netns/" + name;
        int f = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (f < 0) {
            throw new NetlinkException("open(" + path + ")", LibC.errno());
        }
        this.fd = f;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
        try {
            thread.submit(() -> {
                if (LibC.setns(fd, LibC.CLONE_NEWNET) != 0) {
                    throw new NetlinkException("setns(" + path + ", CLONE_NEWNET)", LibC.errno());
                }
                return null;
            }).get();
        } catch (InterruptedException | ExecutionException e) {
            thread.shutdownNow();
            LibC.close(fd);
            Throwable c = e instanceof ExecutionException ? e.getCause() : e;
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        }
    }

    /** Opens the existing namespace {@code name}; {@link #close()} leaves it in place. */
    public static NetNs open(String name) {
        return new NetNs(name, false);
    }

    /**
     * Creates {@code name} with {@code ip netns add} (iproute2, root) and opens it;
     * {@link #close()} deletes it again. Meant for tests and tools.
     */
    public static NetNs create(String name) {
        ip("netns", "add", name);
        try {
            return new NetNs(name, true);
        } catch (RuntimeException e) {
            try {
                ip("netns", "del", name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Null when {@code name} can name a file in /run/netns as {@code ip netns} would create it,
     * else why not: empty, {@code .} or {@code ..}, a '/' ({@code ../../proc/1/ns/net} would
     * open another path), a NUL (the C string would end there and open another namespace), or
     * longer than NAME_MAX (255).
     */
    static String invalidName(String name) {
        if (name.isEmpty()) {
            return "is empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "is not a name (a namespace is a file in /run/netns)";
        }
        if (name.length() > 255) {
            return "is longer than 255 characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/') {
                return "has a '/' at position " + (i + 1) + ": give the name of a file in /run/netns (ip netns list)";
            }
            if (c == 0) {
                return "has a NUL at position " + (i + 1);
            }
        }
        return null;
    }

    /** {@code s} with control characters escaped and at most 64 characters, for messages. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 64); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return s.length() > 64 ? sb.append('…').toString() : sb.toString();
    }

    /** Runs {@code ip ARGS...} and returns its stdout; throws with its stderr when it fails. */
    public static String ip(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return run(cmd);
    }

    /** Runs a command (with a 30 s bound) and returns its stdout; throws with its output when it fails. */
    public static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + new String(err).trim());
            }
            return new String(out);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", cmd) + ": interrupted", e);
        }
    }

    /** Runs {@code ip -n NAME ARGS...} inside this namespace. */
    public String ipIn(String... args) {
        String[] a = new String[args.length + 2];
        a[0] = "-n";
        a[1] = name;
        System.arraycopy(args, 0, a, 2, args.length);
        return ip(a);
    }

    public String name() {
        return name;
    }

    /** A file descriptor on the namespace (for IFLA_NET_NS_FD); valid until {@link #close()}. */
    public int fd() {
        return fd;
    }

    /** Runs {@code task} on the thread inside this namespace and returns its result. */
    public <T> T call(Callable<T> task) {
        Future<T> f = thread.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running in netns " + name, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException("in netns " + name + ": " + c, c);
        }
    }

    /** Runs {@code task} on the thread inside this namespace. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Stops the thread, closes the fd and, when {@link #create} made the namespace, deletes it. */
    @Override
    public void close() {
        thread.shutdownNow();
        LibC.close(fd);
        if (owned) {
            ip("netns", "del", name);
        }
    }
}
