package org.offloadbridge.tests.vm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** tc flower in software on a veth pair: the path every non-offloaded megaflow takes. */
@Tag("kernel-vm")
class FlowerSoftwareTest {
    private Netns ns;

    @BeforeEach
    void vethWithIngressQdisc() {
        ns = new Netns("flower");
        Shell.ok(ns.ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1"));
        Shell.ok(ns.ip("link", "set", "veth0", "up"));
        Shell.ok(ns.ip("link", "set", "veth1", "up"));
        Shell.ok(ns.tc("qdisc", "add", "dev", "veth0", "ingress"));
    }

    @AfterEach
    void deleteNamespace() {
        ns.close();
    }

    @Test
    void skipHwFilterInstallsAndIsNotInHardware() {
        Shell.ok(ns.tc("filter", "add", "dev", "veth0", "ingress", "protocol", "ip", "prio", "1",
                "flower", "skip_hw", "dst_ip", "10.0.0.1", "action", "drop"));

        String json = Shell.ok(ns.tc("-j", "filter", "show", "dev", "veth0", "ingress")).replaceAll("\\s", "");
        assertTrue(json.contains("\"kind\":\"flower\""), json);
        assertTrue(json.contains("\"dst_ip\":\"10.0.0.1\""), "our key is not in the dump: " + json);
        assertTrue(json.contains("\"skip_hw\":true"), json);
        assertTrue(json.contains("\"not_in_hw\":true"), "software-only filter should say not_in_hw: " + json);
        assertFalse(json.contains("\"in_hw\":true"), json);
        assertTrue(json.contains("\"kind\":\"gact\""), "drop action (act_gact) missing: " + json);
    }

    @Test
    void skipSwFilterOnVethIsRefused() {
        Shell.Result r = Shell.run(ns.tc("filter", "add", "dev", "veth0", "ingress", "protocol", "ip", "prio", "2",
                "flower", "skip_sw", "dst_ip", "10.0.0.2", "action", "drop"));
        assertFalse(r.ok(), "veth has no hardware, skip_sw must fail: " + r);
        assertTrue(r.err().contains("Operation not supported"), r.toString());

        String dump = Shell.ok(ns.tc("filter", "show", "dev", "veth0", "ingress"));
        assertFalse(dump.contains("10.0.0.2"), "refused filter shows up anyway: " + dump);
    }
}
