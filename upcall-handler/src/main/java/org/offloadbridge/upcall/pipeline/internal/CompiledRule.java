package org.offloadbridge.upcall.pipeline.internal;

import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.upcall.pipeline.Rule;

/** A rule bound to the flow shape: its match as a masked flow value and a mask. */
public final class CompiledRule {
    final Rule rule;
    final FlowKey value = new FlowKey();
    final FlowMask mask = new FlowMask();
    /** Load order, to break priority ties the same way every time. */
    final int order;

    CompiledRule(Rule rule, int order) {
        this.rule = rule;
        this.order = order;
        Binding.compile(rule.match(), value, mask);
    }

    public Rule rule() {
        return rule;
    }

    int priority() {
        return rule.priority();
    }

    /** Orders by priority (high first), then load order (early first). */
    static int compare(CompiledRule a, CompiledRule b) {
        int c = Integer.compare(b.priority(), a.priority());
        return c != 0 ? c : Integer.compare(a.order, b.order);
    }
}
