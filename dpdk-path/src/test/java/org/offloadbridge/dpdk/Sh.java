package org.offloadbridge.dpdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host commands (ip, ethtool, ping, tcpdump, python3) for the netns tests, bounded in time. */
final class Sh {

    private Sh() {
    }

    record Result(int exit, String out) {
    }

    static Result run(int timeoutSeconds, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + timeoutSeconds + "s: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, "cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Runs and fails the test with the command's output unless it exits 0. */
    static String ok(String... cmd) {
        Result r = run(30, cmd);
        if (r.exit() != 0) {
            throw new AssertionError("command failed (exit " + r.exit() + "): " + String.join(" ", cmd) + "\n" + r.out());
        }
        return r.out();
    }

    static String ns(String netns, String... cmd) {
        String[] full = new String[cmd.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = netns;
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        return ok(full);
    }

    /** A background process (tcpdump, a UDP receiver) whose output is read at the end. */
    static Process start(List<String> cmd) {
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + cmd, e);
        }
    }

    static String finish(Process p, int timeoutSeconds) {
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroy();
                p.waitFor(2, TimeUnit.SECONDS);
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
