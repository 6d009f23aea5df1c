package org.offloadbridge.netlink;

/**
 * Receives the data messages a request produces: dump entries, GET replies, NLM_F_ECHO
 * echoes. Called on the requesting thread, with the connection's lock held — do not call
 * back into the same connection. The message is a flyweight over the receive buffer, valid
 * only during the call.
 */
@FunctionalInterface
public interface ReplyHandler {
    /**
     * @param requestIndex which message of the request buffer this reply answers (0 for a
     *                     single request)
     */
    void onReply(int requestIndex, NetlinkMessage message);

    /**
     * The kernel flagged the dump {@code NLM_F_DUMP_INTR}: the table changed while it was
     * walked, so what was delivered may be inconsistent. Drop it; the dump is being
     * restarted from the beginning.
     */
    default void onDumpInterrupted() {
    }
}
