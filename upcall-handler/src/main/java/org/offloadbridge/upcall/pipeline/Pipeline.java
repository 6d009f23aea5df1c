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
 * {@link Translation} records the number it started from; revalidators re-check the
 * megaflows made before the latest change. The number is bumped after a change is
 * published, so a translation that saw the old state always carries an older number.
 *
 * <h2>What a change touches</h2>
 * A MAC entry changing can only change translations that looked that entry up ({@code normal}
 * to that destination): the translation lists the entries it looked up
 * ({@link Translation#macLookups()}), and the pipeline keeps, per entry, the number of its latest
 * change. {@link #changedSince} answers for one flow whether anything it depends on changed:
 * a learning storm — a thousand new hosts — re-translates only the flows to those hosts, not
 * every flow of the bridge, as OVS's revalidators do after any MAC table change
 * ({@code REV_MAC_LEARNING}). Changes of rules and ports touch every translation.
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
    /**
     * Guards {@link #wideSeq} and {@link #macChanges}, and orders their writes before the
     * {@link #seq} bump that publishes them: whoever reads a number from {@link #seq} and then
     * asks {@link #changedSince} sees every change up to that number.
     */
    private final Object seqLock = new Object();
    /** The number of the latest change that may touch any translation (rules, ports, a full change log). */
    private long wideSeq = 1;
    /** MAC entry → the number of its latest change. */
    private final LongLongTable macChanges = new LongLongTable(MAC_CHANGE_LOG);
    /**
     * Entries the change log holds before it starts over (and counts as one wide change): a
     * revalidation of every flow once per this many MAC changes, where OVS has one per change.
     */
    static final int MAC_CHANGE_LOG = 1 << 15;
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
        this.macs = new MacLearningTable(clock, macAgingMillis, MacLearningTable.DEFAULT_MAX_ENTRIES, this::macChanged);
    }

    /** A pipeline on the system clock with OVS's defaults. */
    public Pipeline(PortTable ports) {
        this(ports, MonotonicClock.SYSTEM, MacLearningTable.DEFAULT_AGING_MILLIS, 0);
    }

    /** A change that may touch every translation. */
    private void bump() {
        synchronized (seqLock) {
            long s = seq.get() + 1;
            wideSeq = s;
            seq.set(s);
        }
    }

    /** MAC entry {@code entry} changed (called under the MAC table's lock). */
    private void macChanged(long entry) {
        synchronized (seqLock) {
            long s = seq.get() + 1;
            if (!macChanges.put(entry, s)) {
                macChanges.clear(); // full: start over, and count this as a change of everything
                wideSeq = s;
            }
            seq.set(s);
        }
    }

    /**
     * True when a translation that started from sequence number {@code since} and looked up
     * the MAC entries {@code macLookups} ({@link Translation#macLookups()}) may translate
     * differently now: rules or ports changed after it, or one of those entries did. False
     * means the translation is still what it was at every number up to now.
     */
    public boolean changedSince(long since, long[] macLookups) {
        synchronized (seqLock) {
            if (wideSeq > since) {
                return true;
            }
            for (long e : macLookups) {
                if (macChanges.get(e) > since) {
                    return true;
                }
            }
            return false;
        }
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
        Translation t = new Translation();
        run(packet, false, steps, t);
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
     * Translates a packet's key into a new {@link Translation}. {@code mayLearn} false is for
     * revalidation, which must not change state (OVS's xin->may_learn).
     */
    public Translation translate(FlowKey packet, boolean mayLearn) {
        return translate(packet, mayLearn, new Translation());
    }

    /**
     * Translates a packet's key into {@code into}, overwriting what it held, and returns it:
     * the upcall path's form, which allocates nothing in steady state (see {@link Translation}).
     */
    public Translation translate(FlowKey packet, boolean mayLearn, Translation into) {
        run(packet, mayLearn, null, into);
        return into;
    }

    private void run(FlowKey packet, boolean mayLearn, List<Trace.Step> steps, Translation into) {
        long s = seq.get();
        Translator tr = translators.get();
        var actions = tr.translate(rules, ports, macs, controllerPid, packet, mayLearn, steps, into.keyBuffer(), into.maskBuffer(),
            into.builder(), into.hitsBuffer());
        into.finish(actions, tr.offload(), tr.error(), tr.cacheable(), s);
        into.macLookups(tr);
    }
}
