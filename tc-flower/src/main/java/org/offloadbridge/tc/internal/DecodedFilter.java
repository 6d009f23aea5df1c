package org.offloadbridge.tc.internal;

import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;

/**
 * One filter as the kernel reported it (echo, get or dump), decoded.
 *
 * @param ifindex       device
 * @param prio          tc priority
 * @param protocol      filter protocol, host order
 * @param handle        flower handle (0: the message described the priority itself, not a filter)
 * @param kind          classifier kind ("flower", "u32", ...)
 * @param ufid          from the actions' cookie; null when the filter carries none of ours (foreign)
 * @param flow          the megaflow it implements; null when foreign or not expressible (see {@code why})
 * @param why           why {@code flow} is null, else null
 * @param flags         TCA_FLOWER_FLAGS: skip_hw, skip_sw, in_hw, not_in_hw bits
 * @param inHwCount     TCA_FLOWER_IN_HW_COUNT
 * @param packets       max over the actions of their packet counter
 * @param bytes         bytes of the same action
 * @param hwPackets     hardware part of {@code packets}
 * @param usedMillisAgo ms since the last packet, -1 when none yet
 * @param usedHwStats   an action carried TCA_ACT_USED_HW_STATS: a driver reported counters for it
 */
public record DecodedFilter(int ifindex, int prio, int protocol, int handle, String kind, Ufid ufid, Megaflow flow, String why,
                            int flags, int inHwCount, long packets, long bytes, long hwPackets, long usedMillisAgo, boolean usedHwStats) {
}
