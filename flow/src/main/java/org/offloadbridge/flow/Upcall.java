package org.offloadbridge.flow;

/**
 * A packet a datapath hands to the handler threads: a miss (no installed flow matched) or a
 * {@code userspace} action. Made by the DPDK datapath's PMD threads and by the daemon's socket
 * slow path; taken by the handlers through an {@link UpcallSource}. Holds copies (an mbuf goes
 * back to its pool at once), so its memory is bounded by the {@link UpcallQueue}'s capacity.
 *
 * @param kind     why it came up
 * @param inPort   the datapath port the packet arrived on
 * @param key      the packet's parsed key (in_port set, a private copy), or null: the handler
 *                 parses {@code packet}
 * @param packet   the frame, from its Ethernet header
 * @param userdata for {@link Kind#ACTION}: the userspace action's pid and argument text; else null
 */
public record Upcall(Kind kind, int inPort, FlowKey key, byte[] packet, String userdata) {
    public enum Kind {
        /** No installed flow matched the packet. */
        MISS,
        /** An installed flow's {@code userspace(...)} action sent it (a controller action). */
        ACTION
    }

    public Upcall {
        if (kind == null || packet == null) {
            throw new IllegalArgumentException("upcall kind and packet must not be null");
        }
    }

    /** A miss whose key the handler parses from the frame. */
    public static Upcall miss(int inPort, byte[] packet) {
        return new Upcall(Kind.MISS, inPort, null, packet, null);
    }
}
