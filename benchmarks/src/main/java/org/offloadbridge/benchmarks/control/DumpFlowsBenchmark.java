package org.offloadbridge.benchmarks.control;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.offloadbridge.daemon.CommandsRig;
import org.offloadbridge.daemon.control.ObctlMain;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code obctl dump-flows type=all [-m|--json]} end to end, as an operator runs it, minus the
 * client JVM's start: a {@code ControlServer} with every daemon command on a real unix socket in
 * a temporary directory, on its own thread with the daemon's idle strategy
 * ({@code SleepingMillisIdleStrategy(2)}, as {@code OffloadBridgeMain} runs it), serving a daemon
 * view ({@code CommandsRig}, daemon test-jar) whose ukey table holds {@code flows} distinct
 * megaflows dealt in turn to tc-hw, tc-sw, dpdk and no layer, with counters. The client is
 * obctl's own code: {@code ObctlMain.run(...)} — picocli, {@code ControlClient}
 * (connect, request, the whole reply read and decoded), the text printed through a
 * {@code PrintWriter} in UTF-8 into a stream that counts and drops the bytes (stdout to
 * {@code /dev/null}).
 *
 * <p>{@code type=all} so every flow is a line: plain {@code dump-flows} leaves out the quarter in
 * no layer. Each call checks the exit status and that the output is exactly as long as the one
 * setup checked line by line (every line a flow line, {@code flows} of them), so an error reply
 * cannot be timed; DumpFlowsAtScaleTest checks the same reply in the daemon's tests.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DumpFlowsBenchmark -prof gc};
 * figures in docs/benchmarks-dump-flows.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Threads(1)
public class DumpFlowsBenchmark {
    @Param({"100", "10000", "100000"})
    public int flows;

    private Path dir;
    private CommandsRig rig;
    private long plainBytes;
    private long verboseBytes;
    private long jsonBytes;

    /** stdout to /dev/null, counting what was written. */
    static final class Sink extends OutputStream {
        long bytes;
        private final ByteCollector lines;

        Sink(ByteCollector lines) {
            this.lines = lines;
        }

        @Override
        public void write(int b) {
            bytes++;
            if (lines != null) {
                lines.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
            if (lines != null) {
                lines.write(b, off, len);
            }
        }
    }

    /** The whole output, kept only by setup's check. */
    static final class ByteCollector extends java.io.ByteArrayOutputStream {
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("dump-flows-bench");
        rig = new CommandsRig("priority=1,actions=drop\n");
        if (rig.flows(flows) != flows) {
            throw new IllegalStateException("ukey table is not " + flows + " flows");
        }
        rig.serve(dir, new SleepingMillisIdleStrategy(2));
        plainBytes = check("recirc_id(0),in_port(p", "dump-flows", "type=all");
        verboseBytes = check("ufid:", "dump-flows", "type=all", "-m");
        jsonBytes = check("{\"ufid\":", "dump-flows", "type=all", "--json");
    }

    /** Runs the command once, keeping its output: exit 0, {@code flows} flow lines (JSON: between [ and ]). */
    private long check(String lineStart, String... args) {
        ByteCollector all = new ByteCollector();
        Sink s = new Sink(all);
        int status = obctl(s, args);
        if (status != 0) {
            throw new IllegalStateException(String.join(" ", args) + ": exit " + status);
        }
        String[] lines = all.toString(StandardCharsets.UTF_8).split("\n", -1);
        boolean json = lineStart.startsWith("{");
        int first = json ? 1 : 0;
        int expect = flows + (json ? 2 : 0) + 1;
        if (lines.length != expect || !lines[lines.length - 1].isEmpty()) {
            throw new IllegalStateException(String.join(" ", args) + ": " + (lines.length - 1) + " lines, wanted " + (expect - 1));
        }
        for (int i = first; i < first + flows; i++) {
            if (!lines[i].startsWith(lineStart) || !lines[i].contains("\"packets\":") && !lines[i].contains(", packets:")) {
                throw new IllegalStateException(String.join(" ", args) + ": line " + i + " is not a flow: " + lines[i]);
            }
        }
        return s.bytes;
    }

    /** obctl --socket SOCKET ARGS..., as ObctlMain.main runs it; the exit status. */
    private int obctl(Sink out, String... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = "--socket";
        argv[1] = rig.socket().toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        return ObctlMain.run(argv, out, System.err);
    }

    private long run(long expectBytes, String... args) {
        Sink s = new Sink(null);
        int status = obctl(s, args);
        if (status != 0 || s.bytes != expectBytes) {
            throw new IllegalStateException(String.join(" ", args) + ": exit " + status + ", " + s.bytes
                + " bytes, setup's check saw " + expectBytes);
        }
        return s.bytes;
    }

    /** {@code obctl dump-flows type=all}. */
    @Benchmark
    public long dumpFlows() {
        return run(plainBytes, "dump-flows", "type=all");
    }

    /** {@code obctl dump-flows type=all -m}. */
    @Benchmark
    public long dumpFlowsM() {
        return run(verboseBytes, "dump-flows", "type=all", "-m");
    }

    /** {@code obctl dump-flows type=all --json}. */
    @Benchmark
    public long dumpFlowsJson() {
        return run(jsonBytes, "dump-flows", "type=all", "--json");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        rig.close();
        Files.deleteIfExists(dir.resolve("obctl.sock"));
        Files.deleteIfExists(dir);
    }
}
