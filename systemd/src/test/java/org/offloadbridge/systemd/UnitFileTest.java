package org.offloadbridge.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.testkit.Shell;

/**
 * The unit file as systemd reads it: {@code systemd-analyze verify} must have nothing to say,
 * and the settings the design promises are there. verify insists the Exec binaries exist, so it
 * checks a copy whose {@code /usr/bin/offload-bridge} and {@code /usr/bin/obctl} point at stand-ins.
 */
class UnitFileTest {
    static final Path UNIT = Path.of("offload-bridge.service");
    static final Path SYSUSERS = Path.of("offload-bridge.sysusers");

    @TempDir
    Path dir;

    record Run(int status, String output) {
    }

    /** Exit status and all the tool printed (systemd-analyze speaks on stderr). */
    private static Run run(List<String> cmd) {
        Shell.Result r = Shell.run(60, cmd.toArray(String[]::new));
        return new Run(r.exit(), r.output());
    }

    private Path copyWithStandIns(String unitText) throws Exception {
        Path standIn = dir.resolve("bin-stand-in");
        Files.writeString(standIn, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path copy = dir.resolve("offload-bridge.service");
        Files.writeString(copy, unitText.replace("/usr/bin/offload-bridge", standIn.toString()).replace("/usr/bin/obctl", standIn.toString()));
        return copy;
    }

    private static void assumeTool(String tool) {
        assumeTrue(new File("/usr/bin/" + tool).canExecute() || new File("/bin/" + tool).canExecute(), tool + " is not installed");
    }

    @Test
    void systemdAnalyzeVerifyIsClean() throws Exception {
        assumeTool("systemd-analyze");
        Path copy = copyWithStandIns(Files.readString(UNIT));
        Run r = run(List.of("systemd-analyze", "verify", "--man=no", copy.toString()));
        assertEquals(new Run(0, ""), new Run(r.status, r.output.lines().filter(l -> l.contains(copy.getFileName().toString())).reduce("", (a, b) -> a + b + "\n")),
                "verify output: " + r.output);
    }

    @Test
    void systemdAnalyzeVerifyCatchesABrokenCopy() throws Exception {
        assumeTool("systemd-analyze");
        // verify exits 0 on many warnings, so the test above reads its output; this shows it would speak.
        Path copy = copyWithStandIns(Files.readString(UNIT).replace("Restart=on-failure", "Restart=on-failur"));
        Run r = run(List.of("systemd-analyze", "verify", "--man=no", copy.toString()));
        assertTrue(r.output.contains("Failed to parse service restart specifier"), r.output);
    }

    @Test
    void theSettingsThePackagePromises() throws Exception {
        Map<String, List<String>> s = service(Files.readString(UNIT));
        assertEquals(List.of("notify"), s.get("Type"));
        assertEquals(List.of("main"), s.get("NotifyAccess"));
        assertEquals(List.of("30s"), s.get("WatchdogSec"));
        assertEquals(List.of("offload-bridge"), s.get("User"));
        assertEquals(List.of("offload-bridge"), s.get("Group"));
        assertEquals(List.of("CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK"), s.get("AmbientCapabilities"));
        assertEquals(s.get("AmbientCapabilities"), s.get("CapabilityBoundingSet"));
        assertEquals(List.of("strict"), s.get("ProtectSystem"));
        assertEquals(List.of("yes"), s.get("ProtectHome"));
        assertEquals(List.of("yes"), s.get("PrivateTmp"));
        assertEquals(List.of("yes"), s.get("NoNewPrivileges"));
        assertEquals(List.of("AF_UNIX AF_NETLINK AF_PACKET AF_INET AF_INET6"), s.get("RestrictAddressFamilies"));
        assertEquals(List.of("offload-bridge"), s.get("RuntimeDirectory"));
        assertEquals(List.of("on-failure"), s.get("Restart"));
        assertEquals(List.of("/usr/bin/obctl reload"), s.get("ExecReload"));
        assertTrue(s.get("ExecStart").get(0).startsWith("/usr/bin/offload-bridge run --config /etc/offload-bridge/offload-bridge.conf"));
        assertTrue(s.get("ExecStartPre").get(0).startsWith("/usr/bin/offload-bridge check"));
        assertEquals(null, s.get("MemoryDenyWriteExecute"), "the JIT writes code");
    }

    /** The [Service] section's assignments, comments and other sections left out. */
    private static Map<String, List<String>> service(String unit) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        boolean in = false;
        for (String l : unit.lines().toList()) {
            String t = l.strip();
            if (t.startsWith("[")) {
                in = t.equals("[Service]");
            } else if (in && !t.isEmpty() && !t.startsWith("#")) {
                int eq = t.indexOf('=');
                out.computeIfAbsent(t.substring(0, eq), k -> new ArrayList<>()).add(t.substring(eq + 1));
            }
        }
        return out;
    }

    @Test
    void sysusersCreatesTheUserAndGroup() throws Exception {
        assumeTool("systemd-sysusers");
        Files.createDirectories(dir.resolve("root/etc"));
        Run r = run(List.of("systemd-sysusers", "--dry-run", "--root=" + dir.resolve("root"), SYSUSERS.toAbsolutePath().toString()));
        assertEquals(0, r.status, r.output);
        assertTrue(r.output.contains("Creating group 'offload-bridge'"), r.output);
        assertTrue(r.output.contains("Creating user 'offload-bridge' (offload-bridge flow offload daemon)"), r.output);
    }
}
