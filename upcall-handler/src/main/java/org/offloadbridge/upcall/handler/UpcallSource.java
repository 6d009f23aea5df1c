package org.offloadbridge.upcall.handler;

import java.util.function.Consumer;

/** Where a handler takes its upcalls from: never blocks. */
public interface UpcallSource {
    /** Hands at most {@code max} pending upcalls to {@code sink}, in order; returns how many. */
    int drain(Consumer<Upcall> sink, int max);
}
