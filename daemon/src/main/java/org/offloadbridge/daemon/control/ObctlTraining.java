package org.offloadbridge.daemon.control;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.flow.MonotonicClock;

/**
 * The run packaging/build-deb records obctl's ahead-of-time cache from ({@code bin/obctl} with
 * {@code OBCTL_AOT_TRAIN=FILE}; docs/packaging.md): obctl's own paths — options parsed,
 * connect, request, a short reply, a large reply streamed out, a failure printed, help
 * rendered — against a control server on a temporary socket, output thrown away. The cache
 * holds the classes these load, already parsed and linked, so an installed obctl starts in
 * about half the time (0.6 → 0.3 s for {@code list-commands}).
 */
public final class ObctlTraining {
    private ObctlTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("obctl-training");
        Path socket = dir.resolve("obctl.sock");
        String line = "ufid:00000000-0000-0000-0000-000000000000, recirc_id(0),dp_hash(0/0),skb_priority(0/0),in_port(2),"
                + "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,"
                + "tos=0/0,ttl=0/0,frag=no), packets:0, bytes:0, used:never, offloaded:yes, dp:tc, actions:3\n";
        String dump = line.repeat(20_000); // 4 MB: the copy loop runs as it does for a real dump
        ControlServer server = new ControlServer(new ControlServer.Context(socket, null,
                new PeerPolicy(System.getProperty("user.name"), "root", Set.of()), MonotonicClock.SYSTEM, 5_000, 60_000, 8));
        server.register("dump-flows", "[-m]", "Prints the flows.", a -> Reply.ok(dump));
        server.register("fails", "", a -> Reply.failed("no such flow"));
        server.open();
        AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, server);
        AgentRunner.startOnThread(runner);
        try (OutputStream sink = OutputStream.nullOutputStream()) {
            String s = socket.toString();
            for (List<String> argv : List.of(
                    List.of("-s", s, "list-commands"),
                    List.of("-s", s, "dump-flows", "-m"),
                    List.of("-s", s, "dump-flows", "--help"),
                    List.of("-s", s, "fails"),
                    List.of("-s", s, "no-such-command"),
                    List.of("--help"),
                    List.of("--version"),
                    List.of("-s", dir.resolve("absent.sock").toString(), "list-commands"))) {
                ObctlMain.run(argv.toArray(String[]::new), sink, sink);
            }
        } finally {
            runner.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        // a temp dir left behind is harmless
                    }
                });
            }
        }
    }
}
