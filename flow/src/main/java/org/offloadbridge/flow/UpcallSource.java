package org.offloadbridge.flow;

import java.util.function.Consumer;

/**
 * Where a handler takes its upcalls from — the handlers' one seam to every datapath's miss
 * path, as {@link FlowTarget} is their seam for installing. {@link UpcallQueue} is the
 * implementation; never blocks.
 */
public interface UpcallSource {
    /**
     * Hands at most {@code max} pending upcalls to {@code sink}, in order, and marks each
     * handled once {@code sink} returns (or throws); returns how many.
     */
    int drain(Consumer<Upcall> sink, int max);
}
