package org.offloadbridge.netlink;

/** Receives what a {@link NetlinkSubscription} hears. Called on the polling thread. */
public interface NetlinkEventHandler {
    /** One multicast message (a flyweight over the receive buffer, valid during the call). */
    void onEvent(NetlinkMessage message);

    /**
     * The kernel dropped events for this socket (its receive buffer filled: ENOBUFS). Which
     * ones is unknown, so any state built from events is now stale: re-read it with a dump,
     * then keep applying events. Delivery continues after this call.
     */
    void onEventsLost();
}
