package org.offloadbridge.switchdev.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.offloadbridge.switchdev.Problem;
import org.offloadbridge.switchdev.SwitchId;

/**
 * Reads the switchdev facts of netdevs from sysfs, under a root that tests point at a
 * recorded tree.
 *
 * <p>What the kernel does that matters here (net/core/net-sysfs.c): reading
 * {@code phys_port_name} or {@code phys_switch_id} of a netdev whose driver has no such
 * thing fails with EOPNOTSUPP, and newer kernels hide the file instead; both mean "none",
 * not an error. {@code device} is a symlink to the parent device, absent for virtual netdevs
 * (veth, vxlan); the device's {@code subsystem} link names its bus. Any other read failure
 * is reported as a {@link Problem} naming the path, and the fact is left out.
 */
public final class SysfsReader {
    private final Path root;

    /** @param root the sysfs mount, normally {@code /sys} */
    public SysfsReader(Path root) {
        this.root = Objects.requireNonNull(root);
    }

    public static SysfsReader system() {
        return new SysfsReader(Path.of("/sys"));
    }

    public Path root() {
        return root;
    }

    /** Thrown when the netdev's directory does not exist: it went away (or was renamed). */
    public static final class NoSuchNetdevException extends IOException {
        public NoSuchNetdevException(String name, Path dir) {
            super("netdev " + name + " not found at " + dir + " (gone or renamed)");
        }
    }

    /** The netdev names under class/net, sorted. */
    public List<String> netdevNames() throws IOException {
        final List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("class/net"))) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        }
        names.sort(null);
        return names;
    }

    public SysfsNetdev read(String name) throws NoSuchNetdevException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a netdev name: '" + name + "'");
        }
        final Path dir = root.resolve("class/net").resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchNetdevException(name, dir);
        }
        final List<Problem> problems = new ArrayList<>();
        final int ifindex = readInt(dir.resolve("ifindex"), problems);
        final String ppn = readOptional(dir.resolve("phys_port_name"), problems);
        SwitchId sid = null;
        final Path sidPath = dir.resolve("phys_switch_id");
        final String sidText = readOptional(sidPath, problems);
        if (sidText != null && !sidText.isEmpty()) {
            try {
                sid = SwitchId.parseHex(sidText);
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(sidPath.toString(), e.getMessage()));
            }
        }
        String bus = null;
        String devName = null;
        String driver = null;
        String physfn = null;
        int numVfs = -1;
        int totalVfs = -1;
        final Path device = dir.resolve("device");
        if (Files.exists(device)) {
            devName = linkTargetName(device, problems);
            bus = linkTargetName(device.resolve("subsystem"), problems);
            if (Files.exists(device.resolve("driver"))) {
                driver = linkTargetName(device.resolve("driver"), problems);
            }
            if (Files.exists(device.resolve("physfn"))) {
                physfn = linkTargetName(device.resolve("physfn"), problems);
            }
            if (Files.exists(device.resolve("sriov_numvfs"))) {
                numVfs = readInt(device.resolve("sriov_numvfs"), problems);
            }
            if (Files.exists(device.resolve("sriov_totalvfs"))) {
                totalVfs = readInt(device.resolve("sriov_totalvfs"), problems);
            }
        } else if (Files.isSymbolicLink(device)) {
            problems.add(new Problem(device.toString(), "dangling device link"));
        }
        return new SysfsNetdev(name, ifindex, ppn, sid, bus, devName, driver, numVfs, totalVfs, physfn, problems);
    }

    /**
     * Sets {@code device/sriov_numvfs} of a PF netdev. The kernel refuses to go from one
     * non-zero count to another (EBUSY), so a change between two non-zero counts writes 0
     * first — what an operator does by hand.
     */
    public void setNumVfs(String pfNetdev, int numVfs) throws IOException {
        if (numVfs < 0) {
            throw new IllegalArgumentException("numVfs must be >= 0, got " + numVfs);
        }
        final Path p = root.resolve("class/net").resolve(pfNetdev).resolve("device/sriov_numvfs");
        final int now;
        try {
            now = Integer.parseInt(Files.readString(p).strip());
        } catch (NoSuchFileException e) {
            throw new IOException(p + ": no such file: " + pfNetdev + " is not an SR-IOV PF (or is gone)", e);
        } catch (NumberFormatException e) {
            throw new IOException(p + ": not a number", e);
        }
        if (now == numVfs) {
            return;
        }
        if (now != 0 && numVfs != 0) {
            write(p, "0");
        }
        write(p, Integer.toString(numVfs));
    }

    private static void write(Path p, String value) throws IOException {
        try {
            Files.writeString(p, value);
        } catch (IOException e) {
            throw new IOException("writing '" + value + "' to " + p + ": " + reason(e), e);
        }
    }

    /** File content without the trailing newline; null when absent or EOPNOTSUPP; problem on other errors. */
    private static String readOptional(Path p, List<Problem> problems) {
        try {
            return Files.readString(p).strip();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            if ("Operation not supported".equals(e.getMessage())) {
                return null;
            }
            problems.add(new Problem(p.toString(), "unreadable: " + reason(e)));
            return null;
        }
    }

    private static int readInt(Path p, List<Problem> problems) {
        try {
            return Integer.parseInt(Files.readString(p).strip());
        } catch (NumberFormatException e) {
            problems.add(new Problem(p.toString(), "not a number"));
            return -1;
        } catch (IOException e) {
            problems.add(new Problem(p.toString(), "unreadable: " + reason(e)));
            return -1;
        }
    }

    private static String linkTargetName(Path link, List<Problem> problems) {
        try {
            return link.toRealPath().getFileName().toString();
        } catch (IOException e) {
            problems.add(new Problem(link.toString(), "cannot resolve link: " + reason(e)));
            return null;
        }
    }

    private static String reason(IOException e) {
        final String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }
}
