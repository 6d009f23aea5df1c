package org.offloadbridge.daemon;

import java.util.Map;
import java.util.function.Supplier;
import org.offloadbridge.daemon.ports.PortRegistry;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.handler.FlowLimit;
import org.offloadbridge.upcall.handler.LivePolicy;
import org.offloadbridge.upcall.handler.UkeyTable;
import org.offloadbridge.upcall.handler.UpcallCounters;
import org.offloadbridge.upcall.pipeline.Pipeline;

/**
 * What the obctl commands read and change of a running daemon: its ukeys, ports, pipeline,
 * policy and counters. {@link Daemon} is the one that runs; tests give the commands a view over
 * parts they built themselves, without a kernel.
 */
public interface DaemonView {
    MonotonicClock clock();

    UkeyTable ukeys();

    /** The layers (tc, DPDK) the flows are in; either may be null. */
    org.offloadbridge.upcall.handler.Layers layers();

    PortRegistry ports();

    Pipeline pipeline();

    LivePolicy policy();

    FlowLimit flowLimit();

    /** The software datapath: {@code dpdk} or {@code sockets}. */
    String mode();

    UpcallCounters.Values upcallCounters();

    /**
     * Misses lost before any handler saw them: refused by a full upcall queue, dropped by the
     * kernel at a full miss-device socket. OVS shows the same loss as {@code dpctl/show lost:N}.
     */
    record UpcallDrops(long queueFull, long socketFull) {}

    UpcallDrops upcallDrops();

    /** hw-offload / tc-policy at runtime. */
    void setPolicy(boolean hwOffload, TcPolicy tcPolicy);

    /** Every counters record, by the name prefix coverage/show gives its counters, in display order. */
    Map<String, Supplier<? extends Record>> counterRecords();
}
