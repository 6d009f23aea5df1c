package org.offloadbridge.upcall.handler;

/**
 * The life of a ukey, one way only (the essay in {@link org.offloadbridge.upcall} says who moves
 * it). {@link #canMoveTo} is the whole transition table.
 */
public enum UkeyState {
    /** Built from a translation, not in the table yet. */
    CREATED,
    /** In the table; its handler (or adoption) is placing it. */
    VISIBLE,
    /** Placed: in a layer, or on the slow path with its reason. */
    OPERATIONAL,
    /** Its owner is deleting the flow from its layer. */
    EVICTING,
    /** The flow is in no layer; the ukey is about to leave the table. */
    EVICTED,
    /** Out of the table. */
    DELETED;

    /** True when {@code this → next} is allowed. */
    public boolean canMoveTo(UkeyState next) {
        return switch (this) {
            case CREATED -> next == VISIBLE || next == DELETED;
            case VISIBLE -> next == OPERATIONAL || next == EVICTED;
            case OPERATIONAL -> next == EVICTING;
            case EVICTING -> next == EVICTED;
            case EVICTED -> next == DELETED;
            case DELETED -> false;
        };
    }
}
