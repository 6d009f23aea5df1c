package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.uapi.IfLink.IFLA_EXT_MASK;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_IFNAME;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_DATA;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_KIND;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_LINKINFO;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_NET_NS_FD;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_NET_NS_PID;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTEXT_FILTER_SKIP_STATS;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTEXT_FILTER_VF;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELLINK;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETLINK;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWLINK;
import static org.offloadbridge.netlink.uapi.Veth.VETH_INFO_PEER;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.offloadbridge.netlink.uapi.If;

/**
 * rtnetlink links: create and delete veth pairs, bring links up or down, get one link by
 * name or index, dump them all. The {@code encode*} methods only write the request (no
 * I/O) — use them to batch, or to check bytes against iproute2; the instance methods send
 * through a {@link NetlinkConnection} on NETLINK_ROUTE. Thread-safe as the connection is.
 */
public final class RtnlLinks {
    private final NetlinkConnection route;

    public RtnlLinks(NetlinkConnection route) {
        this.route = route;
    }

    /** {@code ip link add NAME type veth peer name PEER [netns FD]}; {@code peerNetnsFd} &lt; 0 keeps the peer here. */
    public static void encodeCreateVeth(NetlinkMessageWriter w, String name, String peerName, int peerNetnsFd) {
        encodeCreateVeth(w, name, peerName, IFLA_NET_NS_FD, peerNetnsFd);
    }

    /** {@code ip link add NAME type veth peer name PEER netns PID}: the peer goes to the network namespace of process {@code pid}. */
    public static void encodeCreateVethPeerInPidNetns(NetlinkMessageWriter w, String name, String peerName, int pid) {
        encodeCreateVeth(w, name, peerName, IFLA_NET_NS_PID, pid);
    }

    private static void encodeCreateVeth(NetlinkMessageWriter w, String name, String peerName, int nsAttr, int ns) {
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        w.putIfInfoMsg(0, 0, 0, 0, 0);
        w.putString(IFLA_IFNAME, name);
        int linkinfo = w.beginNested(IFLA_LINKINFO);
        w.putStringUnterminated(IFLA_INFO_KIND, "veth"); // as iproute2 does: no NUL
        int data = w.beginNested(IFLA_INFO_DATA);
        int peer = w.beginNested(VETH_INFO_PEER);
        w.putIfInfoMsg(0, 0, 0, 0, 0);
        if (ns >= 0) {
            w.putU32(nsAttr, ns); // before the name, in iproute2's order
        }
        w.putString(IFLA_IFNAME, peerName);
        w.endNested(peer);
        w.endNested(data);
        w.endNested(linkinfo);
        w.finish(0);
    }

    /**
     * {@code ip link add NAME mtu MTU type vxlan external dstport PORT nolearning udp6zerocsumrx}:
     * a collect-metadata VXLAN device, as OVS creates its {@code vxlan_sys_PORT} (dpif-netlink-rtnl):
     * the tunnel key comes with each packet, learning is off (the bridge learns, not the device),
     * and IPv6 frames without a UDP checksum are accepted as RFC 6935 allows.
     */
    public static void encodeCreateVxlanExternal(NetlinkMessageWriter w, String name, int dstPort, int mtu) {
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        w.putIfInfoMsg(0, 0, 0, 0, 0);
        w.putString(IFLA_IFNAME, name);
        if (mtu > 0) {
            w.putU32(org.offloadbridge.netlink.uapi.IfLink.IFLA_MTU, mtu);
        }
        int linkinfo = w.beginNested(IFLA_LINKINFO);
        w.putStringUnterminated(IFLA_INFO_KIND, "vxlan");
        int data = w.beginNested(IFLA_INFO_DATA);
        w.putU8(org.offloadbridge.netlink.uapi.IfLink.IFLA_VXLAN_LEARNING, 0);
        w.putU8(org.offloadbridge.netlink.uapi.IfLink.IFLA_VXLAN_COLLECT_METADATA, 1);
        w.putU8(org.offloadbridge.netlink.uapi.IfLink.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, 1);
        w.putBe16(org.offloadbridge.netlink.uapi.IfLink.IFLA_VXLAN_PORT, dstPort);
        w.endNested(data);
        w.endNested(linkinfo);
        w.finish(0);
    }

    /** {@code ip link del dev NAME} after iproute2 resolved NAME to {@code index}. */
    public static void encodeDelete(NetlinkMessageWriter w, int index) {
        w.beginMessage(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        w.putIfInfoMsg(0, 0, index, 0, 0);
        w.finish(0);
    }

    /** Delete by name: the kernel resolves IFLA_IFNAME when ifi_index is 0. */
    public static void encodeDelete(NetlinkMessageWriter w, String name) {
        w.beginMessage(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        w.putIfInfoMsg(0, 0, 0, 0, 0);
        w.putString(IFLA_IFNAME, name);
        w.finish(0);
    }

    /** {@code ip link set dev X up|down}: only IFF_UP changes (ifi_change masks it). */
    public static void encodeSetUp(NetlinkMessageWriter w, int index, boolean up) {
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        w.putIfInfoMsg(0, 0, index, up ? If.IFF_UP : 0, If.IFF_UP);
        w.finish(0);
    }

    /** {@code ip link set dev X mtu N}. */
    public static void encodeSetMtu(NetlinkMessageWriter w, int index, int mtu) {
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        w.putIfInfoMsg(0, 0, index, 0, 0);
        w.putU32(org.offloadbridge.netlink.uapi.IfLink.IFLA_MTU, mtu);
        w.finish(0);
    }

    /**
     * {@code ip link set dev X addrgenmode none}: the kernel gives the link no IPv6 link-local
     * address, so it sends no router solicitations or DAD probes of its own.
     */
    public static void encodeSetIpv6AddrGenModeNone(NetlinkMessageWriter w, int index) {
        w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        w.putIfInfoMsg(0, 0, index, 0, 0);
        int spec = w.beginNested(org.offloadbridge.netlink.uapi.IfLink.IFLA_AF_SPEC);
        int inet6 = w.beginNested(AF_INET6);
        w.putU8(org.offloadbridge.netlink.uapi.IfLink.IFLA_INET6_ADDR_GEN_MODE, org.offloadbridge.netlink.uapi.IfLink.IN6_ADDR_GEN_MODE_NONE);
        w.endNested(inet6);
        w.endNested(spec);
        w.finish(0);
    }

    /** AF_INET6, the address family nest inside IFLA_AF_SPEC. */
    private static final int AF_INET6 = 10;

    /**
     * RTM_GETLINK for one link, as iproute2 asks (IFLA_EXT_MASK = RTEXT_FILTER_VF |
     * RTEXT_FILTER_SKIP_STATS: VF info yes, statistics no). iproute2 sends it with
     * NLM_F_REQUEST only; {@link NetlinkConnection} adds NLM_F_ACK on the wire.
     */
    public static void encodeGet(NetlinkMessageWriter w, int index, String name) {
        w.beginMessage(RTM_GETLINK, NLM_F_REQUEST);
        w.putIfInfoMsg(0, 0, index, 0, 0);
        if (name != null) {
            w.putString(IFLA_IFNAME, name);
        }
        w.putU32(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
        w.finish(0);
    }

    /** RTM_GETLINK dump of every link (same extension mask as {@link #encodeGet}). */
    public static void encodeDump(NetlinkMessageWriter w) {
        w.beginMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
        w.putIfInfoMsg(0, 0, 0, 0, 0);
        w.putU32(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
        w.finish(0);
    }

    private static NetlinkMessageWriter writer() {
        return new NetlinkMessageWriter(512);
    }

    /** Creates a veth pair in this connection's namespace. */
    public void createVeth(String name, String peerName) {
        createVeth(name, peerName, null);
    }

    /** Creates a veth pair with the peer placed in {@code peerNs} (null: here). */
    public void createVeth(String name, String peerName, NetNs peerNs) {
        NetlinkMessageWriter w = writer();
        encodeCreateVeth(w, name, peerName, peerNs == null ? -1 : peerNs.fd());
        route.request("create veth " + name + " peer " + peerName, w);
    }

    /** Creates a veth pair with the peer placed in the network namespace of process {@code pid}. */
    public void createVethPeerInPidNetns(String name, String peerName, int pid) {
        NetlinkMessageWriter w = writer();
        encodeCreateVethPeerInPidNetns(w, name, peerName, pid);
        route.request("create veth " + name + " peer " + peerName + " in netns of pid " + pid, w);
    }

    /** Creates a collect-metadata VXLAN device ({@link #encodeCreateVxlanExternal}); {@code mtu} 0 keeps the kernel's. */
    public void createVxlanExternal(String name, int dstPort, int mtu) {
        NetlinkMessageWriter w = writer();
        encodeCreateVxlanExternal(w, name, dstPort, mtu);
        route.request("create vxlan device " + name + " (external, dstport " + dstPort + ")", w);
    }

    /** Every VXLAN device in the namespace, with its UDP port and mode. */
    public List<VxlanLink> vxlanLinks() {
        NetlinkMessageWriter w = writer();
        encodeDump(w);
        List<VxlanLink> links = new ArrayList<>();
        route.dump("dump links", w, new ReplyHandler() {
            @Override
            public void onReply(int requestIndex, NetlinkMessage m) {
                VxlanLink v = VxlanLink.parse(m);
                if (v != null) {
                    links.add(v);
                }
            }

            @Override
            public void onDumpInterrupted() {
                links.clear();
            }
        });
        return links;
    }

    public void delete(String name) {
        NetlinkMessageWriter w = writer();
        encodeDelete(w, name);
        route.request("delete link " + name, w);
    }

    public void delete(int index) {
        NetlinkMessageWriter w = writer();
        encodeDelete(w, index);
        route.request("delete link #" + index, w);
    }

    public void setUp(int index, boolean up) {
        NetlinkMessageWriter w = writer();
        encodeSetUp(w, index, up);
        route.request("set link #" + index + (up ? " up" : " down"), w);
    }

    public void setMtu(int index, int mtu) {
        NetlinkMessageWriter w = writer();
        encodeSetMtu(w, index, mtu);
        route.request("set link #" + index + " mtu " + mtu, w);
    }

    public void setIpv6AddrGenModeNone(int index) {
        NetlinkMessageWriter w = writer();
        encodeSetIpv6AddrGenModeNone(w, index);
        route.request("set link #" + index + " addrgenmode none", w);
    }

    /** The link named {@code name}, or empty when there is none (ENODEV). */
    public Optional<LinkInfo> get(String name) {
        return get(0, name);
    }

    /** The link with ifindex {@code index}, or empty when there is none (ENODEV). */
    public Optional<LinkInfo> get(int index) {
        return get(index, null);
    }

    private Optional<LinkInfo> get(int index, String name) {
        NetlinkMessageWriter w = writer();
        encodeGet(w, index, name);
        LinkInfo[] found = new LinkInfo[1];
        try {
            route.request("get link " + (name != null ? name : "#" + index), w, (i, m) -> found[0] = LinkInfo.parse(m));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.ofNullable(found[0]);
    }

    /** Every link in the namespace (a consistent dump: restarted if the kernel flags it interrupted). */
    public List<LinkInfo> dump() {
        NetlinkMessageWriter w = writer();
        encodeDump(w);
        List<LinkInfo> links = new ArrayList<>();
        route.dump("dump links", w, new ReplyHandler() {
            @Override
            public void onReply(int requestIndex, NetlinkMessage m) {
                links.add(LinkInfo.parse(m));
            }

            @Override
            public void onDumpInterrupted() {
                links.clear();
            }
        });
        return links;
    }
}
