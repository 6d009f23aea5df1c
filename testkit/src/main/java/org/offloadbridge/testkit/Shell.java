package org.offloadbridge.testkit;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands for tests (iproute2, tc, ethtool, ping, tcpdump, python3), bounded in time,
 * the one way every module's tests do it.
 *
 * <p>stdout and stderr are read on their own threads while the command runs, so a command
 * with more output than a pipe holds (a big {@code tc -s filter show}) cannot block, and
 * they stay apart: {@link Result#out()} is what a test parses, {@link Result#err()} is what
 * the tool complained. Every run has a timeout ({@link #TIMEOUT} unless given); a command
 * still running then is killed and the test fails with what it printed so far. Failures are
 * {@link CommandFailed} (an {@link AssertionError}, so the test fails rather than errors)
 * naming the command, its exit status, stdout and stderr. stdin is /dev/null; a
 * command that needs environment variables runs as {@code env NAME=value... command}.
 *
 * <pre>
 *   String json = Shell.ok("tc", "-j", "filter", "show", "dev", "veth0", "ingress");
 *   Shell.Result r = Shell.run("ping", "-c", "1", "-W", "1", "10.0.0.2");   // exit status is the test's business
 *   Shell.sh("ip link add a type veth peer name b &amp;&amp; ip link set a up");    // a shell snippet
 *   try (Shell.Background dump = Shell.start("tcpdump", "-l", "-i", "b0")) {
 *       dump.awaitLine("listening on");
 *       ...
 *       String wire = dump.finish(10);
 *   }
 *   try (Shell.Background daemon = Shell.start(...)) {               // a service under test
 *       ...
 *       assertTrue(daemon.stop(30), "stops on SIGTERM");
 *       String log = daemon.finish(0);
 *   }
 * </pre>
 */
public final class Shell {
    /** Generous: a cold tool start over 9p in the TCG kernel VM takes a second or two. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Shell() {
    }

    /** What a command did; {@link #toString()} is what an assertion message should show. */
    public record Result(List<String> command, int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        /** stdout, then stderr: for a test that reads what a tool printed without caring on which stream. */
        public String output() {
            return out + err;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " → exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    /** A command that exited non-zero where the test needed success; carries the whole {@link Result}. */
    public static final class CommandFailed extends AssertionError {
        private static final long serialVersionUID = 1L;
        private final transient Result result;

        CommandFailed(Result result) {
            super("command failed: " + result);
            this.result = result;
        }

        public Result result() {
            return result;
        }
    }

    /** Runs {@code command} (argv, no shell) with the default {@link #TIMEOUT}; any exit status is returned. */
    public static Result run(String... command) {
        return run(TIMEOUT, command);
    }

    public static Result run(int timeoutSeconds, String... command) {
        return run(Duration.ofSeconds(timeoutSeconds), command);
    }

    public static Result run(Duration timeout, String... command) {
        final List<String> argv = List.of(command);
        final Process p = startProcess(argv, false);
        final Drain out = new Drain(p.getInputStream(), argv + " stdout");
        final Drain err = new Drain(p.getErrorStream(), argv + " stderr");
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", argv) + ": still running after " + timeout.toSeconds()
                        + " s, killed\nstdout so far: " + out.text() + "\nstderr so far: " + err.text());
            }
            return new Result(argv, p.exitValue(), out.finish(), err.finish());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", argv), e);
        }
    }

    /** Runs the command and fails the test ({@link CommandFailed}) unless it exits 0; returns its stdout. */
    public static String ok(String... command) {
        return ok(run(command));
    }

    /** {@link #ok(String...)} with a timeout of its own. */
    public static String ok(int timeoutSeconds, String... command) {
        return ok(run(timeoutSeconds, command));
    }

    private static String ok(Result r) {
        if (!r.ok()) {
            throw new CommandFailed(r);
        }
        return r.out();
    }

    /** Runs a shell snippet ({@code sh -c script}); fails the test unless it exits 0; returns its stdout. */
    public static String sh(String script) {
        return ok("sh", "-c", script);
    }

    /** {@code ip netns exec <netns> <command...>}; fails the test unless it exits 0; returns its stdout. */
    public static String ns(String netns, String... command) {
        return ok(inNetns(netns, command));
    }

    /** The argv that runs {@code command} inside {@code netns} ({@code ip netns exec}). */
    public static String[] inNetns(String netns, String... command) {
        final List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        argv.addAll(List.of(command));
        return argv.toArray(String[]::new);
    }

    /**
     * Starts a command in the background (tcpdump, a UDP receiver); its stdout and stderr are
     * collected together, in arrival order as the pipes deliver them, so a marker a tool
     * prints on stderr ("listening on") and its stdout can be awaited alike.
     */
    public static Background start(List<String> command) {
        return new Background(List.copyOf(command));
    }

    public static Background start(String... command) {
        return start(List.of(command));
    }

    /** A running command; {@link #close()} kills it if it still runs. */
    public static final class Background implements AutoCloseable {
        private final List<String> command;
        private final Process process;
        private final Drain output;

        private Background(List<String> command) {
            this.command = command;
            this.process = startProcess(command, true);
            this.output = new Drain(process.getInputStream(), command + " output");
        }

        /** Waits up to 10 s until the output has a line containing {@code marker}; fails the test otherwise. */
        public Background awaitLine(String marker) {
            return awaitLine(marker, Duration.ofSeconds(10));
        }

        public Background awaitLine(String marker, Duration timeout) {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (!output.text().contains(marker)) {
                if (!process.isAlive() && output.done()) {
                    if (output.text().contains(marker)) {
                        break;
                    }
                    throw new AssertionError(String.join(" ", command) + ": exited " + process.exitValue()
                            + " before printing '" + marker + "'; output: " + output.text());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(String.join(" ", command) + ": no '" + marker + "' within "
                            + timeout.toSeconds() + " s; output so far: " + output.text());
                }
                sleep(10);
            }
            return this;
        }

        /** What it printed so far (stdout and stderr together). */
        public String output() {
            return output.text();
        }

        /**
         * Waits up to {@code timeoutSeconds} for it to exit, else stops it ({@link #stop(int)}
         * with 2 s of grace), and returns everything it printed. A tool stopped this way has
         * still printed what it captured (tcpdump -l flushes per line).
         */
        public String finish(int timeoutSeconds) {
            if (!awaitExit(timeoutSeconds)) {
                stop(2);
            }
            return output.finish();
        }

        /** Waits up to {@code timeoutSeconds} for it to exit on its own; true if it did (it is left running otherwise). */
        public boolean awaitExit(int timeoutSeconds) {
            try {
                return process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + String.join(" ", command), e);
            }
        }

        /**
         * Stops it as an operator would: SIGTERM, then up to {@code graceSeconds} for it to exit;
         * true if it did, else it is killed (SIGKILL) and false. {@link #finish(int) finish(0)}
         * then returns all it printed, {@link #exit()} its status (143 after SIGTERM unless it
         * handles the signal).
         */
        public boolean stop(int graceSeconds) {
            // Signals through the handle: Process.destroy() would also close our end of the
            // pipe, losing what the command prints on its way out (a summary, a last log line).
            process.toHandle().destroy();
            if (awaitExit(graceSeconds)) {
                return true;
            }
            process.toHandle().destroyForcibly();
            awaitExit(5);
            return false;
        }

        /** Whether it still runs. */
        public boolean isAlive() {
            return process.isAlive();
        }

        /** Its process id (for a test that hands the process to the code under test, e.g. a namespace by pid). */
        public long pid() {
            return process.pid();
        }

        /** The exit status; fails the test if it still runs. */
        public int exit() {
            if (process.isAlive()) {
                throw new AssertionError(String.join(" ", command) + " still runs");
            }
            return process.exitValue();
        }

        /** Kills it (SIGKILL) if it still runs, and waits up to 5 s for it to be gone. */
        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static Process startProcess(List<String> argv, boolean mergeErr) {
        try {
            return new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(mergeErr).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Copies one pipe into memory on a thread of its own, so the child never blocks writing it. */
    private static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in, String what) {
            this.thread = Thread.ofPlatform().daemon().name("shell-drain " + what).start(() -> {
                final byte[] buf = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        synchronized (bytes) {
                            bytes.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process was killed and the pipe closed under us: keep what arrived
                }
            });
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        boolean done() {
            return !thread.isAlive();
        }

        /** Everything, once the pipe has closed (the process exited; a grandchild holding it open gets 5 s). */
        String finish() {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return text();
        }
    }
}
