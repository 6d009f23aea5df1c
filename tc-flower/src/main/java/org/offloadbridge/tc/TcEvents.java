package org.offloadbridge.tc;

import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELCHAIN;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELQDISC;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELTFILTER;

import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkSubscription;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.tc.internal.DecodedFilter;
import org.offloadbridge.tc.internal.FlowerDecoder;

/**
 * What RTNLGRP_TC says about our filters: which were deleted, and on which devices everything
 * went at once. The kernel announces a filter's deletion with the whole filter
 * ({@code tfilter_del_notify} fills the message before it deletes), so the actions' cookie —
 * our ufid — is in it; a chain or the clsact qdisc going takes every filter on it with it and is
 * announced once, not per filter.
 *
 * <p>Only deletions are decoded. Additions and replacements (ours, by the thousand while
 * installing) are skipped on their message type alone, so the listener's thread does no work
 * for them. Our own deletes come back too: the listener tells them from foreign ones by asking
 * whether it still wants the flow (the revalidator's ukey state), not here.
 *
 * <p>The slow path's catch-all ({@link CatchAll}, prio 65535) deleted counts as a flush of its
 * device: it must be put back.
 *
 * <p>A subscription that overruns (ENOBUFS) lost events: {@link Listener#onLost()} — resync
 * with a dump, as OVS does for its netlink notifications.
 */
public final class TcEvents {
    /** Receives decoded events on the thread that reads the subscription. */
    public interface Listener {
        /** A flower filter carrying our cookie {@code ufid} was deleted from {@code ifindex}. */
        void onDeleted(Ufid ufid, int ifindex);

        /** Every filter of a chain or of the ingress qdisc of {@code ifindex} went at once. */
        void onFlushed(int ifindex);

        /** Events were lost (the socket overran): what the kernel holds must be read again. */
        void onLost();
    }

    /** Socket receive buffer asked for: bursts of our own installs must not overrun it. */
    public static final int RECEIVE_BUFFER = 8 << 20;

    /** TC_H_CLSACT (== TC_H_INGRESS), the parent the clsact qdisc is announced under. */
    private static final int TC_H_CLSACT = 0xFFFFFFF1;

    private final FlowerDecoder decoder;
    private final TcMsg tcmsg = new TcMsg();

    public TcEvents(TcPorts ports) {
        this.decoder = new FlowerDecoder(ports);
    }

    /**
     * A subscription to RTNLGRP_TC in the caller's network namespace, with a large receive buffer.
     * New filters (every install of ours, one notification each) are dropped by the kernel
     * before they reach it: only deletions matter here, and a listener woken per install cost
     * as much CPU as a handler thread during a burst of new flows.
     */
    public static NetlinkSubscription subscribe() {
        NetlinkSubscription s = NetlinkSubscription.open(org.offloadbridge.netlink.NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_TC);
        try {
            s.receiveBufferSize(RECEIVE_BUFFER);
            s.dropMessageTypes(Rtnetlink.RTM_NEWTFILTER);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Decodes one event and tells {@code l} if it concerns our filters. Returns true when it did. */
    public boolean dispatch(NetlinkMessage m, Listener l) {
        int type = m.type();
        if (type == RTM_DELTFILTER) {
            DecodedFilter f;
            try {
                f = decoder.decode(m);
            } catch (RuntimeException e) {
                return false; // a filter we can't read is not one of ours
            }
            if (f.handle() != 0 && f.ufid() != null) {
                l.onDeleted(f.ufid(), f.ifindex());
                return true;
            }
            if (f.handle() == 0 || f.prio() == CatchAll.PRIO) {
                // a whole priority deleted (tc filter del dev X ingress pref N): ours may be among
                // it; or the slow path's catch-all went, without which the port's misses reach nobody
                l.onFlushed(f.ifindex());
                return true;
            }
            return false;
        }
        if (type == RTM_DELCHAIN || type == RTM_DELQDISC) {
            if (m.length() < org.offloadbridge.netlink.NlMsgHdr.LENGTH + TcMsg.LENGTH) {
                return false; // shorter than its struct tcmsg: not an event the kernel sends (found by fuzzing)
            }
            tcmsg.wrap(m.buffer(), m.payloadOffset());
            if (type == RTM_DELQDISC && tcmsg.parent() != TC_H_CLSACT) {
                return false; // a root qdisc: our filters are on clsact's ingress
            }
            l.onFlushed(tcmsg.ifindex());
            return true;
        }
        return false;
    }
}
