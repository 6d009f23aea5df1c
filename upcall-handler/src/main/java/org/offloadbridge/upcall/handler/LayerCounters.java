package org.offloadbridge.upcall.handler;

import java.util.concurrent.atomic.LongAdder;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;

/**
 * What the daemon asked of its layers and what they answered, shared by handlers and
 * revalidators (it travels with {@link Layers}):
 * <ul>
 *   <li>each install, modify and delete a layer did, by the layer that holds (held) the flow;</li>
 *   <li>each one it refused or failed, by operation, layer and the reason in the vocabulary
 *       ({@link Reason}): a modify or delete against the layer the flow is in, an install
 *       against the layer asked for — for tc the one its flags ask: {@code skip_sw} is
 *       {@code tc-hw}, no flag or {@code skip_hw} is {@code tc-sw} (without {@code skip_sw}
 *       the kernel's software path is what refused);</li>
 *   <li>each placement — where a flow ended up after a handler's install decision or a
 *       revalidator's move, reinstall or fall to the slow path — by layer and by why it is not
 *       in its first-choice layer ({@link Reason#NONE}, {@code ok}, when it is).</li>
 * </ul>
 * Fixed arrays of {@code LongAdder}s indexed by ordinals: counting allocates nothing, and
 * reading them all is O(operations × layers × reasons), whatever the number of flows.
 */
public final class LayerCounters {
    /** The operations on a layer, as the metrics label them. */
    public enum Op {
        INSTALL("install"), MODIFY("modify"), DELETE("delete");

        private final String text;

        Op(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private static final int OPS = Op.values().length;
    private static final int LAYERS = FlowLayer.values().length;
    private static final int REASONS = Reason.values().length;

    private final LongAdder[] done = adders(OPS * LAYERS);
    private final LongAdder[] failed = adders(OPS * LAYERS * REASONS);
    private final LongAdder[] placements = adders(LAYERS * REASONS);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** A put asked of {@code asked} (the layer the attempt wants) answered {@code r}. */
    public void put(FlowLayer asked, FlowResult r) {
        count(Op.INSTALL, asked, r);
    }

    /** A modify of a flow that is in {@code layer} answered {@code r}. */
    public void modify(FlowLayer layer, FlowResult r) {
        count(Op.MODIFY, layer, r);
    }

    /** A delete of a flow in {@code from} answered {@code r}. */
    public void delete(FlowLayer from, FlowResult r) {
        count(Op.DELETE, from, r);
    }

    private void count(Op op, FlowLayer asked, FlowResult r) {
        if (r.ok()) {
            FlowLayer l = r.layer() != FlowLayer.NONE ? r.layer() : asked;
            done[op.ordinal() * LAYERS + l.ordinal()].increment();
        } else {
            failed[(op.ordinal() * LAYERS + asked.ordinal()) * REASONS + r.reason().ordinal()].increment();
        }
    }

    /** A flow was placed in {@code layer} ({@link FlowLayer#NONE}: the slow path) for {@code reason}. */
    public void placed(FlowLayer layer, Reason reason) {
        placements[layer.ordinal() * REASONS + reason.ordinal()].increment();
    }

    /** Operations {@code op} that {@code layer} did. */
    public long done(Op op, FlowLayer layer) {
        return done[op.ordinal() * LAYERS + layer.ordinal()].sum();
    }

    /** Operations {@code op} asked of {@code layer} that it refused or failed for {@code reason}. */
    public long failed(Op op, FlowLayer layer, Reason reason) {
        return failed[(op.ordinal() * LAYERS + layer.ordinal()) * REASONS + reason.ordinal()].sum();
    }

    /** Placements in {@code layer} for {@code reason}. */
    public long placements(FlowLayer layer, Reason reason) {
        return placements[layer.ordinal() * REASONS + reason.ordinal()].sum();
    }

    /** The layer a tc or DPDK attempt asks for: what a refusal of it is counted against. */
    public static FlowLayer asked(org.offloadbridge.flow.Placement.Attempt a) {
        return switch (a) {
            case TC_SKIP_SW -> FlowLayer.TC_HW;
            case TC_ANY, TC_SKIP_HW -> FlowLayer.TC_SW;
            case DPDK -> FlowLayer.DPDK;
        };
    }
}
