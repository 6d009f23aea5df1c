package org.offloadbridge.flow;

/**
 * One flow to install or modify in a {@link FlowTarget}: the megaflow and its preference.
 * A batch may mix preferences.
 */
public record FlowPut(Megaflow megaflow, OffloadPreference preference) {
    public FlowPut {
        if (megaflow == null || preference == null) {
            throw new IllegalArgumentException("megaflow and preference must not be null");
        }
    }

    public Ufid ufid() {
        return megaflow.ufid();
    }
}
