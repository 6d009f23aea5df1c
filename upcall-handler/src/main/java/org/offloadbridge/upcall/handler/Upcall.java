package org.offloadbridge.upcall.handler;

import org.offloadbridge.flow.FlowKey;

/**
 * One packet the daemon must decide about. The daemon adapts its sources to this (DPDK's
 * upcalls, frames read from the miss devices).
 *
 * @param kind     {@link Kind#MISS} or {@link Kind#ACTION}
 * @param inPort   the datapath port the packet arrived on
 * @param key      the packet's parsed key (in_port set), or null: the handler parses {@code packet}
 * @param packet   the frame, from its Ethernet header
 * @param userdata the userspace action's argument text for {@link Kind#ACTION}, else null
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
