package org.offloadbridge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.OfAction;
import org.offloadbridge.upcall.pipeline.PortTable;
import org.offloadbridge.upcall.pipeline.Rule;
import org.offloadbridge.upcall.pipeline.RuleFormat;
import org.offloadbridge.upcall.pipeline.RuleParser;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;

/**
 * The rule syntax (ovs-ofctl add-flow, docs/rules.md): byte 0 picks a rules file
 * ({@link RuleParser#parseFile}), a {@code del-flows} selection or an {@code ofproto/trace} packet;
 * the rest is the text (UTF-8). Ports p1 and p2 exist.
 *
 * <p>Properties: the parser returns or throws {@link RuleSyntaxException} with a line and
 * column inside the text; and every rule parsed prints ({@link RuleFormat#noStats}, as
 * dump-rules) and parses back to a rule of the same effect. The one rewrite allowed is OVS's
 * OpenFlow 1.0 dump of {@code goto_table:T} as {@code resubmit(,T)} (docs/obctl.md): goto_table
 * is the last action and T a later table, where the two look up T alike.
 */
class RuleSyntaxFuzzTest {
    static final PortTable PORTS = PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12));
    private final RuleParser parser = new RuleParser(PORTS);

    @FuzzTest
    void rules(byte[] data) {
        if (data.length == 0) {
            return;
        }
        String text = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
        try {
            switch (data[0] & 3) {
                case 0, 3 -> {
                    List<Rule> rules = parser.parseFile(text);
                    for (Rule r : rules) {
                        String printed = RuleFormat.noStats(r, PORTS);
                        Rule again;
                        try {
                            again = parser.parse(printed);
                        } catch (RuleSyntaxException e) {
                            throw new AssertionError("'" + r.text() + "' prints as '" + printed + "', which does not parse: " + e.getMessage(), e);
                        }
                        NetlinkMessagesFuzzTest.check(r.sameEffect(asDumped(again, r)), "'" + r.text() + "' prints as '" + printed + "', which parses as "
                                + again + ", not " + r);
                    }
                }
                case 1 -> parser.parseSelector(text);
                default -> parser.parseFlow(text);
            }
        } catch (RuleSyntaxException e) {
            long lines = text.chars().filter(c -> c == '\n').count() + 1;
            NetlinkMessagesFuzzTest.check(e.line() >= 1 && e.line() <= lines, "line " + e.line() + " of " + lines);
            NetlinkMessagesFuzzTest.check(e.column() >= 1, "column " + e.column());
        }
    }

    /** {@code again} with its last resubmit(,T) put back as goto_table:T where {@code original} had that. */
    private static Rule asDumped(Rule again, Rule original) {
        List<OfAction> a = again.actions();
        List<OfAction> o = original.actions();
        if (a.isEmpty() || o.isEmpty() || !(o.getLast() instanceof OfAction.GotoTable g)
                || !a.getLast().equals(new OfAction.Resubmit(-1, g.table()))) {
            return again;
        }
        List<OfAction> fixed = new java.util.ArrayList<>(a);
        fixed.set(fixed.size() - 1, g);
        return new Rule(again.table(), again.priority(), again.cookie(), again.match(), fixed, again.offload(), again.critical(),
            again.line(), again.text());
    }
}
