package org.offloadbridge.flow;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A datapath layer that holds megaflows: the seam below the install decision, as OVS's
 * {@code netdev_flow_api} sits below netdev-offload-tc and netdev-offload-dpdk. tc-flower
 * (tc in the NIC or the kernel) and dpdk-path implement it; the handler and revalidator threads
 * use only this, so they can be tested against a fake.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Batched: every call takes a list and answers with one {@link FlowResult} per element, at
 *       its index. One flow's refusal never affects another's outcome.</li>
 *   <li>Expected refusals (a key or action the layer can't do, a full table, the kernel saying no)
 *       are results, never exceptions. Exceptions mean the layer itself is broken (its socket died).</li>
 *   <li>All or nothing per flow: a failed put leaves nothing of that flow behind.</li>
 *   <li>{@link #put}: a flow whose ufid the target already holds is {@link FlowResult.Reason#EXISTS}.</li>
 *   <li>{@link #modify}: same ufid and match, new actions (and preference), in place where the
 *       layer can; the counters continue (the result's stats are the kept ones).
 *       An absent flow is {@link FlowResult.Reason#NOT_FOUND}.</li>
 *   <li>{@link #delete}: the result carries the flow's final counters; once it returns no
 *       packet is forwarded by that flow any more. {@link #deleteIdle}: the same, but the
 *       counters may be left as the caller last read them.</li>
 *   <li>{@link #dump} and {@link #get} report what the layer really holds, decoded from its own
 *       state, and only flows that are ours (for tc: our cookie).</li>
 *   <li>Counters' {@code used} is on the {@link MonotonicClock} the target was given.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface FlowTarget {
    /** {@code tc} or {@code dpdk}: for logs and metrics labels. */
    String name();

    List<FlowResult> put(List<FlowPut> puts);

    List<FlowResult> modify(List<FlowPut> puts);

    List<FlowResult> delete(List<Ufid> ufids);

    /**
     * Deletes flows the caller has just read idle: the counters it read are final, so a target
     * may skip reading them again (its results' stats are then {@link FlowStats#ZERO}: not
     * read). For tc that is the delete's echo, which costs more than the delete itself; the
     * revalidator's idle expiry, where flows age out by the thousand, is this.
     */
    default List<FlowResult> deleteIdle(List<Ufid> ufids) {
        return delete(ufids);
    }

    /** The flow as the layer holds it, or empty. */
    Optional<DumpedFlow> get(Ufid ufid);

    /** {@link #get} for each ufid, answers at their indexes. */
    default List<Optional<DumpedFlow>> get(List<Ufid> ufids) {
        List<Optional<DumpedFlow>> out = new java.util.ArrayList<>(ufids.size());
        for (Ufid u : ufids) {
            out.add(get(u));
        }
        return out;
    }

    /** Every flow of ours the layer holds, with counters, in no particular order. */
    void dump(Consumer<DumpedFlow> sink);

    /** Deletes every flow of ours; returns how many. */
    int flush();

    /** One flow, for callers that have one: {@code put(List.of(p)).get(0)}. */
    default FlowResult put(FlowPut p) {
        return put(List.of(p)).get(0);
    }

    default FlowResult delete(Ufid ufid) {
        return delete(List.of(ufid)).get(0);
    }
}
