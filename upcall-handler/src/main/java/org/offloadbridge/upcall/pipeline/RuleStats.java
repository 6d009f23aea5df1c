package org.offloadbridge.upcall.pipeline;

import java.util.concurrent.atomic.LongAdder;

/**
 * One rule's counters ({@code n_packets}, {@code n_bytes} of {@code ovs-ofctl dump-flows}) and
 * when it was added ({@code duration}).
 *
 * <p>Who writes: the revalidators push each megaflow's counter growth to the rules its
 * translation hit (OVS's {@code xlate_push_stats}), and handlers credit the packets they
 * execute themselves (OVS's {@code resubmit_stats} of an upcall). Many threads add at once, so
 * the counters are {@link LongAdder}s: an add is lock-free and, once a contended adder has its
 * cells, allocation-free. Readers ({@code dump-rules}) sum them; a sum taken while adds run may
 * miss the newest ones, never count one twice.
 *
 * <p>Stats are not part of a rule's value ({@link Rule#equals}): a rule that a rules-file reload
 * leaves as it was keeps its stats object, and so its counters and age, as
 * {@code ovs-ofctl replace-flows} leaves an unchanged flow alone.
 */
public final class RuleStats {
    private final LongAdder packets = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final long addedMillis;

    /** @param addedMillis when the rule entered the pipeline, on the pipeline's monotonic clock */
    public RuleStats(long addedMillis) {
        this.addedMillis = addedMillis;
    }

    /** Adds {@code packets} packets of {@code bytes} bytes in all. */
    public void add(long packets, long bytes) {
        if (packets != 0) {
            this.packets.add(packets);
        }
        if (bytes != 0) {
            this.bytes.add(bytes);
        }
    }

    public long packets() {
        return packets.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    /** When the rule entered the pipeline (monotonic milliseconds). */
    public long addedMillis() {
        return addedMillis;
    }
}
