package org.offloadbridge.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Linux capabilities the daemon needs, checked once at start so that a missing one is said
 * in one line naming it — not found later as an EPERM from the first tc request, half-way through
 * attaching ports. Read from {@code /proc/self/status} ({@code CapEff}), as the kernel judges the
 * calling thread; the unit grants exactly these (AmbientCapabilities).
 */
public final class Capabilities {
    /** A capability, its number (linux/capability.h) and what the daemon does with it. */
    public enum Cap {
        CAP_NET_ADMIN(12, "tc qdiscs, filters and actions, links and devlink (rtnetlink and generic netlink writes)"),
        CAP_NET_RAW(13, "packet sockets: the slow path's miss devices and DPDK's af_packet ports");

        final int bit;
        final String why;

        Cap(int bit, String why) {
            this.bit = bit;
            this.why = why;
        }
    }

    private Capabilities() {
    }

    /** The effective set of {@code statusText} (a {@code /proc/PID/status}), or -1 when it has no CapEff line. */
    static long effective(String statusText) {
        for (String line : statusText.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
            }
        }
        return -1;
    }

    /** What {@code capEff} lacks of what the daemon needs, one line each: the capability and why. */
    static List<String> missing(long capEff) {
        List<String> out = new ArrayList<>();
        for (Cap c : Cap.values()) {
            if ((capEff & (1L << c.bit)) == 0) {
                out.add(c.name() + " (" + c.why + ")");
            }
        }
        return out;
    }

    /**
     * Null when this process has every capability the daemon needs; otherwise the message to
     * stop with, naming each missing one.
     */
    public static String checkSelf() {
        long eff;
        try {
            eff = effective(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            return null; // no procfs: the kernel's own EPERM will say it
        }
        if (eff < 0) {
            return null;
        }
        List<String> m = missing(eff);
        if (m.isEmpty()) {
            return null;
        }
        return "missing capabilit" + (m.size() == 1 ? "y " : "ies ") + String.join(", ", m) + "; this process has CapEff="
            + String.format("%016x", eff) + ". Run as root, or grant them (the unit's AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW"
            + " CAP_IPC_LOCK; docs/systemd.md)";
    }
}
