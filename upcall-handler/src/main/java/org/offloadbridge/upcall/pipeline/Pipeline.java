package org.offloadbridge.upcall.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.upcall.pipeline.internal.Binding;
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
 *
 * <h2>Rule counters</h2>
 * Every rule the pipeline publishes gets its own {@link RuleStats}, stamped with the clock, as
 * {@code ovs-ofctl add-flow} starts a flow's counters and duration afresh. A whole-set
 * replacement ({@link #loadRulesFile}, {@link #replaceRules}) keeps the stats of each rule that
 * stays the same (table, priority, match, cookie, actions, offload), as
 * {@code ovs-ofctl replace-flows} sends nothing for an unchanged flow.
 */
public final class Pipeline {
    private final AtomicLong seq = new AtomicLong(1);
    private final MacLearningTable macs;
    private final long controllerPid;
    private final MonotonicClock clock;
    private volatile OffloadPreference offloadDefault = OffloadPreference.PREFERRED;
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
        this.clock = clock;
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

    /** A parser resolving port names through the current port table, with the current offload default. */
    public RuleParser parser() {
        return new RuleParser(ports, offloadDefault);
    }

    /** The offload preference of a rule without {@code offload=} (config {@code offload-default}). */
    public OffloadPreference offloadDefault() {
        return offloadDefault;
    }

    /**
     * Sets the offload preference rules parsed from now on get when they have no
     * {@code offload=}; rules already loaded keep theirs (a reload re-reads the file).
     */
    public void setOffloadDefault(OffloadPreference p) {
        offloadDefault = java.util.Objects.requireNonNull(p, "offload default");
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
        return replaceRules(parsed);
    }

    /**
     * Atomically replaces all rules; a rule that stays the same keeps its counters. Returns the
     * rules as published (with their stats).
     */
    public synchronized List<Rule> replaceRules(List<Rule> newRules) {
        record Key(int table, int priority, Match match) {
        }
        Map<Key, Rule> old = new HashMap<>();
        for (Rule r : rules.rules()) {
            old.put(new Key(r.table(), r.priority(), r.match()), r);
        }
        long now = clock.millis();
        List<Rule> published = new ArrayList<>(newRules.size());
        for (Rule r : newRules) {
            Rule was = old.get(new Key(r.table(), r.priority(), r.match()));
            published.add(r.withStats(was != null && was.sameEffect(r) ? was.stats() : new RuleStats(now)));
        }
        rules = RuleSet.of(published);
        bump();
        return published;
    }

    /**
     * Adds one rule (ovs-ofctl add-flow): a rule with the same table, priority and match is
     * replaced. Copy-on-write: rebuilds the rule's table (other tables are shared).
     */
    public synchronized Rule addRule(String text) throws RuleSyntaxException {
        return addRules(List.of(parser().parse(text))).get(0);
    }

    /**
     * Adds rules at once (ovs-ofctl add-flows): each replaces a rule of the same table, priority
     * and match, with fresh counters, as an OpenFlow add does. Returns them as published.
     */
    public synchronized List<Rule> addRules(List<Rule> added) {
        long now = clock.millis();
        List<Rule> published = new ArrayList<>(added.size());
        for (Rule r : added) {
            published.add(r.withStats(new RuleStats(now)));
        }
        rules = rules.with(published, x -> false);
        bump();
        return published;
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

    /**
     * Translates a packet's key without learning, recording each table lookup (OVS's
     * {@code ofproto/trace}). In_port is a datapath port, as in {@link #translate}.
     */
    public Trace trace(FlowKey packet) {
        List<Trace.Step> steps = new ArrayList<>();
        long s = seq.get();
        Translation t = translators.get().translate(rules, ports, macs, controllerPid, packet, false, s, steps);
        return new Trace(t, steps);
    }

    /**
     * The key of a packet with exactly the fields of {@code flow} (a match without masks, as
     * {@link RuleParser#parseFlow} reads it) and zero elsewhere, for {@link #trace}: in_port as
     * the datapath number of the OpenFlow port {@code flow} names, a VLAN tag's TPID 0x8100
     * when {@code vlan_tci} has the tag bit, and the key attributes the packet parser would
     * give such a packet.
     *
     * @throws IllegalArgumentException when {@code flow} has no in_port, or one no port has
     */
    public FlowKey packetKey(Match flow) {
        if (!flow.isSet(MatchField.IN_PORT)) {
            throw new IllegalArgumentException("the flow needs in_port=PORT (the port the packet arrives on)");
        }
        BridgePort in = ports.byOfPort((int) flow.value(MatchField.IN_PORT));
        if (in == null) {
            throw new IllegalArgumentException("in_port=" + flow.value(MatchField.IN_PORT) + ": no such port");
        }
        FlowKey key = new FlowKey();
        Binding.compile(flow, key, new FlowMask());
        key.setInPort(in.dpPort());
        if (in.isTunnel()) {
            // A packet from a tunnel port arrives with that port's tunnel (OVS's trace does the
            // same): what the flow does not say comes from the port, so the lookup finds it.
            var t = in.tunnel();
            if (t.isIpv6()) {
                if (!t.remoteFlow()) {
                    key.set(Field.TUN_IPV6_SRC_HI, t.ipv6().remoteHi());
                    key.set(Field.TUN_IPV6_SRC_LO, t.ipv6().remoteLo());
                }
                key.set(Field.TUN_IPV6_DST_HI, t.ipv6().localHi());
                key.set(Field.TUN_IPV6_DST_LO, t.ipv6().localLo());
            } else {
                if (!flow.isSet(MatchField.TUN_SRC) && !t.remoteFlow()) {
                    key.set(Field.TUN_IPV4_SRC, t.remoteIp() & 0xffffffffL);
                }
                if (!flow.isSet(MatchField.TUN_DST)) {
                    key.set(Field.TUN_IPV4_DST, t.localIp() & 0xffffffffL);
                }
            }
            if (!flow.isSet(MatchField.TUN_ID) && !t.keyFlow()) {
                key.set(Field.TUN_ID, t.key());
            }
            key.set(Field.TUN_TP_DST, t.dstPort());
            key.set(Field.TUN_FLAGS, org.offloadbridge.flow.FlowKey.TUN_F_KEY);
        }
        if (key.get(Field.VLAN0_CFI) != 0) {
            key.set(Field.VLAN0_TPID, 0x8100);
        }
        key.deriveAttrs(null);
        if (in.isTunnel()) {
            key.addAttr(org.offloadbridge.flow.KeyAttr.TUNNEL);
        }
        return key;
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
