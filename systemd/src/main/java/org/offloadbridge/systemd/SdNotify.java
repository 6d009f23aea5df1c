package org.offloadbridge.systemd;

import java.io.IOException;
import java.util.Map;
import org.offloadbridge.systemd.internal.NotifySocket;

/**
 * sd_notify(3) for the daemon: READY once ports are attached and adopted flows reconciled,
 * STATUS lines for {@code systemctl status}, WATCHDOG pings from the main loop, RELOADING /
 * READY around a reload, STOPPING on SIGTERM.
 *
 * <p>Outside systemd ({@code NOTIFY_SOCKET} unset) every call is a no-op returning false, so the
 * daemon calls these unconditionally. A send that fails under systemd throws: a daemon whose
 * READY never arrives is killed at {@code TimeoutStartSec}, and its log should say why.
 *
 * <p>The datagram goes out through JNA ({@link NotifySocket}); no libsystemd is needed.
 */
public final class SdNotify {
    private final String socket;
    private final long watchdogMillis;

    private SdNotify(String socket, long watchdogMillis) {
        this.socket = socket;
        this.watchdogMillis = watchdogMillis;
    }

    /** From this process's environment. */
    public static SdNotify fromEnvironment() {
        return from(System.getenv(), ProcessHandle.current().pid());
    }

    /**
     * From {@code env} as if this process's pid were {@code pid}: {@code NOTIFY_SOCKET}, and
     * {@code WATCHDOG_USEC} when {@code WATCHDOG_PID} is unset or names {@code pid} (systemd sets
     * it so a child that inherited the environment does not think the watchdog is its own).
     */
    public static SdNotify from(Map<String, String> env, long pid) {
        String s = env.get("NOTIFY_SOCKET");
        if (s != null && s.isEmpty()) {
            s = null;
        }
        long wd = 0;
        String usec = env.get("WATCHDOG_USEC");
        String wpid = env.get("WATCHDOG_PID");
        if (usec != null && (wpid == null || wpid.equals(Long.toString(pid)))) {
            try {
                long v = Long.parseLong(usec.strip());
                wd = v > 0 ? Math.max(1, v / 1000) : 0;
            } catch (NumberFormatException e) {
                wd = 0; // as sd_watchdog_enabled: a value it cannot read means no watchdog
            }
        }
        return new SdNotify(s, wd);
    }

    /** Whether JNA reaches libc here; when not, see {@link #unavailabilityCause()}. */
    public static boolean isAvailable() {
        return NotifySocket.isAvailable();
    }

    public static Throwable unavailabilityCause() {
        return NotifySocket.unavailabilityCause();
    }

    /** Whether a service manager is listening ({@code NOTIFY_SOCKET} set). */
    public boolean isEnabled() {
        return socket != null;
    }

    /**
     * The watchdog interval systemd expects pings within ({@code WatchdogSec}), or 0 when there is
     * no watchdog for this process. Ping at half of it, as sd_watchdog_enabled(3) advises.
     */
    public long watchdogIntervalMillis() {
        return watchdogMillis;
    }

    public boolean ready() throws IOException {
        return send("READY=1");
    }

    /** A one-line status for {@code systemctl status}; line breaks become blanks. */
    public boolean status(String text) throws IOException {
        return send("STATUS=" + text.replace('\n', ' ').replace('\r', ' '));
    }

    public boolean watchdog() throws IOException {
        return send("WATCHDOG=1");
    }

    public boolean stopping() throws IOException {
        return send("STOPPING=1");
    }

    /**
     * A reload has begun; send {@link #ready()} when it is done. Carries MONOTONIC_USEC, which
     * systemd's notify-reload needs to tell this reload from an older one.
     */
    public boolean reloading() throws IOException {
        if (socket == null) {
            return false;
        }
        return send("RELOADING=1\nMONOTONIC_USEC=" + NotifySocket.monotonicMicros());
    }

    /**
     * Sends raw assignments ({@code "KEY=VALUE\n..."}).
     *
     * @return true if sent, false when not under a service manager
     * @throws IOException when the socket is set but the datagram could not be sent
     */
    public boolean send(String assignments) throws IOException {
        if (socket == null) {
            return false;
        }
        NotifySocket.send(socket, assignments);
        return true;
    }

    @Override
    public String toString() {
        return socket == null ? "sd_notify off (NOTIFY_SOCKET unset)" : "sd_notify to " + socket
                + (watchdogMillis > 0 ? ", watchdog " + watchdogMillis + " ms" : "");
    }
}
