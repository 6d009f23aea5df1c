package org.offloadbridge.daemon.ports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.LinkInfo;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.RtnlAddrs;
import org.offloadbridge.netlink.RtnlLinks;
import org.offloadbridge.netlink.VxlanLink;

/**
 * The kernel's VXLAN devices behind the tunnel ports: one collect-metadata device per UDP
 * port, as OVS's {@code vxlan_sys_4789}, shared by every tunnel port on that UDP port (they are
 * told apart by remote and key). The daemon's own are named {@code obvx<port>}
 * ({@link Config.TunnelPort#ownDevice}), found and kept across restarts and deleted by
 * {@link #release}; a device the daemon did not create is used only when config names it
 * ({@code device = "…"}) and is never deleted.
 *
 * <p>{@link #ensure} checks everything before it changes anything — each local IP is this
 * host's, each UDP port is free of other VXLAN devices (the kernel gives one socket per UDP port
 * to either one collect-metadata device or VNI devices), each named device is a
 * collect-metadata VXLAN device on its port — and reports every problem at once; only then
 * creates what is missing, and deletes what it created if the kernel still refuses one.
 */
public final class TunnelDevices {
    /**
     * The outer MTU of our devices, as OVS sets its tunnel devices': large, so the device never
     * drops an inner frame the underlay could carry (the route's MTU decides, and PMTU applies).
     */
    public static final int DEVICE_MTU = 65000;

    /**
     * One VXLAN device in use.
     *
     * @param name    netdev name
     * @param ifindex its ifindex
     * @param dstPort its UDP port
     * @param ours    created (and deleted) by the daemon
     */
    public record Device(String name, int ifindex, int dstPort, boolean ours) {}

    /** Problems found before anything changed; every one names the port and what to do. */
    public static final class TunnelConfigException extends RuntimeException {
        private final List<String> problems;

        public TunnelConfigException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private final RtnlLinks links;
    private final RtnlAddrs addrs;

    public TunnelDevices(NetlinkConnection route) {
        this.links = new RtnlLinks(route);
        this.addrs = new RtnlAddrs(route);
    }

    /** What {@link #ensure} would refuse, without changing anything ({@code obctl check}, a reload's first step). */
    public List<String> check(List<Config.TunnelPort> ports) {
        List<String> problems = new ArrayList<>();
        plan(ports, problems);
        return problems;
    }

    /**
     * The devices for {@code ports}, created where missing and up.
     *
     * @throws TunnelConfigException listing every problem; nothing was created
     * @throws NetlinkException      when the kernel refused a creation; what this call created is deleted again
     */
    public List<Device> ensure(List<Config.TunnelPort> ports) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Planned> plan = plan(ports, problems);
        if (!problems.isEmpty()) {
            throw new TunnelConfigException(problems);
        }
        List<Device> out = new ArrayList<>();
        List<Integer> created = new ArrayList<>();
        try {
            for (Planned p : plan.values()) {
                LinkInfo l = p.existing;
                if (l == null) {
                    links.createVxlanExternal(p.name, p.dstPort, DEVICE_MTU);
                    l = links.get(p.name).orElseThrow(() -> new IllegalStateException("VXLAN device " + p.name + " vanished after its creation"));
                    created.add(l.index());
                    links.setIpv6AddrGenModeNone(l.index()); // the device sends nothing of its own
                }
                if (!l.isUp()) {
                    links.setUp(l.index(), true);
                }
                out.add(new Device(p.name, l.index(), p.dstPort, p.ours));
            }
        } catch (NetlinkException e) {
            for (int index : created) {
                try {
                    links.delete(index);
                } catch (NetlinkException ignored) {
                    // gone already: nothing left behind
                }
            }
            if (e.errno() == Errno.EADDRINUSE || e.errno() == Errno.EEXIST) {
                throw new NetlinkException(e.operation() + " — another VXLAN device took the UDP port meanwhile (ip -d link show type vxlan)",
                    e.errnoValue(), e.extackMessage(), -1, -1);
            }
            throw e;
        }
        return out;
    }

    /** Deletes {@code d} when it is the daemon's own (a device config named is left as it was). */
    public void release(Device d) {
        if (!d.ours()) {
            return;
        }
        try {
            links.delete(d.ifindex());
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }

    /** The daemon's own VXLAN devices present ({@code obvx<port>}), e.g. to remove those no port uses any more. */
    public List<VxlanLink> present() {
        List<VxlanLink> out = new ArrayList<>();
        for (VxlanLink v : links.vxlanLinks()) {
            if (v.link().name().equals(Config.TunnelPort.ownDevice(v.dstPort()))) {
                out.add(v);
            }
        }
        return out;
    }

    private record Planned(String name, int dstPort, boolean ours, LinkInfo existing) {}

    private Map<Integer, Planned> plan(List<Config.TunnelPort> ports, List<String> problems) {
        Map<Integer, Planned> plan = new LinkedHashMap<>();
        if (ports.isEmpty()) {
            return plan;
        }
        List<RtnlAddrs.Addr> local = addrs.dump();
        List<VxlanLink> vxlans = links.vxlanLinks();
        Map<Integer, Config.TunnelPort> firstOnPort = new LinkedHashMap<>();
        for (Config.TunnelPort p : ports) {
            if (local.stream().noneMatch(a -> a.address().equals(p.localIp()))) {
                problems.add("port " + p.name() + ": local-ip " + p.localIp().getHostAddress()
                    + " is not an address of this host (ip addr shows none such); the outer source must be one of ours");
            }
            Config.TunnelPort first = firstOnPort.putIfAbsent(p.dstPort(), p);
            if (first != null && !first.deviceName().equals(p.deviceName())) {
                problems.add("port " + p.name() + ": dst-port " + p.dstPort() + " is served by device " + first.deviceName() + " (port "
                    + first.name() + "), not " + p.deviceName() + ": one VXLAN device per UDP port");
            }
        }
        for (Config.TunnelPort p : firstOnPort.values()) {
            String name = p.deviceName();
            boolean ours = p.device().isEmpty();
            Optional<VxlanLink> named = vxlans.stream().filter(v -> v.link().name().equals(name)).findFirst();
            LinkInfo existing = named.map(VxlanLink::link).orElse(null);
            if (named.isEmpty()) {
                Optional<LinkInfo> other = links.get(name);
                if (other.isPresent()) {
                    problems.add("port " + p.name() + ": device " + name + " exists and is " + kindOf(other.get())
                        + ", not VXLAN; " + (ours ? "delete it or choose another dst-port" : "name a VXLAN device"));
                    continue;
                }
                if (!ours) {
                    problems.add("port " + p.name() + ": device " + name + " (device = \"" + name + "\") does not exist; create it "
                        + "(ip link add " + name + " type vxlan external dstport " + p.dstPort() + ") or leave device out for the daemon's own");
                    continue;
                }
            } else {
                VxlanLink v = named.get();
                if (!v.collectMetadata()) {
                    problems.add("port " + p.name() + ": VXLAN device " + name + " has VNI " + v.vni()
                        + " fixed; a tunnel port needs a collect-metadata device (type vxlan external)");
                } else if (v.dstPort() != p.dstPort()) {
                    problems.add("port " + p.name() + ": VXLAN device " + name + " listens on UDP port " + v.dstPort() + ", not dst-port " + p.dstPort());
                }
            }
            for (VxlanLink v : vxlans) {
                if (v.dstPort() == p.dstPort() && !v.link().name().equals(name)) {
                    problems.add("port " + p.name() + ": dst-port " + p.dstPort() + " is taken by VXLAN device " + v.link().name()
                        + (v.collectMetadata() ? " (external)" : " (VNI " + v.vni() + ")") + ", which config does not name; "
                        + (v.collectMetadata() ? "name it (device = \"" + v.link().name() + "\") to use it, or " : "") + "choose another dst-port");
                }
            }
            plan.put(p.dstPort(), new Planned(name, p.dstPort(), ours, existing));
        }
        return plan;
    }

    private static String kindOf(LinkInfo l) {
        return l.kind() == null ? "a physical device" : "a " + l.kind() + " device";
    }
}
