package org.offloadbridge.tests.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command and captures its exit status and output; every run is bounded in time. */
final class Shell {
    /** Generous: a cold tool start over 9p under TCG takes a second or two. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Shell() {}

    /** What a command did; {@link #toString()} is what an assertion message should show. */
    record Result(List<String> command, int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " → exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    static Result run(String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            // Drain both pipes concurrently so a chatty command cannot block on a full pipe.
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": still running after " + TIMEOUT);
            }
            return new Result(List.of(command), p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", command), e);
        }
    }

    /** Runs the command and fails the test, showing its output, unless it exits 0. */
    static String ok(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new AssertionError("command failed: " + r);
        }
        return r.out();
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
