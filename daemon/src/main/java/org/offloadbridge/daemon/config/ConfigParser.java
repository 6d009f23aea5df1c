package org.offloadbridge.daemon.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeType;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * The one place a configuration is validated (as Aeron's {@code Context.conclude()}): TOML text
 * in, an immutable {@link Config} or a {@link ConfigException} listing every problem out.
 *
 * <p>How: Jackson's TOML module parses the document (a syntax error stops there, with its
 * line and column: TOML can't be read past a broken line). Then each key is checked against
 * the schema below — type, range, allowed words — and every problem is collected with the
 * line and column the key was written at ({@link KeyLocator}). An unknown key is an error
 * with the nearest valid key suggested, since a misspelt {@code hw-ofload = true} that were
 * silently ignored would leave offload off with no word said.
 */
public final class ConfigParser {
    private static final Pattern IFNAME = Pattern.compile("[^\\s/:]{1,15}");
    private static final Pattern DEVLINK_HANDLE = Pattern.compile("[a-z0-9_]+/[^\\s/]+");
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
    /** sun_path is 108 bytes including the terminating NUL. */
    private static final int SUN_PATH_MAX = 107;

    static final List<String> TOP_KEYS = List.of("hw-offload", "tc-policy", "offload-default", "max-idle",
            "max-revalidator", "flow-limit", "hw-capacity", "hw-watermark", "n-handler-threads", "n-revalidator-threads", "rules-file",
            "stop-removes-flows", "log-level", "port", "dpdk", "control", "metrics");
    static final List<String> DPDK_KEYS = List.of("enabled", "eal-args", "pmd-cores");
    static final List<String> CONTROL_KEYS = List.of("socket", "group");
    static final List<String> METRICS_KEYS = List.of("listen");
    static final List<String> PORT_KEYS = List.of("name", "eswitch", "ofport", "hw-capacity", "hw-watermark");
    /** A tunnel port's keys: OVS's interface options:, dashes for underscores. */
    static final List<String> TUNNEL_KEYS = List.of("name", "ofport", "type", "local-ip", "remote-ip", "key", "dst-port", "tos", "ttl",
            "csum", "device");
    /** OVS's default outer TTL for tunnels (lib/netdev-vport.c). */
    static final int DEFAULT_TUNNEL_TTL = 64;

    private final int cores;
    private final TomlMapper mapper = new TomlMapper();

    /** A parser whose thread-count defaults follow this host's CPU count. */
    public ConfigParser() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A parser whose thread-count defaults assume {@code cores} CPUs (tests). */
    public ConfigParser(int cores) {
        this.cores = cores;
    }

    /** Reads and validates {@code file}. */
    public Config parse(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(file, 0, 0, "", "cannot read: " + describe(e))));
        }
        return parse(file, text);
    }

    /** Validates {@code text} as if read from {@code file} (which names it in messages). */
    public Config parse(Path file, String text) throws ConfigException {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JacksonException e) {
            TokenStreamLocation loc = e.getLocation();
            int line = loc == null ? 0 : Math.max(0, loc.getLineNr());
            int col = loc == null ? 0 : Math.max(0, loc.getColumnNr());
            KeyLocator where = new KeyLocator(text);
            String msg = e.getOriginalMessage();
            // A key or table written twice is always a TOML error; Jackson places it after the
            // offending text (often on the next line), so point at the second writing instead.
            if (where.duplicate() != null && where.duplicatePosition().line() <= line) {
                KeyLocator.Position at = where.duplicatePosition();
                String first = where.find(where.duplicate()).line() > 0 ? " (first written on line " + where.find(where.duplicate()).line() + ")" : "";
                throw new ConfigException(List.of(new ConfigError(file, at.line(), at.column(), where.duplicate(), "TOML syntax: " + msg + first)));
            }
            throw new ConfigException(List.of(new ConfigError(file, line, col, "", "TOML syntax: " + msg)));
        }
        Run run = new Run(file, new KeyLocator(text));
        Config c = run.config(root == null ? mapper.createObjectNode() : root);
        if (!run.errors.isEmpty()) {
            run.errors.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line()) : Integer.compare(a.column(), b.column()));
            throw new ConfigException(run.errors);
        }
        return c;
    }

    private static String describe(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** One validation pass: the errors it has found so far. */
    private final class Run {
        final Path file;
        final KeyLocator where;
        final List<ConfigError> errors = new ArrayList<>();

        Run(Path file, KeyLocator where) {
            this.file = file;
            this.where = where;
        }

        void error(String path, String message) {
            KeyLocator.Position p = where.find(path);
            errors.add(new ConfigError(file, p.line(), p.column(), path, message));
        }

        Config config(JsonNode root) {
            Config d = Config.defaults(cores);
            Table t = new Table("", root, TOP_KEYS);
            boolean hw = t.bool("hw-offload", d.hwOffload());
            TcPolicy policy = t.word("tc-policy", d.tcPolicy(), TcPolicy::parse);
            OffloadPreference pref = t.word("offload-default", d.offloadDefault(), OffloadPreference::parse);
            long maxIdle = t.integer("max-idle", d.maxIdleMillis(), 100, 3_600_000, "milliseconds");
            long maxReval = t.integer("max-revalidator", d.maxRevalidatorMillis(), 10, 60_000, "milliseconds");
            int flowLimit = (int) t.integer("flow-limit", d.flowLimit(), 1, 10_000_000, "flows");
            int hwCapacity = (int) t.integer("hw-capacity", d.hwCapacity(), 0, 10_000_000, "flows per e-switch (0: off)");
            int hwWatermark = (int) t.integer("hw-watermark", d.hwWatermark(), 1, 100, "percent of hw-capacity");
            int handlers = (int) t.integer("n-handler-threads", d.handlerThreads(), 1, 1024, "threads");
            // OVS's rule: a quarter of the handlers plus one, unless set.
            int revalidators = (int) t.integer("n-revalidator-threads", handlers / 4 + 1, 1, 1024, "threads");
            Optional<String> rulesText = t.string("rules-file");
            if (rulesText.isPresent() && rulesText.get().isBlank()) {
                error("rules-file", "must not be empty; leave the key out for no rules file");
            }
            Optional<Path> rules = rulesText.filter(s -> !s.isBlank()).map(this::resolve);
            boolean stopRemoves = t.bool("stop-removes-flows", d.stopRemovesFlows());
            Config.LogLevel level = t.word("log-level", d.logLevel(), s -> {
                try {
                    return Config.LogLevel.valueOf(s.strip().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("log level \"" + s + "\": expected trace, debug, info, warn or error");
                }
            });
            List<Config.PortSpec> ports = ports(t.node("port"));
            Config.Dpdk dpdk = dpdk(t.table("dpdk", DPDK_KEYS), d.dpdk());
            Config.Control control = control(t.table("control", CONTROL_KEYS), d.control());
            Config.Metrics metrics = metrics(t.table("metrics", METRICS_KEYS), d.metrics());
            t.unknownKeys();
            return new Config(file, hw, policy, pref, maxIdle, maxReval, flowLimit, hwCapacity, hwWatermark, handlers, revalidators, rules,
                    stopRemoves, level, ports, dpdk, control, metrics);
        }

        Path resolve(String s) {
            Path p = Path.of(s);
            Path dir = file.toAbsolutePath().getParent();
            return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
        }

        List<Config.PortSpec> ports(JsonNode node) {
            if (node == null) {
                return List.of();
            }
            if (!node.isArray()) {
                error("port", "expected [[port]] tables (one per port, each with name = \"...\" or eswitch = \"...\"), got " + typeOf(node));
                return List.of();
            }
            List<Config.PortSpec> out = new ArrayList<>();
            Map<String, String> names = new HashMap<>();
            Map<String, String> switches = new HashMap<>();
            Map<Integer, String> ofPorts = new HashMap<>();
            for (int i = 0; i < node.size(); i++) {
                String path = "port[" + i + "]";
                JsonNode p = node.get(i);
                if (!p.isObject()) {
                    error(path, "expected a table with name = \"...\" or eswitch = \"...\", got " + typeOf(p));
                    continue;
                }
                if (p.has("type")) {
                    Config.TunnelPort tp = tunnelPort(new Table(path, p, TUNNEL_KEYS), names, ofPorts);
                    if (tp != null) {
                        for (Config.PortSpec o : out) {
                            if (o instanceof Config.TunnelPort q && sameReceiveIdentity(q, tp)) {
                                error(path, "receives the same packets as port " + q.name() + " (dst-port " + tp.dstPort() + ", remote-ip "
                                    + tp.remoteIp().map(java.net.InetAddress::getHostAddress).orElse("flow") + ", key "
                                    + (tp.key().isPresent() ? tp.key().getAsLong() : "flow") + "): a received packet could not tell them apart");
                            }
                        }
                        out.add(tp);
                    }
                    continue;
                }
                Table t = new Table(path, p, PORT_KEYS);
                for (String k : TUNNEL_KEYS) {
                    if (!PORT_KEYS.contains(k) && p.has(k)) {
                        error(path + "." + k, k + " is a tunnel port's option; add type = \"vxlan\" to make this a VXLAN port");
                        t = new Table(path, p, java.util.stream.Stream.concat(PORT_KEYS.stream(), TUNNEL_KEYS.stream()).distinct().toList());
                    }
                }
                Optional<String> name = t.string("name");
                Optional<String> eswitch = t.string("eswitch");
                long ofport = t.integer("ofport", 0, 1, 0xfeff, "an OpenFlow port number");
                long cap = t.integer("hw-capacity", 0, 0, 10_000_000, "flows in this e-switch's NIC table (0: off)");
                long mark = t.integer("hw-watermark", 100, 1, 100, "percent of hw-capacity");
                t.unknownKeys();
                if (name.isPresent() == eswitch.isPresent()) {
                    error(path, name.isPresent()
                            ? "has both name and eswitch; a [[port]] is one device (name) or every representor of one e-switch (eswitch)"
                            : "needs name = \"<device>\" or eswitch = \"<bus>/<device>\" (e.g. pci/0000:03:00.0)");
                    continue;
                }
                if (name.isPresent()) {
                    String n = name.get();
                    if (!IFNAME.matcher(n).matches()) {
                        error(path + ".name", "\"" + n + "\" is not a network device name (1 to 15 characters, no blank, '/' or ':')");
                    } else if (names.putIfAbsent(n, path) != null) {
                        error(path + ".name", "device " + n + " is already listed as " + names.get(n));
                    }
                    Optional<Integer> of = t.has("ofport") && ofport > 0 ? Optional.of((int) ofport) : Optional.empty();
                    if (of.isPresent() && ofPorts.putIfAbsent(of.get(), path) != null) {
                        error(path + ".ofport", "OpenFlow port " + of.get() + " is already " + ofPorts.get(of.get()) + "'s");
                    }
                    for (String k : List.of("hw-capacity", "hw-watermark")) {
                        if (t.has(k)) {
                            error(path + "." + k, "only an e-switch's [[port]] takes " + k + " (a NIC table belongs to the e-switch); "
                                + "the top-level " + k + " applies to every e-switch");
                        }
                    }
                    out.add(new Config.NamedPort(n, of));
                } else {
                    String h = eswitch.get();
                    if (t.has("ofport")) {
                        error(path + ".ofport", "only a named port takes ofport; the representors of an e-switch are numbered by the daemon (obctl dpif/show lists them)");
                    }
                    if (!DEVLINK_HANDLE.matcher(h).matches()) {
                        error(path + ".eswitch", "\"" + h + "\" is not a devlink handle; expected <bus>/<device> as `devlink dev` prints it, e.g. pci/0000:03:00.0");
                    } else if (switches.putIfAbsent(h, path) != null) {
                        error(path + ".eswitch", "e-switch " + h + " is already listed as " + switches.get(h));
                    }
                    out.add(new Config.EswitchPorts(h, t.has("hw-capacity") ? Optional.of((int) cap) : Optional.empty(),
                        t.has("hw-watermark") ? Optional.of((int) mark) : Optional.empty()));
                }
            }
            return out;
        }

        /** {@code [[port]] type = "vxlan" …}; null when it had errors (reported). */
        Config.TunnelPort tunnelPort(Table t, Map<String, String> names, Map<Integer, String> ofPorts) {
            String path = t.prefix;
            int before = errors.size();
            Optional<String> type = t.string("type");
            if (type.isPresent() && !type.get().equals("vxlan")) {
                error(path + ".type", "\"" + type.get() + "\" is not a tunnel type this daemon has; expected \"vxlan\""
                    + " (a plain device needs no type)");
            }
            Optional<String> name = t.string("name");
            if (name.isEmpty()) {
                error(path, "a tunnel port needs name = \"...\" (the name rules use; it is not a network device)");
            } else if (!IFNAME.matcher(name.get()).matches()) {
                error(path + ".name", "\"" + name.get() + "\" is not a port name (1 to 15 characters, no blank, '/' or ':')");
            } else if (names.putIfAbsent(name.get(), path) != null) {
                error(path + ".name", "port " + name.get() + " is already listed as " + names.get(name.get()));
            }
            long ofport = t.integer("ofport", 0, 1, 0xfeff, "an OpenFlow port number");
            Optional<Integer> of = t.has("ofport") && ofport > 0 ? Optional.of((int) ofport) : Optional.empty();
            if (of.isPresent() && ofPorts.putIfAbsent(of.get(), path) != null) {
                error(path + ".ofport", "OpenFlow port " + of.get() + " is already " + ofPorts.get(of.get()) + "'s");
            }
            java.net.InetAddress local = null;
            if (!t.has("local-ip")) {
                error(path, "a vxlan port needs local-ip = \"<this host's address on the underlay>\" (the outer source address)");
            } else {
                local = t.string("local-ip").map(s -> ipLiteral(path + ".local-ip", s, false)).orElse(null);
            }
            Optional<java.net.InetAddress> remote = Optional.empty();
            if (!t.has("remote-ip")) {
                error(path, "a vxlan port needs remote-ip = \"<the far end's address>\" or remote-ip = \"flow\" (rules set tun_dst)");
            } else {
                remote = t.string("remote-ip").filter(s -> !s.equals("flow")).map(s -> ipLiteral(path + ".remote-ip", s, true));
            }
            if (local != null && remote.isPresent() && remote.get() != null && local.getClass() != remote.get().getClass()) {
                error(path + ".remote-ip", "remote-ip " + remote.get().getHostAddress() + " and local-ip " + local.getHostAddress()
                    + " are of different IP versions");
            }
            java.util.OptionalLong key = java.util.OptionalLong.of(0);
            JsonNode k = t.node("key");
            if (k != null && k.isString() && k.stringValue().equals("flow")) {
                key = java.util.OptionalLong.empty();
            } else if (k != null && !k.isIntegralNumber()) {
                error(path + ".key", "expected a VNI 0.." + Config.TunnelPort.VNI_MAX + " or \"flow\" (rules set tun_id), got " + typeOf(k));
            } else if (k != null) {
                long v = k.canConvertToLong() ? k.longValue() : -1;
                if (v < 0 || v > Config.TunnelPort.VNI_MAX) {
                    error(path + ".key", k.asString() + " is out of range: a VXLAN VNI is 24 bits, 0.." + Config.TunnelPort.VNI_MAX);
                } else {
                    key = java.util.OptionalLong.of(v);
                }
            }
            long dstPort = t.integer("dst-port", 4789, 1, 65535, "the outer UDP destination port");
            java.util.OptionalInt tos = inheritOr(t, "tos", 0, 0, 255);
            if (tos.isPresent() && (tos.getAsInt() & 3) != 0) {
                // As OVS refuses it ("invalid TOS"): the outer ECN is always the inner packet's.
                error(t.path("tos"), tos.getAsInt() + " has ECN bits set (its low 2 bits): the outer ECN is always the inner packet's;"
                    + " give the DSCP shifted left by 2 (e.g. 184 for EF)");
            }
            java.util.OptionalInt ttl = inheritOr(t, "ttl", DEFAULT_TUNNEL_TTL, 1, 255);
            // As OVS (NETDEV_TNL_CSUM_DEFAULT): on for an IPv6 underlay, where a zero UDP checksum is
            // refused by receivers that do not opt in (RFC 6935), off for IPv4.
            boolean csum = t.bool("csum", local instanceof java.net.Inet6Address);
            Optional<String> device = t.string("device");
            if (device.isPresent() && !IFNAME.matcher(device.get()).matches()) {
                error(path + ".device", "\"" + device.get() + "\" is not a network device name (1 to 15 characters, no blank, '/' or ':')");
            }
            t.unknownKeys();
            if (errors.size() != before || name.isEmpty() || local == null) {
                return null;
            }
            return new Config.TunnelPort(name.get(), of, local, remote, key, (int) dstPort, tos, ttl, csum, device);
        }

        /** An integer {@code min..max}, or {@code "inherit"} (empty). */
        private java.util.OptionalInt inheritOr(Table t, String key, int dflt, int min, int max) {
            JsonNode n = t.node(key);
            if (n != null && n.isString() && n.stringValue().equals("inherit")) {
                return java.util.OptionalInt.empty();
            }
            if (n != null && !n.isIntegralNumber()) {
                error(t.path(key), "expected an integer " + min + ".." + max + " or \"inherit\" (the inner packet's), got " + typeOf(n));
                return java.util.OptionalInt.of(dflt);
            }
            return java.util.OptionalInt.of((int) t.integer(key, dflt, min, max, "or \"inherit\""));
        }

        /** An IP address literal (no name lookups at config time). */
        private java.net.InetAddress ipLiteral(String path, String text, boolean flowAllowed) {
            if (!text.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                error(path, "\"" + text + "\" is not an IP address literal" + (flowAllowed ? " or \"flow\"" : ""));
                return null;
            }
            try {
                java.net.InetAddress a = java.net.InetAddress.getByName(text);
                if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
                    error(path, text + " cannot be a tunnel endpoint (" + (a.isAnyLocalAddress() ? "the wildcard address" : "multicast") + ")");
                    return null;
                }
                return a;
            } catch (UnknownHostException e) {
                error(path, "\"" + text + "\" is not an IP address literal" + (flowAllowed ? " or \"flow\"" : ""));
                return null;
            }
        }

        private static boolean sameReceiveIdentity(Config.TunnelPort a, Config.TunnelPort b) {
            return a.dstPort() == b.dstPort() && a.remoteIp().equals(b.remoteIp()) && a.key().equals(b.key()) && a.localIp().equals(b.localIp());
        }

        Config.Dpdk dpdk(Table t, Config.Dpdk d) {
            if (t == null) {
                return d;
            }
            boolean enabled = t.bool("enabled", d.enabled());
            List<String> eal = t.strings("eal-args", d.ealArgs());
            List<Integer> cores = d.pmdCores();
            Optional<String> list = t.string("pmd-cores");
            if (list.isPresent()) {
                try {
                    cores = cpuList(list.get());
                } catch (IllegalArgumentException e) {
                    error(t.path("pmd-cores"), e.getMessage());
                }
            }
            t.unknownKeys();
            return new Config.Dpdk(enabled, eal, cores);
        }

        Config.Control control(Table t, Config.Control d) {
            if (t == null) {
                return d;
            }
            Path socket = d.socket();
            Optional<String> s = t.string("socket");
            if (s.isPresent()) {
                Path p = Path.of(s.get());
                int bytes = s.get().getBytes(StandardCharsets.UTF_8).length;
                if (!p.isAbsolute()) {
                    error(t.path("socket"), "must be an absolute path, e.g. " + Config.DEFAULT_CONTROL_SOCKET);
                } else if (bytes > SUN_PATH_MAX) {
                    error(t.path("socket"), "is " + bytes + " bytes; a unix socket path holds at most " + SUN_PATH_MAX);
                } else {
                    socket = p;
                }
            }
            String group = t.string("group").orElse(d.group());
            if (!GROUP_NAME.matcher(group).matches()) {
                error(t.path("group"), "\"" + group + "\" is not a group name (a letter or _, then letters, digits, _ . -; at most 32)");
            }
            t.unknownKeys();
            return new Config.Control(socket, group);
        }

        Config.Metrics metrics(Table t, Config.Metrics d) {
            if (t == null) {
                return d;
            }
            Optional<InetSocketAddress> listen = d.listen();
            Optional<String> s = t.string("listen");
            if (s.isPresent()) {
                try {
                    listen = s.get().isEmpty() ? Optional.empty() : Optional.of(hostPort(s.get()));
                } catch (IllegalArgumentException e) {
                    error(t.path("listen"), e.getMessage());
                }
            }
            t.unknownKeys();
            return new Config.Metrics(listen);
        }

        /** A view of one TOML table that remembers which keys were read, to flag the rest. */
        final class Table {
            final String prefix;
            final JsonNode node;
            final List<String> known;

            Table(String prefix, JsonNode node, List<String> known) {
                this.prefix = prefix;
                this.node = node;
                this.known = known;
            }

            String path(String key) {
                return prefix.isEmpty() ? key : prefix + "." + key;
            }

            boolean has(String key) {
                return node.has(key);
            }

            JsonNode node(String key) {
                return node.get(key);
            }

            Table table(String key, List<String> keys) {
                JsonNode n = node.get(key);
                if (n == null) {
                    return null;
                }
                if (!n.isObject()) {
                    error(path(key), "expected a table [" + key + "] with keys " + String.join(", ", keys) + "; got " + typeOf(n));
                    return null;
                }
                return new Table(path(key), n, keys);
            }

            void unknownKeys() {
                for (String k : new TreeSet<>(node.propertyNames())) {
                    if (known.contains(k)) {
                        continue;
                    }
                    String near = Suggest.nearest(k, known);
                    String where = prefix.isEmpty() ? "at the top level" : "in [" + prefix.replaceAll("\\[\\d+\\]$", "") + "]";
                    error(path(k), "unknown key " + where + (near != null ? "; did you mean " + near + "?" : "")
                            + " (valid: " + String.join(", ", known) + ")");
                }
            }

            boolean bool(String key, boolean dflt) {
                JsonNode n = node.get(key);
                if (n == null) {
                    return dflt;
                }
                if (n.isBoolean()) {
                    return n.booleanValue();
                }
                if (n.isString() && (n.stringValue().equals("true") || n.stringValue().equals("false"))) {
                    error(path(key), "expected true or false, got the string \"" + n.stringValue()
                            + "\"; write it without quotes (TOML booleans are bare, unlike ovs-vsctl's other_config strings)");
                } else {
                    error(path(key), "expected true or false, got " + typeOf(n));
                }
                return dflt;
            }

            long integer(String key, long dflt, long min, long max, String unit) {
                JsonNode n = node.get(key);
                if (n == null) {
                    return dflt;
                }
                if (n.isIntegralNumber() && n.canConvertToLong()) {
                    long v = n.longValue();
                    if (v >= min && v <= max) {
                        return v;
                    }
                    error(path(key), v + " is out of range; allowed " + min + ".." + max + " (" + unit + ")");
                } else if (n.isString() && n.stringValue().strip().matches("-?\\d+")) {
                    error(path(key), "expected an integer (" + unit + "), got the string \"" + n.stringValue() + "\"; write it without quotes");
                } else {
                    error(path(key), "expected an integer " + min + ".." + max + " (" + unit + "), got " + typeOf(n));
                }
                return dflt;
            }

            Optional<String> string(String key) {
                JsonNode n = node.get(key);
                if (n == null) {
                    return Optional.empty();
                }
                if (!n.isString()) {
                    error(path(key), "expected a string in quotes, got " + typeOf(n));
                    return Optional.empty();
                }
                return Optional.of(n.stringValue());
            }

            List<String> strings(String key, List<String> dflt) {
                JsonNode n = node.get(key);
                if (n == null) {
                    return dflt;
                }
                if (!n.isArray()) {
                    error(path(key), "expected a list of strings, e.g. [\"--in-memory\", \"--no-pci\"], got " + typeOf(n));
                    return dflt;
                }
                List<String> out = new ArrayList<>();
                for (int i = 0; i < n.size(); i++) {
                    JsonNode e = n.get(i);
                    if (e.isString()) {
                        out.add(e.stringValue());
                    } else {
                        error(path(key), "element " + (i + 1) + " is " + typeOf(e) + "; every element must be a string in quotes");
                    }
                }
                return out;
            }

            /** A string key parsed by {@code parser}, whose IllegalArgumentException message says what is allowed. */
            <T> T word(String key, T dflt, Function<String, T> parser) {
                Optional<String> s = string(key);
                if (s.isEmpty()) {
                    return dflt;
                }
                try {
                    return parser.apply(s.get());
                } catch (IllegalArgumentException e) {
                    error(path(key), e.getMessage()); // the parsers name the text and the choices
                    return dflt;
                }
            }
        }
    }

    /** "2,4-6" → [2, 4, 5, 6], as taskset -c and isolcpus= write CPU lists. */
    static List<Integer> cpuList(String text) {
        TreeSet<Integer> cpus = new TreeSet<>();
        if (text.isBlank()) {
            return List.of();
        }
        for (String part : text.split(",")) {
            String p = part.strip();
            String[] range = p.split("-", -1);
            try {
                if (range.length == 1) {
                    cpus.add(cpu(range[0]));
                } else if (range.length == 2) {
                    int lo = cpu(range[0]);
                    int hi = cpu(range[1]);
                    if (hi < lo) {
                        throw new IllegalArgumentException("CPU range \"" + p + "\" runs backwards");
                    }
                    for (int c = lo; c <= hi; c++) {
                        cpus.add(c);
                    }
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + p + "\" is not a CPU number or range" + (e.getMessage() == null ? "" : " ("
                    + e.getMessage() + ")") + "; expected a CPU list like \"2,4-6\"");
            }
        }
        return List.copyOf(cpus);
    }

    private static int cpu(String s) {
        int c = org.offloadbridge.flow.AsciiNumber.parseInt(s.strip());
        if (c < 0 || c > 4095) {
            throw new IllegalArgumentException("CPU " + c + " is out of range 0..4095");
        }
        return c;
    }

    /** "127.0.0.1:9477", "[::1]:9477", "0.0.0.0:9477": an IP literal (no name lookups at config time) and a port. */
    static InetSocketAddress hostPort(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("\"" + text + "\": expected [IPv6]:port, e.g. [::1]:9477");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("\"" + text + "\": expected address:port, e.g. 127.0.0.1:9477 or [::1]:9477 (\"\" turns metrics off)");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int p;
        String why = null;
        try {
            p = org.offloadbridge.flow.AsciiNumber.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
            why = e.getMessage();
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("\"" + text + "\": port must be 1..65535" + (why == null ? "" : " (" + why + ")"));
        }
        if (!isIpLiteral(host)) {
            throw new IllegalArgumentException("\"" + text + "\": \"" + host + "\" is not an IP address (names are not looked up; use 127.0.0.1, ::1 or 0.0.0.0)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + text + "\": " + e.getMessage());
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") && java.util.Arrays.stream(host.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255)
                || host.contains(":") && host.matches("[0-9A-Fa-f:.]+");
    }

    private static String typeOf(JsonNode n) {
        JsonNodeType t = n.getNodeType();
        return switch (t) {
            case STRING -> "the string \"" + n.stringValue() + "\"";
            case NUMBER -> "the number " + n.asString();
            case BOOLEAN -> "the boolean " + n.booleanValue();
            case ARRAY -> "a list";
            case OBJECT -> "a table";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }
}
