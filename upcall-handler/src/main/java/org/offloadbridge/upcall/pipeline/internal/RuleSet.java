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

    private RuleSet(List<Rule> rules, RuleSet previous, boolean[] changed) {
        this.rules = List.copyOf(rules);
        @SuppressWarnings("unchecked")
        List<Rule>[] per = new List[Rule.MAX_TABLE + 1];
        for (Rule r : this.rules) {
            if (per[r.table()] == null) {
                per[r.table()] = new ArrayList<>();
            }
            per[r.table()].add(r);
        }
        for (int t = 0; t < per.length; t++) {
            if (previous != null && !changed[t]) {
                tables[t] = previous.tables[t];
            } else if (per[t] != null) {
                List<CompiledRule> compiled = new ArrayList<>(per[t].size());
                int order = 0;
                for (Rule r : per[t]) {
                    compiled.add(new CompiledRule(r, order++));
                }
                tables[t] = new Table(compiled);
            }
        }
    }

    /**
     * Builds a rule set; as with {@code ovs-ofctl add-flow}, a rule with the same table,
     * priority and match as an earlier one replaces it.
     */
    public static RuleSet of(List<Rule> rules) {
        return new RuleSet(dedupe(rules), null, null);
    }

    /**
     * This rule set with {@code added} rules added (each replacing a rule of the same
     * identity) and the rules {@code removed} selects taken out. Only the tables that change
     * are rebuilt; the others are shared with this set, so adding one rule next to 100 000
     * routes in another table costs a small table build, not a full one.
     */
    public RuleSet with(List<Rule> added, java.util.function.Predicate<Rule> removed) {
        boolean[] changed = new boolean[Rule.MAX_TABLE + 1];
        List<Rule> add = dedupe(added);
        java.util.Set<Identity> replacing = new java.util.HashSet<>();
        for (Rule r : add) {
            changed[r.table()] = true;
            replacing.add(new Identity(r.table(), r.priority(), r.match()));
        }
        // The existing rules are already unique: only the added ones can collide, and only in
        // their own tables, so no global re-hashing of every rule.
        List<Rule> next = new ArrayList<>(rules.size() + add.size());
        for (Rule r : rules) {
            if (removed.test(r)) {
                changed[r.table()] = true;
            } else if (!(changed[r.table()] && replacing.contains(new Identity(r.table(), r.priority(), r.match())))) {
                next.add(r);
            }
        }
        next.addAll(add);
        return new RuleSet(next, this, changed);
    }

    private static List<Rule> dedupe(List<Rule> rules) {
        Map<Identity, Rule> m = new LinkedHashMap<>();
        for (Rule r : rules) {
            Identity id = new Identity(r.table(), r.priority(), r.match());
            m.remove(id);
            m.put(id, r);
        }
        return new ArrayList<>(m.values());
    }

    public static RuleSet empty() {
        return new RuleSet(List.of(), null, null);
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
