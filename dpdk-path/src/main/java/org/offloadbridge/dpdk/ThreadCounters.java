package org.offloadbridge.dpdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.offloadbridge.flow.ParseStatus;

/**
 * One datapath thread's counters (a PMD thread, or packet-out): single writer, any readers.
 * The writer adds with opaque stores (no fence, no lock, no shared cache line with another
 * writer's counters: the array is padded at both ends), readers on other threads read opaque
 * and may see a value an iteration old. {@link DpdkDatapath#counters()} sums the threads' snapshots,
 * so PMD threads never contend on a shared counter.
 */
final class ThreadCounters {

    static final int RX = 0;
    static final int EMC_HITS = 1;
    static final int CLASSIFIER_HITS = 2;
    static final int MISSES = 3;
    static final int UPCALLS_QUEUED = 4;
    static final int UPCALLS_DEDUPLICATED = 5;
    static final int UPCALLS_DROPPED = 6;
    static final int RUNTS = 7;
    static final int TX = 8;
    static final int TX_DROPPED = 9;
    static final int UNKNOWN_PORT = 10;
    static final int EDIT_FAILURES = 11;
    static final int COPY_FAILURES = 12;
    static final int TUNNEL_ENCAPS = 13;
    static final int TUNNEL_DECAPS = 14;
    static final int TUNNEL_MALFORMED = 15;
    static final int TUNNEL_HEADROOM_DROPS = 16;
    static final int TUNNEL_NO_METADATA = 17;
    /** Exceptions the thread's runner caught from doWork (counted on that thread, by its error handler). */
    static final int PMD_ERRORS = 18;
    /** {@link ParseStatus#COUNT} counters from here, indexed by status code. */
    static final int PARSE_STATUS = 19;
    private static final int COUNT = PARSE_STATUS + ParseStatus.COUNT;
    /** 128 bytes of padding each side: no false sharing with a neighbouring object's writer. */
    private static final int PAD = 16;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] v = new long[PAD + COUNT + PAD];

    /** Adds {@code d} to counter {@code i}; only the owning thread calls it. */
    void add(int i, long d) {
        int at = PAD + i;
        LONGS.setOpaque(v, at, v[at] + d);
    }

    void increment(int i) {
        add(i, 1);
    }

    long get(int i) {
        return (long) LONGS.getOpaque(v, PAD + i);
    }

    DatapathCounters snapshot() {
        return new DatapathCounters(get(RX), get(EMC_HITS), get(CLASSIFIER_HITS), get(MISSES), get(UPCALLS_QUEUED),
            get(UPCALLS_DEDUPLICATED), get(UPCALLS_DROPPED), get(RUNTS), get(TX), get(TX_DROPPED), get(UNKNOWN_PORT),
            get(EDIT_FAILURES), get(COPY_FAILURES), get(TUNNEL_ENCAPS), get(TUNNEL_DECAPS), get(TUNNEL_MALFORMED),
            get(TUNNEL_HEADROOM_DROPS), get(TUNNEL_NO_METADATA), get(PMD_ERRORS));
    }
}
