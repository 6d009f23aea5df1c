package org.offloadbridge.dpdk;

import org.offloadbridge.flow.FlowKey;

/**
 * A packet the datapath hands to the daemon: a miss (no flow matched) or a {@code userspace}
 * action. Holds copies (the mbuf goes back to its pool at once), so its memory is bounded by
 * the queue's capacity.
 *
 * @param kind     why it came up
 * @param inPort   datapath port it arrived on
 * @param key      the packet's parsed key (a private copy)
 * @param packet   the frame's bytes
 * @param userdata for {@link Kind#ACTION}: the userspace action's pid and argument text
 */
public record Upcall(Kind kind, int inPort, FlowKey key, byte[] packet, String userdata) {

    public enum Kind {
        /** No flow matched. */
        MISS,
        /** A flow's userspace action sent it. */
        ACTION
    }
}
