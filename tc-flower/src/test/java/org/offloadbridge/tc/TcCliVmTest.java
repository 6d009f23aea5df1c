package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.offloadbridge.tc.cli.TcCli;

/** #16 bad input, the tc parts: a failed add-flow leaves the device as it found it. */
@Tag("kernel-vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcCliVmTest {
    private VmNet net;

    @BeforeAll
    void topology() {
        net = new VmNet("cli");
    }

    @AfterAll
    void teardown() {
        net.close();
    }

    private int cli(ByteArrayOutputStream err, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--netns";
        all[1] = net.name;
        System.arraycopy(args, 0, all, 2, args.length);
        return TcCli.run(all, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true));
    }

    @Test
    void aFailedAddFlowRemovesTheClsactItAdded() {
        net.veth("q0", "q1");
        assertFalse(net.sh("tc qdisc show dev q0").contains("clsact"), "starts without clsact");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // skip_sw on veth: the kernel refuses (EOPNOTSUPP) after the clsact went in.
        int rc = cli(err, "--policy", "skip_sw", "--pref", "required", "add-flow", "in_port(q0),eth_type(0x0800),ipv4(proto=17)", "q1");
        assertEquals(1, rc, err.toString());
        assertTrue(err.toString().contains("DEVICE_REFUSED"), err.toString());
        assertFalse(net.sh("tc qdisc show dev q0").contains("clsact"), "the clsact this run added is gone: " + net.sh("tc qdisc show dev q0"));
    }

    @Test
    void aFailedAddFlowKeepsAClsactThatWasThereBefore() {
        net.veth("r0", "r1");
        net.sh("tc qdisc add dev r0 clsact");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, cli(err, "--policy", "skip_sw", "--pref", "required", "add-flow", "in_port(r0),eth_type(0x0800),ipv4(proto=17)", "r1"));
        assertTrue(net.sh("tc qdisc show dev r0").contains("clsact"), "someone else's clsact stays");
    }

    @Test
    void aSuccessfulAddFlowKeepsItsClsactAndDumpOfAMissingDeviceFails() {
        net.veth("s0", "s1");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, "add-flow", "in_port(s0),eth_type(0x0800),ipv4(proto=17)", "s1"), err.toString());
        assertTrue(net.sh("tc qdisc show dev s0").contains("clsact"));
        assertEquals(0, cli(err, "del-flows", "s0"), err.toString());
        err.reset();
        assertEquals(1, cli(err, "dump-flows", "s9"));
        assertEquals("tc-flower: no such device 's9'", err.toString().strip());
    }

    /**
     * A refusal before the kernel is asked (17 outputs: tc takes 16 actions per filter) leaves
     * the device as found too, and says why; a kernel refusal is the test above.
     */
    @Test
    void anAddFlowRefusedForTooManyOutputsLeavesNoClsact() {
        net.veth("t0", "t1");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String outputs = String.join(",", java.util.Collections.nCopies(17, "t1"));
        int rc = cli(err, "--pref", "required", "add-flow", "in_port(t0),eth_type(0x0800),ipv4(proto=17)", outputs);
        assertEquals(1, rc, err.toString());
        assertTrue(err.toString().contains("TOO_MANY_ACTIONS"), err.toString());
        assertTrue(err.toString().contains("at most 16"), err.toString());
        assertFalse(net.sh("tc qdisc show dev t0").contains("clsact"), "no clsact left: " + net.sh("tc qdisc show dev t0"));
        assertEquals("", net.sh("tc filter show dev t0 ingress").strip());
    }
}
