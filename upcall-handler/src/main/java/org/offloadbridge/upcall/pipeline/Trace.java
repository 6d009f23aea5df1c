package org.offloadbridge.upcall.pipeline;

import java.util.List;

/**
 * What {@link Pipeline#trace} saw: every table lookup in the order the translation made it,
 * and the translation itself (actions, megaflow key and mask) — OVS's {@code ofproto/trace}.
 *
 * @param translation the result, exactly as a handler would have got it (without learning)
 * @param steps       the lookups, in order
 */
public record Trace(Translation translation, List<Step> steps) {
    public Trace {
        steps = List.copyOf(steps);
    }

    /**
     * One table lookup.
     *
     * @param depth resubmit / goto_table nesting, 0 for the first lookup
     * @param table the table looked up
     * @param rule  the rule that matched, or null when none did (the packet is dropped there)
     */
    public record Step(int depth, int table, Rule rule) {
    }
}
