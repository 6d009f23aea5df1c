package org.offloadbridge.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    private final ConfigParser parser = new ConfigParser(4);

    private Config parse(String text) throws ConfigException {
        return parser.parse(Path.of("/etc/ob.conf"), text);
    }

    @Test
    void sameConfigIsNoChange() throws Exception {
        ConfigDiff d = ConfigDiff.between(parse("hw-offload = true"), parse("hw-offload = true\n"));
        assertTrue(d.isEmpty());
        assertEquals("no changes\n", d.describe());
    }

    @Test
    void liveKeys() throws Exception {
        Config a = parse("");
        Config b = parse("""
                hw-offload = true
                tc-policy = "skip_hw"
                offload-default = "required"
                max-idle = 2000
                max-revalidator = 100
                flow-limit = 10
                rules-file = "/r.of"
                stop-removes-flows = true
                log-level = "warn"
                [[port]]
                name = "eth1"
                """);
        ConfigDiff d = ConfigDiff.between(a, b);
        assertEquals(List.of("hw-offload", "tc-policy", "offload-default", "max-idle", "max-revalidator", "flow-limit",
                "rules-file", "stop-removes-flows", "log-level", "port"), d.changes().stream().map(ConfigDiff.Change::key).toList());
        assertEquals(d.changes(), d.live());
        assertEquals(List.of(), d.needRestart());
        assertEquals("tc-policy: none -> skip_hw (applied live)", d.changes().get(1).toString());
        assertEquals("port: [] -> [name=eth1] (applied live)", d.changes().get(9).toString());
    }

    @Test
    void restartKeys() throws Exception {
        Config a = parse("");
        Config b = parse("""
                n-handler-threads = 2
                n-revalidator-threads = 3
                [dpdk]
                enabled = true
                eal-args = ["--no-pci"]
                pmd-cores = "3"
                [control]
                socket = "/run/x.sock"
                group = "wheel"
                [metrics]
                listen = "0.0.0.0:9100"
                """);
        ConfigDiff d = ConfigDiff.between(a, b);
        assertEquals(List.of("n-handler-threads", "n-revalidator-threads", "dpdk.enabled", "dpdk.eal-args", "dpdk.pmd-cores",
                "control.socket", "control.group", "metrics.listen"), d.changes().stream().map(ConfigDiff.Change::key).toList());
        assertEquals(List.of(), d.live());
        assertEquals(d.changes(), d.needRestart());
        assertEquals("metrics.listen: 127.0.0.1:9477 -> 0.0.0.0:9100 (needs a restart)", d.changes().get(7).toString());
    }

    @Test
    void mixedReloadSaysWhichIsWhich() throws Exception {
        // n-revalidator-threads follows n-handler-threads when not set, so it changes too.
        ConfigDiff d = ConfigDiff.between(parse("max-idle = 1000"), parse("max-idle = 3000\nn-handler-threads = 9"));
        assertEquals("max-idle: 1000 -> 3000 (applied live)\nn-handler-threads: 4 -> 9 (needs a restart)\n"
                + "n-revalidator-threads: 2 -> 3 (needs a restart)\n", d.describe());
    }
}
