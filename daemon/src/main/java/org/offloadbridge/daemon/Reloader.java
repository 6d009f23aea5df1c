package org.offloadbridge.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.offloadbridge.daemon.config.CheckCommand;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.daemon.config.ConfigDiff;
import org.offloadbridge.daemon.config.ConfigError;
import org.offloadbridge.daemon.config.ConfigException;
import org.offloadbridge.daemon.config.ConfigParser;
import org.offloadbridge.daemon.control.ControlProtocol;
import org.offloadbridge.flow.Excerpt;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.PortTable;
import org.offloadbridge.upcall.pipeline.Rule;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;

/**
 * {@code obctl reload} and SIGHUP: reads the config file again and applies what can change
 * while running, as {@code nginx -s reload} does, in two phases.
 *
 * <ol>
 *   <li><b>Check</b>, changing nothing: the config file is parsed and validated
 *       ({@link ConfigParser}), the rules file (its {@code rules-file}, read once here) is parsed
 *       line by line against the ports the daemon will have after the reload (today's, minus the
 *       named ports the file drops, plus those it adds, numbered as the daemon will number
 *       them). Any error, and the reply lists every one as {@code file:line:column: message} and
 *       nothing changes.</li>
 *   <li><b>Apply</b>: the changed live keys in {@link ConfigDiff}'s order — policy,
 *       offload-default, max-idle, max-revalidator, flow-limit, stop-removes-flows, log-level, then
 *       the ports (dropped ones detached before added ones are attached, {@code [[port]] name} and
 *       {@code eswitch} alike; a changed {@code ofport} is a detach and an attach) — then the rules, the whole
 *       set at once ({@code Pipeline.replaceRules}: translations see the old set or the new one,
 *       never a mix), rules unchanged keeping their counters. Rules added with obctl since are
 *       replaced by the file's.</li>
 * </ol>
 * The keys that need a restart ({@link ConfigDiff}: thread counts, {@code [dpdk]},
 * {@code [control]}, {@code [metrics]}) are reported and keep their running values; they are
 * reported again by the next reload until a restart applies them. A step that fails while
 * applying (a port whose device is gone) is reported as not applied, the reply's status is 1,
 * and the steps after it still run: the running state is then what the reply says.
 *
 * <p>One reload at a time (this object's lock); SIGHUP and obctl may race for it.
 */
public final class Reloader {
    /** What a reload changes in the running daemon; {@link Daemon} is the real one. */
    public interface Target {
        /** The ports now, for checking the new rules before anything changes. */
        PortTable portTable();

        void setPolicy(boolean hwOffload, TcPolicy tcPolicy);

        void setMaxIdleMillis(long ms);

        void setMaxRevalidatorMillis(long ms);

        void setFlowLimit(int limit);

        /** hw-capacity and hw-watermark (capacity-aware placement; docs/hardware-table.md). */
        void setHwCapacity(int capacity, int watermarkPercent);

        /** Each e-switch's own hw-capacity and hw-watermark ({@link Config#eswitchHwLimits()}). */
        void setEswitchHwLimits(java.util.Map<String, int[]> limits);

        void setStopRemovesFlows(boolean remove);

        void setLogLevel(Config.LogLevel level);

        void setOffloadDefault(OffloadPreference p);

        /** The configured OpenFlow numbers of named ports, set before the attaches that use them. */
        void setOfPorts(Map<String, Integer> ofPorts);

        /** Attaches a named port (throws, naming the cause, when it can't). */
        void attachNamed(String name, Integer ofPort);

        /** Detaches a port the file no longer names; false when it stays (it is on a configured e-switch) or was none. */
        boolean detachNamed(String name);

        /** Attaches the ports of an e-switch; returns their names. */
        List<String> addEswitch(String handle);

        /** Detaches the ports of an e-switch that are not named; returns their names. */
        List<String> removeEswitch(String handle);

        /**
         * Makes the tunnel ports {@code ports} (all of them, as the file now says): every host
         * check first (nothing changes when one fails: throws with all the problems), then
         * VXLAN devices no port uses any more go, new ones come, changed ports change in place.
         * Returns one line per port changed.
         */
        String setTunnelPorts(List<Config.TunnelPort> ports);

        /** Replaces every rule with {@code text}'s, atomically; returns them. */
        List<Rule> replaceRules(String text) throws RuleSyntaxException;

        /** How many rules the pipeline has now (loaded and added with obctl). */
        int ruleCount();
    }

    /** What a reload did: the reply's status ({@link ControlProtocol#OK} or FAILED) and its text, one line per item. */
    public record Result(int status, String text) {
        public boolean ok() {
            return status == ControlProtocol.OK;
        }

        public ControlProtocol.Reply reply() {
            return new ControlProtocol.Reply(status, text, null);
        }
    }

    private final Path file;
    private final ConfigParser parser;
    private final Target target;
    private Config running;

    /**
     * @param file    the config file the daemon was started with
     * @param running the configuration it runs with
     */
    public Reloader(Path file, Config running, ConfigParser parser, Target target) {
        this.file = file;
        this.running = running;
        this.parser = parser;
        this.target = target;
    }

    /** Registers {@code obctl reload} on {@code server}. */
    public void register(org.offloadbridge.daemon.control.ControlServer server) {
        server.register("reload", "[--allow-empty]", """
            Reads the config file again (and its rules-file) and applies what can change while running:
            hw-offload, tc-policy, offload-default, max-idle, max-revalidator, flow-limit, stop-removes-flows,
            log-level, [[port]] tables and the rules (replaced at once; rules added with obctl are replaced
            too). Prints one line per changed key, "(applied live)" or "(needs a restart)". A file with any
            error changes nothing: every error is printed as file:line:column and the status is 1.
            A rules-file with no rules (empty, or only comments) would remove every rule: that is refused
            while rules are loaded, unless --allow-empty is given. systemctl reload and SIGHUP do the same
            (without --allow-empty).""", args -> {
                if (args.isEmpty() || args.equals(List.of(ALLOW_EMPTY))) {
                    return reload(!args.isEmpty()).reply();
                }
                String bad = args.get(0).equals(ALLOW_EMPTY) ? args.get(1) : args.get(0);
                return ControlProtocol.Reply.usage((bad.startsWith("-") ? "unknown option \"" : "takes no arguments: unexpected \"")
                    + Excerpt.escape(bad, 80) + "\" (known: " + ALLOW_EMPTY + ")");
            });
    }

    /** The configuration the daemon runs with now: restart-only keys as at start. */
    public synchronized Config running() {
        return running;
    }

    /** The option that lets a reload, or replace-flows, leave no rules. */
    public static final String ALLOW_EMPTY = "--allow-empty";

    /** Checks, then applies; see the class comment. A rules-file without rules is refused while rules are loaded. */
    public synchronized Result reload() {
        return reload(false);
    }

    /**
     * Checks, then applies; see the class comment.
     *
     * @param allowEmpty whether a rules-file with no rules may replace the rules loaded now
     *                   (without it, a file truncated by accident would silently remove them all)
     */
    public synchronized Result reload(boolean allowEmpty) {
        // ---- check: nothing changes until every error is known
        List<ConfigError> errors = new ArrayList<>();
        Config next = null;
        try {
            next = parser.parse(file);
        } catch (ConfigException e) {
            errors.addAll(e.errors());
        }
        String rules = "";
        Path rulesPath = next == null ? null : next.rulesFile().orElse(null);
        if (rulesPath != null) {
            try {
                rules = Files.readString(rulesPath, StandardCharsets.UTF_8);
            } catch (IOException e) {
                errors.add(new ConfigError(rulesPath, 0, 0, "", "cannot read the rules file: "
                    + (e instanceof NoSuchFileException ? "no such file" : e.toString())));
                rulesPath = null;
            }
        }
        PortChanges pc = next == null ? null : PortChanges.between(running, next);
        if (rulesPath != null) {
            int ruleLines = CheckCommand.checkRules(rulesPath, rules, pc.planned(target.portTable()), next.offloadDefault(),
                " (not a port the daemon has, nor a [[port]] name in " + file + ")", errors);
            int loadedNow = target.ruleCount();
            if (ruleLines == 0 && loadedNow > 0 && !allowEmpty) {
                errors.add(new ConfigError(rulesPath, 0, 0, "", emptyReplacement(loadedNow, "obctl reload " + ALLOW_EMPTY)));
            }
        }
        if (!errors.isEmpty()) {
            return new Result(ControlProtocol.FAILED, ConfigError.nothingChanged(errors));
        }

        // ---- apply
        ConfigDiff diff = ConfigDiff.between(running, next);
        StringBuilder out = new StringBuilder();
        boolean failed = false;
        List<Config.PortSpec> portsNow = new ArrayList<>(next.ports());
        // Tunnel ports as running until their change applies (below, "tunnel port").
        portsNow.removeIf(p -> p instanceof Config.TunnelPort);
        running.ports().stream().filter(p -> p instanceof Config.TunnelPort).forEach(portsNow::add);
        boolean policySet = false;
        boolean capacitySet = false;
        if (diff.isEmpty()) {
            out.append("configuration: no changes\n");
        }
        for (ConfigDiff.Change c : diff.changes()) {
            if (!c.live()) {
                out.append(c).append('\n');
                continue;
            }
            String why = null;
            StringBuilder detail = new StringBuilder();
            try {
                switch (c.key()) {
                    case "hw-offload", "tc-policy" -> {
                        if (!policySet) { // both change in one step: one new policy generation
                            target.setPolicy(next.hwOffload(), next.tcPolicy());
                            policySet = true;
                        }
                    }
                    case "offload-default" -> target.setOffloadDefault(next.offloadDefault());
                    case "max-idle" -> target.setMaxIdleMillis(next.maxIdleMillis());
                    case "max-revalidator" -> target.setMaxRevalidatorMillis(next.maxRevalidatorMillis());
                    case "flow-limit" -> target.setFlowLimit(next.flowLimit());
                    case "hw-capacity", "hw-watermark", "eswitch hw-capacity/hw-watermark" -> {
                        if (!capacitySet) { // all change in one step (an e-switch's own values fall back to these)
                            target.setHwCapacity(next.hwCapacity(), next.hwWatermark());
                            target.setEswitchHwLimits(next.eswitchHwLimits());
                            capacitySet = true;
                        }
                    }
                    case "stop-removes-flows" -> target.setStopRemovesFlows(next.stopRemovesFlows());
                    case "log-level" -> target.setLogLevel(next.logLevel());
                    case "rules-file" -> { } // the rules below are reread whatever the path
                    case "port" -> why = applyPorts(pc, portsNow, detail);
                    case "tunnel port" -> {
                        detail.append(target.setTunnelPorts(tunnels(next)));
                        portsNow.removeIf(p -> p instanceof Config.TunnelPort);
                        portsNow.addAll(tunnels(next));
                    }
                    default -> why = "no live setter for this key (a bug)";
                }
            } catch (RuntimeException e) {
                why = e.getMessage();
            }
            if (why == null) {
                out.append(c).append('\n');
            } else {
                failed = true;
                out.append(c.key()).append(": ").append(c.before()).append(" -> ").append(c.after()).append(" (not applied: ")
                    .append(why).append(")\n");
            }
            out.append(detail);
        }
        try {
            List<Rule> loaded = target.replaceRules(rules);
            out.append("rules: ").append(loaded.size()).append(loaded.size() == 1 ? " rule" : " rules")
                .append(rulesPath == null ? " (no rules-file)" : " from " + rulesPath)
                .append(", reloaded (rules added with obctl since the last load are replaced)\n");
        } catch (RuleSyntaxException | RuntimeException e) {
            // a port the rules name could not be attached: the old rules stay
            failed = true;
            out.append("rules: not reloaded, the old rules stay: ").append(rulesPath).append(':')
                .append(e instanceof RuleSyntaxException r ? r.line() + ":" + r.column() + ": " + r.reason() : e.getMessage())
                .append('\n');
        }
        running = runningAfter(running, next, portsNow);
        return new Result(failed ? ControlProtocol.FAILED : ControlProtocol.OK, out.toString());
    }

    static List<Config.TunnelPort> tunnels(Config c) {
        List<Config.TunnelPort> out = new ArrayList<>();
        for (Config.PortSpec p : c.ports()) {
            if (p instanceof Config.TunnelPort t) {
                out.add(t);
            }
        }
        return out;
    }

    /** Why an empty replacement of {@code loaded} rules is refused, and the command that forces it. */
    public static String emptyReplacement(int loaded, String force) {
        return "no rules in it (" + "empty, or only blank lines and comments): replacing the " + loaded
            + (loaded == 1 ? " rule" : " rules") + " loaded now with none needs " + force + " (obctl del-flows deletes every rule too)";
    }

    /** Applies {@code pc}, one line per port; returns null, or why a part failed. {@code portsNow} is left as applied. */
    private String applyPorts(PortChanges pc, List<Config.PortSpec> portsNow, StringBuilder out) {
        List<String> failures = new ArrayList<>();
        for (String name : pc.detach()) {
            try {
                target.detachNamed(name);
                out.append("  port ").append(name).append(": detached\n");
            } catch (RuntimeException e) {
                failures.add(name);
                if (!pc.after().containsKey(name)) {
                    portsNow.add(pc.before().get(name));
                }
                out.append("  port ").append(name).append(": not detached: ").append(e.getMessage()).append('\n');
            }
        }
        for (String h : pc.removedEswitches()) {
            try {
                out.append("  eswitch ").append(h).append(": detached ").append(target.removeEswitch(h)).append('\n');
            } catch (RuntimeException e) {
                failures.add(h);
                out.append("  eswitch ").append(h).append(": ").append(e.getMessage()).append('\n');
            }
        }
        target.setOfPorts(pc.ofPorts());
        for (String name : pc.attach()) {
            Config.NamedPort p = pc.after().get(name);
            try {
                target.attachNamed(name, p.ofPort().orElse(null));
                out.append("  port ").append(name).append(": attached\n");
            } catch (RuntimeException e) {
                failures.add(name);
                portsNow.remove(p);
                out.append("  port ").append(name).append(": not attached: ").append(e.getMessage()).append('\n');
            }
        }
        for (String h : pc.addedEswitches()) {
            try {
                out.append("  eswitch ").append(h).append(": attached ").append(target.addEswitch(h)).append('\n');
            } catch (RuntimeException e) {
                failures.add(h);
                portsNow.remove(new Config.EswitchPorts(h));
                out.append("  eswitch ").append(h).append(": not attached: ").append(e.getMessage()).append('\n');
            }
        }
        return failures.isEmpty() ? null : "failed for " + String.join(", ", failures);
    }

    /** The running configuration after a reload: live keys from {@code next}, restart keys as they were. */
    static Config runningAfter(Config old, Config next, List<Config.PortSpec> ports) {
        return new Config(next.source(), next.hwOffload(), next.tcPolicy(), next.offloadDefault(), next.maxIdleMillis(),
            next.maxRevalidatorMillis(), next.flowLimit(), next.hwCapacity(), next.hwWatermark(), old.handlerThreads(), old.revalidatorThreads(), next.rulesFile(),
            next.stopRemovesFlows(), next.logLevel(), ports, old.dpdk(), old.control(), old.metrics());
    }

    /**
     * The port changes from one configuration to the next: named ports to detach (dropped, or
     * their ofport changed) and to attach (added, or their ofport changed), e-switches added and
     * removed.
     */
    record PortChanges(Map<String, Config.NamedPort> before, Map<String, Config.NamedPort> after, List<String> detach,
                       List<String> attach, List<String> removedEswitches, List<String> addedEswitches,
                       List<Config.TunnelPort> tunnelsAfter) {

        static PortChanges between(Config old, Config next) {
            Map<String, Config.NamedPort> b = named(old);
            Map<String, Config.NamedPort> a = named(next);
            List<String> detach = new ArrayList<>();
            List<String> attach = new ArrayList<>();
            for (var e : b.entrySet()) {
                Config.NamedPort now = a.get(e.getKey());
                if (now == null || !Objects.equals(now.ofPort(), e.getValue().ofPort())) {
                    detach.add(e.getKey());
                }
            }
            for (var e : a.entrySet()) {
                Config.NamedPort was = b.get(e.getKey());
                if (was == null || !Objects.equals(was.ofPort(), e.getValue().ofPort())) {
                    attach.add(e.getKey());
                }
            }
            Set<String> eb = eswitches(old);
            Set<String> ea = eswitches(next);
            return new PortChanges(b, a, detach, attach, eb.stream().filter(h -> !ea.contains(h)).toList(),
                ea.stream().filter(h -> !eb.contains(h)).toList(), tunnels(next));
        }

        private static Map<String, Config.NamedPort> named(Config c) {
            Map<String, Config.NamedPort> m = new LinkedHashMap<>();
            for (Config.PortSpec p : c.ports()) {
                if (p instanceof Config.NamedPort n) {
                    m.put(n.name(), n);
                }
            }
            return m;
        }

        private static Set<String> eswitches(Config c) {
            Set<String> s = new java.util.LinkedHashSet<>();
            for (Config.PortSpec p : c.ports()) {
                if (p instanceof Config.EswitchPorts e) {
                    s.add(e.devlinkHandle());
                }
            }
            return s;
        }

        /** The configured OpenFlow numbers after the reload. */
        Map<String, Integer> ofPorts() {
            Map<String, Integer> m = new LinkedHashMap<>();
            after.forEach((n, p) -> p.ofPort().ifPresent(of -> m.put(n, of)));
            return m;
        }

        /**
         * The port table the daemon will have once these changes are applied, for checking the
         * rules first: today's ports less those detached, plus those attached, numbered as
         * {@code Daemon} numbers them (the configured ofport, else the lowest number neither in
         * use nor configured for another port, in file order).
         */
        PortTable planned(PortTable now) {
            List<BridgePort> ports = new ArrayList<>();
            Set<Integer> taken = new HashSet<>(ofPorts().values());
            int maxDp = 0;
            Map<String, Config.TunnelPort> tunnelNames = new LinkedHashMap<>();
            tunnelsAfter.forEach(t -> tunnelNames.put(t.name(), t));
            Map<Integer, Integer> deviceDp = new HashMap<>();
            for (BridgePort p : now.ports()) {
                maxDp = Math.max(maxDp, p.dpPort());
                if (p.isTunnel()) {
                    deviceDp.put(p.tunnel().dstPort(), p.dpPort());
                    if (!tunnelNames.containsKey(p.name())) {
                        continue; // a tunnel port the file drops
                    }
                    tunnelNames.remove(p.name());
                }
                if (!detach.contains(p.name())) {
                    ports.add(p);
                    taken.add(p.ofPort());
                }
            }
            tunnelsAfter.forEach(t -> t.ofPort().ifPresent(taken::add));
            for (String name : attach) {
                Config.NamedPort p = after.get(name);
                int of;
                if (p.ofPort().isPresent()) {
                    of = p.ofPort().get();
                } else {
                    of = 1;
                    while (taken.contains(of)) {
                        of++;
                    }
                }
                taken.add(of);
                ports.add(new BridgePort(name, of, ++maxDp));
            }
            for (Config.TunnelPort t : tunnelNames.values()) { // new tunnel ports: their device's number, or a new one
                int of = t.ofPort().orElse(0);
                if (of == 0) {
                    of = 1;
                    while (taken.contains(of)) {
                        of++;
                    }
                }
                taken.add(of);
                int next = maxDp + 1;
                int dp = deviceDp.computeIfAbsent(t.dstPort(), k -> next);
                maxDp = Math.max(maxDp, dp);
                ports.add(new BridgePort(t.name(), of, dp, t.pipelineTunnel()));
            }
            return new PortTable(ports);
        }
    }
}
