package org.offloadbridge.tests.vm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;

/** tc flower in software on a veth pair: the path every non-offloaded megaflow takes. */
@Tag("kernel-vm")
class FlowerSoftwareTest {
    private Topology topo;
    private Topology.Host ns;

    @BeforeEach
    void vethWithIngressQdisc() {
        topo = Topology.create("flower");
        ns = topo.host("sw");
        topo.veth(ns, "veth0", ns, "veth1");
        ns.tc("qdisc", "add", "dev", "veth0", "ingress");
    }

    @AfterEach
    void deleteNamespace() {
        topo.close();
    }

    @Test
    void skipHwFilterInstallsAndIsNotInHardware() {
        ns.tc("filter", "add", "dev", "veth0", "ingress", "protocol", "ip", "prio", "1",
                "flower", "skip_hw", "dst_ip", "10.0.0.1", "action", "drop");

        String json = ns.tc("-j", "filter", "show", "dev", "veth0", "ingress").replaceAll("\\s", "");
        assertTrue(json.contains("\"kind\":\"flower\""), json);
        assertTrue(json.contains("\"dst_ip\":\"10.0.0.1\""), "our key is not in the dump: " + json);
        assertTrue(json.contains("\"skip_hw\":true"), json);
        assertTrue(json.contains("\"not_in_hw\":true"), "software-only filter should say not_in_hw: " + json);
        assertFalse(json.contains("\"in_hw\":true"), json);
        assertTrue(json.contains("\"kind\":\"gact\""), "drop action (act_gact) missing: " + json);
    }

    @Test
    void skipSwFilterOnVethIsRefused() {
        Shell.Result r = ns.run("tc", "filter", "add", "dev", "veth0", "ingress", "protocol", "ip", "prio", "2",
                "flower", "skip_sw", "dst_ip", "10.0.0.2", "action", "drop");
        assertFalse(r.ok(), "veth has no hardware, skip_sw must fail: " + r);
        assertTrue(r.err().contains("Operation not supported"), r.toString());

        String dump = ns.tc("filter", "show", "dev", "veth0", "ingress");
        assertFalse(dump.contains("10.0.0.2"), "refused filter shows up anyway: " + dump);
    }
}
