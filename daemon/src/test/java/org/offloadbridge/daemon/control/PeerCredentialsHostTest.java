package org.offloadbridge.daemon.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.testkit.Shell;

/**
 * Access control with real credentials: obctl runs as {@code nobody} (through {@code setpriv},
 * so this needs root, as every host test does) against a server owned by root, over the real
 * socket. A refused user must get the refusal and its command must not run: every command here
 * counts its runs. The JVM's class path is copied where {@code nobody} can read it, since the
 * build tree and ~/.m2 are usually not. The policy's rules on their own: {@link PeerPolicyTest}.
 */
@Tag("host")
class PeerCredentialsHostTest {
    private static Path dir;
    private static String classPath;

    private ControlServer server;
    private AgentRunner runner;
    /** Runs of any command: a refused peer's command must not run. */
    private final AtomicInteger runs = new AtomicInteger();

    @BeforeAll
    static void copyClassPath() throws IOException {
        assertEquals("root", System.getProperty("user.name"), "host tests run as root (README, Build and test): obctl runs as nobody");
        assertTrue(new File("/usr/bin/setpriv").canExecute(), "setpriv (util-linux) runs obctl as nobody");
        dir = Files.createTempDirectory("ob-peer");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cp = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = dir.resolve("cp" + i++ + (Files.isDirectory(src) ? "" : ".jar"));
            copy(src, dst);
            cp.add(dst.toString());
        }
        classPath = String.join(File.pathSeparator, cp);
    }

    private static void copy(Path src, Path dst) throws IOException {
        if (!Files.isDirectory(src)) {
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (Stream<Path> s = Files.walk(dst)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    @AfterAll
    static void removeCopy() throws IOException {
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    private Path start(String group) throws IOException {
        Path socket = dir.resolve("obctl-" + group + ".sock");
        server = new ControlServer(new ControlServer.Context(socket, group, PeerPolicy.forGroup(group), MonotonicClock.SYSTEM, 5_000, 60_000, 8));
        server.register("whoami", "", args -> {
            runs.incrementAndGet();
            return Reply.ok("hello\n");
        });
        server.open();
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, server);
        AgentRunner.startOnThread(runner);
        return socket;
    }

    record Result(int status, String out, String err) {
    }

    private static Result obctlAsNobody(String group, Path socket, String... args) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=" + group, "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
                ObctlMain.class.getName(), "--socket", socket.toString()));
        cmd.addAll(List.of(args));
        Shell.Result r = Shell.run(60, cmd.toArray(String[]::new));
        return new Result(r.exit(), r.out(), r.err());
    }

    @Test
    void socketFileBelongsToTheGroup() throws Exception {
        Path socket = start("nogroup");
        assertEquals("nogroup", Files.readAttributes(socket, java.nio.file.attribute.PosixFileAttributes.class).group().getName());
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void memberOfTheGroupIsServed() throws Exception {
        Path socket = start("nogroup");
        Result r = obctlAsNobody("nogroup", socket, "whoami");
        assertEquals(new Result(0, "hello\n", ""), r);
        assertEquals(1, runs.get(), "the member's command ran");
        assertEquals(0, server.counters().refusedPeers());
    }

    @Test
    void outsiderCannotConnectThroughTheFileMode() throws Exception {
        Path socket = start("root");
        Result r = obctlAsNobody("nogroup", socket, "whoami");
        assertEquals(3, r.status, r.toString());
        assertTrue(r.err.startsWith("obctl: cannot connect to " + socket + ": Permission denied (EACCES)"), r.err);
        assertEquals(0, server.counters().refusedPeers(), "the kernel refused it before we saw it");
        assertEquals(0, runs.get(), "the outsider's command did not run");
    }

    @Test
    void outsiderIsRefusedOnCredentialsWhenTheModeIsLoosened() throws Exception {
        Path socket = start("root");
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Result r = obctlAsNobody("nogroup", socket, "whoami");
        assertEquals(1, r.status, r.toString());
        assertEquals("", r.out);
        assertEquals("obctl: whoami: permission denied: user nobody is not root, not root and not in group root"
                + " (add it with: usermod -aG root nobody)\n", r.err);
        assertEquals(1, server.counters().refusedPeers());
        assertEquals(0, runs.get(), "the outsider's command did not run");
    }
}
