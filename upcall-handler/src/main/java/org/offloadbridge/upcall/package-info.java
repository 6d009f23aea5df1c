/**
 * Upcall handling: the rule pipeline, handler threads, the table of installed flows (ukeys) and
 * the decision where each megaflow is installed (tc flower, else the DPDK datapath), with
 * fallback. The revalidator module keeps the table honest afterwards.
 *
 * <h2>The thread model</h2>
 *
 * <h3>Upcall sources</h3>
 * A packet that misses every installed flow reaches the daemon as an <em>upcall</em>
 * ({@link org.offloadbridge.flow.Upcall}: in_port, the parsed key or none, the packet
 * bytes, kind {@code MISS} or {@code ACTION}, userdata). Handlers take them from a
 * {@link org.offloadbridge.flow.UpcallSource} — the one bounded
 * {@link org.offloadbridge.flow.UpcallQueue} all handlers drain, filled from one of two places:
 * the DPDK datapath's misses and userspace actions (its PMD threads parse the key, and a key
 * with an upcall pending is not queued again), or, without DPDK, frames read from the per-port
 * miss devices through a plain socket (the key is absent and the handler parses the frame). The
 * daemon hands the queue to the handlers as it is: no conversion per upcall. A full queue drops
 * the upcall and its producer counts it: the packet is lost, as a kernel queue overrun would lose
 * it, but no thread ever blocks on a slow handler.
 *
 * <h3>Handlers</h3>
 * N handler threads (default: one per core), each an Agrona {@code Agent}
 * ({@link org.offloadbridge.upcall.handler.UpcallHandler}). One {@code doWork()} drains at most
 * {@value org.offloadbridge.upcall.handler.UpcallHandler#MAX_BATCH} upcalls (OVS's
 * {@code UPCALL_MAX_BATCH}) and for each: translates the key through the {@code Pipeline}
 * (learning MACs), looks the megaflow's ufid up in the ukey table, creates the ukey if absent,
 * decides and installs, and executes the upcall's own packet with the translated actions through a
 * {@link org.offloadbridge.upcall.handler.PacketExecutor} (DPDK packet-out or a raw socket,
 * supplied by the daemon). Bad input — an unknown in_port, a frame that does not parse, a
 * translation that errors or throws, an executor or layer that throws — is counted and logged at
 * most once per few seconds per kind; the upcall is dropped and the loop goes on. Nothing on this
 * path throws out of {@code doWork()} and nothing blocks.
 *
 * <h3>Ukeys and their states</h3>
 * The {@link org.offloadbridge.upcall.handler.UkeyTable} is the one table of flows the daemon
 * put somewhere: ufid → megaflow, layer, reason, stats, the pipeline seq it was translated at.
 * A ukey moves through {@link org.offloadbridge.upcall.handler.UkeyState}, one way only:
 * <pre>
 *   CREATED ──► VISIBLE ──► OPERATIONAL ──► EVICTING ──► EVICTED ──► DELETED
 *      │            └──────────────────────────────────────┘ (install failed)
 *      └─────────────────────────────────────────────────────────────►┘ (lost the insert race)
 * </pre>
 * <ul>
 *   <li><b>created</b>: built by a handler from a translation, not yet in the table.</li>
 *   <li><b>visible</b>: in the table, install under way. A handler inserts the ukey
 *       <em>before</em> it installs (OVS's {@code ukey_install}), so a second upcall of the same
 *       flow, on any handler, finds it and only executes its packet: one install per ufid. The
 *       inserting handler is the only thread that acts on a visible ukey.</li>
 *   <li><b>operational</b>: placed — in a layer, or deliberately in none (the slow path, reason
 *       kept). From here on only the revalidator that owns the ukey's shard changes it (stats,
 *       re-translation, moves between layers); handlers only add slow-path packet counts.</li>
 *   <li><b>evicting → evicted</b>: the owner is deleting the flow from its layer, then has.</li>
 *   <li><b>deleted</b>: out of the table; a later upcall of the flow makes a new ukey.</li>
 * </ul>
 * Any other transition is a bug and is refused with an exception naming both states.
 *
 * <h3>Shards, and why nobody contends on a global lock</h3>
 * The table is {@link org.offloadbridge.upcall.handler.UkeyTable#shards()} concurrent maps,
 * chosen by a hash of the ufid. Handlers insert and look up in any shard (lock-free reads,
 * per-bin locking on insert). Revalidator {@code i} of {@code n} owns the shards
 * {@code s} with {@code s % n == i}: only it removes ukeys there, moves them, and writes their
 * layer. Mutable fields of one ukey are guarded by that ukey's own monitor, held for field
 * updates only, never across a call into a layer. The only shared writes on the upcall path are
 * one atomic flow count per new flow and the counters ({@code LongAdder}s; the table's
 * {@link org.offloadbridge.upcall.handler.LayerTotals} among them).
 *
 * <h3>Sequence numbers</h3>
 * Every translation records {@code Pipeline.seq()} as it starts; the ukey keeps it. A rule,
 * port or MAC change bumps the pipeline's seq after it is published, so a ukey whose seq is
 * older than the pipeline's may hold stale actions: revalidators re-translate it (without
 * learning) — same mask and actions: keep; other actions: modify in place, counters kept; other
 * mask: delete (the next packet makes the new megaflow).
 *
 * <h3>Dump generations</h3>
 * A revalidator round dumps every layer, then judges each ukey against the dump. A ukey placed
 * after the dump began is not in it and must not be judged missing: the table's dump
 * generation is bumped before each dump, and every placement stamps the ukey with the
 * generation read <em>after</em> the layer call returned. Only ukeys stamped with an older
 * generation are compared with the dump.
 *
 * <h3>What the kernel says behind our back</h3>
 * The daemon's tc event agent (daemon's {@code TcEventAgent}, one thread, RTNLGRP_TC) hands each
 * deletion of a filter carrying our cookie to the revalidator that owns the ufid's shard, through
 * a bounded queue it drains first in every {@code doWork()}: the owner looks at the ukey — a flow
 * it is evicting or moving is its own doing and ignored; an operational flow whose filter is gone
 * is put back where the policy says, within one {@code doWork()}, not at the next dump. A full
 * queue, a lost event (ENOBUFS), or a whole priority, chain or clsact qdisc gone ask the leader
 * for a round at once instead (a resync), which compares every ukey with a fresh dump.
 *
 * <h3>Flow limit</h3>
 * As OVS: the limit starts at {@code min(flow-limit, 10000)} and adapts after every revalidator
 * round to how long the round took ({@link org.offloadbridge.upcall.handler.FlowLimit}). At or
 * above it a handler executes the packet and creates no ukey (reason {@code flow-limit}, counted),
 * so the next upcall after the table shrinks installs normally. Above the limit revalidators
 * expire idle flows after 100 ms instead of max-idle; above twice the limit they evict all.
 *
 * <h3>Where a flow goes, and moves between layers</h3>
 * {@link org.offloadbridge.upcall.handler.InstallDecision} crosses {@code flow.Placement}'s
 * table with the flow's own ports (tc-capable netdevs? one e-switch?) and tries the attempts in
 * order; the first layer that accepts holds the flow, and why it is not in its first-choice layer
 * (the first refusal a layer gave, else the plan's reason) is kept on the ukey and counted. The
 * tc {@code FlowTarget} is asked for an attempt through the preference that, under {@code tc-policy=none}, yields exactly that attempt's flags
 * ({@code skip_sw} = required, none = preferred, {@code skip_hw} = never): the daemon builds the
 * tc target with {@code tc-policy=none} and lets this decision apply the global policy.
 * A move (policy changed, the rule's actions need another layer) is make-before-break: install
 * in the new layer, then delete from the old one and carry the old flow's final counters
 * ({@code FlowStats.plus}); between two tc placements it is a tc modify with the new flags, which
 * tc-flower does make-before-break itself.
 *
 * <h3>What allocates per upcall</h3>
 * The packet's {@code Translation} (the pipeline's result record) and one {@code Ufid} for the
 * table look-up, per upcall; a new flow also allocates its {@code Megaflow}, its ukey and the
 * layer's request and result — once per flow, not per packet. Parsing reuses one key per
 * handler, the upcall callback is allocated once, counters are {@code LongAdder}s, and no log
 * line is formatted unless the rate limiter lets it through.
 */
package org.offloadbridge.upcall;
