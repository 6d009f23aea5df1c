package org.offloadbridge.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test-only hang hook is off unless the environment arms it, and then follows its file. */
class DebugHangHookTest {
    @TempDir
    Path dir;

    @Test
    void offWithoutTheVariableEvenWhenAFileIsThere() throws Exception {
        Files.createFile(dir.resolve("debug-hang"));
        DebugHangHook h = DebugHangHook.from(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"));
        assertEquals(Optional.empty(), h.trigger());
        assertFalse(h.triggered());
    }

    @Test
    void offWhenBlankOrRelative() {
        assertFalse(DebugHangHook.from(Map.of(DebugHangHook.ENV, "")).trigger().isPresent());
        assertFalse(DebugHangHook.from(Map.of(DebugHangHook.ENV, "  ")).trigger().isPresent());
        assertFalse(DebugHangHook.from(Map.of(DebugHangHook.ENV, "debug-hang")).trigger().isPresent());
    }

    @Test
    void armedFollowsTheTriggerFile() throws Exception {
        Path f = dir.resolve("debug-hang");
        DebugHangHook h = DebugHangHook.from(Map.of(DebugHangHook.ENV, f.toString()));
        assertEquals(Optional.of(f), h.trigger());
        assertFalse(h.triggered(), "armed, but no file yet");
        Files.createFile(f);
        assertTrue(h.triggered());
    }
}
