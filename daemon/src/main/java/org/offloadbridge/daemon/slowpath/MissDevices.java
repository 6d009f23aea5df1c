package org.offloadbridge.daemon.slowpath;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.LinkInfo;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.RtnlLinks;
import org.offloadbridge.tc.CatchAll;

/**
 * Each bridge port's miss device: the way packets that missed every tc filter reach the
 * daemon's datapath, with their in_port known, and the way the datapath's output leaves
 * through the port — without the datapath ever seeing what tc forwarded.
 *
 * <pre>
 *   port P ingress: [our flow filters, prio 1..] … [catch-all, prio 65535] ─redirect─► obkN egress
 *                                                                                      │ veth
 *   daemon datapath (DPDK net_af_packet, or a packet socket) ◄── rx ── obdN ◄──────────┘
 *   daemon datapath ── tx ──► obdN ──► obkN ingress: [catch-all] ─redirect─► P egress
 * </pre>
 * N is P's ifindex (stable across renames; fits IFNAMSIZ). Why a veth and not a tap on P:
 * packet taps run before tc ingress, so a datapath bound to P itself would also receive — and
 * forward a second time — every packet a flow filter already forwarded. Each datapath port is
 * bound to obdN and carries P's datapath port number, so an upcall's in_port is P's and an
 * output to P's number leaves through P.
 *
 * <p>The miss devices get P's MTU (mirred drops what exceeds the target's MTU), no IPv6
 * link-local address (so the kernel sends nothing of its own into the datapath) and are up.
 * Everything here is idempotent: a restart finds the devices and catch-alls it left and keeps
 * them, so the slow path never has a gap; meanwhile misses wait in nobody's queue and are
 * lost, while flows already in tc keep forwarding.
 */
public final class MissDevices {
    /** Kernel side of the veth (its ingress redirects to the port), then the port's ifindex. */
    public static final String KERNEL_PREFIX = "obk";
    /** Datapath side (the datapath reads and writes it), then the port's ifindex. */
    public static final String DATAPATH_PREFIX = "obd";

    /**
     * One port's miss device.
     *
     * @param port           the bridge port's netdev name
     * @param portIfindex    its ifindex
     * @param kernelSide     name of the veth end whose ingress leads out of the port
     * @param kernelIfindex  its ifindex
     * @param datapathSide   name of the veth end the datapath binds ({@code net_af_packet,iface=…})
     * @param datapathIfindex its ifindex
     */
    public record MissDevice(String port, int portIfindex, String kernelSide, int kernelIfindex, String datapathSide,
                             int datapathIfindex, boolean tunnel) {
        /** A plain port's miss device. */
        public MissDevice(String port, int portIfindex, String kernelSide, int kernelIfindex, String datapathSide, int datapathIfindex) {
            this(port, portIfindex, kernelSide, kernelIfindex, datapathSide, datapathIfindex, false);
        }
    }

    /** Sets one ethtool feature of a netdev ({@code ethtool -K}). */
    @FunctionalInterface
    public interface Features {
        void set(String netdev, String feature, boolean on);
    }

    /**
     * The kernel side's transmit offloads, all off. A packet a local sender (a container behind
     * a veth, a VM's tap) hands the kernel may still be CHECKSUM_PARTIAL — its L4 checksum not
     * yet computed — or one GSO super-frame of many segments; the catch-all's redirect keeps that
     * state, and a packet socket or {@code net_af_packet} on the far end would read the frame as
     * is: a wrong checksum the receiver drops, or a 64 KB "packet". With these off, the transmit
     * path of the kernel side completes the checksum and segments (validate_xmit_skb) before the
     * veth hands the frames over, so the datapath sees what a wire would carry. Names the
     * running kernel lacks are skipped.
     */
    public static final List<String> SOFTWARE_OFFLOADS = List.of("tx-checksum-ip-generic", "tx-generic-segmentation",
        "tx-tcp-segmentation", "tx-tcp6-segmentation", "tx-tcp-ecn-segmentation", "tx-tcp-mangleid-segmentation",
        "tx-udp-segmentation");

    /** veth's largest MTU (ETH_MAX_MTU). */
    static final int MAX_VETH_MTU = 65535;

    private final RtnlLinks links;
    private final CatchAll catchAll;
    private final Features features;

    /** Without a way to set features: the kernel side keeps its offloads (tests of the plumbing alone). */
    public MissDevices(NetlinkConnection route) {
        this(route, null);
    }

    public MissDevices(NetlinkConnection route, Features features) {
        this.links = new RtnlLinks(route);
        this.catchAll = new CatchAll(route);
        this.features = features;
    }

    /**
     * Gives {@code portName} its miss device and both catch-alls (creating what is missing).
     *
     * <p>A collect-metadata VXLAN device (a tunnel ports' device) gets the tunnel slow path
     * instead of the u32 catch-alls: the miss program on its ingress puts each missed packet's
     * tunnel metadata in front of it, the inject program on the kernel side takes a trailer off
     * what the datapath sends and encapsulates as it says ({@code flow.TunnelFrame}). Its miss
     * device is larger than the port by the header, so a full-size inner frame still passes.
     *
     * @throws NetlinkException naming the port and the kernel's text when a step fails; the
     *                          steps done stay done (a retry finishes them)
     * @throws IllegalArgumentException when there is no such port
     */
    public MissDevice attach(String portName) {
        LinkInfo port = links.get(portName)
            .orElseThrow(() -> new IllegalArgumentException("port " + portName + ": no such network device"));
        String k = KERNEL_PREFIX + port.index();
        String d = DATAPATH_PREFIX + port.index();
        Optional<LinkInfo> kl = links.get(k);
        if (kl.isEmpty()) {
            try {
                links.createVeth(k, d);
            } catch (NetlinkException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
            kl = links.get(k);
        }
        LinkInfo kernel = kl.orElseThrow(() -> new IllegalStateException("miss device " + k + " vanished while attaching " + portName));
        LinkInfo dp = links.get(d).orElseThrow(() -> new IllegalStateException(
            "miss device " + k + " exists without its peer " + d + "; delete " + k + " and restart"));
        boolean tunnel = "vxlan".equals(port.kind());
        int mtu = tunnel ? Math.min(MAX_VETH_MTU, port.mtu() + org.offloadbridge.flow.TunnelFrame.MISS_HEADER_LEN) : port.mtu();
        for (LinkInfo l : List.of(kernel, dp)) {
            if (mtu > 0 && l.mtu() != mtu) {
                links.setMtu(l.index(), mtu);
            }
            links.setIpv6AddrGenModeNone(l.index());
            if (!l.isUp()) {
                links.setUp(l.index(), true);
            }
        }
        if (features != null) {
            for (String f : SOFTWARE_OFFLOADS) {
                try {
                    features.set(k, f, false);
                } catch (RuntimeException e) {
                    // not a feature of this kernel (or fixed): the others still apply
                }
            }
        }
        if (tunnel) {
            catchAll.installTunnelInject(kernel.index(), port.index());
            catchAll.installTunnelMiss(port.index(), kernel.index());
        } else {
            catchAll.install(kernel.index(), port.index());
            catchAll.install(port.index(), kernel.index());
        }
        return new MissDevice(portName, port.index(), k, kernel.index(), d, dp.index(), tunnel);
    }

    /**
     * Removes the port's catch-all and deletes its miss device. Safe when the port is gone
     * already (the kernel then removed its filters with it).
     */
    public void detach(MissDevice m) {
        try {
            catchAll.remove(m.portIfindex());
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
        try {
            links.delete(m.kernelIfindex());
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }

    /** The miss devices present (kernel sides named {@link #KERNEL_PREFIX}N), e.g. to remove stale ones at start. */
    public List<String> present() {
        List<String> out = new ArrayList<>();
        for (LinkInfo l : links.dump()) {
            if (l.name().startsWith(KERNEL_PREFIX) && l.name().substring(KERNEL_PREFIX.length()).chars().allMatch(c -> c >= '0' && c <= '9')
                && "veth".equals(l.kind())) {
                out.add(l.name());
            }
        }
        return out;
    }
}
