package org.offloadbridge.tc;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ECHO;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REPLACE;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_FLAGS_SKIP_SW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_IN_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_SW;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETQDISC;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWQDISC;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_KIND;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.BatchResult;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.ReplyHandler;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.PktSched;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.tc.TcOutcome.Reason;
import org.offloadbridge.tc.internal.DecodedFilter;
import org.offloadbridge.tc.internal.FlowerDecoder;
import org.offloadbridge.tc.internal.FlowerEncoder;
import org.offloadbridge.tc.internal.Refusal;

/**
 * Datapath flows as tc flower filters on their in_port's ingress, over one rtnetlink
 * connection.
 *
 * <h2>Kernel semantics this class relies on</h2>
 * <ul>
 *   <li>A filter lives in (device, parent, chain, prio, protocol); within one prio all filters
 *       share a protocol, and hardware drivers often want one mask per prio. So the prio is
 *       chosen per (device, protocol, mask shape); prios used by filters that are not ours are
 *       never reused. The handle is the kernel's (we send 0 and read the echo).</li>
 *   <li>{@code NLM_F_CREATE|NLM_F_EXCL|NLM_F_ECHO}: the kernel answers an install with the
 *       filter as it stored it — handle, {@code in_hw}/{@code not_in_hw}, {@code in_hw_count}.
 *       We decode that echo and compare it with the request: what we report is what the kernel
 *       holds, never what we hoped.</li>
 *   <li>A single RTM_NEWTFILTER is all-or-nothing: a refused filter leaves no actions behind.
 *       Nothing is sent for a flow flower can't express (typed refusal first).</li>
 *   <li>{@code NLM_F_REPLACE} on the same prio/handle swaps match and actions atomically — no
 *       forwarding gap — but the new actions' counters start at zero; we read the old counters
 *       first and carry them as a baseline, so a flow's stats never go backwards. When the
 *       prio changes (new mask shape or protocol) the new filter goes in first (its own prio)
 *       and the old one is deleted after: make before break.</li>
 *   <li>Ours are the filters whose actions carry our cookie (the ufid); dumps skip the rest and
 *       nothing here deletes them. Unlike OVS we never flush a port at start.</li>
 * </ul>
 *
 * <p>Thread-safe (one lock; the kernel serialises tc under the rtnl lock anyway). Installs of
 * many flows go out batched in one sendmsg ({@link #installAll}).
 */
public final class TcOffload implements AutoCloseable {
    /** At most this many tc actions per filter (what drivers accept; OVS's TCA_ACT_MAX_NUM). */
    public static final int MAX_ACTIONS = FlowerEncoder.MAX_ACTIONS;
    private static final int PARENT = FlowerEncoder.PARENT_INGRESS;
    private static final int NLMSG_HDRLEN = 16;
    private static final int FIRST_PRIO = 1;
    private static final int LAST_PRIO = 0xffff;

    private final NetlinkConnection conn;
    private final boolean ownsConnection;
    private final TcPolicy policy;
    private final TcPorts ports;
    private final FlowerEncoder encoder;
    private final FlowerDecoder decoder;
    private final NetlinkMessageWriter scratch = new NetlinkMessageWriter(4096);
    private final NetlinkMessageWriter out = new NetlinkMessageWriter(1 << 16);
    private final BatchResult batchResult = new BatchResult();
    private final NetlinkMessageWriter canon = new NetlinkMessageWriter(1024);
    private final org.offloadbridge.netlink.NetlinkMessageCursor canonCursor = new org.offloadbridge.netlink.NetlinkMessageCursor();
    private final AttributeTable qdiscAttrs = new AttributeTable(Rtnetlink.TCA_MAX);
    private final TcMsg tcmsg = new TcMsg();

    /** Our filters by ufid. */
    private final Map<Ufid, Installed> installed = new HashMap<>();
    /** Per device: prio for each (protocol, mask shape), and prios taken by others. */
    private final Map<Integer, DevicePrios> devices = new HashMap<>();

    private final AtomicLong installs = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();

    private record Installed(TcFilterId id, Megaflow flow, int clsFlags, TcStats base) {}

    private record ShapeKey(int protocol, FlowMask mask) {}

    private static final class DevicePrios {
        final Map<ShapeKey, Integer> byShape = new HashMap<>();
        final Set<Integer> foreign = new HashSet<>();
        final Set<Integer> ours = new HashSet<>();
        boolean qdiscReady;
    }

    public TcOffload(NetlinkConnection conn, TcPolicy policy, TcPorts ports) {
        this(conn, false, policy, ports);
    }

    private TcOffload(NetlinkConnection conn, boolean owns, TcPolicy policy, TcPorts ports) {
        this.conn = conn;
        this.ownsConnection = owns;
        this.policy = policy;
        this.ports = ports;
        this.encoder = new FlowerEncoder(ports);
        this.decoder = new FlowerDecoder(ports);
    }

    /** Opens its own NETLINK_ROUTE connection in the caller's network namespace. */
    public static TcOffload open(TcPolicy policy, TcPorts ports) {
        return new TcOffload(NetlinkConnection.open(NetlinkProtocol.ROUTE), true, policy, ports);
    }

    public TcPolicy policy() {
        return policy;
    }

    /** Filters installed by this instance (including fallbacks). */
    public long installCount() {
        return installs.get();
    }

    /** Flows refused before any kernel call. */
    public long refusalCount() {
        return refusals.get();
    }

    /** Operations the kernel refused. */
    public long failureCount() {
        return failures.get();
    }

    /** {@code preferred} flows that landed in software after hardware refused them. */
    public long fallbackCount() {
        return fallbacks.get();
    }

    // ------------------------------------------------------------------ install

    /** Installs one flow; see {@link #installAll}. */
    public synchronized TcOutcome install(Megaflow flow, OffloadPreference pref) {
        return installAll(List.of(flow), pref).get(0);
    }

    /**
     * Installs every flow, as many per sendmsg as the connection allows, and reports each
     * flow's outcome at its index. Flows flower can't express are refused before anything is
     * sent; the others go in one batch; {@code preferred} flows that hardware refused under
     * {@code tc-policy skip_sw} are retried in software in a second batch.
     */
    public synchronized List<TcOutcome> installAll(List<Megaflow> flows, OffloadPreference pref) {
        int n = flows.size();
        TcOutcome[] result = new TcOutcome[n];
        int[] first = attempts(pref);
        if (first == null) {
            for (int i = 0; i < n; i++) {
                result[i] = count(TcOutcome.refused(Reason.POLICY, "preference required needs hardware, but tc-policy is skip_hw"));
            }
            return List.of(result);
        }
        boolean mayFallBack = pref == OffloadPreference.PREFERRED && first[0] == TCA_CLS_FLAGS_SKIP_SW;
        int[] flags = new int[n];
        java.util.Arrays.fill(flags, first[0]);
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            todo.add(i);
        }
        for (int round = 0; round < 2 && !todo.isEmpty(); round++) {
            List<Integer> retry = new ArrayList<>();
            sendInstalls(flows, todo, flags, result, round > 0);
            if (mayFallBack && round == 0) {
                for (int i : todo) {
                    if (result[i].status() == TcOutcome.Status.FAILED && result[i].reason() == Reason.UNSUPPORTED_BY_DEVICE) {
                        flags[i] = 0;
                        retry.add(i);
                    }
                }
            }
            todo = retry;
        }
        for (TcOutcome o : result) {
            count(o);
        }
        return List.of(result);
    }

    /** Skip flags to try first for a preference under the policy; null = refused by policy. */
    private int[] attempts(OffloadPreference pref) {
        return switch (pref) {
            case NEVER -> new int[] {TCA_CLS_FLAGS_SKIP_HW};
            case REQUIRED -> policy == TcPolicy.SKIP_HW ? null : new int[] {TCA_CLS_FLAGS_SKIP_SW};
            case PREFERRED -> switch (policy) {
                case NONE -> new int[] {0};
                case SKIP_SW -> new int[] {TCA_CLS_FLAGS_SKIP_SW};
                case SKIP_HW -> new int[] {TCA_CLS_FLAGS_SKIP_HW};
            };
        };
    }

    private static int actFlagsFor(int clsFlags) {
        return ((clsFlags & TCA_CLS_FLAGS_SKIP_HW) != 0 ? TCA_ACT_FLAGS_SKIP_HW : 0)
                | ((clsFlags & TCA_CLS_FLAGS_SKIP_SW) != 0 ? TCA_ACT_FLAGS_SKIP_SW : 0);
    }

    private TcOutcome count(TcOutcome o) {
        switch (o.status()) {
            case OK -> {
                installs.incrementAndGet();
                if (o.fellBack()) {
                    fallbacks.incrementAndGet();
                }
            }
            case REFUSED -> refusals.incrementAndGet();
            case FAILED -> failures.incrementAndGet();
        }
        return o;
    }

    private void sendInstalls(List<Megaflow> flows, List<Integer> todo, int[] flags, TcOutcome[] result, boolean fallback) {
        out.reset();
        int[] index = new int[todo.size()];
        TcFilterId[] ids = new TcFilterId[todo.size()];
        int m = 0;
        for (int i : todo) {
            Megaflow f = flows.get(i);
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
                proto = encoder.protocolOf(f);
                scratch.reset();
                // Encoded once, before anything is sent: a refusal leaves no trace. The prio is
                // patched into tcm_info below, once the device is prepared.
                encoder.encode(scratch, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, f, ifindex, 1, 0, flags[i], actFlagsFor(flags[i]));
            } catch (Refusal r) {
                result[i] = TcOutcome.refused(r.reason(), r.detail());
                continue;
            }
            DevicePrios known = devices.get(ifindex);
            boolean wasReady = known != null && known.qdiscReady;
            TcOutcome q = prepareDevice(ifindex);
            if (q != null) {
                result[i] = q;
                continue;
            }
            int prio = prioFor(ifindex, proto, f.mask());
            if (prio < 0) {
                result[i] = TcOutcome.refused(Reason.NO_SPACE, "no free tc priority left on ifindex " + ifindex);
                continue;
            }
            if (!wasReady) {
                // prepareDevice used the scratch writer (first contact with this device): encode again.
                scratch.reset();
                encoder.encode(scratch, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, f, ifindex, prio, 0, flags[i], actFlagsFor(flags[i]));
            } else {
                scratch.buffer().putInt(NLMSG_HDRLEN + TcMsg.INFO, TcMsg.filterInfo(prio, proto));
            }
            append(scratch);
            ids[m] = new TcFilterId(ifindex, prio, proto, 0);
            index[m++] = i;
        }
        if (m == 0) {
            return;
        }
        DecodedFilter[] echoes = new DecodedFilter[m];
        conn.batch("install flower filters", out, (req, msg) -> {
            if (msg.type() == RTM_NEWTFILTER && req >= 0 && req < echoes.length) {
                echoes[req] = decoder.decode(msg);
            }
        }, batchResult);
        for (int j = 0; j < m; j++) {
            int i = index[j];
            Megaflow f = flows.get(i);
            boolean hw = (flags[i] & TCA_CLS_FLAGS_SKIP_SW) != 0;
            if (!batchResult.ok(j)) {
                result[i] = kernelFailure("install " + f.ufid() + " on " + ids[j], batchResult.errno(j), batchResult.extackMessage(j), ids[j], hw);
                continue;
            }
            DecodedFilter e = echoes[j];
            if (e == null) {
                result[i] = TcOutcome.failed(Reason.OTHER, "install " + f.ufid() + ": the kernel acked but sent no echo", ids[j], 0, null);
                continue;
            }
            TcFilterId id = new TcFilterId(e.ifindex(), e.prio(), e.protocol(), e.handle());
            if (!echoMatches(e, f)) {
                // What the kernel holds is not what we asked for: don't leave it there.
                deleteFilter(id);
                result[i] = TcOutcome.failed(Reason.OTHER, "install " + f.ufid() + ": the kernel's echo differs from the request"
                        + (e.flow() == null ? " (" + e.why() + ")" : ": kernel holds " + describe(e.flow()) + " at " + id + ", asked " + describe(f)
                        + " at ifindex " + ids[j].ifindex()), id, 0, null);
                continue;
            }
            installed.put(f.ufid(), new Installed(id, f, flags[i], TcStats.ZERO));
            devices.get(id.ifindex()).ours.add(id.prio());
            result[i] = TcOutcome.ok(id, (e.flags() & TCA_CLS_FLAGS_IN_HW) != 0, e.inHwCount(),
                    (e.flags() & TCA_CLS_FLAGS_SKIP_SW) != 0, (e.flags() & TCA_CLS_FLAGS_SKIP_HW) != 0, fallback);
        }
    }

    /**
     * True when the kernel's echo is the filter we asked for. Equal megaflows (always the case
     * for a mask with the datapath baseline, the decoder's canonical form), or — for a request
     * without it, which the echo gives back with the bits flower implies (recirc_id(0), tag
     * presence) — equal after the same encode/decode round trip the echo went through.
     */
    private boolean echoMatches(DecodedFilter e, Megaflow f) {
        if (e.flow() == null) {
            return false;
        }
        if (e.flow().equals(f)) {
            return true;
        }
        canon.reset();
        encoder.encode(canon, 0, f, e.ifindex(), 1, 1, 0, 0);
        canonCursor.reset(canon.buffer(), 0, canon.length());
        canonCursor.next();
        DecodedFilter c = decoder.decode(canonCursor.message());
        return e.flow().equals(c.flow());
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
        int off = out.reserve(len - 16);
        out.buffer().put(off, src, 16, len - 16);
        out.finish(0);
    }

    private int inPortIfindex(Megaflow f) {
        if (!f.mask().isExact(Field.IN_PORT)) {
            return -1;
        }
        return ports.ifindexOf(f.key().inPort());
    }

    private int prioFor(int ifindex, int protocol, FlowMask mask) {
        DevicePrios d = devices.get(ifindex);
        ShapeKey k = new ShapeKey(protocol, mask.copy());
        Integer p = d.byShape.get(k);
        if (p != null) {
            return p;
        }
        Set<Integer> taken = new HashSet<>(d.foreign);
        taken.addAll(d.byShape.values());
        for (int prio = FIRST_PRIO; prio <= LAST_PRIO; prio++) {
            if (!taken.contains(prio)) {
                d.byShape.put(k, prio);
                return prio;
            }
        }
        return -1;
    }

    static TcOutcome kernelFailure(String what, int errno, String extack, TcFilterId id, boolean hwRequested) {
        Reason r = reasonOf(errno, extack, hwRequested, what.startsWith("install") || what.startsWith("replace"));
        return TcOutcome.failed(r, what + ": " + Errno.of(errno).name() + " (" + Errno.of(errno).description() + ")"
                + (extack != null ? ": " + extack : ""), id, errno, extack);
    }

    /** errno + extack → typed reason. {@code hwRequested}: the request carried skip_sw. */
    static Reason reasonOf(int errno, String extack, boolean hwRequested, boolean adding) {
        String x = extack == null ? "" : extack.toLowerCase(java.util.Locale.ROOT);
        return switch (Errno.of(errno)) {
            case EOPNOTSUPP -> hwRequested ? Reason.UNSUPPORTED_BY_DEVICE : Reason.UNSUPPORTED_BY_KERNEL;
            case EINVAL -> hwRequested && (x.isEmpty() || x.contains("offload") || x.contains("hardware") || x.contains("hw")
                    || x.contains("not supported") || x.contains("unsupported")) ? Reason.UNSUPPORTED_BY_DEVICE : Reason.INVALID;
            case ENOENT -> adding && (x.contains("module") || x.contains("classifier") || x.contains("unknown")) ? Reason.UNSUPPORTED_BY_KERNEL
                    : adding ? Reason.INVALID : Reason.NOT_FOUND;
            case ENODEV, ENXIO -> Reason.NO_DEVICE;
            case ENOSPC, ENOMEM, ENOBUFS, E2BIG -> Reason.NO_SPACE;
            case EEXIST -> Reason.EXISTS;
            default -> Reason.OTHER;
        };
    }

    // ------------------------------------------------------------------ qdisc and device state

    /**
     * Makes sure {@code ifindex} has a clsact (or ingress) qdisc, adding clsact if it has
     * neither, and learns which prios other filters use there. Other qdiscs are left alone.
     *
     * @return null when ready, else the failure
     */
    private TcOutcome prepareDevice(int ifindex) {
        DevicePrios d = devices.get(ifindex);
        if (d != null && d.qdiscReady) {
            return null;
        }
        try {
            boolean[] has = new boolean[1];
            scratch.reset();
            scratch.beginMessage(RTM_GETQDISC, 0);
            scratch.putTcMsg(0, ifindex, 0, 0, 0);
            scratch.finish(0);
            conn.dump("dump qdiscs of ifindex " + ifindex, scratch, (req, msg) -> {
                int off = msg.fixedHeader(TcMsg.LENGTH);
                tcmsg.wrap(msg.buffer(), off);
                if (tcmsg.ifindex() != ifindex) {
                    return;
                }
                msg.attributes(TcMsg.LENGTH, qdiscAttrs);
                String kind = qdiscAttrs.string(TCA_KIND);
                if (("clsact".equals(kind) || "ingress".equals(kind)) && tcmsg.parent() == PktSched.TC_H_INGRESS) {
                    has[0] = true;
                }
            });
            if (!has[0]) {
                scratch.reset();
                scratch.beginMessage(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
                scratch.putTcMsg(0, ifindex, 0xffff0000, PktSched.TC_H_CLSACT, 0);
                scratch.putString(TCA_KIND, "clsact");
                scratch.finish(0);
                try {
                    conn.request("add clsact qdisc on ifindex " + ifindex, scratch);
                } catch (NetlinkException e) {
                    if (e.errno() != Errno.EEXIST) {
                        throw e;
                    }
                }
            }
            if (d == null) {
                d = new DevicePrios();
                devices.put(ifindex, d);
                learn(ifindex);
            }
            d.qdiscReady = true;
            return null;
        } catch (NetlinkException e) {
            return kernelFailure("prepare ifindex " + ifindex + " (clsact qdisc)", e.errnoValue(), e.extackMessage(), null, false);
        }
    }

    /** Dumps the device's ingress filters: remembers ours (ufid → filter) and which prios others use. */
    private List<DecodedFilter> learn(int ifindex) {
        List<DecodedFilter> all = dumpRaw(ifindex);
        DevicePrios d = devices.computeIfAbsent(ifindex, x -> new DevicePrios());
        d.foreign.clear();
        for (DecodedFilter f : all) {
            if (f.handle() == 0) {
                continue;
            }
            if (f.flow() != null) {
                d.ours.add(f.prio());
                d.byShape.putIfAbsent(new ShapeKey(f.protocol(), f.flow().mask().copy()), f.prio());
                Installed old = installed.get(f.ufid());
                TcFilterId id = new TcFilterId(f.ifindex(), f.prio(), f.protocol(), f.handle());
                installed.put(f.ufid(), new Installed(id, f.flow(), f.flags() & (TCA_CLS_FLAGS_SKIP_HW | TCA_CLS_FLAGS_SKIP_SW),
                        old != null && old.id().equals(id) ? old.base() : TcStats.ZERO));
            } else {
                d.foreign.add(f.prio());
            }
        }
        d.foreign.removeAll(d.ours);
        return all;
    }

    private List<DecodedFilter> dumpRaw(int ifindex) {
        List<DecodedFilter> all = new ArrayList<>();
        scratch.reset();
        scratch.beginMessage(RTM_GETTFILTER, 0);
        scratch.putTcMsg(0, ifindex, 0, PARENT, 0);
        scratch.finish(0);
        conn.dump("dump filters of ifindex " + ifindex, scratch, new ReplyHandler() {
            @Override
            public void onReply(int requestIndex, NetlinkMessage m) {
                if (m.type() == RTM_NEWTFILTER) {
                    all.add(decoder.decode(m));
                }
            }

            @Override
            public void onDumpInterrupted() {
                all.clear();
            }
        });
        return all;
    }

    // ------------------------------------------------------------------ replace, delete, get, dump

    /**
     * Replaces the filter of {@code flow.ufid()} with {@code flow} (new actions, or a new match
     * under the same ufid). Same device and prio: in place with NLM_F_REPLACE (no gap);
     * otherwise the new filter goes in first and the old one is deleted after. Counters carry
     * over. A flow not installed yet is simply installed.
     */
    public synchronized TcOutcome replace(Megaflow flow, OffloadPreference pref) {
        Installed old = installed.get(flow.ufid());
        if (old == null) {
            return install(flow, pref);
        }
        int[] first = attempts(pref);
        if (first == null) {
            return count(TcOutcome.refused(Reason.POLICY, "preference required needs hardware, but tc-policy is skip_hw"));
        }
        int flags = first[0];
        int ifindex = inPortIfindex(flow);
        if (ifindex < 0) {
            return count(TcOutcome.refused(Reason.NO_DEVICE, "in_port of " + flow.ufid() + " has no device"));
        }
        int proto;
        try {
            proto = encoder.protocolOf(flow);
            scratch.reset();
            encoder.encode(scratch, 0, flow, ifindex, 1, 0, flags, actFlagsFor(flags));
        } catch (Refusal r) {
            return count(TcOutcome.refused(r.reason(), r.detail()));
        }
        TcOutcome q = prepareDevice(ifindex);
        if (q != null) {
            return count(q);
        }
        TcStats before = readStats(old.id());
        TcStats base = before == null ? old.base() : before.plus(old.base());
        int prio = prioFor(ifindex, proto, flow.mask());
        boolean inPlace = old.id().ifindex() == ifindex && old.id().prio() == prio && old.id().protocol() == proto && old.clsFlags() == flags;
        if (inPlace) {
            TcOutcome o = sendOne("replace " + flow.ufid() + " on " + old.id(), NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ECHO, flow, old.id(), flags, base, false);
            if (o.ok() || o.reason() == Reason.NO_DEVICE) {
                return count(o);
            }
            // The kernel would not swap in place: delete then add (a short gap, said in the outcome).
            deleteFilter(old.id());
            installed.remove(flow.ufid());
            TcOutcome again = sendOne("replace (delete-then-add) " + flow.ufid(), NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, flow,
                    new TcFilterId(ifindex, prio, proto, 0), flags, base, false);
            String why = "delete-then-add, because the kernel refused the in-place swap (" + o.detail() + ")";
            return count(again.ok()
                    ? new TcOutcome(again.status(), again.reason(), why + ": forwarding had a gap", again.id(), again.inHw(), again.inHwCount(),
                            again.skipSw(), again.skipHw(), 0, null, again.fellBack())
                    : TcOutcome.failed(again.reason(), again.detail() + "; " + why + ": the original " + old.id() + " is deleted",
                            again.id(), again.errno(), again.extack()));
        }
        // Make before break: the new filter at its own prio, then the old one goes.
        installed.remove(flow.ufid());
        TcOutcome o = sendOne("replace (add new) " + flow.ufid(), NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, flow,
                new TcFilterId(ifindex, prio, proto, 0), flags, base, false);
        if (!o.ok()) {
            installed.put(flow.ufid(), old);
            return count(o);
        }
        // The old filter (lower prio number or not) kept matching until now: its final counters
        // come with the delete's echo, so nothing it counted after the read above is lost.
        TcStats last = deleteFinalStats(old.id());
        if (last != null) {
            Installed now = installed.get(flow.ufid());
            installed.put(flow.ufid(), new Installed(now.id(), now.flow(), now.clsFlags(), last.plus(old.base())));
        }
        return count(o);
    }

    /** Deletes with NLM_F_ECHO: the kernel sends the filter as it was, counters included; null when it failed or sent none. */
    private TcStats deleteFinalStats(TcFilterId id) {
        scratch.reset();
        scratch.beginMessage(RTM_DELTFILTER, NLM_F_ECHO);
        scratch.putTcMsg(0, id.ifindex(), id.handle(), PARENT, TcMsg.filterInfo(id.prio(), id.protocol()));
        scratch.putString(TCA_KIND, "flower");
        scratch.finish(0);
        DecodedFilter[] gone = new DecodedFilter[1];
        try {
            conn.request("delete filter " + id, scratch, (req, msg) -> {
                if (msg.type() == RTM_DELTFILTER) {
                    gone[0] = decoder.decode(msg);
                }
            });
        } catch (NetlinkException e) {
            return null;
        }
        DecodedFilter d = gone[0];
        return d == null ? null : new TcStats(d.packets(), d.bytes(), d.usedMillisAgo(), d.hwPackets());
    }

    private TcOutcome sendOne(String what, int nlFlags, Megaflow flow, TcFilterId at, int flags, TcStats base, boolean fellBack) {
        scratch.reset();
        encoder.encode(scratch, nlFlags, flow, at.ifindex(), at.prio(), at.handle(), flags, actFlagsFor(flags));
        DecodedFilter[] echo = new DecodedFilter[1];
        try {
            conn.request(what, scratch, (req, msg) -> {
                if (msg.type() == RTM_NEWTFILTER) {
                    echo[0] = decoder.decode(msg);
                }
            });
        } catch (NetlinkException e) {
            return kernelFailure(what, e.errnoValue(), e.extackMessage(), at, (flags & TCA_CLS_FLAGS_SKIP_SW) != 0);
        }
        DecodedFilter e = echo[0];
        if (e == null || !echoMatches(e, flow)) {
            if (e != null) {
                deleteFilter(new TcFilterId(e.ifindex(), e.prio(), e.protocol(), e.handle()));
            }
            return TcOutcome.failed(Reason.OTHER, what + ": the kernel's echo differs from the request", at, 0, null);
        }
        TcFilterId id = new TcFilterId(e.ifindex(), e.prio(), e.protocol(), e.handle());
        installed.put(flow.ufid(), new Installed(id, flow, flags, base));
        devices.get(id.ifindex()).ours.add(id.prio());
        return TcOutcome.ok(id, (e.flags() & TCA_CLS_FLAGS_IN_HW) != 0, e.inHwCount(),
                (e.flags() & TCA_CLS_FLAGS_SKIP_SW) != 0, (e.flags() & TCA_CLS_FLAGS_SKIP_HW) != 0, fellBack);
    }

    /** Deletes the filter of {@code ufid}. */
    public synchronized TcOutcome delete(Ufid ufid) {
        Installed i = installed.get(ufid);
        if (i == null) {
            return TcOutcome.refused(Reason.NOT_FOUND, ufid + " is not installed (dump the device first after a restart)");
        }
        TcOutcome o = deleteFilter(i.id());
        if (o.ok() || o.reason() == Reason.NOT_FOUND || o.reason() == Reason.NO_DEVICE) {
            installed.remove(ufid);
        }
        return o;
    }

    private TcOutcome deleteFilter(TcFilterId id) {
        scratch.reset();
        encodeFilterRef(scratch, RTM_DELTFILTER, id);
        try {
            conn.request("delete filter " + id, scratch);
            return TcOutcome.ok(id, false, 0, false, false, false);
        } catch (NetlinkException e) {
            return kernelFailure("delete filter " + id, e.errnoValue(), e.extackMessage(), id, false);
        }
    }

    private static void encodeFilterRef(NetlinkMessageWriter w, int type, TcFilterId id) {
        w.beginMessage(type, 0);
        w.putTcMsg(0, id.ifindex(), id.handle(), PARENT, TcMsg.filterInfo(id.prio(), id.protocol()));
        w.putString(TCA_KIND, "flower");
        w.finish(0);
    }

    private TcStats readStats(TcFilterId id) {
        DecodedFilter d = getRaw(id);
        return d == null ? null : new TcStats(d.packets(), d.bytes(), d.usedMillisAgo(), d.hwPackets());
    }

    private DecodedFilter getRaw(TcFilterId id) {
        scratch.reset();
        encodeFilterRef(scratch, RTM_GETTFILTER, id);
        DecodedFilter[] got = new DecodedFilter[1];
        try {
            conn.request("get filter " + id, scratch, (req, msg) -> {
                if (msg.type() == RTM_NEWTFILTER) {
                    got[0] = decoder.decode(msg);
                }
            });
        } catch (NetlinkException e) {
            return null;
        }
        return got[0];
    }

    /** The filter of {@code ufid} as the kernel holds it now, with fresh counters; empty when gone. */
    public synchronized Optional<TcFlow> get(Ufid ufid) {
        Installed i = installed.get(ufid);
        if (i == null) {
            return Optional.empty();
        }
        DecodedFilter d = getRaw(i.id());
        if (d == null || d.flow() == null || !ufid.equals(d.ufid())) {
            return Optional.empty();
        }
        return Optional.of(toFlow(d, i.base()));
    }

    private static TcFlow toFlow(DecodedFilter d, TcStats base) {
        TcStats s = new TcStats(d.packets(), d.bytes(), d.usedMillisAgo(), d.hwPackets()).plus(base);
        return new TcFlow(d.flow(), new TcFilterId(d.ifindex(), d.prio(), d.protocol(), d.handle()),
                (d.flags() & TCA_CLS_FLAGS_IN_HW) != 0, d.inHwCount(),
                (d.flags() & TCA_CLS_FLAGS_SKIP_SW) != 0, (d.flags() & TCA_CLS_FLAGS_SKIP_HW) != 0, s);
    }

    /**
     * Our filters on {@code ifindex}'s ingress, decoded back to megaflows (ufid from the
     * cookie), with flags and counters. Filters that are not ours are skipped. Also re-learns
     * them, so after a restart {@link #delete} and {@link #replace} know every flow dumped.
     */
    public synchronized List<TcFlow> dump(int ifindex) {
        List<DecodedFilter> all;
        try {
            all = learn(ifindex);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV || e.errno() == Errno.EINVAL) {
                return List.of();
            }
            throw e;
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

    /** Deletes every filter of ours on {@code ifindex} (others stay), batched; returns how many went. */
    public synchronized int deleteAllOurs(int ifindex) {
        List<DecodedFilter> all = learn(ifindex);
        out.reset();
        List<DecodedFilter> ours = new ArrayList<>();
        for (DecodedFilter d : all) {
            if (d.handle() != 0 && d.flow() != null) {
                ours.add(d);
                TcFilterId id = new TcFilterId(d.ifindex(), d.prio(), d.protocol(), d.handle());
                encodeFilterRef(out, RTM_DELTFILTER, id);
            }
        }
        if (ours.isEmpty()) {
            return 0;
        }
        conn.batch("delete our filters on ifindex " + ifindex, out, null, batchResult);
        int deleted = 0;
        for (int j = 0; j < ours.size(); j++) {
            if (batchResult.ok(j) || Errno.of(batchResult.errno(j)) == Errno.ENOENT) {
                installed.remove(ours.get(j).ufid());
                deleted += batchResult.ok(j) ? 1 : 0;
            }
        }
        return deleted;
    }

    /** Deletes many flows by ufid in one batch; outcome per ufid, in order. */
    public synchronized List<TcOutcome> deleteAll(List<Ufid> ufids) {
        TcOutcome[] result = new TcOutcome[ufids.size()];
        out.reset();
        int[] index = new int[ufids.size()];
        TcFilterId[] ids = new TcFilterId[ufids.size()];
        int m = 0;
        for (int i = 0; i < ufids.size(); i++) {
            Installed in = installed.get(ufids.get(i));
            if (in == null) {
                result[i] = TcOutcome.refused(Reason.NOT_FOUND, ufids.get(i) + " is not installed");
                continue;
            }
            encodeFilterRef(out, RTM_DELTFILTER, in.id());
            ids[m] = in.id();
            index[m++] = i;
        }
        if (m > 0) {
            conn.batch("delete flower filters", out, null, batchResult);
            for (int j = 0; j < m; j++) {
                int i = index[j];
                if (batchResult.ok(j)) {
                    result[i] = TcOutcome.ok(ids[j], false, 0, false, false, false);
                    installed.remove(ufids.get(i));
                } else {
                    result[i] = kernelFailure("delete filter " + ids[j], batchResult.errno(j), batchResult.extackMessage(j), ids[j], false);
                    if (result[i].reason() == Reason.NOT_FOUND) {
                        installed.remove(ufids.get(i));
                    }
                }
            }
        }
        return List.of(result);
    }

    /** Forgets cached device state (a device was re-created); the next operation re-learns it. */
    public synchronized void forgetDevice(int ifindex) {
        devices.remove(ifindex);
        installed.values().removeIf(i -> i.id().ifindex() == ifindex);
    }

    @Override
    public void close() {
        if (ownsConnection) {
            conn.close();
        }
    }
}
