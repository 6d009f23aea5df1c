package org.offloadbridge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A netdevsim e-switch in switchdev mode with the kernel test VM's flower patch
 * (tests/vm/netdevsim-flower-6.1.patch, docs/kernel-vm.md "The simulated e-switch"): its uplink
 * and VF representors take skip_sw flower filters into one table with a capacity, refuse what
 * the knobs say the "hardware" cannot do, and count what a test says it counted. Made in the
 * VM's root namespace (where netdevsim devices are born) with an id no other test uses, deleted
 * at {@link #close()}; every port is up with hw-tc-offload on.
 */
public final class SimulatedEswitch implements AutoCloseable {
    private static final Path BUS = Path.of("/sys/bus/netdevsim");

    /** Bits of the knobs, from the kernel's enums (include/net/flow_dissector.h, flow_offload.h). */
    public static final int KEY_ARP = 9;
    public static final int KEY_IP = 21;
    public static final int ACTION_REDIRECT = 4;
    public static final int ACTION_VLAN_PUSH = 8;
    public static final int ACTION_MANGLE = 13;

    /** One rule of the table, as {@code tc/rules} lists it. */
    public record Rule(int id, String dev, int prio, String cookie, long packets, long bytes, long usedMillis) {
        /** The key {@link #statsAdd} and {@link #evict} take for it. */
        public String key() {
            return "id:" + id;
        }
    }

    public final int id;
    public final String devlink;
    public final Path knobs;
    private final Map<Integer, String> representors = new TreeMap<>();
    private final String uplink;

    private SimulatedEswitch(int id, int vfs) throws IOException {
        this.id = id;
        this.devlink = "netdevsim/netdevsim" + id;
        this.knobs = Path.of("/sys/kernel/debug/netdevsim/netdevsim" + id + "/tc");
        Files.writeString(BUS.resolve("new_device"), id + " 1");
        try {
            Files.writeString(BUS.resolve("devices/netdevsim" + id + "/sriov_numvfs"), Integer.toString(vfs));
            Shell.ok("devlink", "dev", "eswitch", "set", devlink, "mode", "switchdev");
            String up = null;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (representors.size() < vfs || up == null) {
                representors.clear();
                up = null;
                for (String line : Shell.sh("for d in /sys/bus/netdevsim/devices/netdevsim" + id + "/net/*; do "
                        + "[ -e \"$d\" ] && echo \"$(basename $d) $(cat $d/phys_port_name 2>/dev/null)\"; done; true").split("\n")) {
                    String[] f = line.trim().split(" ");
                    if (f.length == 2 && f[1].startsWith("pf0vf")) {
                        representors.put(Integer.parseInt(f[1].substring(5)), f[0]);
                    } else if (f.length == 2 && f[1].matches("p[0-9]+")) {
                        up = f[0];
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(devlink + ": uplink " + up + " and " + vfs + " representors expected, saw " + representors);
                }
                if (representors.size() < vfs || up == null) {
                    Thread.sleep(50);
                }
            }
            this.uplink = up;
            for (String dev : ports()) {
                Shell.sh("ip link set " + dev + " up && ethtool -K " + dev + " hw-tc-offload on");
            }
            if (!Files.isDirectory(knobs)) {
                throw new IllegalStateException(knobs + " is missing: netdevsim is not the kernel test VM's patched one"
                    + " (tests/vm/netdevsim-flower-*.patch), or debugfs is not mounted");
            }
        } catch (RuntimeException | IOException e) {
            Files.writeString(BUS.resolve("del_device"), Integer.toString(id));
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Files.writeString(BUS.resolve("del_device"), Integer.toString(id));
            throw new IllegalStateException(e);
        }
    }

    /** An e-switch with one uplink and {@code vfs} VF representors. */
    public static SimulatedEswitch create(int vfs) throws IOException {
        return new SimulatedEswitch(1000 + ThreadLocalRandom.current().nextInt(1_000_000), vfs);
    }

    /** The uplink's netdev (phys_port_name p1: netdevsim numbers physical ports from 1). */
    public String uplink() {
        return uplink;
    }

    /** VF {@code vf}'s representor netdev (phys_port_name pf0vf{@code vf}). */
    public String representor(int vf) {
        String r = representors.get(vf);
        if (r == null) {
            throw new IllegalArgumentException("no representor of VF " + vf + ": " + representors);
        }
        return r;
    }

    /** The uplink and every representor. */
    public List<String> ports() {
        List<String> all = new ArrayList<>();
        all.add(uplink);
        all.addAll(representors.values());
        return all;
    }

    /** A knob's value as the file holds it (e.g. {@code capacity}, {@code count}). */
    public String knob(String name) {
        try {
            return Files.readString(knobs.resolve(name)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long number(String name) {
        return Long.parseLong(knob(name));
    }

    /** A bit-mask knob ({@code unsupported_keys}, {@code _actions}, {@code _mangle}: hex in the file). */
    public long mask(String name) {
        return Long.parseUnsignedLong(knob(name).replaceFirst("^0x", ""), 16);
    }

    public void setMask(String name, long bits) {
        set(name, "0x" + Long.toHexString(bits));
    }

    /** The "hardware" refuses one more FLOW_ACTION_* ({@code ACTION_*}). */
    public void refuseAction(int bit) {
        setMask("unsupported_actions", mask("unsupported_actions") | 1L << bit);
    }

    /** The "hardware" refuses one more FLOW_DISSECTOR_KEY_* ({@code KEY_*}). */
    public void refuseKey(int bit) {
        setMask("unsupported_keys", mask("unsupported_keys") | 1L << bit);
    }

    public void set(String name, String value) {
        try {
            Files.writeString(knobs.resolve(name), value);
        } catch (IOException e) {
            throw new UncheckedIOException(name + " ← " + value + ": " + e.getMessage(), e);
        }
    }

    public void capacity(int rules) {
        set("capacity", Integer.toString(rules));
    }

    /** Rules in the table now. */
    public int count() {
        return (int) number("count");
    }

    /** The table, oldest first. */
    public List<Rule> rules() {
        List<Rule> out = new ArrayList<>();
        for (String line : knob("rules").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> f = new TreeMap<>();
            for (String item : line.trim().split(" ")) {
                int c = item.indexOf(':');
                f.put(item.substring(0, c), item.substring(c + 1));
            }
            out.add(new Rule(Integer.parseInt(f.get("id")), f.get("dev"), Integer.parseInt(f.get("prio")), f.get("cookie"),
                Long.parseLong(f.get("packets")), Long.parseLong(f.get("bytes")),
                Long.parseLong(f.get("used").replace("ms", ""))));
        }
        return out;
    }

    /** The "hardware" counted {@code packets} and {@code bytes} more for the rule {@code key} names. */
    public void statsAdd(String key, long packets, long bytes) {
        set("stats_add", key + " " + packets + " " + bytes);
    }

    /** The "hardware" drops the rule {@code key} names on its own. */
    public void evict(String key) {
        set("evict", key);
    }

    @Override
    public void close() throws IOException {
        if (Files.exists(BUS.resolve("devices/netdevsim" + id))) {
            Files.writeString(BUS.resolve("del_device"), Integer.toString(id));
        }
    }
}
