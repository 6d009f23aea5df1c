package org.offloadbridge.upcall.handler;

import org.offloadbridge.flow.TcPolicy;

/**
 * The current {@link OffloadPolicy}, shared by handlers (which read it for each new flow) and
 * revalidators (which move the flows a change concerns). One volatile reference: readers never
 * lock.
 */
public final class LivePolicy {
    private volatile OffloadPolicy current;

    public LivePolicy(boolean hwOffload, TcPolicy tcPolicy) {
        current = new OffloadPolicy(hwOffload, tcPolicy, 1);
    }

    /** The policy a concluded config starts with. */
    public static LivePolicy from(org.offloadbridge.upcall.DatapathConfig config) {
        return new LivePolicy(config.hwOffload(), config.tcPolicy());
    }

    public OffloadPolicy current() {
        return current;
    }

    /** Publishes a new policy (a new generation even when the values are the same: a forced re-decision). */
    public synchronized OffloadPolicy set(boolean hwOffload, TcPolicy tcPolicy) {
        OffloadPolicy next = new OffloadPolicy(hwOffload, tcPolicy, current.generation() + 1);
        current = next;
        return next;
    }
}
