package org.offloadbridge.daemon.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What changed between the running configuration and a newly read one, and for each change
 * whether a reload ({@code SIGHUP}, {@code obctl reload}) applies it live or it waits for a
 * restart. The daemon applies the live part and reports the rest; it never half-applies a file
 * that failed validation (that never gets this far).
 *
 * <p>Live: {@code hw-offload}, {@code tc-policy}, {@code offload-default}, {@code max-idle},
 * {@code max-revalidator}, {@code flow-limit}, {@code rules-file}, {@code stop-removes-flows},
 * {@code log-level}, ports. Restart: thread counts (agents are built at start), everything in
 * {@code [dpdk]} (the EAL initialises once per process), {@code [control]} (the socket is bound at
 * start; rebinding would cut off the obctl that asked for the reload), {@code [metrics]}.
 *
 * <p>A rules file whose path is unchanged is reloaded all the same: its content is not part of
 * the config, so this diff does not see it.
 */
public record ConfigDiff(List<Change> changes) {

    /**
     * One changed key.
     *
     * @param key    the key as the file names it
     * @param before the running value, as text
     * @param after  the new value, as text
     * @param live   applied by a reload; false = needs a restart
     */
    public record Change(String key, String before, String after, boolean live) {
        @Override
        public String toString() {
            return key + ": " + before + " -> " + after + (live ? " (applied live)" : " (needs a restart)");
        }
    }

    public ConfigDiff {
        changes = List.copyOf(changes);
    }

    /** The changes from {@code before} to {@code after}, in the order of docs/configuration.md. */
    public static ConfigDiff between(Config before, Config after) {
        List<Change> out = new ArrayList<>();
        Differ d = new Differ(before, after, out);
        d.key("hw-offload", Config::hwOffload, true);
        d.key("tc-policy", c -> c.tcPolicy().ovsName(), true);
        d.key("offload-default", c -> c.offloadDefault().text(), true);
        d.key("max-idle", Config::maxIdleMillis, true);
        d.key("max-revalidator", Config::maxRevalidatorMillis, true);
        d.key("flow-limit", Config::flowLimit, true);
        d.key("hw-capacity", Config::hwCapacity, true);
        d.key("hw-watermark", Config::hwWatermark, true);
        d.key("eswitch hw-capacity/hw-watermark", c -> c.eswitchHwLimits().entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1] + "%").toList(), true);
        d.key("n-handler-threads", Config::handlerThreads, false);
        d.key("n-revalidator-threads", Config::revalidatorThreads, false);
        d.key("rules-file", c -> c.rulesFile().map(Object::toString).orElse("(none)"), true);
        d.key("stop-removes-flows", Config::stopRemovesFlows, true);
        d.key("log-level", c -> c.logLevel().text(), true);
        d.key("port", c -> c.ports().stream().filter(p -> !(p instanceof Config.TunnelPort)).map(Config.PortSpec::describe).toList(), true);
        d.key("tunnel port", c -> c.ports().stream().filter(p -> p instanceof Config.TunnelPort).map(Config.PortSpec::describe).toList(),
            true);
        d.key("dpdk.enabled", c -> c.dpdk().enabled(), false);
        d.key("dpdk.eal-args", c -> c.dpdk().ealArgs(), false);
        d.key("dpdk.pmd-cores", c -> c.dpdk().pmdCores(), false);
        d.key("control.socket", c -> c.control().socket(), false);
        d.key("control.group", c -> c.control().group(), false);
        d.key("metrics.listen", c -> c.metrics().listen().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).orElse("(off)"), false);
        return new ConfigDiff(out);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** The changes a reload applies. */
    public List<Change> live() {
        return changes.stream().filter(Change::live).toList();
    }

    /** The changes that wait for a restart. */
    public List<Change> needRestart() {
        return changes.stream().filter(c -> !c.live()).toList();
    }

    /** One line per change, as obctl reload prints them; "no changes" when there are none. */
    public String describe() {
        if (changes.isEmpty()) {
            return "no changes\n";
        }
        StringBuilder sb = new StringBuilder();
        for (Change c : changes) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }

    private record Differ(Config before, Config after, List<Change> out) {
        void key(String key, Function<Config, Object> value, boolean live) {
            Object b = value.apply(before);
            Object a = value.apply(after);
            if (!Objects.equals(b, a)) {
                out.add(new Change(key, String.valueOf(b), String.valueOf(a), live));
            }
        }
    }
}
