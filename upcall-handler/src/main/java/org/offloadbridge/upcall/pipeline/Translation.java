package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.OffloadPreference;
import java.util.List;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;

/**
 * The result of translating one packet: datapath actions and the megaflow that may be
 * installed for them.
 *
 * <p>Correctness contract: every packet {@code Q} with {@code key AND mask == Q AND mask}
 * translates to the same {@link #actions()} while {@link #seq()} is still the pipeline's
 * sequence number. {@link #mask()} is as wide as the lookups allow (see docs/rules.md).
 *
 * @param key       the packet's key AND the mask (the megaflow key)
 * @param mask      the megaflow mask
 * @param actions   datapath actions; ports are datapath port numbers
 * @param offload   the most restrictive offload= of the rules hit
 * @param rulesHit  the rules whose actions ran, in order
 * @param error     null, or why translation stopped (then actions drop), e.g. "resubmit depth 64 exceeded"
 * @param seq       the pipeline sequence number the translation started from
 */
public record Translation(FlowKey key, FlowMask mask, Actions actions, OffloadPreference offload,
                          List<Rule> rulesHit, String error, long seq) {

    /** The megaflow (key, mask, actions) with its ufid. */
    public Megaflow megaflow() {
        return Megaflow.of(key, mask, actions);
    }

    /** True when the actions include a userspace (controller) action, which no datapath can offload. */
    public boolean needsUserspace() {
        return !actions.isOffloadable();
    }
}
