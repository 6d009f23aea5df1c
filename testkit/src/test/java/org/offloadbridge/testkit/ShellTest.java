package org.offloadbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shell against real /bin/sh: no deadlock on big output, the streams kept apart, timeouts, and what a failure says. */
class ShellTest {

    @Test
    void bigOutputOnBothStreamsDoesNotBlock() {
        // 4 MiB on stdout and 1 MiB on stderr, far more than a pipe holds (64 KiB): reading
        // only after the process exits would hang here until the timeout.
        Shell.Result r = Shell.run(20, "sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 4194304 /dev/zero | tr '\\0' o");
        assertTrue(r.ok(), r::toString);
        assertEquals(4 * 1024 * 1024, r.out().length());
        assertEquals(1024 * 1024, r.err().length());
        assertTrue(r.out().chars().allMatch(c -> c == 'o'));
        assertTrue(r.err().chars().allMatch(c -> c == 'e'));
    }

    @Test
    void okReturnsStdoutAndFailureNamesCommandExitAndStderr() {
        assertEquals("hi\n", Shell.ok("echo", "hi"));
        assertEquals("a b\n", Shell.sh("echo a b"));
        Shell.CommandFailed f = assertThrows(Shell.CommandFailed.class, () -> Shell.sh("echo out; echo oops >&2; exit 3"));
        assertEquals(3, f.result().exit());
        assertEquals(List.of("sh", "-c", "echo out; echo oops >&2; exit 3"), f.result().command());
        String m = f.getMessage();
        assertTrue(m.contains("sh -c echo out; echo oops >&2; exit 3 → exit 3"), m);
        assertTrue(m.contains("stdout: out\n"), m);
        assertTrue(m.contains("stderr: oops\n"), m);
    }

    @Test
    void runReturnsNonZeroExitWithoutThrowing() {
        Shell.Result r = Shell.run("sh", "-c", "exit 7");
        assertFalse(r.ok());
        assertEquals(7, r.exit());
    }

    @Test
    void outputIsStdoutThenStderr() {
        assertEquals("out\nerr\n", Shell.run("sh", "-c", "echo err >&2; echo out").output());
    }

    @Test
    void aCommandThatCannotStartIsNamed() {
        AssertionError e = assertThrows(AssertionError.class, () -> Shell.run("/nonexistent/tool", "x"));
        assertTrue(e.getMessage().startsWith("cannot start /nonexistent/tool x"), e.getMessage());
    }

    @Test
    void timeoutKillsAndShowsOutputSoFar() {
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> Shell.run(1, "sh", "-c", "echo started; exec sleep 30"));
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "killed at the timeout, not after sleep 30");
        assertTrue(e.getMessage().contains("still running after 1 s, killed"), e.getMessage());
        assertTrue(e.getMessage().contains("stdout so far: started"), e.getMessage());
    }

    @Test
    void nsBuildsIpNetnsExec() {
        assertEquals(List.of("ip", "netns", "exec", "n1", "tc", "-V"), List.of(Shell.inNetns("n1", "tc", "-V")));
    }

    @Test
    void backgroundAwaitsAMarkerOnEitherStreamAndFinishReturnsAllOutput() {
        try (Shell.Background b = Shell.start("sh", "-c", "echo listening on x >&2; read -t 5 line < /dev/null; echo one; echo two")) {
            b.awaitLine("listening on");
            String all = b.finish(10);
            assertTrue(all.contains("listening on x\n") && all.contains("one\ntwo\n"), all);
            assertEquals(0, b.exit());
        }
    }

    @Test
    void backgroundThatNeverPrintsTheMarkerFailsWithItsOutput() {
        try (Shell.Background b = Shell.start("sh", "-c", "echo nope; exit 2")) {
            AssertionError e = assertThrows(AssertionError.class, () -> b.awaitLine("ready", Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("exited 2 before printing 'ready'"), e.getMessage());
            assertTrue(e.getMessage().contains("nope"), e.getMessage());
        }
    }

    @Test
    void finishStopsAStillRunningCommand() {
        try (Shell.Background b = Shell.start("sh", "-c", "echo ready; exec sleep 30")) {
            b.awaitLine("ready");
            long t0 = System.nanoTime();
            assertEquals("ready\n", b.finish(1));
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        }
    }

    @Test
    void stopSendsSigtermAndReportsWhetherItEndedInTime() {
        try (Shell.Background polite = Shell.start("sh", "-c", "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.1; done");
             Shell.Background stubborn = Shell.start("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done")) {
            polite.awaitLine("ready");
            stubborn.awaitLine("ready");
            assertTrue(polite.pid() > 0);
            assertFalse(polite.awaitExit(0), "still runs");
            assertTrue(polite.stop(10));
            assertEquals("ready\nbye\n", polite.finish(0));
            assertEquals(0, polite.exit());
            assertFalse(stubborn.stop(1), "ignores SIGTERM, so it is killed");
            assertEquals(137, stubborn.exit());
        }
    }
}
