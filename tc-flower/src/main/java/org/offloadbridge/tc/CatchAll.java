package org.offloadbridge.tc;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLA_F_NESTED;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_COOKIE;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_KIND;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_OPTIONS;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_CLS_FLAGS_SKIP_HW;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_U32_ACT;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_U32_FLAGS;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_U32_SEL;
import static org.offloadbridge.netlink.uapi.PktCls.TC_ACT_STOLEN;
import static org.offloadbridge.netlink.uapi.PktCls.TC_U32_TERMINAL;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_KIND;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_OPTIONS;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.offloadbridge.ebpf.Bpf;
import org.offloadbridge.ebpf.BpfProgram;
import org.offloadbridge.ebpf.ProgramFd;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.netlink.AttributeCursor;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.ReplyHandler;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.PktCls;
import org.offloadbridge.netlink.uapi.PktSched;
import org.offloadbridge.netlink.uapi.TcMirred;
import org.offloadbridge.tc.internal.Clsact;
import org.offloadbridge.tc.internal.TunnelPrograms;

/**
 * The slow path's entry and exit: on a device's ingress, below every flow's prio, one filter
 * that matches every packet and redirects it out of another device.
 *
 * <p>Why a filter and not a packet tap: taps (AF_PACKET, so DPDK's {@code net_af_packet}) run
 * <em>before</em> tc ingress and see every packet, including those a flow's filter then
 * forwards — a userspace datapath bound to the port itself would forward them a second time.
 * tc runs a device's ingress filters in prio order and stops at the first that steals the
 * packet, so a packet reaches this filter (prio {@value #PRIO}, the last one) only when it
 * missed every flow of ours and everyone else's. The daemon points it at the port's miss
 * device (a veth whose far end its datapath reads), and puts the reverse one on the miss
 * device's ingress so that what the datapath sends there leaves through the port.
 *
 * <p>The filter is {@code u32} with one all-zero key ({@code match u32 0 0}, protocol all),
 * because every kernel has cls_u32 (this project's build machines lack cls_matchall and
 * cls_flower), and {@code skip_hw}: a NIC cannot redirect to a veth, and packets that miss in
 * hardware come up to the representor's software path, where this filter waits. Its mirred
 * action carries {@link #COOKIE}, so it is recognised as ours after a restart and told apart
 * from a foreign filter at the same prio, which is never touched.
 *
 * <p>The iproute2 twin (what {@code tc filter show} prints for it):
 * <pre>
 * tc filter add dev P ingress prio 65535 protocol all handle 800::800 u32 skip_hw match u32 0 0 \
 *     action mirred egress redirect dev M cookie 6f622d6d697373
 * </pre>
 */
public final class CatchAll {
    /** The lowest priority tc has: below every flow prio ({@code TcOffload} allocates from 1 up). */
    public static final int PRIO = 0xffff;
    /** The u32 key handle the kernel gives the first key of a new prio ({@code 800::800}); we name it so a replace hits it. */
    static final int HANDLE = 0x80000800;
    /** The tunnel programs' filter names, before ":" and their target's ifindex. */
    public static final String TUNNEL_MISS = "ob-tnl-miss", TUNNEL_INJECT = "ob-tnl-inject";
    /** cls_bpf's handle for our program (cls_bpf handles are free-form; one filter per prio). */
    static final int BPF_HANDLE = 1;
    /** Marks our catch-all's action: the bytes of "ob-miss". */
    static final byte[] COOKIE = "ob-miss".getBytes(StandardCharsets.US_ASCII);

    private static final int TC_GEN_LEN = 20;
    private static final int U32_SEL_LEN = 16;
    private static final int U32_KEY_LEN = 16;

    private final NetlinkConnection conn;
    private final NetlinkMessageWriter w = new NetlinkMessageWriter(1024);
    private final TcMsg tcmsg = new TcMsg();
    private final AttributeTable top = new AttributeTable(org.offloadbridge.netlink.uapi.Rtnetlink.TCA_MAX);
    private final AttributeTable u32 = new AttributeTable(PktCls.TCA_U32_MAX);
    private final AttributeTable act = new AttributeTable(PktCls.TCA_ACT_MAX);
    private final AttributeTable mirred = new AttributeTable(TcMirred.TCA_MIRRED_MAX);
    private final AttributeTable bpf = new AttributeTable(PktCls.TCA_BPF_MAX);
    private final AttributeCursor actions = new AttributeCursor();
    private final Clsact clsact;

    public CatchAll(NetlinkConnection conn) {
        this.conn = conn;
        this.clsact = new Clsact(conn);
    }

    /** What sits at {@link #PRIO} on a device's ingress. */
    public sealed interface State {
        /** Nothing: the prio is free. */
        record Free() implements State {}

        /** Our catch-all, redirecting to {@code targetIfindex}. */
        record Ours(int targetIfindex) implements State {}

        /**
         * One of our tunnel programs ({@code cls_bpf}), named {@code role}, redirecting to
         * {@code targetIfindex}: {@link #TUNNEL_MISS} or {@link #TUNNEL_INJECT}.
         */
        record OursProgram(String role, int targetIfindex) implements State {}

        /** Someone else's filter (kind as tc names it): we never touch it. */
        record Foreign(String kind) implements State {}
    }

    /**
     * Puts our catch-all on {@code ifindex}'s ingress, redirecting to {@code targetIfindex}
     * (adding a clsact qdisc when the device has no ingress qdisc). Idempotent: ours already
     * there with the same target is left alone (a restart keeps the slow path without a gap);
     * ours with another target is replaced in place.
     *
     * @throws NetlinkException with the kernel's text when the kernel refuses, or (EBUSY) when a
     *                          foreign filter holds the prio
     */
    public synchronized void install(int ifindex, int targetIfindex) {
        put(ifindex, new State.Ours(targetIfindex), "catch-all", replace -> encodeInstall(w, ifindex, targetIfindex, replace));
    }

    /**
     * Puts the tunnel miss program on the VXLAN device {@code vxlanIfindex}'s ingress,
     * redirecting what misses (with its tunnel metadata in front, {@code flow.TunnelFrame}) to
     * {@code missIfindex}. Idempotent as {@link #install}.
     *
     * @throws org.offloadbridge.ebpf.BpfException when the kernel refuses the program (with the verifier's log)
     */
    public void installTunnelMiss(int vxlanIfindex, int missIfindex) {
        installProgram(vxlanIfindex, TUNNEL_MISS, missIfindex, TunnelPrograms.miss(missIfindex));
    }

    /**
     * Puts the tunnel inject program on the miss device {@code missIfindex}'s ingress: what the
     * datapath sends there with an inject trailer leaves through the VXLAN device
     * {@code vxlanIfindex}, encapsulated as the trailer asks. Idempotent as {@link #install}.
     */
    public void installTunnelInject(int missIfindex, int vxlanIfindex) {
        installProgram(missIfindex, TUNNEL_INJECT, vxlanIfindex, TunnelPrograms.inject(vxlanIfindex));
    }

    private synchronized void installProgram(int ifindex, String role, int targetIfindex, BpfProgram program) {
        State want = new State.OursProgram(role, targetIfindex);
        if (want.equals(state(ifindex))) {
            return; // loading the program for nothing would cost a verifier run
        }
        try (ProgramFd fd = Bpf.load(program)) {
            put(ifindex, want, role, replace -> encodeProgram(w, ifindex, fd.fd(), role + ":" + targetIfindex, replace));
        }
    }

    /**
     * Puts {@code want} at the prio unless it is there: a foreign filter is refused, ours of the
     * other kind (a port turned tunnel) is removed first because a replace cannot change a
     * filter's kind, ours of the same kind is replaced in place (no gap in the slow path).
     */
    /** Writes the install request into {@link #w}; {@code replace}: ours of the same kind is there. */
    @FunctionalInterface
    private interface Encoder {
        void encode(boolean replace);
    }

    private void put(int ifindex, State want, String what, Encoder encode) {
        State s = state(ifindex);
        if (want.equals(s)) {
            return;
        }
        if (s instanceof State.Foreign f) {
            throw new NetlinkException(what + " on ifindex " + ifindex + ": prio " + PRIO + " of its ingress is taken by a "
                + f.kind() + " filter that is not ours; remove it or free the prio", Errno.EBUSY.value(), null, -1, -1);
        }
        if (!(s instanceof State.Free) && s.getClass() != want.getClass()) {
            delete(ifindex);
            s = new State.Free();
        }
        clsact.ensure(ifindex);
        boolean replace = !(s instanceof State.Free);
        for (int attempt = 1; ; attempt++) {
            w.reset();
            encode.encode(replace);
            try {
                conn.request((replace ? "replace " : "add ") + what + " on ifindex " + ifindex + " to " + describe(want), w);
                return;
            } catch (NetlinkException e) {
                // "Not now" (EINTR, EAGAIN, EBUSY) is asked again; a lost ack (ENOBUFS, ETIMEDOUT) is
                // settled by reading the prio back: the slow path of a port is worth a second try.
                if (attempt == 2 || !(TcOffload.notNow(e.errnoValue()) || TcOffload.outcomeUnknown(e.errnoValue()))) {
                    throw e;
                }
                if (TcOffload.outcomeUnknown(e.errnoValue())) {
                    State now = state(ifindex);
                    if (want.equals(now)) {
                        return;
                    }
                    replace = now.getClass() == want.getClass();
                }
            }
        }
    }

    private static String describe(State s) {
        return switch (s) {
            case State.Ours o -> "ifindex " + o.targetIfindex();
            case State.OursProgram p -> "ifindex " + p.targetIfindex();
            default -> s.toString();
        };
    }

    /**
     * The RTM_NEWTFILTER for a tunnel program: cls_bpf, direct-action, skip_hw, named
     * {@code name} (our mark: tc prints it, and {@link #state} reads it back). iproute2's twin
     * is {@code tc filter add dev D ingress prio 65535 protocol all handle 1 bpf skip_hw da
     * fd N name NAME} (tc itself takes an object file rather than an fd).
     */
    public static void encodeProgram(NetlinkMessageWriter w, int ifindex, int programFd, String name, boolean replace) {
        w.beginMessage(RTM_NEWTFILTER, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (replace ? 0 : NLM_F_EXCL));
        w.putTcMsg(0, ifindex, BPF_HANDLE, PktSched.TC_H_CLSACT & 0xffff0000 | PktSched.TC_H_MIN_INGRESS,
            TcMsg.filterInfo(PRIO, EthType.ALL));
        w.putString(TCA_KIND, "bpf");
        int opts = w.beginNested(TCA_OPTIONS);
        w.putU32(PktCls.TCA_BPF_FD, programFd);
        w.putString(PktCls.TCA_BPF_NAME, name);
        w.putU32(PktCls.TCA_BPF_FLAGS, PktCls.TCA_BPF_FLAG_ACT_DIRECT);
        w.putU32(PktCls.TCA_BPF_FLAGS_GEN, TCA_CLS_FLAGS_SKIP_HW);
        w.endNested(opts);
        w.finish(0);
    }

    /**
     * The RTM_NEWTFILTER for our catch-all, attribute for attribute as iproute2 6.1 sends its
     * twin (see the class comment; CatchAllGoldenTest compares whole messages).
     */
    public static void encodeInstall(NetlinkMessageWriter w, int ifindex, int targetIfindex, boolean replace) {
        w.beginMessage(RTM_NEWTFILTER, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (replace ? 0 : NLM_F_EXCL));
        w.putTcMsg(0, ifindex, HANDLE, PktSched.TC_H_CLSACT & 0xffff0000 | PktSched.TC_H_MIN_INGRESS,
            TcMsg.filterInfo(PRIO, EthType.ALL));
        w.putString(TCA_KIND, "u32");
        int opts = w.beginNested(TCA_OPTIONS);
        int acts = w.beginNested(TCA_U32_ACT);
        int a = w.beginNested(1);
        w.putString(TCA_ACT_KIND, "mirred");
        int ao = w.beginNested(TCA_ACT_OPTIONS | NLA_F_NESTED);
        int p = w.putStruct(TcMirred.TCA_MIRRED_PARMS, TC_GEN_LEN + 8); // struct tc_mirred: tc_gen, eaction, ifindex
        ByteBuffer b = w.buffer();
        b.putInt(p + 8, TC_ACT_STOLEN);        // tc_gen.action
        b.putInt(p + TC_GEN_LEN, TcMirred.TCA_EGRESS_REDIR);
        b.putInt(p + TC_GEN_LEN + 4, targetIfindex);
        w.endNested(ao);
        w.putBytes(TCA_ACT_COOKIE, COOKIE);
        w.endNested(a);
        w.endNested(acts);
        int sel = w.putStruct(TCA_U32_SEL, U32_SEL_LEN + U32_KEY_LEN); // zeroed: one key, mask 0 val 0 at 0
        b = w.buffer();
        b.put(sel, (byte) TC_U32_TERMINAL);    // tc_u32_sel.flags
        b.put(sel + 2, (byte) 1);              // tc_u32_sel.nkeys
        w.putU32(TCA_U32_FLAGS, TCA_CLS_FLAGS_SKIP_HW);
        w.endNested(opts);
        w.finish(0);
    }

    /**
     * Removes our catch-all from {@code ifindex}; a foreign filter at the prio is left alone.
     *
     * @return true when ours was there
     */
    public synchronized boolean remove(int ifindex) {
        State s = state(ifindex);
        if (!(s instanceof State.Ours || s instanceof State.OursProgram)) {
            return false;
        }
        delete(ifindex);
        return true;
    }

    private void delete(int ifindex) {
        w.reset();
        w.beginMessage(RTM_DELTFILTER, 0);
        w.putTcMsg(0, ifindex, 0, PktSched.TC_H_CLSACT & 0xffff0000 | PktSched.TC_H_MIN_INGRESS, TcMsg.filterInfo(PRIO, EthType.ALL));
        w.finish(0);
        try {
            conn.request("delete catch-all on ifindex " + ifindex, w);
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }

    /**
     * What holds {@link #PRIO} on {@code ifindex}'s ingress. A dump changes nothing, so one that
     * lost datagrams or met "not now" is walked again (as {@link TcOffload#dump} does): a start
     * or a reload does not fail on a hiccup.
     */
    public synchronized State state(int ifindex) {
        for (int attempt = 1; ; attempt++) {
            try {
                return readState(ifindex);
            } catch (NetlinkException e) {
                if (attempt == TcOffload.DUMP_ATTEMPTS || !(TcOffload.notNow(e.errnoValue()) || TcOffload.outcomeUnknown(e.errnoValue()))) {
                    throw e;
                }
            }
        }
    }

    private State readState(int ifindex) {
        State[] found = {new State.Free()};
        w.reset();
        w.beginMessage(RTM_GETTFILTER, 0);
        w.putTcMsg(0, ifindex, 0, PktSched.TC_H_CLSACT & 0xffff0000 | PktSched.TC_H_MIN_INGRESS, 0);
        w.finish(0);
        try {
            conn.dump("dump ingress filters of ifindex " + ifindex, w, new ReplyHandler() {
                @Override
                public void onReply(int requestIndex, NetlinkMessage msg) {
                    int off = msg.fixedHeader(TcMsg.LENGTH);
                    tcmsg.wrap(msg.buffer(), off);
                    if (tcmsg.ifindex() != ifindex || (tcmsg.info() >>> 16) != PRIO || tcmsg.handle() == 0) {
                        return;
                    }
                    msg.attributes(TcMsg.LENGTH, top);
                    String kind = top.string(TCA_KIND);
                    if ("bpf".equals(kind)) {
                        State p = ourProgram();
                        found[0] = p != null ? p : new State.Foreign(kind);
                        return;
                    }
                    int target = "u32".equals(kind) ? ourTarget() : -1;
                    found[0] = target > 0 ? new State.Ours(target) : new State.Foreign(kind);
                }

                @Override
                public void onDumpInterrupted() {
                    found[0] = new State.Free(); // walked again from the start: what it finds then stands
                }
            });
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.ENOENT) {
                return new State.Free(); // no ingress qdisc yet: nothing can sit there
            }
            throw e;
        }
        return found[0];
    }

    /** Our tunnel program as its filter's name says ({@code role:target}), else null. */
    private State ourProgram() {
        if (!top.nested(TCA_OPTIONS, bpf) || !bpf.has(PktCls.TCA_BPF_NAME)) {
            return null;
        }
        String name = bpf.string(PktCls.TCA_BPF_NAME);
        int colon = name.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String role = name.substring(0, colon);
        if (!role.equals(TUNNEL_MISS) && !role.equals(TUNNEL_INJECT)) {
            return null;
        }
        try {
            return new State.OursProgram(role, Integer.parseInt(name.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The redirect target of a u32 filter whose first action is our cookied mirred, else -1. */
    private int ourTarget() {
        if (!top.nested(TCA_OPTIONS, u32) || !u32.has(TCA_U32_ACT)) {
            return -1;
        }
        actions.reset(u32, TCA_U32_ACT);
        while (actions.next()) {
            act.parse(actions.buffer(), actions.payloadOffset(), actions.payloadEnd());
            byte[] cookie = act.has(TCA_ACT_COOKIE) ? act.bytes(TCA_ACT_COOKIE) : null;
            if (!"mirred".equals(act.string(TCA_ACT_KIND)) || !Arrays.equals(cookie, COOKIE)
                || !act.nested(TCA_ACT_OPTIONS, mirred) || !mirred.has(TcMirred.TCA_MIRRED_PARMS)) {
                return -1;
            }
            return mirred.buffer().getInt(mirred.offset(TcMirred.TCA_MIRRED_PARMS) + TC_GEN_LEN + 4);
        }
        return -1;
    }
}
