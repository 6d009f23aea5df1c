package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_FLAGS;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_KIND;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_OPTIONS;

import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.tc.TcPorts;

/**
 * Megaflow → one {@code RTM_NEWTFILTER} request for a flower filter on a port's ingress, in two
 * steps with a {@link FlowerFilter} between them (as OVS's {@code struct tc_flower} sits
 * between netdev-offload-tc.c and tc.c):
 * <ol>
 *   <li>{@link #translate}: the decisions, once per flow — {@link FlowerMatchEncoder} (keys,
 *       protocol) and {@link FlowerActionEncoder} (tc actions); every {@link Refusal} comes
 *       from here, before anything is written;</li>
 *   <li>{@link #write}: the layout, as often as needed — the message around
 *       {@link FlowerMatchCodec} and {@link FlowerActionCodec}; never refuses.</li>
 * </ol>
 *
 * <h2>Layout (what iproute2's {@code tc filter add ... flower ... action ...} sends)</h2>
 * <pre>
 * nlmsghdr | tcmsg{ifindex, handle, parent=ffff:fff2 (clsact ingress), info=prio&lt;&lt;16|htons(proto)}
 * TCA_KIND "flower"
 * TCA_OPTIONS
 *   keys, in iproute2's keyword order (see {@link FlowerKey})
 *   TCA_FLOWER_ACT { 1 {KIND, OPTIONS|NLA_F_NESTED {...}, COOKIE=ufid [, FLAGS]} 2 {...} ... }
 *   TCA_FLOWER_FLAGS (skip_sw / skip_hw)
 *   TCA_FLOWER_KEY_FLAGS, _MASK (ip_flags), when the flow matches nw_frag
 *   TCA_FLOWER_KEY_ETH_TYPE (= the protocol in tcm_info), unless protocol is all
 * </pre>
 * Matching iproute2's order byte for byte is what lets the golden tests compare whole messages.
 *
 * <p>Reusable, not thread-safe. Translating and writing allocate nothing on the success path
 * except the first decode of an {@link org.offloadbridge.flow.Actions} list (cached by flow/).
 */
public final class FlowerEncoder {
    /** TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS): the ingress hook of a clsact (or ingress) qdisc. */
    public static final int PARENT_INGRESS = 0xfffffff2;
    /** OVS's TCA_ACT_MAX_NUM: hardware drivers take no more, and neither do we. */
    public static final int MAX_ACTIONS = 16;

    private final FlowerMatchEncoder match = new FlowerMatchEncoder();
    private final FlowerActionEncoder actions;
    private final FlowerActionCodec actionCodec = new FlowerActionCodec();
    /** {@link #encode}'s own filter. */
    private final FlowerFilter last = new FlowerFilter();
    private int protocol;
    private int actionCount;

    public FlowerEncoder(TcPorts ports) {
        this.actions = new FlowerActionEncoder(ports);
    }

    /**
     * Translates {@code flow} into {@code into} (cleared first): protocol, keys and actions.
     *
     * @return the filter protocol (host order), as {@code into.protocol()}
     * @throws Refusal when the flow has no flower form ({@code into} then holds a part of it)
     */
    public int translate(Megaflow flow, FlowerFilter into) {
        into.clear();
        match.encode(flow, into);
        actions.encode(flow, into);
        match.encodeFragFlags();
        return into.protocol();
    }

    /**
     * Writes one whole RTM_NEWTFILTER message for {@code filter} into {@code w}.
     *
     * @param nlFlags  netlink flags (NLM_F_CREATE|NLM_F_EXCL|NLM_F_ECHO for an install, NLM_F_REPLACE for a replace)
     * @param ifindex  the in_port's device
     * @param prio     tc priority
     * @param handle   0 to let the kernel choose; the existing handle for a replace
     * @param clsFlags TCA_CLS_FLAGS_SKIP_SW / _SKIP_HW
     * @param actFlags TCA_ACT_FLAGS_SKIP_SW / _SKIP_HW for every action (0: no TCA_ACT_FLAGS)
     */
    public void write(NetlinkMessageWriter w, int nlFlags, FlowerFilter filter, int ifindex, int prio, int handle, int clsFlags, int actFlags) {
        w.beginMessage(RTM_NEWTFILTER, nlFlags);
        w.putTcMsg(0, ifindex, handle, PARENT_INGRESS, TcMsg.filterInfo(prio, filter.protocol()));
        w.putString(TCA_KIND, "flower");
        int opts = w.beginNested(TCA_OPTIONS);
        FlowerMatchCodec.write(w, filter, false);
        actionCodec.write(w, filter, actFlags);
        w.putU32(TCA_FLOWER_FLAGS, clsFlags);
        FlowerMatchCodec.write(w, filter, true);
        w.endNested(opts);
        w.finish(0);
    }

    /**
     * {@link #translate} then {@link #write}, for one request (parameters as {@link #write}).
     *
     * @throws Refusal when the flow has no flower form (nothing is written then)
     */
    public void encode(NetlinkMessageWriter w, int nlFlags, Megaflow flow, int ifindex, int prio, int handle, int clsFlags, int actFlags) {
        int proto = translate(flow, last);
        write(w, nlFlags, last, ifindex, prio, handle, clsFlags, actFlags);
        this.protocol = proto;
        this.actionCount = last.actionCount();
    }

    /** The filter protocol (host order) the last successful {@link #encode} chose. */
    public int protocol() {
        return protocol;
    }

    /** Number of tc actions the last successful {@link #encode} wrote. */
    public int actionCount() {
        return actionCount;
    }
}
