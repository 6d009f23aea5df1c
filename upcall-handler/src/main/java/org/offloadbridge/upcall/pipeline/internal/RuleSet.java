package org.offloadbridge.upcall.pipeline.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.offloadbridge.upcall.pipeline.Match;
import org.offloadbridge.upcall.pipeline.Rule;

/**
 * An immutable snapshot of every table's rules. The pipeline builds a new one for each change
 * and publishes it with one volatile write, so translations never see half a change (that is
 * what makes a rules-file load atomic) and never lock.
 */
public final class RuleSet {
    private final List<Rule> rules;
    private final Table[] tables = new Table[Rule.MAX_TABLE + 1];

    private record Identity(int table, int priority, Match match) {
    }

    private RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        @SuppressWarnings("unchecked")
        List<CompiledRule>[] per = new List[Rule.MAX_TABLE + 1];
        int order = 0;
        for (Rule r : this.rules) {
            if (per[r.table()] == null) {
                per[r.table()] = new ArrayList<>();
            }
            per[r.table()].add(new CompiledRule(r, order++));
        }
        for (int t = 0; t < per.length; t++) {
            if (per[t] != null) {
                tables[t] = new Table(per[t]);
            }
        }
    }

    /**
     * Builds a rule set; as with {@code ovs-ofctl add-flow}, a rule with the same table,
     * priority and match as an earlier one replaces it.
     */
    public static RuleSet of(List<Rule> rules) {
        Map<Identity, Rule> m = new LinkedHashMap<>();
        for (Rule r : rules) {
            Identity id = new Identity(r.table(), r.priority(), r.match());
            m.remove(id);
            m.put(id, r);
        }
        return new RuleSet(new ArrayList<>(m.values()));
    }

    public static RuleSet empty() {
        return new RuleSet(List.of());
    }

    /** The rules, in load order. */
    public List<Rule> rules() {
        return rules;
    }

    /** Table {@code id}, or null when it has no rules. */
    public Table table(int id) {
        return id >= 0 && id < tables.length ? tables[id] : null;
    }

    /** True if {@code r} has the same identity (table, priority, match) as {@code other}. */
    public static boolean sameIdentity(Rule r, Rule other) {
        return r.table() == other.table() && r.priority() == other.priority() && Objects.equals(r.match(), other.match());
    }
}
