package org.offloadbridge.dpdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.offloadbridge.flow.DumpedFlow;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowPut;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.FlowTarget;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Ufid;

/**
 * The DPDK datapath's {@link FlowTarget}, over its {@link FlowTable} (layer {@link FlowLayer#DPDK}).
 *
 * <ul>
 *   <li>put: a flow whose in_port or output has no datapath port is REFUSED
 *       {@link Reason#NO_DEVICE}; a set the datapath can't do, or an output to a VXLAN port
 *       without {@code set(tunnel(...))}, {@link Reason#UNSUPPORTED_ACTION}; the same ufid, or the
 *       same match under another ufid (detail names it), {@link Reason#EXISTS}.</li>
 *   <li>modify: new actions in place, counters kept (the result carries them).</li>
 *   <li>delete: the whole batch waits for ONE RCU grace period, then the results carry final
 *       counters.</li>
 * </ul>
 *
 * <p>Preference: the DPDK path is software, so {@link OffloadPreference#PREFERRED} and
 * {@link OffloadPreference#NEVER} are alike here. {@link OffloadPreference#REQUIRED} means "NIC
 * hardware or nowhere", and {@link org.offloadbridge.flow.Placement} never routes such a flow to
 * DPDK; a REQUIRED put or modify is therefore a caller bug, not an expected refusal, and throws
 * IllegalArgumentException before any flow of the batch is touched.
 */
public final class DpdkFlowTarget implements FlowTarget {

    private final FlowTable table;

    /** A target over {@code table} (usually {@link DpdkDatapath#flowTarget()}). */
    public DpdkFlowTarget(FlowTable table) {
        this.table = table;
    }

    @Override
    public String name() {
        return "dpdk";
    }

    @Override
    public List<FlowResult> put(List<FlowPut> puts) {
        requireSoftware(puts);
        List<FlowResult> out = new ArrayList<>(puts.size());
        for (FlowPut p : puts) {
            out.add(table.put(p.megaflow()));
        }
        return out;
    }

    @Override
    public List<FlowResult> modify(List<FlowPut> puts) {
        requireSoftware(puts);
        List<FlowResult> out = new ArrayList<>(puts.size());
        for (FlowPut p : puts) {
            out.add(table.modify(p.megaflow()));
        }
        return out;
    }

    @Override
    public List<FlowResult> delete(List<Ufid> ufids) {
        List<FlowStats> last = table.delete(ufids);
        List<FlowResult> out = new ArrayList<>(ufids.size());
        for (int i = 0; i < ufids.size(); i++) {
            FlowStats s = last.get(i);
            out.add(s == null ? FlowResult.refused(ufids.get(i), Reason.NOT_FOUND, null)
                : FlowResult.ok(ufids.get(i), FlowLayer.DPDK, false, s));
        }
        return out;
    }

    @Override
    public Optional<DumpedFlow> get(Ufid ufid) {
        return Optional.ofNullable(table.dumped(ufid));
    }

    @Override
    public void dump(Consumer<DumpedFlow> sink) {
        table.dump().forEach(sink); // the snapshot is taken under the table's lock; the sink runs outside it
    }

    @Override
    public int flush() {
        return table.flush();
    }

    private static void requireSoftware(List<FlowPut> puts) {
        for (int i = 0; i < puts.size(); i++) {
            FlowPut p = puts.get(i);
            if (p.preference() == OffloadPreference.REQUIRED) {
                throw new IllegalArgumentException("flow " + p.ufid() + " (batch index " + i
                    + ") is offload=required: NIC hardware or nowhere, never the DPDK datapath (see Placement)");
            }
        }
    }
}
