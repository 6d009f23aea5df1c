package org.offloadbridge.upcall.handler;

import org.offloadbridge.flow.TcPolicy;

/**
 * The global policy at one moment: {@code hw-offload} and {@code tc-policy}, and a generation
 * number that grows on every change. A ukey remembers the generation it was placed under, so a
 * revalidator finds the ukeys a change has not reached yet.
 */
public record OffloadPolicy(boolean hwOffload, TcPolicy tcPolicy, long generation) {
    public OffloadPolicy {
        if (tcPolicy == null) {
            throw new IllegalArgumentException("tc-policy must not be null");
        }
    }
}
