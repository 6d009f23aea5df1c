package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.testkit.Cases;
import org.offloadbridge.upcall.pipeline.internal.Binding;
import org.offloadbridge.upcall.pipeline.internal.CompiledRule;
import org.offloadbridge.upcall.pipeline.internal.LookupScratch;
import org.offloadbridge.upcall.pipeline.internal.RuleSet;
import org.offloadbridge.upcall.pipeline.internal.Table;

/**
 * The classifier against a brute-force reference: for random rule sets and packets, the rule
 * a table lookup returns is the highest-priority rule that matches (first loaded among equal
 * priorities), exactly as a linear scan finds it. The megaflow property test shows masks are
 * consistent; this one shows the lookups are right in the first place.
 */
class ClassifierReferenceTest {
    @Test
    void lookupsAgreeWithALinearScan() throws Exception {
        RuleParser parser = new RuleParser(MegaflowCorrectnessPropertyTest.PORTS);
        int[] checked = {0};
        int[] hits = {0};
        // One case: one random rule set and 50 packets looked up in each of its tables.
        Cases.check(200, List.of(), rnd -> {
            List<String> text = new ArrayList<>();
            int n = 1 + rnd.nextInt(60);
            for (int i = 0; i < n; i++) {
                text.add(MegaflowCorrectnessPropertyTest.randomRule(rnd));
            }
            return new MegaflowCorrectnessPropertyTest.RuleSetCase(text, rnd.split());
        }, c -> "rules:\n  " + String.join("\n  ", c.rules()), c -> {
            List<Rule> rules = new ArrayList<>();
            for (String t : c.rules()) {
                rules.add(parser.parse(t));
            }
            SplittableRandom rnd = c.packets();
            LookupScratch sc = new LookupScratch();
            FlowMask wc = new FlowMask();
            RuleSet rs = RuleSet.of(rules);
            List<Rule> loaded = rs.rules();
            for (int pk = 0; pk < 50; pk++) {
                FlowKey key = MegaflowCorrectnessPropertyTest.randomPacket(rnd);
                // Rules name OpenFlow ports; the classifier sees the OpenFlow in_port.
                key.setInPort(1 + rnd.nextInt(4));
                for (int t = 0; t < 3; t++) {
                    Rule expect = null;
                    for (Rule r : loaded) {
                        if (r.table() == t && matches(r, key) && (expect == null || r.priority() > expect.priority())) {
                            expect = r;
                        }
                    }
                    Table table = rs.table(t);
                    wc.clear();
                    CompiledRule got = table == null ? null : table.lookup(key, wc, sc);
                    Rule gotRule = got == null ? null : got.rule();
                    checked[0]++;
                    if (expect != null) {
                        hits[0]++;
                    }
                    if (gotRule != expect) {
                        fail("table " + t + "\nkey " + key + "\nexpected "
                                + (expect == null ? "miss" : expect.text()) + "\ngot      " + (gotRule == null ? "miss" : gotRule.text()));
                    }
                }
            }
        });
        System.out.println("classifier reference: " + checked[0] + " lookups, " + hits[0] + " hits, seed " + String.format("0x%016x", Cases.SEED));
        assertEquals(true, Cases.ONLY >= 0 || hits[0] > checked[0] / 10, "the generator must make lookups hit often enough to mean something");
    }

    /**
     * Subtables of thousands of rules, where many share a value and priorities tie: the
     * subtable's hash table (one best rule per value, open addressing, collisions chained
     * along the probe) must still give what a linear scan gives — the highest priority, the
     * first loaded among equals.
     */
    @Test
    void bigSubtablesWithSharedValuesAndTiedPrioritiesAgreeWithALinearScan() throws Exception {
        RuleParser parser = new RuleParser(MegaflowCorrectnessPropertyTest.PORTS);
        int[] checked = {0};
        int[] hits = {0};
        Cases.check(6, List.of(), rnd -> rnd.split(), c -> "rule set of the case's seed", rnd -> {
            List<Rule> rules = new ArrayList<>();
            int n = 2_000 + rnd.nextInt(3_000);
            for (int i = 0; i < n; i++) {
                String src = "10.0." + rnd.nextInt(8) + "." + rnd.nextInt(256);
                String text = switch (rnd.nextInt(3)) {
                    case 0 -> "priority=" + rnd.nextInt(4) + ",udp,nw_src=" + src + ",tp_dst=" + (1 + rnd.nextInt(4));
                    case 1 -> "priority=" + rnd.nextInt(4) + ",udp,nw_src=" + src + "/24";
                    default -> "priority=" + rnd.nextInt(4) + ",ip,nw_src=" + src;
                };
                rules.add(parser.parse(text + ",actions=output:p" + (1 + rnd.nextInt(4))));
            }
            RuleSet rs = RuleSet.of(rules);
            List<Rule> loaded = rs.rules();
            FlowKey[] values = new FlowKey[loaded.size()];
            FlowMask[] masks = new FlowMask[loaded.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = new FlowKey();
                masks[i] = new FlowMask();
                Binding.compile(loaded.get(i).match(), values[i], masks[i]);
            }
            Table table = rs.table(0);
            LookupScratch sc = new LookupScratch();
            FlowMask wc = new FlowMask();
            for (int pk = 0; pk < 2_000; pk++) {
                // Mostly UDP from the rules' space; some TCP and some from outside it, to miss too.
                FlowKey key = new FlowKey();
                key.setInPort(1 + rnd.nextInt(4));
                key.set(Field.ETH_TYPE, EthType.IP);
                key.set(Field.NW_PROTO, rnd.nextInt(5) == 0 ? IpProto.TCP : IpProto.UDP);
                key.set(Field.IPV4_SRC, (rnd.nextInt(10) == 0 ? 0x0b000000L : 0x0a000000L) | rnd.nextInt(8) << 8 | rnd.nextInt(256));
                key.set(Field.TP_SRC, 1024 + rnd.nextInt(4));
                key.set(Field.TP_DST, 1 + rnd.nextInt(5));
                Rule expect = null;
                for (int i = 0; i < values.length; i++) {
                    Rule r = loaded.get(i);
                    if (key.maskedEquals(masks[i], values[i]) && (expect == null || r.priority() > expect.priority())) {
                        expect = r;
                    }
                }
                wc.clear();
                CompiledRule got = table.lookup(key, wc, sc);
                Rule gotRule = got == null ? null : got.rule();
                checked[0]++;
                if (expect != null) {
                    hits[0]++;
                }
                if (gotRule != expect) {
                    fail("key " + key + "\nexpected " + (expect == null ? "miss" : expect.text()) + "\ngot      "
                        + (gotRule == null ? "miss" : gotRule.text()));
                }
            }
        });
        System.out.println("big subtables: " + checked[0] + " lookups, " + hits[0] + " hits");
        assertEquals(true, Cases.ONLY >= 0 || hits[0] > checked[0] / 4, "most lookups must hit a rule to mean something");
    }

    static boolean matches(Rule r, FlowKey key) {
        FlowKey v = new FlowKey();
        FlowMask m = new FlowMask();
        Binding.compile(r.match(), v, m);
        return key.maskedEquals(m, v);
    }
}
