package org.offloadbridge.daemon;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.agrona.concurrent.Agent;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.NetlinkEventHandler;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.NetlinkSubscription;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.revalidator.Revalidators;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the tunnels' underlay — RTNLGRP_NEIGH and RTNLGRP_IPV4_ROUTE — so that an encap flow
 * is not left pointing at a remote whose neighbour or route changed: a change that touches a
 * remote of ours (the neighbour entry of that address; a route whose prefix covers it) starts a
 * revalidator round at once, which re-checks every flow against what tc holds and re-places
 * what is not where it should be. In software tc the VXLAN device resolves route and neighbour
 * per packet, so the round finds nothing to move; an e-switch caches the encap header, and a
 * flow the driver dropped from hardware when its neighbour went invalid is put back by that
 * round rather than the next periodic one. Changes for other addresses (every neighbour of a
 * busy host changes state now and then) are ignored, and many changes in a burst make one round.
 */
public final class UnderlayAgent implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UnderlayAgent.class);

    /** {@code <linux/neighbour.h>}: struct ndmsg is 12 bytes; NDA_DST carries the neighbour's address. */
    static final int NDMSG_LEN = 12;
    static final int NDA_DST = 1;
    static final int NDA_MAX = 15;
    /** {@code <linux/rtnetlink.h>}: struct rtmsg is 12 bytes (family, dst_len, …). */
    static final int RTMSG_LEN = 12;
    static final int AF_INET = 2;

    /** What the agent saw: changes that touched a remote, and event losses. */
    public record Counters(long neighbourChanges, long routeChanges, long lost) {}

    private final NetlinkSubscription sub;
    private final Revalidators revalidators;
    /** The tunnels' remote IPv4 addresses now (host order): configured ones and those of installed encap flows. */
    private final Supplier<Set<Integer>> remotes;
    private final AttributeTable nd = new AttributeTable(NDA_MAX);
    private final AttributeTable rt = new AttributeTable(Rtnetlink.RTA_MAX);
    private final AtomicLong neighbour = new AtomicLong();
    private final AtomicLong route = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    private final NetlinkEventHandler handler = new NetlinkEventHandler() {
        @Override
        public void onEvent(NetlinkMessage m) {
            switch (m.type()) {
                case Rtnetlink.RTM_NEWNEIGH, Rtnetlink.RTM_DELNEIGH -> neighbourEvent(m);
                case Rtnetlink.RTM_NEWROUTE, Rtnetlink.RTM_DELROUTE -> routeEvent(m);
                default -> { }
            }
        }

        @Override
        public void onEventsLost() {
            lost.incrementAndGet();
            LOG.warn("underlay events lost (socket overrun): a revalidator round re-checks every flow");
            revalidators.resync();
        }
    };

    /** Subscribes now, in the caller's network namespace. */
    public UnderlayAgent(Revalidators revalidators, Supplier<Set<Integer>> remotes) {
        this.revalidators = revalidators;
        this.remotes = remotes;
        this.sub = NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_NEIGH, Rtnetlink.RTNLGRP_IPV4_ROUTE);
    }

    private void neighbourEvent(NetlinkMessage m) {
        int off = m.fixedHeader(NDMSG_LEN);
        if ((m.buffer().get(off) & 0xff) != AF_INET) {
            return;
        }
        m.attributes(NDMSG_LEN, nd);
        byte[] dst = nd.bytes(NDA_DST);
        if (dst == null || dst.length != 4) {
            return;
        }
        int addr = ipv4(dst);
        if (remotes.get().contains(addr)) {
            neighbour.incrementAndGet();
            LOG.info("underlay: neighbour {} of a tunnel remote {}: a revalidator round re-checks its encap flows now",
                dotted(addr), m.type() == Rtnetlink.RTM_DELNEIGH ? "deleted" : "changed");
            revalidators.resync();
        }
    }

    private void routeEvent(NetlinkMessage m) {
        int off = m.fixedHeader(RTMSG_LEN);
        if ((m.buffer().get(off) & 0xff) != AF_INET) {
            return;
        }
        int len = m.buffer().get(off + 1) & 0xff;
        m.attributes(RTMSG_LEN, rt);
        byte[] dst = rt.bytes(Rtnetlink.RTA_DST);
        int prefix = dst == null || dst.length != 4 ? 0 : ipv4(dst);
        int mask = len == 0 ? 0 : -1 << (32 - len);
        for (int r : remotes.get()) {
            if ((r & mask) == (prefix & mask)) {
                route.incrementAndGet();
                LOG.info("underlay: route {}/{} {} covers tunnel remote {}: a revalidator round re-checks its encap flows now",
                    dotted(prefix), len, m.type() == Rtnetlink.RTM_DELROUTE ? "deleted" : "changed", dotted(r));
                revalidators.resync();
                return;
            }
        }
    }

    private static int ipv4(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static String dotted(int a) {
        return (a >>> 24 & 0xff) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
    }

    public Counters counters() {
        return new Counters(neighbour.get(), route.get(), lost.get());
    }

    @Override
    public String roleName() {
        return "underlay-events";
    }

    @Override
    public int doWork() {
        return sub.doWork(handler);
    }

    /** Blocks until an event is queued or {@code timeoutMillis} passed. */
    public void await(int timeoutMillis) {
        sub.await(timeoutMillis);
    }

    @Override
    public void close() {
        sub.close();
    }
}
