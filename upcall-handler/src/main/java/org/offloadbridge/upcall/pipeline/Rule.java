package org.offloadbridge.upcall.pipeline;

import java.util.List;
import java.util.Objects;
import org.offloadbridge.flow.OffloadPreference;

/**
 * One parsed rule ({@code ovs-ofctl add-flow} line): a value, plus its {@link #stats()}.
 *
 * <p>Equality is the rule's value — table, priority, cookie, match, actions, offload, line and
 * text — and never its counters, so two parses of one line are equal. The pipeline gives each
 * rule it publishes its own {@link RuleStats} ({@link #withStats}); a rule parsed but not
 * published has counters nobody writes, added at time 0.
 *
 * <p>table: 0..254; priority: 0..65535, default 32768; cookie: opaque, default 0; actions: empty
 * = drop; offload: the {@code offload=} extension, default {@link OffloadPreference#PREFERRED}
 * (or the pipeline's {@code offload-default}); critical: the {@code offload_class=critical}
 * extension (default best-effort: docs/hardware-table.md); line: 1-based line in the rules file it came from
 * (1 when parsed alone); text: the source text, for diagnostics.
 */
public final class Rule {
    public static final int DEFAULT_PRIORITY = 32768;
    public static final int MAX_TABLE = 254;

    private final int table;
    private final int priority;
    private final long cookie;
    private final Match match;
    private final List<OfAction> actions;
    private final OffloadPreference offload;
    private final boolean critical;
    private final int line;
    private final String text;
    private final RuleStats stats;

    public Rule(int table, int priority, long cookie, Match match, List<OfAction> actions, OffloadPreference offload,
                int line, String text) {
        this(table, priority, cookie, match, List.copyOf(actions), offload, false, line, text, new RuleStats(0));
    }

    /** @param critical offload class critical ({@code offload_class=critical}), else best-effort */
    public Rule(int table, int priority, long cookie, Match match, List<OfAction> actions, OffloadPreference offload,
                boolean critical, int line, String text) {
        this(table, priority, cookie, match, List.copyOf(actions), offload, critical, line, text, new RuleStats(0));
    }

    private Rule(int table, int priority, long cookie, Match match, List<OfAction> actions, OffloadPreference offload,
                 boolean critical, int line, String text, RuleStats stats) {
        this.table = table;
        this.priority = priority;
        this.cookie = cookie;
        this.match = match;
        this.actions = actions;
        this.offload = offload;
        this.critical = critical;
        this.line = line;
        this.text = text;
        this.stats = stats;
    }

    public int table() { return table; }
    public int priority() { return priority; }
    public long cookie() { return cookie; }
    public Match match() { return match; }
    public List<OfAction> actions() { return actions; }
    public OffloadPreference offload() { return offload; }
    /** Offload class critical: its flows go to NIC hardware ahead of best-effort ones (docs/hardware-table.md). */
    public boolean critical() { return critical; }
    public int line() { return line; }
    public String text() { return text; }

    /** The counters and age of this rule (not part of its value). */
    public RuleStats stats() { return stats; }

    /**
     * Counts {@code packets} packets of {@code bytes} bytes in all to this rule (lock-free; see
     * {@link RuleStats}): what handlers and revalidators call, so they need no more of the
     * pipeline than the rule.
     */
    public void count(long packets, long bytes) {
        stats.add(packets, bytes);
    }

    /** This rule with {@code s} as its counters. */
    public Rule withStats(RuleStats s) {
        return new Rule(table, priority, cookie, match, actions, offload, critical, line, text, s);
    }

    /**
     * True when {@code o} does the same as this rule — table, priority, match, cookie, actions,
     * offload, offload class — whatever line or spelling it came from: what {@code ovs-ofctl replace-flows}
     * leaves untouched.
     */
    public boolean sameEffect(Rule o) {
        return table == o.table && priority == o.priority && cookie == o.cookie && offload == o.offload
            && critical == o.critical && match.equals(o.match) && actions.equals(o.actions);
    }

    /** The rule in ovs-ofctl syntax as we would print it (canonical, no shorthands). */
    public String toOfctlString() {
        StringBuilder sb = new StringBuilder();
        if (cookie != 0) {
            sb.append("cookie=0x").append(Long.toHexString(cookie)).append(", ");
        }
        sb.append("table=").append(table).append(", priority=").append(priority);
        String m = match.toString();
        if (!m.isEmpty()) {
            sb.append(',').append(m);
        }
        if (offload != OffloadPreference.PREFERRED) {
            sb.append(",offload=").append(offload.text());
        }
        if (critical) {
            sb.append(",offload_class=critical");
        }
        sb.append(" actions=");
        if (actions.isEmpty()) {
            sb.append("drop");
        }
        for (int i = 0; i < actions.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(actions.get(i));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rule r && sameEffect(r) && line == r.line && Objects.equals(text, r.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, priority, cookie, match, actions, offload, critical, line, text);
    }

    @Override
    public String toString() {
        return "Rule[table=" + table + ", priority=" + priority + ", cookie=" + cookie + ", match=" + match + ", actions="
            + actions + ", offload=" + offload + (critical ? ", offload_class=critical" : "") + ", line=" + line + ", text=" + text + "]";
    }
}
