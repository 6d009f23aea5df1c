package org.offloadbridge.flow;

/**
 * Where a handler takes its upcalls from — the handlers' one seam to every datapath's miss
 * path, as {@link FlowTarget} is their seam for installing. {@link UpcallQueue} is the
 * implementation.
 *
 * <p>A handler takes a batch ({@link #take}), handles it — translations, one batched install,
 * the packets executed — and then {@link #complete}s each upcall: while an upcall is taken and
 * not completed, further misses of its key ride along instead of making upcalls of their own.
 * With nothing to take, a handler {@link #await}s instead of spinning: on a two-core host a
 * polling thread takes the CPU the installs need.
 */
public interface UpcallSource {
    /**
     * Moves at most {@code max} pending upcalls into {@code into[0..n)}, in order, without
     * waiting; returns {@code n}. Each must be {@link #complete}d once handled.
     */
    int take(Upcall[] into, int max);

    /** The taker is done with {@code u} (its flow installed, or decided not to be). */
    void complete(Upcall u);

    /**
     * Blocks until an upcall may be there to take or {@code timeoutMillis} passed (or the
     * thread is interrupted); may return early. Never loses an upcall.
     */
    void await(int timeoutMillis);
}
