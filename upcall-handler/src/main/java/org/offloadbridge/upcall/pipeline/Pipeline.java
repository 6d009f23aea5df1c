package org.offloadbridge.upcall.pipeline;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.upcall.pipeline.internal.RuleSet;
import org.offloadbridge.upcall.pipeline.internal.Translator;

/**
 * The rule pipeline: rules, ports and learned MACs in, translations out.
 *
 * <h2>Threads</h2>
 * Any number of handler threads call {@link #translate} concurrently (each with its own
 * {@link Translator}, held in a thread-local). Rules and ports are immutable snapshots
 * published by one volatile write; changes (from the control thread) are serialised by this
 * object's lock and never block translations.
 *
 * <h2>Sequence number</h2>
 * {@link #seq()} grows on every change that can change a translation: rules replaced,
 * added or deleted, the port table replaced, a MAC learned, moved or expired. A
 * {@link Translation} records the number it started from; revalidators re-translate the
 * megaflows made before the latest change. The number is bumped after a change is
 * published, so a translation that saw the old state always carries an older number.
 */
public final class Pipeline {
    private final AtomicLong seq = new AtomicLong(1);
    private final MacLearningTable macs;
    private final long controllerPid;
    private final ThreadLocal<Translator> translators = ThreadLocal.withInitial(Translator::new);
    private volatile RuleSet rules = RuleSet.empty();
    private volatile PortTable ports;

    /**
     * @param ports          the bridge's ports
     * @param clock          the monotonic clock, for MAC aging
     * @param macAgingMillis MAC aging time ({@link MacLearningTable#DEFAULT_AGING_MILLIS})
     * @param controllerPid  the netlink pid upcalls from {@code controller} actions go to
     */
    public Pipeline(PortTable ports, MonotonicClock clock, long macAgingMillis, long controllerPid) {
        this.ports = ports;
        this.controllerPid = controllerPid;
        this.macs = new MacLearningTable(clock, macAgingMillis, MacLearningTable.DEFAULT_MAX_ENTRIES, this::bump);
    }

    /** A pipeline on the system clock with OVS's defaults. */
    public Pipeline(PortTable ports) {
        this(ports, MonotonicClock.SYSTEM, MacLearningTable.DEFAULT_AGING_MILLIS, 0);
    }

    private void bump() {
        seq.incrementAndGet();
    }

    /** The current sequence number. */
    public long seq() {
        return seq.get();
    }

    public PortTable ports() {
        return ports;
    }

    public MacLearningTable macs() {
        return macs;
    }

    /** The loaded rules, in load order. */
    public List<Rule> rules() {
        return rules.rules();
    }

    /** A parser resolving port names through the current port table. */
    public RuleParser parser() {
        return new RuleParser(ports);
    }

    /**
     * Replaces the port table. Rules keep their OpenFlow port numbers; MACs learned on ports
     * that disappear are forgotten.
     */
    public synchronized void setPorts(PortTable newPorts) {
        Set<Integer> kept = new HashSet<>();
        for (BridgePort p : newPorts.ports()) {
            kept.add(p.ofPort());
        }
        PortTable old = ports;
        ports = newPorts;
        for (BridgePort p : old.ports()) {
            if (!kept.contains(p.ofPort())) {
                macs.flushPort(p.ofPort());
            }
        }
        bump();
    }

    /**
     * Atomically replaces all rules with those of a rules file. The file is parsed completely
     * first; on any error nothing changes and the exception names the line and column.
     */
    public synchronized List<Rule> loadRulesFile(String content) throws RuleSyntaxException {
        List<Rule> parsed = parser().parseFile(content);
        replaceRules(parsed);
        return parsed;
    }

    /** Atomically replaces all rules. */
    public synchronized void replaceRules(List<Rule> newRules) {
        rules = RuleSet.of(newRules);
        bump();
    }

    /**
     * Adds one rule (ovs-ofctl add-flow): a rule with the same table, priority and match is
     * replaced. Copy-on-write: rebuilds the rule's table (other tables are shared).
     */
    public synchronized Rule addRule(String text) throws RuleSyntaxException {
        Rule r = parser().parse(text);
        rules = rules.with(List.of(r), x -> false);
        bump();
        return r;
    }

    /** Deletes the rules {@code which} selects; returns how many. Only their tables are rebuilt. */
    public synchronized int deleteRules(Predicate<Rule> which) {
        int before = rules.rules().size();
        RuleSet next = rules.with(List.of(), which);
        int removed = before - next.rules().size();
        if (removed > 0) {
            rules = next;
            bump();
        }
        return removed;
    }

    /** Translates a packet's key (in_port = datapath port), learning MACs as {@code normal} runs. */
    public Translation translate(FlowKey packet) {
        return translate(packet, true);
    }

    /**
     * Translates a packet's key. {@code mayLearn} false is for revalidation, which must not
     * change state (OVS's xin->may_learn).
     */
    public Translation translate(FlowKey packet, boolean mayLearn) {
        long s = seq.get();
        return translators.get().translate(rules, ports, macs, controllerPid, packet, mayLearn, s);
    }
}
