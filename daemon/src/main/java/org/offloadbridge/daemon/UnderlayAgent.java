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
 * Watches the tunnels' underlay — RTNLGRP_NEIGH, RTNLGRP_IPV4_ROUTE and RTNLGRP_IPV6_ROUTE — so that an encap flow
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
    static final int AF_INET6 = 10;

    /** What the agent saw: changes that touched a remote, and event losses. */
    public record Counters(long neighbourChanges, long routeChanges, long lost) {}

    private final NetlinkSubscription sub;
    private final Revalidators revalidators;
    /** The tunnels' remote addresses now: configured ones and those of installed encap flows. */
    private final Supplier<Set<java.net.InetAddress>> remotes;
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
    public UnderlayAgent(Revalidators revalidators, Supplier<Set<java.net.InetAddress>> remotes) {
        this.revalidators = revalidators;
        this.remotes = remotes;
        this.sub = NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_NEIGH, Rtnetlink.RTNLGRP_IPV4_ROUTE,
            Rtnetlink.RTNLGRP_IPV6_ROUTE);
    }

    private void neighbourEvent(NetlinkMessage m) {
        int off = m.fixedHeader(NDMSG_LEN);
        int family = m.buffer().get(off) & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return;
        }
        m.attributes(NDMSG_LEN, nd);
        java.net.InetAddress addr = address(nd.bytes(NDA_DST));
        if (addr != null && remotes.get().contains(addr)) {
            neighbour.incrementAndGet();
            LOG.info("underlay: neighbour {} of a tunnel remote {}: a revalidator round re-checks its encap flows now",
                addr.getHostAddress(), m.type() == Rtnetlink.RTM_DELNEIGH ? "deleted" : "changed");
            revalidators.resync();
        }
    }

    private void routeEvent(NetlinkMessage m) {
        int off = m.fixedHeader(RTMSG_LEN);
        int family = m.buffer().get(off) & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return;
        }
        int len = m.buffer().get(off + 1) & 0xff;
        m.attributes(RTMSG_LEN, rt);
        byte[] dst = rt.bytes(Rtnetlink.RTA_DST);
        byte[] prefix = dst != null ? dst : new byte[family == AF_INET ? 4 : 16]; // no RTA_DST: a default route
        for (java.net.InetAddress r : remotes.get()) {
            if (covers(prefix, len, r.getAddress())) {
                route.incrementAndGet();
                LOG.info("underlay: route {}/{} {} covers tunnel remote {}: a revalidator round re-checks its encap flows now",
                    text(prefix), len, m.type() == Rtnetlink.RTM_DELROUTE ? "deleted" : "changed", r.getHostAddress());
                revalidators.resync();
                return;
            }
        }
    }

    /** Whether {@code prefix}/{@code len} covers {@code addr} (same family: same length). */
    static boolean covers(byte[] prefix, int len, byte[] addr) {
        if (prefix.length != addr.length || len > 8 * addr.length) {
            return false;
        }
        for (int bit = 0; bit < len; bit += 8) {
            int i = bit / 8;
            int mask = len - bit >= 8 ? 0xff : (0xff << (8 - (len - bit))) & 0xff;
            if ((prefix[i] & mask) != (addr[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static java.net.InetAddress address(byte[] b) {
        if (b == null || (b.length != 4 && b.length != 16)) {
            return null;
        }
        try {
            return java.net.InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static String text(byte[] b) {
        java.net.InetAddress a = address(b);
        return a == null ? "?" : a.getHostAddress();
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
