package org.offloadbridge.tc;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ECHO;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REPLACE;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_IN_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_SW;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELQDISC;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_KIND;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowPut;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowResult.Status;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.BatchResult;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.ReplyHandler;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.PktSched;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.tc.internal.Clsact;
import org.offloadbridge.tc.internal.DecodedFilter;
import org.offloadbridge.tc.internal.FilterShapes;
import org.offloadbridge.tc.internal.FlowerDecoder;
import org.offloadbridge.tc.internal.FlowerEncoder;
import org.offloadbridge.tc.internal.FlowerFilter;
import org.offloadbridge.tc.internal.KernelReasons;
import org.offloadbridge.tc.internal.PrioAllocator;
import org.offloadbridge.tc.internal.Refusal;
import org.offloadbridge.tc.internal.SkipFlags;

/**
 * Datapath flows as tc flower filters on their in_port's ingress, over one rtnetlink
 * connection: install, replace, delete, get, dump. Where a flow goes (skip flags) is
 * {@link SkipFlags} over {@code flow.Placement}; which prio, {@link PrioAllocator}; what an
 * errno means, {@link KernelReasons}. {@link TcFlowTarget} is this class behind the
 * {@code flow.FlowTarget} seam.
 *
 * <h2>Kernel semantics this class relies on</h2>
 * <ul>
 *   <li>A filter lives in (device, parent, chain, prio, protocol); within one prio all filters
 *       share a protocol, and hardware drivers often want one mask per prio. So the prio is
 *       chosen per (device, protocol, canonical mask shape); prios used by filters that are not
 *       ours are never reused. The handle is ours too, the next one above every handle seen in
 *       that prio ({@link PrioAllocator}), as {@code tc -batch} names its own; an EEXIST there
 *       is asked once more at a handle the kernel picks.</li>
 *   <li>{@code NLM_F_CREATE|NLM_F_EXCL|NLM_F_ECHO}: the kernel answers an install with the
 *       filter as it stored it — handle, {@code in_hw}/{@code not_in_hw}, {@code in_hw_count}.
 *       We decode that echo and compare it with the request: what we report is what the kernel
 *       holds, never what we hoped. The echo is skipped only where it could say nothing new: a
 *       skip_hw filter (placement known) of a shape whose first echo equalled its request
 *       ({@link FilterShapes}: what the kernel makes of a request depends on which attributes it
 *       carries, not on their values). The echo costs more than the kernel's add itself: ours
 *       ran at 0.21–0.55× {@code tc -batch} with it, 1.17–2.40× without (docs/benchmarks-tc.md).</li>
 *   <li>A single RTM_NEWTFILTER is all-or-nothing: a refused filter leaves no actions behind.
 *       Nothing is sent for a flow flower can't express (typed refusal first).</li>
 *   <li>{@code NLM_F_REPLACE} on the same prio/handle swaps match and actions atomically — no
 *       forwarding gap — but the new actions' counters start at zero; we read the old counters
 *       first and carry them as a baseline, so a flow's stats never go backwards. When the
 *       prio changes (new mask shape or protocol) the new filter goes in first (its own prio)
 *       and the old one is deleted after: make before break.</li>
 *   <li>RTM_DELTFILTER with {@code NLM_F_ECHO} answers with the filter as it was, counters
 *       included: a delete reports the flow's final counters. Idle flows, whose counters the
 *       caller has just dumped, are deleted without it ({@link #deleteAll(List, boolean)}).</li>
 *   <li>Ours are the filters whose actions carry our cookie (the ufid); dumps skip the rest and
 *       nothing here deletes them. Unlike OVS we never flush a port at start.</li>
 * </ul>
 *
 * <p>Thread-safe: changes under one lock; a dump reads and decodes the kernel's filters outside
 * it, on a connection of its own when given one, and reads only the counters of filters it
 * already knows ({@link FlowerDecoder.Known}). Installs of many flows go out batched in one
 * sendmsg ({@link #installAll}).
 */
public final class TcOffload implements AutoCloseable {
    /** At most this many tc actions per filter (what drivers accept; OVS's TCA_ACT_MAX_NUM). */
    public static final int MAX_ACTIONS = FlowerEncoder.MAX_ACTIONS;
    private static final int PARENT = FlowerEncoder.PARENT_INGRESS;
    private static final int NLMSG_HDRLEN = 16;

    private final NetlinkConnection conn;
    private final boolean ownsConnection;
    private final TcPolicy policy;
    /** Devices (ifindex) whose driver has reported hardware counters (TCA_ACT_USED_HW_STATS) for a filter of ours. */
    private final java.util.Set<Integer> hwStatsDevices = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final TcPorts ports;
    private final FlowerEncoder encoder;
    private final FlowerDecoder decoder;
    /** The flow being installed or replaced, translated once: written as its canonical form, then as the request. */
    private final FlowerFilter filter = new FlowerFilter();
    private final NetlinkMessageWriter scratch = new NetlinkMessageWriter(4096);
    private final NetlinkMessageWriter out = new NetlinkMessageWriter(1 << 16);
    private final BatchResult batchResult = new BatchResult();
    private final NetlinkMessageWriter canon = new NetlinkMessageWriter(4096);
    private final NetlinkMessageCursor canonCursor = new NetlinkMessageCursor();
    private final TcMsg tcmsg = new TcMsg();
    /** Shapes of skip_hw filters an echo has shown stored as asked: their installs go without one. */
    private final FilterShapes shapes = new FilterShapes();
    /** Marks an install whose echo is asked but whose shape is not to be recorded (placement left to the kernel). */
    private static final byte[] ECHO_ALWAYS = new byte[0];

    /**
     * Our filters by ufid. Written under this object's lock; concurrent so that a dump's decoder,
     * which runs outside it, can look up what it reads ({@link #known}).
     */
    private final Map<Ufid, Installed> installed = new java.util.concurrent.ConcurrentHashMap<>();

    // Dumps: their own connection, decoder and request buffer, under dumpLock and not this
    // object's lock, so a revalidator decoding thousands of filters never holds up an install.
    // Lock order: this, then dumpLock (a learn from inside a locked method); a dump takes them
    // one after the other, never both.
    private final Object dumpLock = new Object();
    private final NetlinkConnection dumpConn;
    private final boolean ownsDumpConnection;
    private final FlowerDecoder dumpDecoder;
    private final NetlinkMessageWriter dumpScratch = new NetlinkMessageWriter(256);
    /** Dumps between their start and their update of {@link #installed} (under this lock). */
    private int dumpsInFlight;
    /**
     * Ufids installed, replaced or deleted while a dump was in flight (under this lock): the
     * dump's picture of them may be older than ours, so its update leaves them alone.
     */
    private final Set<Ufid> touchedDuringDump = new HashSet<>();
    private final PrioAllocator prios = new PrioAllocator();
    private final Clsact clsact;

    // Written only under this object's lock (count), read from any thread (counters): release
    // stores, acquire loads, no read-modify-write on the install path.
    private final AtomicLong installs = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    /** Requests whose ack was lost or that the kernel refused for now, settled by reading back or asking again. */
    private final AtomicLong settled = new AtomicLong();
    /** Of those, the ones whose read-back failed too: left for the revalidator's next dump. */
    private final AtomicLong unsettled = new AtomicLong();
    /** Dumps walked again after losing datagrams or meeting EINTR/EBUSY (at most {@link #DUMP_ATTEMPTS} walks each). */
    private final AtomicLong dumpRetries = new AtomicLong();
    /** Install requests that asked for the kernel's echo and compared it (the rest: a shape vouched for, see {@link FilterShapes}). */
    private final AtomicLong echoed = new AtomicLong();
    static final int DUMP_ATTEMPTS = 3;

    /**
     * Outcome counts since this instance was made.
     *
     * @param installs filters installed (installs and replaces that succeeded)
     * @param refusals flows refused before any kernel call
     * @param failures operations the kernel refused
     * @param settled   requests whose ack was lost (outcome unknown) or that the kernel refused for
     *                  now (EINTR, EAGAIN, EBUSY), settled by reading the kernel back or asking once more
     * @param unsettled of those, the ones whose read-back failed as well (left to the next dump)
     * @param dumpRetries dumps walked again after losing datagrams or meeting EINTR/EBUSY
     * @param echoed    install requests sent with {@code NLM_F_ECHO}, their echo compared with the
     *                  request; the others were skip_hw filters of a shape an earlier echo vouched for
     */
    public record Counters(long installs, long refusals, long failures, long settled, long unsettled, long dumpRetries, long echoed) {}

    private record Installed(TcFilterId id, Megaflow flow, int clsFlags, boolean inHw, TcStats base) {}

    /**
     * Over {@code conn} for everything, dumps included (they then wait for installs on it and
     * vice versa). Caps {@code conn}'s sendmsg size at {@link #BYTES_PER_SEND} bytes.
     */
    public TcOffload(NetlinkConnection conn, TcPolicy policy, TcPorts ports) {
        this(conn, false, conn, false, policy, ports);
    }

    /**
     * Over {@code conn} for changes and {@code dumpConn} for dumps (both the caller's, in one
     * network namespace): a dump then runs beside installs, not between them. Caps
     * {@code conn}'s sendmsg size at {@link #BYTES_PER_SEND} bytes.
     */
    public TcOffload(NetlinkConnection conn, NetlinkConnection dumpConn, TcPolicy policy, TcPorts ports) {
        this(conn, false, dumpConn, false, policy, ports);
    }

    /**
     * Bytes per sendmsg of filter changes: NLMSG_GOODSIZE on 4 KiB pages (SKB_WITH_OVERHEAD(4096),
     * 4096 - 320). The kernel builds a filter's notification — its echo, or for any RTNLGRP_TC
     * listener (the daemon's own event agent, a {@code tc monitor}) — in a buffer of
     * max(NLMSG_GOODSIZE, bytes left in the sendmsg) (tfilter_notify_prep, 2025, backported to
     * 6.1): 1,024 deletes in one sendmsg made each allocate and zero ~24 KiB on average, most of an
     * echo delete's time in the kernel VM. Within this bound every notification buffer is the
     * kernel's floor, and a sendmsg still carries ~78 deletes or ~15 installs.
     */
    static final int BYTES_PER_SEND = 3776;

    private TcOffload(NetlinkConnection conn, boolean owns, NetlinkConnection dumpConn, boolean ownsDump, TcPolicy policy, TcPorts ports) {
        this.conn = conn.maxBytesPerSend(BYTES_PER_SEND);
        this.clsact = new Clsact(conn);
        this.ownsConnection = owns;
        this.dumpConn = dumpConn;
        this.ownsDumpConnection = ownsDump;
        this.dumpDecoder = new FlowerDecoder(ports);
        this.policy = policy;
        this.ports = ports;
        this.encoder = new FlowerEncoder(ports);
        this.decoder = new FlowerDecoder(ports);
    }

    /** Opens its own NETLINK_ROUTE connections (changes, dumps) in the caller's network namespace. */
    public static TcOffload open(TcPolicy policy, TcPorts ports) {
        NetlinkConnection c = NetlinkConnection.open(NetlinkProtocol.ROUTE);
        try {
            return new TcOffload(c, true, NetlinkConnection.open(NetlinkProtocol.ROUTE), true, policy, ports);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public TcPolicy policy() {
        return policy;
    }

    /** A snapshot of the counters; safe from any thread (each count is current, the three are not read atomically together). */
    public Counters counters() {
        return new Counters(installs.getAcquire(), refusals.getAcquire(), failures.getAcquire(), settled.get(), unsettled.get(), dumpRetries.get(), echoed.get());
    }

    /** True when {@code ufid} is one of the filters this instance knows (installed or dumped). */
    public synchronized boolean holds(Ufid ufid) {
        return installed.containsKey(ufid);
    }

    /** The devices this instance has installed on or dumped, in ifindex order. */
    public synchronized Set<Integer> devices() {
        // Every filter we hold went through prios (taken on install, learned on dump) and
        // forgetDevice drops both: prios' devices cover the installed ones.
        return new TreeSet<>(prios.devices());
    }

    // ------------------------------------------------------------------ install

    /** Installs one flow; see {@link #installAll(List)}. */
    public synchronized TcOutcome install(Megaflow flow, OffloadPreference pref) {
        return installAll(List.of(new FlowPut(flow, pref))).get(0);
    }

    /** Installs every flow with one preference; see {@link #installAll(List)}. */
    public synchronized List<TcOutcome> installAll(List<Megaflow> flows, OffloadPreference pref) {
        List<FlowPut> puts = new ArrayList<>(flows.size());
        for (Megaflow f : flows) {
            puts.add(new FlowPut(f, pref));
        }
        return installAll(puts);
    }

    /**
     * Installs every flow, as many per sendmsg as the connection allows, and reports each
     * flow's outcome at its index. Each flow's preference and the policy give its skip flags
     * ({@link SkipFlags}): one try, no fallback inside tc — the caller falls back to the DPDK
     * path. Flows the policy keeps out of tc, and flows flower can't express, are refused before
     * anything is sent; the others go in one batch, each message with its own flags.
     */
    public synchronized List<TcOutcome> installAll(List<FlowPut> puts) {
        int n = puts.size();
        TcOutcome[] result = new TcOutcome[n];
        int[] flags = new int[n];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SkipFlags.Decision d = SkipFlags.decide(puts.get(i).preference(), policy);
            if (d.triesTc()) {
                flags[i] = d.clsFlags();
                todo.add(i);
            } else {
                result[i] = TcOutcome.refused(d.whyNot(), d.detail());
            }
        }
        sendInstalls(puts, todo, flags, result, true);
        for (TcOutcome o : result) {
            count(o);
        }
        return List.of(result);
    }

    private TcOutcome count(TcOutcome o) {
        switch (o.status()) {
            case OK -> installs.setRelease(installs.getPlain() + 1);
            case REFUSED -> refusals.setRelease(refusals.getPlain() + 1);
            case FAILED -> failures.setRelease(failures.getPlain() + 1);
        }
        return o;
    }

    /**
     * Sends the installs of {@code todo} in one batch. With {@code mayDefer}, of the requests of
     * one shape nobody has vouched for yet only the first goes now (with its echo); the others
     * wait for it and go after, in a batch of their own — without echoes once it matched — so a
     * bulk load of one new shape costs one echo, not one per flow.
     */
    private void sendInstalls(List<FlowPut> puts, List<Integer> todo, int[] flags, TcOutcome[] result, boolean mayDefer) {
        List<Integer> deferred = null;
        Set<java.nio.ByteBuffer> probed = null;
        out.reset();
        int[] index = new int[todo.size()];
        TcFilterId[] ids = new TcFilterId[todo.size()];
        byte[][] shapesOf = new byte[todo.size()][];
        Megaflow[] canonical = new Megaflow[puts.size()];
        int m = 0;
        for (int i : todo) {
            Megaflow f = puts.get(i).megaflow();
            if (installed.containsKey(f.ufid())) {
                result[i] = TcOutcome.refused(Reason.EXISTS, f.ufid() + " is installed already (" + installed.get(f.ufid()).id() + "); use replace");
                continue;
            }
            int ifindex = inPortIfindex(f);
            if (ifindex < 0) {
                result[i] = TcOutcome.refused(Reason.NO_DEVICE, "in_port " + (f.mask().isWildcard(Field.IN_PORT) ? "not matched: a filter needs one device"
                        : f.key().inPort() + " has no device"));
                continue;
            }
            int proto;
            try {
                proto = encoder.translate(f, filter);
                // Translated once before anything is sent, so a refusal leaves no trace. The
                // canonical form (the shape the prio is chosen by, what the echo must equal) is
                // the flow itself when its mask has the datapath baseline — every megaflow the
                // pipeline makes — and otherwise the flow encoded and decoded back.
                canonical[i] = canonicalOf(f, ifindex);
            } catch (Refusal r) {
                result[i] = TcOutcome.refused(r.reason(), r.detail());
                continue;
            }
            TcOutcome q = prepareDevice(ifindex);
            if (q != null) {
                result[i] = q;
                continue;
            }
            int prio = prios.prioFor(ifindex, proto, canonical[i].mask());
            if (prio < 0) {
                result[i] = TcOutcome.refused(Reason.NO_SPACE, "no free tc priority left on ifindex " + ifindex);
                continue;
            }
            int handle = prios.nextHandle(ifindex, prio);
            scratch.reset();
            encoder.write(scratch, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, filter, ifindex, prio, handle, SkipFlags.wireFlags(flags[i]), SkipFlags.actFlags(flags[i]));
            // The echo is what tells us what the kernel holds and where (in_hw). Where the flags
            // already say where (skip_hw: the kernel's own classifier, no driver asked) and an
            // echo has vouched for this shape on this kernel, the ack says all: no echo.
            byte[] shape = (flags[i] & TCA_CLS_FLAGS_SKIP_HW) != 0 ? shapes.unverified(scratch.buffer(), 0, scratch.length(), flags[i]) : ECHO_ALWAYS;
            if (mayDefer && shape != null && shape != ECHO_ALWAYS) {
                if (probed == null) {
                    probed = new HashSet<>();
                    deferred = new ArrayList<>();
                }
                if (!probed.add(java.nio.ByteBuffer.wrap(shape))) {
                    deferred.add(i); // its shape's first request is in this batch: wait for that echo
                    continue;
                }
            }
            if (shape == null) {
                // No echo and, in the fenced batch below, no ack: the kernel answers it only if it fails.
                scratch.buffer().putShort(6, (short) (scratch.buffer().getShort(6) & ~NLM_F_ECHO)); // nlmsg_flags
            } else {
                // Keeps its ack: on success it may carry the driver's warning (why not in hardware).
                scratch.buffer().putShort(6, (short) (scratch.buffer().getShort(6) | NLM_F_ACK));
                echoed.setRelease(echoed.getPlain() + 1);
            }
            append(scratch);
            ids[m] = new TcFilterId(ifindex, prio, proto, handle);
            shapesOf[m] = shape;
            index[m++] = i;
        }
        if (m == 0) {
            sendDeferred(puts, deferred, flags, result);
            return;
        }
        DecodedFilter[] echoes = new DecodedFilter[m];
        conn.batchFenced("install flower filters", out, (req, msg) -> {
            if (msg.type() == RTM_NEWTFILTER && req >= 0 && req < echoes.length) {
                echoes[req] = decoder.decode(msg);
            }
        }, batchResult);
        int[] again = null;
        for (int j = 0; j < m; j++) {
            int i = index[j];
            Megaflow f = puts.get(i).megaflow();
            if (!batchResult.ok(j)) {
                result[i] = kernelFailure("install " + f.ufid() + " on " + ids[j], batchResult.errno(j), batchResult.extackMessage(j), ids[j],
                        SkipFlags.hardwareOnly(flags[i]), true);
                if (outcomeUnknown(batchResult.errno(j)) || notNow(batchResult.errno(j)) || Errno.of(batchResult.errno(j)) == Errno.EEXIST) {
                    if (again == null) {
                        again = new int[m];
                        java.util.Arrays.fill(again, -1);
                    }
                    again[j] = batchResult.errno(j);
                }
                continue;
            }
            if (shapesOf[j] == null) {
                // A shape vouched for: the kernel holds the canonical form, at the handle we chose.
                remember(f.ufid(), new Installed(ids[j], canonical[i], flags[i], false, TcStats.ZERO));
                prios.taken(ids[j].ifindex(), ids[j].prio(), ids[j].handle());
                result[i] = TcOutcome.ok(ids[j], false, 0, (flags[i] & TCA_CLS_FLAGS_SKIP_SW) != 0, (flags[i] & TCA_CLS_FLAGS_SKIP_HW) != 0)
                        .withExtack(batchResult.extackMessage(j));
                continue;
            }
            DecodedFilter e = echoes[j];
            if (e == null) {
                result[i] = TcOutcome.failed(Reason.KERNEL_REFUSED, "install " + f.ufid() + ": the kernel acked but sent no echo", ids[j], 0, null);
                continue;
            }
            TcFilterId id = idOf(e);
            if (!echoMatches(e, f, canonical[i]) && (canonical[i] != f || !echoMatches(e, f, retranslated(f, ids[j].ifindex())))) {
                // What the kernel holds is not what we asked for: don't leave it there.
                deleteFilter(id);
                result[i] = TcOutcome.failed(Reason.KERNEL_REFUSED, "install " + f.ufid() + ": the kernel's echo differs from the request"
                        + (e.flow() == null ? " (" + e.why() + ")" : ": kernel holds " + describe(e.flow()) + " at " + id + ", asked " + describe(f)
                        + " at ifindex " + ids[j].ifindex()), id, 0, null);
                continue;
            }
            if (shapesOf[j] != ECHO_ALWAYS && e.flow().equals(canonical[i])) {
                shapes.verified(shapesOf[j]); // exactly the form a later install of this shape is recorded as
            }
            boolean inHw = (e.flags() & TCA_CLS_FLAGS_IN_HW) != 0;
            remember(f.ufid(), new Installed(id, e.flow(), flags[i], inHw, TcStats.ZERO)); // what the kernel holds
            prios.taken(id.ifindex(), id.prio(), id.handle());
            // The ack may carry a warning: a driver that declined a filter tc then kept in
            // software says why there (extack on success), and that is the reason a flow is not_in_hw.
            result[i] = TcOutcome.ok(id, inHw, e.inHwCount(), (e.flags() & TCA_CLS_FLAGS_SKIP_SW) != 0, (e.flags() & TCA_CLS_FLAGS_SKIP_HW) != 0)
                    .withExtack(batchResult.extackMessage(j));
        }
        for (int j = 0; again != null && j < m; j++) {
            if (again[j] >= 0) {
                int i = index[j];
                Megaflow f = puts.get(i).megaflow();
                result[i] = Errno.of(again[j]) == Errno.EEXIST
                        ? atKernelsHandle("install " + f.ufid() + " on " + ids[j], result[i], f, canonical[i], ids[j], flags[i])
                        : settle("install " + f.ufid() + " on " + ids[j], again[j], result[i], NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO,
                                f, canonical[i], ids[j], flags[i], TcStats.ZERO);
            }
        }
        sendDeferred(puts, deferred, flags, result);
    }

    /** The requests that waited for their shape's first echo; once only (a shape whose echo differed asks for every echo). */
    private void sendDeferred(List<FlowPut> puts, List<Integer> deferred, int[] flags, TcOutcome[] result) {
        if (deferred != null && !deferred.isEmpty()) {
            sendInstalls(puts, deferred, flags, result, false);
        }
    }

    /**
     * An install at a handle we chose drew EEXIST: either the handle is taken (someone else's
     * filter in our prio, or our handles wrapped around) or a filter with the same key is there.
     * Once more with the kernel choosing the handle, and its echo: the first case then succeeds,
     * the second fails as it would have anyway.
     */
    private TcOutcome atKernelsHandle(String what, TcOutcome failed, Megaflow flow, Megaflow canonical, TcFilterId at, int flags) {
        try {
            encoder.translate(flow, filter); // the batch left a later flow's translation there
        } catch (Refusal r) {
            return failed; // it translated before; cannot happen
        }
        echoed.setRelease(echoed.getPlain() + 1);
        return sendOne(what + " (again, at a handle the kernel chooses: EEXIST at " + at.handle() + ")", NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO,
                flow, canonical, new TcFilterId(at.ifindex(), at.prio(), at.protocol(), 0), flags, TcStats.ZERO);
    }

    // ------------------------------------------------------------------ faults

    /**
     * The request's ack never came (receive buffer overrun: ENOBUFS; a datagram too big: EMSGSIZE;
     * no answer: ETIMEDOUT): the kernel may or may not have done it. Reporting a failure then
     * could leave a filter we forgot — and the caller would put the flow in a second layer.
     */
    static boolean outcomeUnknown(int errno) {
        Errno e = Errno.of(errno);
        return e == Errno.ENOBUFS || e == Errno.EMSGSIZE || e == Errno.ETIMEDOUT;
    }

    /** The kernel said "not now" (EINTR, EAGAIN, EBUSY): nothing was done; worth one more try at once. */
    static boolean notNow(int errno) {
        Errno e = Errno.of(errno);
        return e == Errno.EINTR || e == Errno.EAGAIN || e == Errno.EBUSY;
    }

    /**
     * After an add or replace of {@code flow} at {@code at} failed with {@code errno} that is
     * {@link #outcomeUnknown} or {@link #notNow}: finds out what the kernel holds (our cookie
     * at that device and prio) and settles it — the filter we asked for is there: remembered, ok;
     * something else of that flow is there after an add: deleted; nothing (or the old version
     * after a replace): asked once more. The outcome is then the kernel's word; when even the
     * read-back fails, {@code failed} stands, and the revalidator's next dump deletes a filter
     * of ours no flow owns.
     */
    private TcOutcome settle(String what, int errno, TcOutcome failed, int nlFlags, Megaflow flow, Megaflow canonical, TcFilterId at,
                             int flags, TcStats base) {
        try {
            encoder.translate(flow, filter); // the batch left a later flow's translation there
        } catch (Refusal r) {
            return failed; // it translated before; cannot happen
        }
        if (outcomeUnknown(errno)) {
            DecodedFilter held;
            try {
                held = lookup(at.ifindex(), at.prio(), at.protocol(), flow.ufid());
            } catch (NetlinkException e) {
                unsettled.incrementAndGet();
                return failed;
            }
            if (held != null) {
                if (echoMatches(held, flow, canonical) || (canonical == flow && echoMatches(held, flow, retranslated(flow, at.ifindex())))) {
                    settled.incrementAndGet();
                    return installed(flow, held, flags, base);
                }
                if ((nlFlags & NLM_F_REPLACE) == 0) {
                    deleteFilter(idOf(held)); // an add that is not what we asked: take it back, then try again
                }
            }
        }
        settled.incrementAndGet();
        return sendOnce(what + " (again, after " + Errno.of(errno).name() + ")", nlFlags, flow, canonical, at, flags, base);
    }

    /** Our filter of {@code ufid} at {@code ifindex}/{@code prio}, decoded whole, or null: a dump of that one prio. */
    private DecodedFilter lookup(int ifindex, int prio, int proto, Ufid ufid) {
        DecodedFilter[] found = new DecodedFilter[1];
        scratch.reset();
        scratch.beginMessage(RTM_GETTFILTER, 0);
        scratch.putTcMsg(0, ifindex, 0, PARENT, TcMsg.filterInfo(prio, proto));
        scratch.finish(0);
        conn.dump("read back filters of ifindex " + ifindex + " prio " + prio, scratch, new ReplyHandler() {
            @Override
            public void onReply(int requestIndex, NetlinkMessage m) {
                if (m.type() == RTM_NEWTFILTER) {
                    DecodedFilter d = decoder.decode(m);
                    if (d.handle() != 0 && d.flow() != null && ufid.equals(d.ufid())) {
                        found[0] = d;
                    }
                }
            }

            @Override
            public void onDumpInterrupted() {
                found[0] = null;
            }
        });
        return found[0];
    }

    /** Records {@code e}, what the kernel holds for {@code flow}, as installed; the ok outcome. */
    private TcOutcome installed(Megaflow flow, DecodedFilter e, int flags, TcStats base) {
        TcFilterId id = idOf(e);
        boolean inHw = (e.flags() & TCA_CLS_FLAGS_IN_HW) != 0;
        remember(flow.ufid(), new Installed(id, e.flow(), flags, inHw, base)); // what the kernel holds
        prios.taken(id.ifindex(), id.prio(), id.handle());
        return TcOutcome.ok(id, inHw, e.inHwCount(), (e.flags() & TCA_CLS_FLAGS_SKIP_SW) != 0, (e.flags() & TCA_CLS_FLAGS_SKIP_HW) != 0);
    }

    /**
     * The encode/decode round trip of {@code f}, translated again ({@link #filter} holds a later
     * flow's translation by now): the last word on an echo that differs from a baseline flow.
     */
    private Megaflow retranslated(Megaflow f, int ifindex) {
        try {
            encoder.translate(f, filter);
            return roundTrip(f, ifindex);
        } catch (Refusal r) {
            return f;
        }
    }

    /** {@code f} when its mask has the datapath baseline (it decodes back to itself), else {@link #roundTrip}. */
    private Megaflow canonicalOf(Megaflow f, int ifindex) {
        return f.mask().hasDatapathBaseline(f.key()) ? f : roundTrip(f, ifindex);
    }

    /**
     * The flow as the kernel will give it back: {@link #filter} (the translation of {@code f})
     * written as a request and decoded again, which adds what flower implies (recirc_id(0), tag
     * presence: the datapath baseline).
     */
    private Megaflow roundTrip(Megaflow f, int ifindex) {
        canon.reset();
        encoder.write(canon, 0, filter, ifindex, 1, 1, 0, 0);
        canonCursor.reset(canon.buffer(), 0, canon.length());
        canonCursor.next();
        DecodedFilter c = decoder.decode(canonCursor.message());
        return c.flow() != null ? c.flow() : f;
    }

    /**
     * True when the kernel's echo is the filter we asked for: equal megaflows (always the case
     * for a mask with the datapath baseline, the decoder's canonical form), or — for a request
     * without it — equal to the request after the same encode/decode round trip.
     */
    private static boolean echoMatches(DecodedFilter e, Megaflow f, Megaflow canonical) {
        return e.flow() != null && (e.flow().equals(f) || e.flow().equals(canonical));
    }

    /** Text for a megaflow that never throws (the text format may not know every action). */
    static String describe(Megaflow f) {
        return f.ufid() + " " + f.key() + " " + f.mask() + " actions " + f.actions().toList();
    }

    /** Copies the one message in {@code from} to the end of {@link #out}. */
    private void append(NetlinkMessageWriter from) {
        int len = from.length();
        java.nio.ByteBuffer src = from.buffer();
        out.beginMessage(src.getShort(4) & 0xffff, src.getShort(6) & 0xffff);
        int off = out.reserve(len - NLMSG_HDRLEN);
        out.buffer().put(off, src, NLMSG_HDRLEN, len - NLMSG_HDRLEN);
        out.finish(0);
    }

    private int inPortIfindex(Megaflow f) {
        if (!f.mask().isExact(Field.IN_PORT)) {
            return -1;
        }
        return ports.ifindexOf(f.key().inPort());
    }

    private static TcFilterId idOf(DecodedFilter d) {
        return new TcFilterId(d.ifindex(), d.prio(), d.protocol(), d.handle());
    }

    static TcOutcome kernelFailure(String what, int errno, String extack, TcFilterId id, boolean hwRequested, boolean adding) {
        Reason r = KernelReasons.of(errno, extack, hwRequested, adding);
        return TcOutcome.failed(r, what + ": " + Errno.of(errno).name() + " (" + Errno.of(errno).description() + ")"
                + (extack != null ? ": " + extack : ""), id, errno, extack);
    }

    // ------------------------------------------------------------------ qdisc and device state

    /**
     * Makes sure {@code ifindex} has a clsact (or ingress) qdisc, adding clsact if it has
     * neither, and learns which prios other filters use there. Other qdiscs are left alone.
     *
     * @return null when ready, else the failure
     */
    private TcOutcome prepareDevice(int ifindex) {
        if (prios.qdiscReady(ifindex)) {
            return null;
        }
        try {
            boolean created = clsact.ensure(ifindex);
            if (!prios.known(ifindex)) {
                learn(ifindex);
            }
            prios.qdiscReady(ifindex, created);
            return null;
        } catch (NetlinkException e) {
            return kernelFailure("prepare ifindex " + ifindex + " (clsact qdisc)", e.errnoValue(), e.extackMessage(), null, false, true);
        }
    }

    /**
     * Removes the clsact qdisc of {@code ifindex} when this instance added it and no filter (ours
     * or anyone's) sits on it now — so a tool whose only install failed leaves the device as it
     * found it. Returns true when it removed one.
     */
    public synchronized boolean releaseQdiscIfUnused(int ifindex) {
        if (!prios.qdiscCreated(ifindex)) {
            return false;
        }
        try {
            if (!learnFilters(ifindex).isEmpty()) {
                return false;
            }
            scratch.reset();
            scratch.beginMessage(RTM_DELQDISC, 0);
            scratch.putTcMsg(0, ifindex, 0xffff0000, PktSched.TC_H_CLSACT, 0);
            scratch.putString(TCA_KIND, "clsact");
            scratch.finish(0);
            conn.request("delete clsact qdisc on ifindex " + ifindex, scratch);
        } catch (NetlinkException e) {
            return false;
        }
        prios.forget(ifindex);
        return true;
    }

    /**
     * Dumps the device's ingress filters: remembers ours (ufid → filter) and which prios others
     * use. The dump and its decoding run under {@link #dumpLock} only (unless the caller holds
     * this lock); the update of what we know takes this lock after, and leaves alone every flow
     * changed meanwhile ({@link #touchedDuringDump}).
     */
    private List<DecodedFilter> learn(int ifindex) {
        synchronized (this) {
            dumpsInFlight++;
        }
        List<DecodedFilter> all;
        try {
            all = dumpRaw(ifindex);
        } catch (RuntimeException e) {
            synchronized (this) {
                endDump();
            }
            throw e;
        }
        synchronized (this) {
            try {
                update(ifindex, all);
            } finally {
                endDump();
            }
        }
        return all;
    }

    private void endDump() {
        if (--dumpsInFlight == 0) {
            touchedDuringDump.clear();
        }
    }

    /** A change to {@link #installed} (under this lock), noted for dumps in flight. */
    private void remember(Ufid ufid, Installed i) {
        if (dumpsInFlight > 0) {
            touchedDuringDump.add(ufid);
        }
        installed.put(ufid, i);
    }

    private void forget(Ufid ufid) {
        if (dumpsInFlight > 0) {
            touchedDuringDump.add(ufid);
        }
        installed.remove(ufid);
    }

    private void update(int ifindex, List<DecodedFilter> all) {
        prios.beginLearn(ifindex);
        // What the dump no longer shows is gone (deleted behind our back, flushed with its qdisc):
        // forget it, or a later install of that ufid would be refused as "exists".
        Set<Ufid> seen = new HashSet<>(2 * all.size());
        for (DecodedFilter f : all) {
            if (f.handle() != 0 && f.flow() != null) {
                seen.add(f.ufid());
            }
        }
        installed.values().removeIf(i -> i.id().ifindex() == ifindex && !seen.contains(i.flow().ufid())
                && !touchedDuringDump.contains(i.flow().ufid()));
        for (DecodedFilter f : all) {
            if (f.handle() == 0) {
                continue;
            }
            if (f.flow() != null) {
                Installed old = installed.get(f.ufid());
                if (old != null && old.flow() == f.flow()) {
                    continue; // read through `known`: the same filter as installed, its prio and shape learned then
                }
                // The decoded mask is canonical already: the same shape key a request gets.
                prios.learnOurs(ifindex, f.prio(), f.handle(), f.protocol(), f.flow().mask());
                if (touchedDuringDump.contains(f.ufid())) {
                    continue; // installed, replaced or deleted after the dump read it: ours is newer
                }
                TcFilterId id = idOf(f);
                installed.put(f.ufid(), new Installed(id, f.flow(), f.flags() & (TCA_CLS_FLAGS_SKIP_HW | TCA_CLS_FLAGS_SKIP_SW),
                        (f.flags() & TCA_CLS_FLAGS_IN_HW) != 0, old != null && old.id().equals(id) ? old.base() : TcStats.ZERO));
            } else {
                prios.learnForeign(ifindex, f.prio(), f.handle());
            }
        }
        prios.endLearn(ifindex);
    }

    /** {@link #learn}, keeping only real filters (not the per-prio headers). */
    private List<DecodedFilter> learnFilters(int ifindex) {
        List<DecodedFilter> filters = new ArrayList<>();
        for (DecodedFilter d : learn(ifindex)) {
            if (d.handle() != 0) {
                filters.add(d);
            }
        }
        return filters;
    }

    /** A filter of ours as installed (same identity): its megaflow, so a dump reads only its counters. */
    private final FlowerDecoder.Known known = (ufid, ifindex, prio, handle) -> {
        Installed i = installed.get(ufid);
        return i != null && i.id().handle() == handle && i.id().prio() == prio && i.id().ifindex() == ifindex ? i.flow() : null;
    };

    private List<DecodedFilter> dumpRaw(int ifindex) {
        List<DecodedFilter> all = new ArrayList<>();
        synchronized (dumpLock) {
            dumpScratch.reset();
            dumpScratch.beginMessage(RTM_GETTFILTER, 0);
            dumpScratch.putTcMsg(0, ifindex, 0, PARENT, 0);
            dumpScratch.finish(0);
            dumpConn.dump("dump filters of ifindex " + ifindex, dumpScratch, new ReplyHandler() {
                @Override
                public void onReply(int requestIndex, NetlinkMessage m) {
                    if (m.type() == RTM_NEWTFILTER) {
                        all.add(dumpDecoder.decode(m, known));
                    }
                }

                @Override
                public void onDumpInterrupted() {
                    all.clear();
                }
            });
        }
        return all;
    }

    // ------------------------------------------------------------------ replace

    /**
     * Replaces the filter of {@code flow.ufid()} with {@code flow} (new actions, or a new match
     * under the same ufid, or other skip flags). Same device and prio: in place with NLM_F_REPLACE (no gap);
     * otherwise the new filter goes in first and the old one is deleted after. Counters carry
     * over; the outcome's stats are the counters kept. A flow not installed yet is simply installed.
     */
    public synchronized TcOutcome replace(Megaflow flow, OffloadPreference pref) {
        Installed old = installed.get(flow.ufid());
        if (old == null) {
            return install(flow, pref);
        }
        SkipFlags.Decision decision = SkipFlags.decide(pref, policy);
        if (!decision.triesTc()) {
            return count(TcOutcome.refused(decision.whyNot(), decision.detail()));
        }
        int flags = decision.clsFlags();
        int ifindex = inPortIfindex(flow);
        if (ifindex < 0) {
            return count(TcOutcome.refused(Reason.NO_DEVICE, "in_port of " + flow.ufid() + " has no device"));
        }
        int proto;
        Megaflow canonical;
        try {
            proto = encoder.translate(flow, filter);
            canonical = canonicalOf(flow, ifindex);
        } catch (Refusal r) {
            return count(TcOutcome.refused(r.reason(), r.detail()));
        }
        TcOutcome q = prepareDevice(ifindex);
        if (q != null) {
            return count(q);
        }
        TcStats before = readStats(old.id());
        TcStats base = before == null ? old.base() : before.plus(old.base());
        int prio = prios.prioFor(ifindex, proto, canonical.mask());
        // Same device, prio and protocol: in place, whatever the skip flags (a policy move changes
        // them). Not make-before-break there: flower refuses a second filter with the same key in
        // one prio (EEXIST), and a flow changing only its flags keeps its match.
        boolean inPlace = old.id().ifindex() == ifindex && old.id().prio() == prio && old.id().protocol() == proto;
        if (inPlace) {
            TcOutcome o = sendOne("replace " + flow.ufid() + " on " + old.id(), NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ECHO, flow, canonical, old.id(), flags, base);
            if (o.ok() || o.reason() == Reason.NO_DEVICE) {
                return count(o.withStats(base));
            }
            // The kernel would not swap in place: delete then add (a short gap, said in the outcome).
            deleteFilter(old.id());
            forget(flow.ufid());
            TcOutcome again = sendOne("replace (delete-then-add) " + flow.ufid(), NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, flow, canonical,
                    new TcFilterId(ifindex, prio, proto, 0), flags, base);
            String why = "delete-then-add, because the kernel refused the in-place swap (" + o.detail() + ")";
            return count(again.ok()
                    ? new TcOutcome(again.status(), again.reason(), why + ": forwarding had a gap", again.id(), again.inHw(), again.inHwCount(),
                            again.skipSw(), again.skipHw(), 0, null, base)
                    : TcOutcome.failed(again.reason(), again.detail() + "; " + why + ": the original " + old.id() + " is deleted",
                            again.id(), again.errno(), again.extack()));
        }
        // Make before break: the new filter at its own prio, then the old one goes.
        forget(flow.ufid());
        TcOutcome o = sendOne("replace (add new) " + flow.ufid(), NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, flow, canonical,
                new TcFilterId(ifindex, prio, proto, 0), flags, base);
        if (!o.ok()) {
            remember(flow.ufid(), old);
            return count(o);
        }
        // The old filter (lower prio number or not) kept matching until now: its final counters
        // come with the delete's echo, so nothing it counted after the read above is lost.
        DecodedFilter last = deleteEcho(old.id());
        TcStats kept = base;
        if (last != null) {
            kept = statsOf(last).plus(old.base());
            Installed now = installed.get(flow.ufid());
            remember(flow.ufid(), new Installed(now.id(), now.flow(), now.clsFlags(), now.inHw(), kept));
        }
        return count(o.withStats(kept));
    }

    /**
     * Sends {@link #filter}, the translation of {@code flow}; an ack lost or a "not now" is
     * settled ({@link #settle}).
     */
    private TcOutcome sendOne(String what, int nlFlags, Megaflow flow, Megaflow canonical, TcFilterId at, int flags, TcStats base) {
        TcOutcome o = sendOnce(what, nlFlags, flow, canonical, at, flags, base);
        return !o.ok() && (outcomeUnknown(o.errno()) || notNow(o.errno()))
                ? settle(what, o.errno(), o, nlFlags, flow, canonical, at, flags, base) : o;
    }

    private TcOutcome sendOnce(String what, int nlFlags, Megaflow flow, Megaflow canonical, TcFilterId at, int flags, TcStats base) {
        scratch.reset();
        encoder.write(scratch, nlFlags, filter, at.ifindex(), at.prio(), at.handle(), SkipFlags.wireFlags(flags), SkipFlags.actFlags(flags));
        DecodedFilter[] echo = new DecodedFilter[1];
        try {
            conn.request(what, scratch, (req, msg) -> {
                if (msg.type() == RTM_NEWTFILTER) {
                    echo[0] = decoder.decode(msg);
                }
            });
        } catch (NetlinkException e) {
            return kernelFailure(what, e.errnoValue(), e.extackMessage(), at, SkipFlags.hardwareOnly(flags), true);
        }
        DecodedFilter e = echo[0];
        if (e == null || (!echoMatches(e, flow, canonical) && (canonical != flow || !echoMatches(e, flow, retranslated(flow, at.ifindex()))))) {
            if (e != null) {
                deleteFilter(idOf(e));
            }
            return TcOutcome.failed(Reason.KERNEL_REFUSED, what + ": the kernel's echo differs from the request", at, 0, null);
        }
        return installed(flow, e, flags, base);
    }

    // ------------------------------------------------------------------ delete

    /** Deletes the filter of {@code ufid}; the outcome carries its final counters. */
    public synchronized TcOutcome delete(Ufid ufid) {
        return deleteAll(List.of(ufid)).get(0);
    }

    /**
     * Deletes many flows by ufid in one batch; outcome per ufid, in order, each with the flow's
     * final counters (the delete's echo) and whether it was in hardware.
     */
    public synchronized List<TcOutcome> deleteAll(List<Ufid> ufids) {
        return deleteAll(ufids, true);
    }

    /**
     * {@link #deleteAll(List)}; without {@code finalCounters} no echo is asked, and each outcome's
     * stats are only the baseline carried over replaces (TcStats.ZERO for most): for flows whose
     * counters the caller has just read (idle expiry). The echo costs more than the delete: 0.97–1.70×
     * {@code tc -batch} with it, 3.77–7.27× without (10,000–100,000 filters, docs/benchmarks-tc.md).
     */
    public synchronized List<TcOutcome> deleteAll(List<Ufid> ufids, boolean finalCounters) {
        TcOutcome[] result = new TcOutcome[ufids.size()];
        out.reset();
        int[] index = new int[ufids.size()];
        Installed[] which = new Installed[ufids.size()];
        int m = 0;
        for (int i = 0; i < ufids.size(); i++) {
            Installed in = installed.get(ufids.get(i));
            if (in == null) {
                result[i] = TcOutcome.refused(Reason.NOT_FOUND, ufids.get(i) + " is not installed (dump the device first after a restart)");
                continue;
            }
            encodeFilterRef(out, RTM_DELTFILTER, finalCounters ? NLM_F_ECHO : 0, in.id());
            which[m] = in;
            index[m++] = i;
        }
        if (m == 0) {
            return List.of(result);
        }
        DecodedFilter[] gone = new DecodedFilter[m];
        // The echo of a delete is read for its counters and flags only: the filters are still in
        // `installed` until forgotten below, so `known` spares the full decode of each.
        ReplyHandler echoes = (req, msg) -> {
            if (msg.type() == RTM_DELTFILTER && req >= 0 && req < gone.length) {
                gone[req] = decoder.decode(msg, known);
            }
        };
        // A delete's ack says only "done": fenced, the kernel answers just the failures, each
        // chunk's last delete and the echoes asked for. A delete that asked for its echo is done
        // only by it: an echo that never came reads as "outcome unknown" (settled below), not
        // as done with the counters lost.
        conn.batchFenced("delete flower filters", out, echoes, batchResult);
        for (int j = 0; j < m; j++) {
            int i = index[j];
            Installed in = which[j];
            if (batchResult.ok(j)) {
                DecodedFilter g = gone[j];
                TcStats last = g == null ? in.base() : statsOf(g).plus(in.base());
                boolean inHw = g == null ? in.inHw() : (g.flags() & TCA_CLS_FLAGS_IN_HW) != 0;
                result[i] = new TcOutcome(Status.OK, Reason.NONE, null, in.id(), inHw,
                        g == null ? 0 : g.inHwCount(), (in.clsFlags() & TCA_CLS_FLAGS_SKIP_SW) != 0, (in.clsFlags() & TCA_CLS_FLAGS_SKIP_HW) != 0,
                        0, null, last);
                forget(ufids.get(i));
            } else {
                result[i] = kernelFailure("delete filter " + in.id(), batchResult.errno(j), batchResult.extackMessage(j), in.id(), false, false);
                if (result[i].reason() == Reason.NOT_FOUND || result[i].reason() == Reason.NO_DEVICE) {
                    forget(ufids.get(i));
                } else if (outcomeUnknown(batchResult.errno(j)) || notNow(batchResult.errno(j))) {
                    result[i] = settleDelete(ufids.get(i), in, batchResult.errno(j), result[i]);
                }
            }
        }
        return List.of(result);
    }

    /**
     * A delete whose ack was lost or that the kernel refused for now: gone (not in a read-back of
     * its prio) counts as deleted, with the counters last read; still there, it is deleted once
     * more. (A get by handle can't tell: once a chain's last filter goes, the kernel answers
     * "cannot find specified filter chain", EINVAL, for every filter that was in it.)
     */
    private TcOutcome settleDelete(Ufid ufid, Installed in, int errno, TcOutcome failed) {
        if (outcomeUnknown(errno)) {
            DecodedFilter d;
            try {
                d = lookup(in.id().ifindex(), in.id().prio(), in.id().protocol(), ufid);
            } catch (NetlinkException e) {
                if (e.errno() == Errno.ENODEV) {
                    d = null; // the device is gone, and the filter with it
                } else {
                    unsettled.incrementAndGet();
                    return failed;
                }
            }
            if (d == null) {
                settled.incrementAndGet();
                forget(ufid);
                return new TcOutcome(Status.OK, Reason.NONE, "deleted (read back after " + Errno.of(errno).name() + "): counters as last read",
                        in.id(), in.inHw(), 0, (in.clsFlags() & TCA_CLS_FLAGS_SKIP_SW) != 0, (in.clsFlags() & TCA_CLS_FLAGS_SKIP_HW) != 0,
                        0, null, in.base());
            }
        }
        settled.incrementAndGet();
        DecodedFilter g = deleteEcho(in.id());
        if (g == null) {
            return failed;
        }
        forget(ufid);
        return new TcOutcome(Status.OK, Reason.NONE, null, in.id(), (g.flags() & TCA_CLS_FLAGS_IN_HW) != 0, g.inHwCount(),
                (in.clsFlags() & TCA_CLS_FLAGS_SKIP_SW) != 0, (in.clsFlags() & TCA_CLS_FLAGS_SKIP_HW) != 0, 0, null, statsOf(g).plus(in.base()));
    }

    /** Deletes one filter by identity (no echo); the outcome says whether the kernel agreed. */
    private TcOutcome deleteFilter(TcFilterId id) {
        scratch.reset();
        encodeFilterRef(scratch, RTM_DELTFILTER, 0, id);
        try {
            conn.request("delete filter " + id, scratch);
            return TcOutcome.ok(id, false, 0, false, false);
        } catch (NetlinkException e) {
            return kernelFailure("delete filter " + id, e.errnoValue(), e.extackMessage(), id, false, false);
        }
    }

    /** Deletes with NLM_F_ECHO: the filter as it was, counters included; null when it failed or sent none. */
    private DecodedFilter deleteEcho(TcFilterId id) {
        scratch.reset();
        encodeFilterRef(scratch, RTM_DELTFILTER, NLM_F_ECHO, id);
        DecodedFilter[] gone = new DecodedFilter[1];
        try {
            conn.request("delete filter " + id, scratch, (req, msg) -> {
                if (msg.type() == RTM_DELTFILTER) {
                    gone[0] = decoder.decode(msg, known); // counters and flags are what a delete needs
                }
            });
        } catch (NetlinkException e) {
            return null;
        }
        return gone[0];
    }

    private static void encodeFilterRef(NetlinkMessageWriter w, int type, int nlFlags, TcFilterId id) {
        w.beginMessage(type, nlFlags);
        w.putTcMsg(0, id.ifindex(), id.handle(), PARENT, TcMsg.filterInfo(id.prio(), id.protocol()));
        w.putString(TCA_KIND, "flower");
        w.finish(0);
    }

    /**
     * Deletes every filter of ours on {@code ifindex} (others stay), batched; returns how many
     * went (ENOENT — gone meanwhile — counts as gone, not as deleted).
     */
    public synchronized int deleteAllOurs(int ifindex) {
        List<DecodedFilter> all = learn(ifindex);
        out.reset();
        List<DecodedFilter> ours = new ArrayList<>();
        for (DecodedFilter d : all) {
            if (d.handle() != 0 && d.flow() != null) {
                ours.add(d);
                encodeFilterRef(out, RTM_DELTFILTER, 0, idOf(d));
            }
        }
        if (ours.isEmpty()) {
            return 0;
        }
        conn.batch("delete our filters on ifindex " + ifindex, out, null, batchResult);
        int deleted = 0;
        for (int j = 0; j < ours.size(); j++) {
            if (batchResult.ok(j) || Errno.of(batchResult.errno(j)) == Errno.ENOENT) {
                forget(ours.get(j).ufid());
                deleted += batchResult.ok(j) ? 1 : 0;
            }
        }
        return deleted;
    }

    // ------------------------------------------------------------------ get, dump

    private TcStats readStats(TcFilterId id) {
        DecodedFilter d = getRaw(id);
        return d == null ? null : statsOf(d);
    }

    private static TcStats statsOf(DecodedFilter d) {
        return new TcStats(d.packets(), d.bytes(), d.usedMillisAgo(), d.hwPackets());
    }

    /** The errno of the last {@link #getRaw} that failed, else null. */
    private Errno getErrno;

    private DecodedFilter getRaw(TcFilterId id) {
        scratch.reset();
        encodeFilterRef(scratch, RTM_GETTFILTER, 0, id);
        DecodedFilter[] got = new DecodedFilter[1];
        getErrno = null;
        try {
            conn.request("get filter " + id, scratch, (req, msg) -> {
                if (msg.type() == RTM_NEWTFILTER) {
                    got[0] = decoder.decode(msg);
                }
            });
        } catch (NetlinkException e) {
            getErrno = e.errno();
            return null;
        }
        return got[0];
    }

    /**
     * The filter of {@code ufid} as the kernel holds it now, with fresh counters; empty when gone.
     * A filter the kernel says is gone (ENOENT, its device gone) or that another flow now holds
     * is forgotten, so the flow can be installed again.
     */
    public synchronized Optional<TcFlow> get(Ufid ufid) {
        Installed i = installed.get(ufid);
        if (i == null) {
            return Optional.empty();
        }
        DecodedFilter d = getRaw(i.id());
        if (d == null || d.flow() == null || !ufid.equals(d.ufid())) {
            boolean gone = d != null || getErrno == Errno.ENOENT || getErrno == Errno.ENODEV;
            if (gone) {
                forget(ufid);
            }
            return Optional.empty();
        }
        return Optional.of(toFlow(d, i.base()));
    }

    private TcFlow toFlow(DecodedFilter d, TcStats base) {
        boolean inHw = (d.flags() & TCA_CLS_FLAGS_IN_HW) != 0;
        boolean lost = false;
        if (inHw && d.usedHwStats()) {
            hwStatsDevices.add(d.ifindex());
        } else if (inHw) {
            // Judged only on a device whose driver has reported hardware counters before: a
            // driver (or kernel) that never reports them would otherwise look like it lost all.
            lost = hwStatsDevices.contains(d.ifindex());
        }
        return new TcFlow(d.flow(), idOf(d), inHw, d.inHwCount(), (d.flags() & TCA_CLS_FLAGS_SKIP_SW) != 0,
                (d.flags() & TCA_CLS_FLAGS_SKIP_HW) != 0, statsOf(d).plus(base), lost);
    }

    /**
     * Our filters on {@code ifindex}'s ingress, decoded back to megaflows (ufid from the
     * cookie), with flags and counters. Filters that are not ours are skipped. Also re-learns
     * them, so after a restart {@link #delete} and {@link #replace} know every flow dumped.
     * A device that does not exist (any more) has none.
     */
    public List<TcFlow> dump(int ifindex) { // not synchronized: see learn
        List<DecodedFilter> all;
        for (int attempt = 1; ; attempt++) {
            try {
                all = learn(ifindex);
                break;
            } catch (NetlinkException e) {
                if (e.errno() == Errno.ENODEV || e.errno() == Errno.EINVAL) {
                    forgetDevice(ifindex); // gone, and its filters with it
                    return List.of();
                }
                // A dump changes nothing, so one that lost datagrams or met "not now" is simply
                // walked again; a few failures in a row are the caller's to hear of.
                if (attempt == DUMP_ATTEMPTS || !(outcomeUnknown(e.errnoValue()) || notNow(e.errnoValue()))) {
                    throw e;
                }
                dumpRetries.incrementAndGet();
            }
        }
        List<TcFlow> flows = new ArrayList<>();
        for (DecodedFilter d : all) {
            if (d.handle() != 0 && d.flow() != null) {
                Installed i = installed.get(d.ufid());
                flows.add(toFlow(d, i == null ? TcStats.ZERO : i.base()));
            }
        }
        return flows;
    }

    /** Forgets cached device state (a device was re-created); the next operation re-learns it. */
    public synchronized void forgetDevice(int ifindex) {
        prios.forget(ifindex);
        for (Installed i : List.copyOf(installed.values())) {
            if (i.id().ifindex() == ifindex) {
                forget(i.flow().ufid());
            }
        }
    }

    @Override
    public void close() {
        if (ownsConnection) {
            conn.close();
        }
        if (ownsDumpConnection) {
            dumpConn.close();
        }
    }
}
