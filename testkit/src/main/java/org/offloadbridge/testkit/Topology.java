package org.offloadbridge.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small network of the test's own: hosts that are network namespaces ({@code ip netns
 * add}), joined by veth pairs, with addresses and static neighbours; {@link #close()}
 * removes all of it. Everything goes through iproute2 ({@link Shell}), so what a test builds
 * is what an operator would type.
 *
 * <p>Names are unique per run — {@code ob-<purpose>-<pid>-<n>-<host>} — so two test JVMs
 * (two engineers, two modules in parallel) never share a namespace. Device names inside a
 * host's namespace are the test's own ({@code a0}, {@code b1}); a veth end left in the
 * initial namespace ({@link #root()}) must be unique on the machine, which
 * {@link #uniqueDevice(String)} gives.
 *
 * <pre>
 *   try (Topology t = Topology.create("ping")) {
 *       Topology.Host a = t.host("a"), b = t.host("b");
 *       t.veth(a, "a0", b, "b0");
 *       a.addr("a0", "10.0.0.1/24");
 *       b.addr("b0", "10.0.0.2/24");
 *       a.ok("ping", "-c", "1", "10.0.0.2");
 *   }
 * </pre>
 */
public final class Topology implements AutoCloseable {
    private static final AtomicInteger NEXT = new AtomicInteger();
    /** IFNAMSIZ - 1: the kernel's limit on a netdev name. */
    public static final int MAX_DEVICE_NAME = 15;

    private final String prefix;
    private final int run;
    private final List<Host> created = new ArrayList<>();
    private final List<String> rootDevices = new ArrayList<>();
    private final Host root = new Host(null, false);
    private int devices;

    private Topology(String purpose) {
        if (!purpose.matches("[a-z0-9][a-z0-9-]{0,19}")) {
            throw new IllegalArgumentException("topology purpose '" + purpose + "': want 1-20 of [a-z0-9-]");
        }
        this.run = NEXT.incrementAndGet();
        this.prefix = "ob-" + purpose + "-" + ProcessHandle.current().pid() + "-" + run;
    }

    public static Topology create(String purpose) {
        return new Topology(purpose);
    }

    /** The namespace prefix of this topology; every host's namespace name starts with it. */
    public String prefix() {
        return prefix;
    }

    /** A new host: namespace {@code <prefix>-<role>}, loopback up. Deleted on {@link #close()}. */
    public Host host(String role) {
        if (!role.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,19}")) {
            throw new IllegalArgumentException("host role '" + role + "': want 1-20 of [A-Za-z0-9_-]");
        }
        final Host h = new Host(prefix + "-" + role, true);
        Shell.ok("ip", "netns", "add", h.name);
        created.add(h);
        h.ip("link", "set", "lo", "up");
        return h;
    }

    /** A namespace someone else made and deletes (a test's "switch" namespace); never deleted here. */
    public Host existing(String netns) {
        return new Host(netns, false);
    }

    /** The initial network namespace (the test JVM's own); never deleted, but veth ends made in it are. */
    public Host root() {
        return root;
    }

    /** {@code base} plus a suffix unique to this run, at most {@value #MAX_DEVICE_NAME} characters: for devices in {@link #root()}. */
    public String uniqueDevice(String base) {
        final String suffix = Long.toString(ProcessHandle.current().pid() % 46_656, 36) + Integer.toString(run % 36, 36)
                + Integer.toString(devices++ % 36, 36);
        if (base.length() + suffix.length() > MAX_DEVICE_NAME) {
            throw new IllegalArgumentException("device base '" + base + "' too long for a unique name (max "
                    + (MAX_DEVICE_NAME - suffix.length()) + " characters)");
        }
        return base + suffix;
    }

    /**
     * A veth pair: {@code devA} in {@code a}, {@code devB} in {@code b}, both up. The pair
     * goes away with either namespace; an end in {@link #root()} is deleted on close.
     */
    public Topology veth(Host a, String devA, Host b, String devB) {
        checkDevice(devA);
        checkDevice(devB);
        // Made inside a's namespace with the peer put straight into b's: no name is ever in
        // the initial namespace unless the test asked for it there.
        final List<String> argv = new ArrayList<>(List.of("link", "add", devA, "type", "veth", "peer", "name", devB));
        if (b.name != null && !b.name.equals(a.name)) {
            argv.addAll(List.of("netns", b.name));
        } else if (b.name == null && a.name != null) {
            argv.addAll(List.of("netns", "1"));
        }
        a.ip(argv.toArray(String[]::new));
        if (a.name == null) {
            rootDevices.add(devA);
        } else if (b.name == null) {
            rootDevices.add(devB);
        }
        a.ip("link", "set", devA, "up");
        b.ip("link", "set", devB, "up");
        return this;
    }

    private static void checkDevice(String dev) {
        if (dev.isEmpty() || dev.length() > MAX_DEVICE_NAME || dev.contains("/") || dev.contains(" ")) {
            throw new IllegalArgumentException("device name '" + dev + "': want 1-" + MAX_DEVICE_NAME
                    + " characters, no '/' or space");
        }
    }

    /** Deletes every host made here (their devices with them) and the veth ends left in the initial namespace. */
    @Override
    public void close() {
        AssertionError first = null;
        for (String dev : rootDevices.reversed()) {
            Shell.run("ip", "link", "del", dev); // gone already when its peer's namespace went: fine
        }
        rootDevices.clear();
        for (Host h : created.reversed()) {
            final Shell.Result r = Shell.run("ip", "netns", "del", h.name);
            if (!r.ok() && first == null) {
                first = new AssertionError("cannot delete namespace " + h.name + ": " + r);
            }
        }
        created.clear();
        if (first != null) {
            throw first;
        }
    }

    /** One host: a network namespace ({@code name() == null} for the initial one). */
    public static final class Host {
        private final String name;
        private final boolean owned;

        private Host(String name, boolean owned) {
            this.name = name;
            this.owned = owned;
        }

        /** The namespace name ({@code ip netns exec <name>}), or null for the initial namespace. */
        public String name() {
            return name;
        }

        /** Whether this topology made the namespace (and deletes it). */
        public boolean owned() {
            return owned;
        }

        /** The argv that runs {@code command} in this host. */
        public String[] exec(String... command) {
            return name == null ? command : Shell.inNetns(name, command);
        }

        /** Runs {@code command} in this host; any exit status is returned. */
        public Shell.Result run(String... command) {
            return Shell.run(exec(command));
        }

        /** Runs {@code command} in this host; fails the test unless it exits 0; returns stdout. */
        public String ok(String... command) {
            return Shell.ok(exec(command));
        }

        /** A shell snippet in this host; fails the test unless it exits 0. */
        public String sh(String script) {
            return ok("sh", "-c", script);
        }

        /** {@code ip <args>} in this host. */
        public String ip(String... args) {
            final String[] argv = new String[args.length + 1];
            argv[0] = "ip";
            System.arraycopy(args, 0, argv, 1, args.length);
            return ok(argv);
        }

        /** {@code tc <args>} in this host. */
        public String tc(String... args) {
            final String[] argv = new String[args.length + 1];
            argv[0] = "tc";
            System.arraycopy(args, 0, argv, 1, args.length);
            return ok(argv);
        }

        /** {@code ip addr add <cidr> dev <dev>}. */
        public Host addr(String dev, String cidr) {
            ip("addr", "add", cidr, "dev", dev);
            return this;
        }

        /** A static neighbour ({@code ip neigh add}): no ARP, so only the packets a test sends cross. */
        public Host neigh(String dev, String ip, String mac) {
            ip("neigh", "add", ip, "lladdr", mac, "dev", dev);
            return this;
        }

        /**
         * No IPv6 in this host (router solicitations, DAD, MLD would cross the switch as traffic
         * of their own): a test that counts packets or upcalls sees only what it sends.
         */
        public Host noIpv6() {
            sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
            return this;
        }

        /** The device's MAC address as {@code aa:bb:cc:dd:ee:ff}. */
        public String mac(String dev) {
            return ok("cat", "/sys/class/net/" + dev + "/address").strip();
        }

        public int ifindex(String dev) {
            return Integer.parseInt(ok("cat", "/sys/class/net/" + dev + "/ifindex").strip());
        }

        @Override
        public String toString() {
            return name == null ? "(initial namespace)" : name;
        }
    }
}
