package org.offloadbridge.systemd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A test-only way to hang the daemon on purpose, so that a test can watch systemd's watchdog
 * kill it and restart it ({@code tests/vm/systemd-test}). <b>Off unless the environment variable
 * {@value #ENV} names a trigger file</b>; the shipped unit does not set it, only the test's
 * drop-in does. When it is set and that file exists, {@code offload-bridge run}'s main loop stops:
 * no more {@code WATCHDOG=1}, no more progress, as a deadlocked daemon. It still leaves on SIGTERM
 * (the shutdown hook's stop), so a test that stops it by hand is not held up.
 *
 * <p>Only the file's existence is read, once per main-loop pass (a {@code stat(2)} every third
 * of the watchdog interval); nothing is read when the variable is unset.
 */
final class DebugHangHook {
    /** The environment variable that arms the hook: an absolute path of the trigger file. */
    static final String ENV = "OB_DEBUG_HANG_HOOK";

    private final Path trigger;

    private DebugHangHook(Path trigger) {
        this.trigger = trigger;
    }

    /** From {@code env}: armed when {@value #ENV} holds an absolute path, off otherwise. */
    static DebugHangHook from(Map<String, String> env) {
        String v = env.get(ENV);
        if (v == null || v.isBlank() || !v.startsWith("/")) {
            return new DebugHangHook(null);
        }
        return new DebugHangHook(Path.of(v));
    }

    /** The trigger file, when armed. */
    Optional<Path> trigger() {
        return Optional.ofNullable(trigger);
    }

    /** Whether the main loop should hang now: armed, and the trigger file exists. */
    boolean triggered() {
        return trigger != null && Files.exists(trigger);
    }
}
