package org.offloadbridge.ebpf;

import org.offloadbridge.netlink.Errno;

/**
 * The kernel refused a program: the errno, and for a verifier refusal the verifier's own log,
 * whose last lines say which instruction and why (e.g. {@code R2 !read_ok}).
 */
public final class BpfException extends RuntimeException {
    private final int errnoValue;
    private final String verifierLog;

    public BpfException(String operation, int errnoValue, String verifierLog) {
        super(format(operation, errnoValue, verifierLog));
        this.errnoValue = errnoValue;
        this.verifierLog = verifierLog == null ? "" : verifierLog;
    }

    private static String format(String operation, int errno, String log) {
        Errno e = Errno.of(errno);
        String what = e == Errno.UNKNOWN ? "errno " + errno : e.name() + " (" + e.description() + ")";
        String s = operation + ": " + what;
        if (errno == Errno.EPERM.value()) {
            s += " — loading eBPF programs needs CAP_BPF and CAP_NET_ADMIN (the daemon runs as root or with both)";
        }
        if (log != null && !log.isBlank()) {
            s += "; the verifier said:\n" + tail(log, 12);
        }
        return s;
    }

    /** The last {@code n} lines: where the verifier stopped and why. */
    private static String tail(String log, int n) {
        String[] lines = log.strip().split("\n");
        int from = Math.max(0, lines.length - n);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    public Errno errno() {
        return Errno.of(errnoValue);
    }

    public int errnoValue() {
        return errnoValue;
    }

    /** The verifier's whole log ("" when the refusal came before the verifier ran). */
    public String verifierLog() {
        return verifierLog;
    }
}
