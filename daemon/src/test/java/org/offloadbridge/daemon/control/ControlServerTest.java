package org.offloadbridge.daemon.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.testkit.Shell;

class ControlServerTest {
    @TempDir
    Path dir;

    private ControlServer server;
    private AgentRunner runner;
    private final AtomicLong now = new AtomicLong(1_000);

    private Path socket() {
        return dir.resolve("obctl.sock");
    }

    private ControlServer newServer(PeerPolicy policy) throws IOException {
        server = new ControlServer(new ControlServer.Context(socket(), null, policy, now::get, 5_000, 60_000, 4));
        server.register("echo", "WORD...", args -> Reply.ok(String.join(" ", args) + "\n"));
        server.register("fail", "", args -> Reply.failed("it failed"));
        server.register("boom", "", args -> {
            throw new IllegalStateException("kaput");
        });
        server.register("slow", "", args -> {
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.ok("late\n");
        });
        server.register("big", "N", args -> Reply.ok("x".repeat(Integer.parseInt(args.get(0)))));
        server.open();
        return server;
    }

    private void runInBackground() {
        runner = new AgentRunner(new org.offloadbridge.daemon.AwaitingIdleStrategy(server::await, 100), Throwable::printStackTrace, null, server);
        AgentRunner.startOnThread(runner);
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        } else if (server != null) {
            server.close();
        }
    }

    private static PeerPolicy everyone() {
        return new PeerPolicy("root", "root", Set.of());
    }

    record Obctl(int status, String out, String err) {
    }

    private Obctl obctl(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int st = ObctlMain.run(args, out, err);
        return new Obctl(st, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void socketFileIsMode0660() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));
    }

    @Test
    void roundTrips() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        runInBackground();
        Reply r = ControlClient.call(socket(), "echo", List.of("a", "b c", "ü"), 5_000);
        assertEquals(new Reply(0, "a b c ü\n", null), r);
        Obctl o = obctl("--socket", socket().toString(), "echo", "hello", "--flag");
        assertEquals(new Obctl(0, "hello --flag\n", ""), o);
        o = obctl("-s", socket().toString(), "fail");
        assertEquals(new Obctl(1, "", "obctl: fail: it failed\n"), o);
        o = obctl("-s", socket().toString(), "boom");
        assertEquals(1, o.status);
        assertTrue(o.err.contains("boom failed: java.lang.IllegalStateException: kaput"), o.err);
        o = obctl("-s", socket().toString(), "big", "3000000");
        assertEquals(0, o.status);
        assertEquals(3_000_001, o.out.length(), "a reply larger than the socket buffer arrives whole");
    }

    @Test
    void aLargeReplyGoesOutAsFastAsTheClientReadsItNotOneSocketBufferPerIdleSleep() throws Exception {
        // 20 MB is about a hundred socket buffers (net.core.wmem_default, 208 KB). A server that
        // idled whenever the client's socket was full slept some 30 times sending it (3.1 s with
        // 100 ms sleeps, before the fix): about 6 s here. Sent as the client reads, well under 1 s.
        newServer(everyone());
        runner = new AgentRunner(new SleepingMillisIdleStrategy(200), Throwable::printStackTrace, null, server);
        AgentRunner.startOnThread(runner);
        long t0 = System.nanoTime();
        Reply r = ControlClient.call(socket(), "big", List.of("20000000"), 30_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(20_000_000, r.text().length());
        assertTrue(ms < 2_500, "20 MB reply took " + ms + " ms: paced by the 200 ms idle sleep?");
    }

    @Test
    void listCommandsAndHelp() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        runInBackground();
        Obctl o = obctl("-s", socket().toString(), "list-commands");
        assertEquals(new Obctl(0, "The available commands are:\n  big N\n  boom\n  echo WORD...\n  fail\n  list-commands\n  slow\n", ""), o);
        assertEquals(new Obctl(0, "usage: obctl echo WORD...\n", ""), obctl("-s", socket().toString(), "echo", "--help"));
        Obctl help = obctl("--help");
        assertEquals(0, help.status);
        assertTrue(help.out.contains("Usage: obctl [-hV] [-s=PATH] [-T=SECS] COMMAND [ARG...]"), help.out);
        assertTrue(help.out.contains("3   cannot reach the daemon"), help.out);
    }

    @Test
    void unknownCommandIsAUsageError() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        runInBackground();
        Obctl o = obctl("-s", socket().toString(), "dump-flwos");
        assertEquals(new Obctl(2, "", "obctl: dump-flwos: \"dump-flwos\" is not a valid command (obctl list-commands lists them)\n"), o);
        assertEquals(2, obctl("--no-such-option", "x").status);
        assertEquals(2, obctl().status, "COMMAND is required");
    }

    @Test
    void replyLaterThanTheTimeoutIsExitThree() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        runInBackground();
        Obctl o = obctl("-s", socket().toString(), "-T", "1", "slow");
        assertEquals(new Obctl(3, "", "obctl: no reply from " + socket() + " within 1000 ms (the daemon is busy or hung)\n"), o);
        assertEquals(2, obctl("-s", socket().toString(), "-T", "-1", "slow").status, "a negative timeout is a usage error");
    }

    @Test
    void unreachableDaemonIsExitThreeWithPathAndCause() {
        Obctl o = obctl("-s", dir.resolve("absent.sock").toString(), "list-commands");
        assertEquals(3, o.status);
        assertEquals("obctl: cannot connect to " + dir.resolve("absent.sock")
                + ": No such file or directory (ENOENT): is offload-bridge running? (systemctl status offload-bridge)\n", o.err);
    }

    @Test
    void staleSocketIsReplacedLiveOneIsNot() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        ControlServer second = new ControlServer(new ControlServer.Context(socket(), null, everyone(), now::get, 5_000, 60_000, 4));
        IOException e = assertThrows(IOException.class, second::open);
        assertTrue(e.getMessage().contains("is in use: another offload-bridge is running"), e.getMessage());
        // A socket file nobody listens on (a daemon that died): bind it to a throwaway channel and drop it.
        Path stale = dir.resolve("stale.sock");
        var ch = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(stale));
        ch.close();
        assertTrue(Files.exists(stale));
        ControlServer third = new ControlServer(new ControlServer.Context(stale, null, everyone(), now::get, 5_000, 60_000, 4));
        third.open();
        third.close();
        assertTrue(Files.notExists(stale), "close removes the socket file");
    }

    private static SocketChannel raw(Path p) throws IOException {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(p));
        ch.configureBlocking(false);
        return ch;
    }

    /** Drives the server by hand until the raw client has a whole reply (or EOF: null). */
    private Reply readReply(SocketChannel ch) throws Exception {
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        ReplyReader reader = new ReplyReader(status -> text);
        for (int i = 0; i < 10_000; i++) {
            server.doWork();
            try {
                if (reader.readFrom(ch)) {
                    return new Reply(reader.status(), text.toString(StandardCharsets.UTF_8), reader.json());
                }
            } catch (java.io.EOFException e) {
                return null;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no reply");
    }

    @Test
    void oversizedRequestIsRefusedWithAClearError() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        try (SocketChannel ch = raw(socket())) {
            ch.write(ByteBuffer.allocate(4).putInt(0, ControlProtocol.MAX_REQUEST_BYTES + 1));
            Reply r = readReply(ch);
            assertEquals(new Reply(1, "request too large: 1048577 bytes; the limit is 1048576", null), r);
        }
        for (int i = 0; i < 5; i++) {
            server.doWork();
        }
        assertEquals(0, server.openConnections());
    }

    @Test
    void malformedRequestIsAUsageError() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        try (SocketChannel ch = raw(socket())) {
            byte[] b = "[1,2]".getBytes(StandardCharsets.UTF_8);
            ch.write(ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).flip());
            assertEquals(new Reply(2, "malformed request: body is not a JSON object", null), readReply(ch));
        }
    }

    @Test
    void serverSurvivesAClientThatLeavesMidRequest() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        SocketChannel ch = raw(socket());
        ch.write(ByteBuffer.allocate(14).putInt(100).put(new byte[10]).flip());
        for (int i = 0; i < 5; i++) {
            server.doWork();
        }
        assertEquals(1, server.openConnections());
        ch.close();
        for (int i = 0; i < 50 && server.openConnections() > 0; i++) {
            server.doWork();
            Thread.sleep(1);
        }
        assertEquals(0, server.openConnections());
        runInBackground();
        assertEquals(new Reply(0, "still here\n", null), ControlClient.call(socket(), "echo", List.of("still", "here"), 5_000));
    }

    @Test
    void silentClientTimesOut() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        try (SocketChannel ch = raw(socket())) {
            server.doWork();
            server.doWork();
            assertEquals(1, server.openConnections());
            now.addAndGet(4_999);
            server.doWork();
            assertEquals(1, server.openConnections());
            now.addAndGet(1);
            server.doWork();
            assertEquals(0, server.openConnections());
            assertEquals(1, server.counters().timedOutConnections());
            assertNull(readReply(ch), "closed without a reply");
        }
    }

    @Test
    void tooManyConnectionsAreToldTheDaemonIsBusy() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        SocketChannel[] idle = new SocketChannel[4];
        for (int i = 0; i < idle.length; i++) {
            idle[i] = raw(socket());
        }
        for (int i = 0; i < 5; i++) {
            server.doWork();
        }
        assertEquals(4, server.openConnections());
        try (SocketChannel fifth = raw(socket())) {
            Reply r = readReply(fifth);
            assertEquals(1, r.status());
            assertTrue(r.text().startsWith("the daemon is busy: 4 control connections are open"), r.text());
        }
        for (SocketChannel c : idle) {
            c.close();
        }
        assertEquals(1, server.counters().busyRejections());
    }

    @Test
    void binObctlFromTheBuildTree() throws Exception {
        Path script = Path.of("..", "bin", "obctl").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(script), script + " is the launcher the build tree ships");
        newServer(new PeerPolicy("root", "root", Set.of()));
        runInBackground();
        Shell.Result r = Shell.run(60, script.toString(), "--socket", socket().toString(), "echo", "from", "bin/obctl");
        assertEquals("from bin/obctl\n", r.output());
        assertEquals(0, r.exit());
    }

    @Test
    void bashCompletionIsGenerated() throws Exception {
        Path completion = Path.of("target", "obctl_completion");
        String text = Files.readString(completion);
        assertTrue(text.contains("complete -F _complete_obctl") && text.contains("'--socket'"), "picocli AutoComplete output for obctl");
    }

    @Test
    void registeringTwiceOrABadNameFails() throws Exception {
        newServer(new PeerPolicy("root", "root", Set.of()));
        assertThrows(IllegalArgumentException.class, () -> server.register("echo", "", a -> Reply.ok("")));
        assertThrows(IllegalArgumentException.class, () -> server.register("two words", "", a -> Reply.ok("")));
    }
}
