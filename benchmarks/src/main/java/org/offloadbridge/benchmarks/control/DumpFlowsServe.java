package org.offloadbridge.benchmarks.control;

import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.offloadbridge.daemon.CommandsRig;

/**
 * The benchmark's daemon on its own, for timing the real launcher against it ({@code bin/obctl}
 * is a fresh JVM each time, and its start is part of what an operator waits for):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.offloadbridge.benchmarks.control.DumpFlowsServe DIR FLOWS &amp;
 * time bin/obctl --socket DIR/obctl.sock dump-flows type=all -m &gt;/dev/null
 * </pre>
 *
 * It serves {@code DIR/obctl.sock} with the {@link DumpFlowsBenchmark}'s daemon view of FLOWS
 * flows, prints {@code ready} once the socket listens, and stops when its standard input closes.
 */
public final class DumpFlowsServe {
    private DumpFlowsServe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: DumpFlowsServe DIR FLOWS");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        int flows = Integer.parseInt(args[1]);
        try (CommandsRig rig = new CommandsRig("priority=1,actions=drop\n")) {
            if (rig.flows(flows) != flows) {
                throw new IllegalStateException("ukey table is not " + flows + " flows");
            }
            rig.serve(dir, new SleepingMillisIdleStrategy(2));
            System.out.println("ready: " + flows + " flows on " + rig.socket());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until standard input closes
            }
        }
    }
}
