package org.offloadbridge.daemon.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;

/**
 * The daemon's configuration after validation: immutable, every value in range, every default
 * filled in. Only {@link ConfigParser} makes one from a file; {@link #defaults(int)} is what an
 * empty file gives. Keys are documented in docs/configuration.md, which names the OVS
 * {@code other_config} key each one mirrors.
 *
 * @param source              the file it was read from (for messages), or null for defaults
 * @param hwOffload           {@code hw-offload}: offer flows to tc at all
 * @param tcPolicy            {@code tc-policy}: where tc filters may live
 * @param offloadDefault      {@code offload-default}: the preference of a rule without {@code offload=}
 * @param maxIdleMillis       {@code max-idle}: a flow unused this long is removed
 * @param maxRevalidatorMillis {@code max-revalidator}: the longest a revalidation round may wait
 * @param flowLimit           {@code flow-limit}: most datapath flows at once
 * @param hwCapacity          {@code hw-capacity}: flows per e-switch capacity-aware placement puts in the NIC; 0: off
 * @param hwWatermark         {@code hw-watermark}: percent of hw-capacity above which only critical flows go to the NIC
 * @param handlerThreads      {@code n-handler-threads}
 * @param revalidatorThreads  {@code n-revalidator-threads}
 * @param rulesFile           {@code rules-file}, resolved against the config file's directory
 * @param stopRemovesFlows    {@code stop-removes-flows}: flush our flows on SIGTERM
 * @param logLevel            {@code log-level}
 * @param ports               {@code [[port]]} tables, in file order
 * @param dpdk                {@code [dpdk]}
 * @param control             {@code [control]}
 * @param metrics             {@code [metrics]}
 */
public record Config(
        Path source,
        boolean hwOffload,
        TcPolicy tcPolicy,
        OffloadPreference offloadDefault,
        long maxIdleMillis,
        long maxRevalidatorMillis,
        int flowLimit,
        int hwCapacity,
        int hwWatermark,
        int handlerThreads,
        int revalidatorThreads,
        Optional<Path> rulesFile,
        boolean stopRemovesFlows,
        LogLevel logLevel,
        List<PortSpec> ports,
        Dpdk dpdk,
        Control control,
        Metrics metrics) {

    /** Where the daemon and {@code offload-bridge check} look when no file is named. */
    public static final Path DEFAULT_PATH = Path.of("/etc/offload-bridge/offload-bridge.conf");
    public static final Path DEFAULT_CONTROL_SOCKET = Path.of("/run/offload-bridge/obctl.sock");
    public static final String DEFAULT_CONTROL_GROUP = "offload-bridge";
    /**
     * 9477: in the 9100-9999 block Prometheus exporters customarily use, so firewalls and
     * scrape configs written for exporters fit. That block's wiki list is full, so no number in
     * it is free on paper; the address is loopback-only by default, so a clash can only be with
     * another exporter on the same host, and then {@code [metrics] listen} moves it.
     */
    public static final InetSocketAddress DEFAULT_METRICS_LISTEN = new InetSocketAddress("127.0.0.1", 9477);

    public Config {
        ports = List.copyOf(ports);
    }

    /** What an empty file means on a host with {@code cores} CPUs. */
    public static Config defaults(int cores) {
        int handlers = Math.max(1, cores);
        return new Config(null, false, TcPolicy.NONE, OffloadPreference.PREFERRED, 10_000, 500, 200_000, 0, 100,
                handlers, handlers / 4 + 1, Optional.empty(), false, LogLevel.INFO, List.of(),
                new Dpdk(false, List.of(), List.of()), new Control(DEFAULT_CONTROL_SOCKET, DEFAULT_CONTROL_GROUP),
                new Metrics(Optional.of(DEFAULT_METRICS_LISTEN)));
    }

    /** {@code log-level}: the root logger's level, as Logback names them. */
    public enum LogLevel {
        TRACE, DEBUG, INFO, WARN, ERROR;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One {@code [[port]]} table: a device by name, or every representor of one e-switch. */
    public sealed interface PortSpec permits NamedPort, EswitchPorts, TunnelPort {
        /** The port as the config file spells it, for messages and diffs. */
        String describe();
    }

    /**
     * {@code [[port]] name = "eth1"}, optionally with its OpenFlow number.
     *
     * @param ofPort the OpenFlow port number rules may use, or empty to let the daemon number it
     */
    public record NamedPort(String name, Optional<Integer> ofPort) implements PortSpec {
        @Override
        public String describe() {
            return "name=" + name + ofPort.map(n -> " ofport=" + n).orElse("");
        }
    }

    /**
     * {@code [[port]] name = "vx1" type = "vxlan" …}: a tunnel port, as OVS's {@code type=vxlan}
     * interface and its {@code options:} (same names, dashes for underscores). Tunnel ports on
     * one UDP port share one collect-metadata VXLAN device ({@link #device()}), and are told
     * apart on receive by remote and key.
     *
     * @param name     the port's name (rules use it; it is not a netdev)
     * @param ofPort   the OpenFlow port number, or empty to let the daemon number it
     * @param localIp  the outer source address: one of this host's
     * @param remoteIp the outer destination, or empty for {@code remote-ip = "flow"} (rules set tun_dst)
     * @param key      the VNI (0..2^24-1), or empty for {@code key = "flow"} (rules set tun_id)
     * @param dstPort  the outer UDP destination port (4789)
     * @param tos      the outer TOS, or empty for {@code "inherit"} (the inner packet's)
     * @param ttl      the outer TTL, or empty for {@code "inherit"}
     * @param csum     whether the outer UDP header carries a checksum
     * @param device   an existing VXLAN device config names for this UDP port, or empty for the
     *                 daemon's own {@code obvx<dst-port>}
     */
    public record TunnelPort(String name, Optional<Integer> ofPort, java.net.InetAddress localIp,
                             Optional<java.net.InetAddress> remoteIp, java.util.OptionalLong key, int dstPort,
                             java.util.OptionalInt tos, java.util.OptionalInt ttl, boolean csum, Optional<String> device)
        implements PortSpec {
        /** The largest VNI: 24 bits (RFC 7348). */
        public static final long VNI_MAX = (1 << 24) - 1;

        /** The daemon's own collect-metadata device for a UDP port, as OVS's {@code vxlan_sys_4789}. */
        public static String ownDevice(int dstPort) {
            return "obvx" + dstPort;
        }

        /** The pipeline's description of this port: IPv4 addresses as host-order ints, IPv6 as two longs each. */
        public org.offloadbridge.flow.Tunnel pipelineTunnel() {
            org.offloadbridge.flow.Tunnel.Ipv6 v6 = null;
            if (localIp instanceof java.net.Inet6Address) {
                byte[] r = remoteIp.map(java.net.InetAddress::getAddress).orElse(new byte[16]);
                byte[] l = localIp.getAddress();
                v6 = new org.offloadbridge.flow.Tunnel.Ipv6(half(l, 0), half(l, 8), half(r, 0), half(r, 8));
            }
            return new org.offloadbridge.flow.Tunnel("vxlan", ipv4(localIp), remoteIp.map(TunnelPort::ipv4).orElse(0), dstPort,
                key.orElse(0), remoteIp.isEmpty(), key.isEmpty(), tos.orElse(org.offloadbridge.flow.Tunnel.INHERIT),
                ttl.orElse(org.offloadbridge.flow.Tunnel.INHERIT), csum, v6);
        }

        /** Eight bytes of an address from {@code at}, network order, as the flow key holds IPv6 halves. */
        private static long half(byte[] a, int at) {
            long v = 0;
            for (int i = at; i < at + 8; i++) {
                v = v << 8 | (a[i] & 0xff);
            }
            return v;
        }

        private static int ipv4(java.net.InetAddress a) {
            byte[] b = a.getAddress();
            return b.length != 4 ? 0 : (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        }

        /** The VXLAN device this port sends and receives through. */
        public String deviceName() {
            return device.orElse(ownDevice(dstPort));
        }

        @Override
        public String describe() {
            return "name=" + name + ofPort.map(n -> " ofport=" + n).orElse("") + " type=vxlan local-ip=" + localIp.getHostAddress()
                + " remote-ip=" + remoteIp.map(java.net.InetAddress::getHostAddress).orElse("flow")
                + " key=" + (key.isPresent() ? Long.toString(key.getAsLong()) : "flow") + " dst-port=" + dstPort
                + " tos=" + (tos.isPresent() ? Integer.toString(tos.getAsInt()) : "inherit")
                + " ttl=" + (ttl.isPresent() ? Integer.toString(ttl.getAsInt()) : "inherit") + " csum=" + csum
                + device.map(d -> " device=" + d).orElse("");
        }
    }

    /**
     * {@code [[port]] eswitch = "pci/0000:03:00.0"}: every representor of that e-switch, as
     * they come and go (the port registry follows hotplug).
     *
     * @param devlinkHandle the devlink handle, {@code bus/device}, as {@code devlink dev} prints it
     */
    public record EswitchPorts(String devlinkHandle, Optional<Integer> hwCapacity, Optional<Integer> hwWatermark) implements PortSpec {
        public EswitchPorts(String devlinkHandle) {
            this(devlinkHandle, Optional.empty(), Optional.empty());
        }

        /** The ports it names (its limits are the {@code hw-limits} key of a diff, applied on their own). */
        @Override
        public String describe() {
            return "eswitch=" + devlinkHandle;
        }

        /** Its own hw-capacity/hw-watermark, for messages and diffs; empty when it has none. */
        public String describeLimits() {
            return hwCapacity.map(c -> "hw-capacity=" + c).orElse("") + (hwCapacity.isPresent() && hwWatermark.isPresent() ? " " : "")
                + hwWatermark.map(w -> "hw-watermark=" + w).orElse("");
        }
    }

    /**
     * Each e-switch's own capacity-aware placement limits, {@code {hw-capacity, hw-watermark}}
     * by devlink handle: its {@code [[port]]} values, the global ones where it gives none. Only
     * e-switches with a value of their own are listed.
     */
    public java.util.Map<String, int[]> eswitchHwLimits() {
        java.util.Map<String, int[]> m = new java.util.TreeMap<>();
        for (PortSpec p : ports) {
            if (p instanceof EswitchPorts e && (e.hwCapacity().isPresent() || e.hwWatermark().isPresent())) {
                m.put(e.devlinkHandle(), new int[] {e.hwCapacity().orElse(hwCapacity), e.hwWatermark().orElse(hwWatermark)});
            }
        }
        return m;
    }

    /**
     * {@code [dpdk]}.
     *
     * @param enabled  start the in-process DPDK datapath
     * @param ealArgs  EAL arguments, passed as written
     * @param pmdCores CPUs to run one PMD thread each on, ascending; empty = one unpinned PMD thread
     */
    public record Dpdk(boolean enabled, List<String> ealArgs, List<Integer> pmdCores) {
        public Dpdk {
            ealArgs = List.copyOf(ealArgs);
            pmdCores = List.copyOf(pmdCores);
        }
    }

    /**
     * {@code [control]}: the obctl socket.
     *
     * @param socket the unix socket path
     * @param group  the group that owns it (mode 0660); its members may run obctl
     */
    public record Control(Path socket, String group) {
    }

    /**
     * {@code [metrics]}.
     *
     * @param listen the Prometheus endpoint's address, or empty when turned off ({@code listen = ""})
     */
    public record Metrics(Optional<InetSocketAddress> listen) {
    }
}
