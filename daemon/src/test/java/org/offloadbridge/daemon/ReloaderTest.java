package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.daemon.config.ConfigParser;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.PortTable;
import org.offloadbridge.upcall.pipeline.Rule;
import org.offloadbridge.upcall.pipeline.RuleParser;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;

/** Reload semantics: a bad file changes nothing; live keys are applied; restart keys are reported and kept. */
class ReloaderTest {
    @TempDir
    Path dir;

    /** Records what a reload does to the daemon; ports and rules as a daemon would hold them. */
    static final class FakeTarget implements Reloader.Target {
        final List<Config.TunnelPort> tunnels = new ArrayList<>();

        @Override
        public String setTunnelPorts(List<Config.TunnelPort> next) {
            tunnels.clear();
            tunnels.addAll(next);
            ports.removeIf(BridgePort::isTunnel);
            int of = 100;
            for (Config.TunnelPort t : next) {
                ports.add(new BridgePort(t.name(), t.ofPort().orElse(of++), 50, t.pipelineTunnel()));
            }
            calls.add("tunnels " + next.size());
            return "";
        }

        final List<String> calls = new ArrayList<>();
        final List<BridgePort> ports = new ArrayList<>(List.of(new BridgePort("p1", 1, 1), new BridgePort("p2", 2, 2)));
        List<Rule> rules = List.of();
        String refuseAttach;

        @Override
        public PortTable portTable() {
            return new PortTable(ports);
        }

        @Override
        public void setPolicy(boolean hwOffload, TcPolicy tcPolicy) {
            calls.add("policy " + hwOffload + " " + tcPolicy.ovsName());
        }

        @Override
        public void setMaxIdleMillis(long ms) {
            calls.add("max-idle " + ms);
        }

        @Override
        public void setMaxRevalidatorMillis(long ms) {
            calls.add("max-revalidator " + ms);
        }

        @Override
        public void setHwCapacity(int capacity, int watermarkPercent) {
            calls.add("hw-capacity=" + capacity + "," + watermarkPercent);
        }

        @Override
        public void setEswitchHwLimits(java.util.Map<String, int[]> limits) {
            StringBuilder sb = new StringBuilder("eswitch-hw-limits");
            limits.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v[0]).append('/').append(v[1]));
            calls.add(sb.toString());
        }

        @Override
        public void setFlowLimit(int limit) {
            calls.add("flow-limit " + limit);
        }

        @Override
        public void setStopRemovesFlows(boolean remove) {
            calls.add("stop-removes-flows " + remove);
        }

        @Override
        public void setLogLevel(Config.LogLevel level) {
            calls.add("log-level " + level.text());
        }

        @Override
        public void setOffloadDefault(OffloadPreference p) {
            calls.add("offload-default " + p.text());
        }

        @Override
        public void setOfPorts(Map<String, Integer> ofPorts) {
        }

        @Override
        public void attachNamed(String name, Integer ofPort) {
            if (name.equals(refuseAttach)) {
                throw new IllegalArgumentException("port " + name + ": no such network device");
            }
            calls.add("attach " + name + (ofPort == null ? "" : " " + ofPort));
            int of = ofPort != null ? ofPort : 1;
            while (ofPort == null && portTable().byOfPort(of) != null) {
                of++;
            }
            ports.add(new BridgePort(name, of, 10 + ports.size()));
        }

        @Override
        public boolean detachNamed(String name) {
            calls.add("detach " + name);
            return ports.removeIf(p -> p.name().equals(name));
        }

        @Override
        public List<String> addEswitch(String handle) {
            calls.add("add eswitch " + handle);
            return List.of("pf0vf0");
        }

        @Override
        public List<String> removeEswitch(String handle) {
            calls.add("remove eswitch " + handle);
            return List.of();
        }

        @Override
        public List<Rule> replaceRules(String text) throws RuleSyntaxException {
            rules = new RuleParser(portTable()).parseFile(text);
            calls.add("rules " + rules.size());
            return rules;
        }

        @Override
        public int ruleCount() {
            return rules.size();
        }
    }

    static final String START = """
        hw-offload = false
        max-idle = 10000
        n-handler-threads = 4
        rules-file = "rules.of"

        [[port]]
        name = "p1"

        [[port]]
        name = "p2"

        [control]
        socket = "/run/ob/obctl.sock"
        """;

    final FakeTarget target = new FakeTarget();
    final ConfigParser parser = new ConfigParser(4);

    Reloader start() throws Exception {
        Files.writeString(dir.resolve("rules.of"), "priority=1,in_port=p1,actions=output:p2\n");
        Path conf = dir.resolve("ob.conf");
        Files.writeString(conf, START);
        return new Reloader(conf, parser.parse(conf), parser, target);
    }

    void write(String conf, String rules) throws Exception {
        Files.writeString(dir.resolve("ob.conf"), conf);
        Files.writeString(dir.resolve("rules.of"), rules);
    }

    @Test
    void aBadFileChangesNothingAndEveryErrorIsListedWithItsPosition() throws Exception {
        Reloader r = start();
        Config before = r.running();
        write(START.replace("max-idle = 10000", "max-idle = 20000\nhw-ofload = true\nflow-limit = 0"),
            "priority=1,in_port=p1,actions=output:p2\nfoo=1,actions=drop\n");
        Reloader.Result res = r.reload();
        assertFalse(res.ok());
        String conf = dir.resolve("ob.conf").toString();
        assertTrue(res.text().contains(conf + ":3:1: hw-ofload: unknown key"), res.text());
        assertTrue(res.text().contains(conf + ":4:14: flow-limit:") || res.text().contains(conf + ":4:1: flow-limit:"), res.text());
        assertTrue(res.text().endsWith("errors; nothing changed\n"), res.text());
        assertEquals(List.of(), target.calls, "nothing applied");
        assertEquals(before, r.running());
    }

    @Test
    void aBadRulesFileChangesNothingEvenWhenTheConfigIsGood() throws Exception {
        Reloader r = start();
        write(START.replace("max-idle = 10000", "max-idle = 20000"),
            "priority=1,in_port=p1,actions=output:p2\nfoo=1,actions=drop\npriority=2,in_port=p3,actions=drop\n");
        Reloader.Result res = r.reload();
        assertFalse(res.ok());
        String rules = dir.resolve("rules.of").toString();
        assertTrue(res.text().contains(rules + ":2:1: unknown field \"foo\""), res.text());
        assertTrue(res.text().contains(rules + ":3:20: unknown port \"p3\""), res.text());
        assertTrue(res.text().contains("2 errors; nothing changed"), res.text());
        assertEquals(List.of(), target.calls);
        assertEquals(10_000, r.running().maxIdleMillis());
    }

    @Test
    void liveKeysAreAppliedAndRestartKeysReportedAndKept() throws Exception {
        Reloader r = start();
        String next = """
            hw-offload = true
            tc-policy = "skip_hw"
            offload-default = "never"
            max-idle = 30000
            max-revalidator = 200
            flow-limit = 5000
            hw-capacity = 1000
            hw-watermark = 90
            stop-removes-flows = true
            log-level = "debug"
            n-handler-threads = 8
            rules-file = "rules.of"

            [[port]]
            name = "p1"

            [[port]]
            name = "p2"

            [dpdk]
            enabled = true

            [control]
            socket = "/run/ob/other.sock"
            """;
        write(next, "priority=1,in_port=p1,actions=output:p2\npriority=2,in_port=p2,actions=output:p1\n");
        Reloader.Result res = r.reload();
        assertTrue(res.ok(), res.text());
        assertEquals("""
            hw-offload: false -> true (applied live)
            tc-policy: none -> skip_hw (applied live)
            offload-default: preferred -> never (applied live)
            max-idle: 10000 -> 30000 (applied live)
            max-revalidator: 500 -> 200 (applied live)
            flow-limit: 200000 -> 5000 (applied live)
            hw-capacity: 0 -> 1000 (applied live)
            hw-watermark: 100 -> 90 (applied live)
            n-handler-threads: 4 -> 8 (needs a restart)
            n-revalidator-threads: 2 -> 3 (needs a restart)
            stop-removes-flows: false -> true (applied live)
            log-level: info -> debug (applied live)
            dpdk.enabled: false -> true (needs a restart)
            control.socket: /run/ob/obctl.sock -> /run/ob/other.sock (needs a restart)
            rules: 2 rules from %s, reloaded (rules added with obctl since the last load are replaced)
            """.formatted(dir.resolve("rules.of")), res.text());
        assertEquals(List.of("policy true skip_hw", "offload-default never", "max-idle 30000",
            "max-revalidator 200", "flow-limit 5000", "hw-capacity=1000,90", "eswitch-hw-limits", "stop-removes-flows true", "log-level debug", "rules 2"), target.calls);
        Config running = r.running();
        assertEquals(30_000, running.maxIdleMillis(), "live: the new value");
        assertEquals(4, running.handlerThreads(), "restart: the running value");
        assertFalse(running.dpdk().enabled());
        assertEquals(Path.of("/run/ob/obctl.sock"), running.control().socket());

        target.calls.clear();
        Reloader.Result again = r.reload();
        assertTrue(again.ok(), again.text());
        assertEquals("""
            n-handler-threads: 4 -> 8 (needs a restart)
            n-revalidator-threads: 2 -> 3 (needs a restart)
            dpdk.enabled: false -> true (needs a restart)
            control.socket: /run/ob/obctl.sock -> /run/ob/other.sock (needs a restart)
            rules: 2 rules from %s, reloaded (rules added with obctl since the last load are replaced)
            """.formatted(dir.resolve("rules.of")), again.text(), "still waiting for a restart, said again");
        assertEquals(List.of("rules 2"), target.calls, "the rules file is reread every time");
    }

    @Test
    void portsFollowTheFileAndNewRulesMayNameNewPorts() throws Exception {
        Reloader r = start();
        write("""
            rules-file = "rules.of"
            n-handler-threads = 4

            [[port]]
            name = "p1"

            [[port]]
            name = "p3"
            ofport = 7

            [[port]]
            eswitch = "pci/0000:03:00.0"

            [control]
            socket = "/run/ob/obctl.sock"
            """, "priority=1,in_port=p3,actions=output:7\npriority=1,in_port=p1,actions=output:p3\n");
        Reloader.Result res = r.reload();
        assertTrue(res.ok(), res.text());
        assertTrue(res.text().startsWith("port: [name=p1, name=p2] -> [name=p1, name=p3 ofport=7, eswitch=pci/0000:03:00.0]"
            + " (applied live)\n  port p2: detached\n  port p3: attached\n  eswitch pci/0000:03:00.0: attached [pf0vf0]\n"), res.text());
        assertEquals(List.of("detach p2", "attach p3 7", "add eswitch pci/0000:03:00.0", "rules 2"), target.calls);
        assertEquals(7, target.rules.get(0).match().value(org.offloadbridge.upcall.pipeline.MatchField.IN_PORT));
    }

    @Test
    void aPortThatCannotBeAttachedIsReportedAndTriedAgainNextTime() throws Exception {
        Reloader r = start();
        target.refuseAttach = "p3";
        String conf = START.replace("[control]", "[[port]]\nname = \"p3\"\n\n[control]");
        write(conf, "priority=1,in_port=p1,actions=output:p2\n");
        Reloader.Result res = r.reload();
        assertFalse(res.ok(), res.text());
        assertTrue(res.text().contains("port p3: not attached: port p3: no such network device"), res.text());
        assertTrue(res.text().contains("(not applied: failed for p3)"), res.text());
        assertTrue(res.text().contains("rules: 1 rule"), "the rest still applied: " + res.text());
        assertEquals(2, r.running().ports().size(), "p3 is not running");
        target.refuseAttach = null;
        target.calls.clear();
        assertTrue(r.reload().ok());
        assertEquals(List.of("attach p3", "rules 1"), target.calls, "the next reload attaches it");
        assertEquals(Optional.empty(), r.running().rulesFile().filter(p -> !Files.exists(p)));
    }

    /** Issue 16: a rules-file truncated to nothing would remove every rule on the next SIGHUP. */
    @Test
    void aRulesFileWithNoRulesIsRefusedWhileRulesAreLoadedUnlessAllowEmpty() throws Exception {
        Reloader r = start();
        assertTrue(r.reload().ok());
        assertEquals(1, target.ruleCount());
        target.calls.clear();
        write(START.replace("max-idle = 10000", "max-idle = 20000"), "# emptied\n\n");
        Reloader.Result res = r.reload();
        assertFalse(res.ok());
        assertEquals(dir.resolve("rules.of") + ": no rules in it (empty, or only blank lines and comments): replacing the 1 rule"
            + " loaded now with none needs obctl reload --allow-empty (obctl del-flows deletes every rule too)\n1 error; nothing changed\n",
            res.text());
        assertEquals(List.of(), target.calls, "nothing applied, max-idle included");
        assertEquals(10_000, r.running().maxIdleMillis());
        res = r.reload(true);
        assertTrue(res.ok(), res.text());
        assertTrue(res.text().contains("rules: 0 rules from " + dir.resolve("rules.of")), res.text());
        assertEquals(0, target.ruleCount());
        // nothing loaded any more: an empty file is no loss
        assertTrue(r.reload().ok());
    }

    /** A tunnel port added by a reload is applied live, and the new rules may name it in the same reload. */
    @Test
    void aTunnelPortAddedByAReloadIsLiveAndItsRulesCheckAgainstIt() throws Exception {
        Reloader r = start();
        String tunnel = """

            [[port]]
            name = "vx1"
            type = "vxlan"
            local-ip = "10.20.0.1"
            remote-ip = "10.20.0.2"
            key = 42
            """;
        write(START + tunnel, "priority=1,in_port=p1,actions=output:vx1\npriority=1,in_port=vx1,actions=output:p1\n");
        Reloader.Result res = r.reload();
        assertTrue(res.ok(), res.text());
        assertTrue(res.text().contains("tunnel port: [] -> [name=vx1 type=vxlan local-ip=10.20.0.1 remote-ip=10.20.0.2 key=42"), res.text());
        assertEquals(List.of("vx1"), target.tunnels.stream().map(Config.TunnelPort::name).toList());
        assertTrue(r.running().ports().stream().anyMatch(p -> p instanceof Config.TunnelPort t && t.name().equals("vx1")),
            "the running config has it");
    }
}
