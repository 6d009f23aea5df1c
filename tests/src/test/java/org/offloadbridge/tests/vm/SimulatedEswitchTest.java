package org.offloadbridge.tests.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.SimulatedEswitch;

/**
 * The simulated e-switch (tests/vm/netdevsim-flower-6.1.patch) by hand, with iproute2 as the
 * judge — what an operator would see on a NIC that offloads flower: in_hw, a full table, a
 * key the hardware lacks, hardware counters, a rule the hardware lost.
 */
@Tag("kernel-vm")
class SimulatedEswitchTest {
    private static final String COOKIE = "00112233445566778899aabbccddeeff";

    private SimulatedEswitch sw;
    private String rep0;
    private String rep1;

    @BeforeEach
    void eswitch() throws Exception {
        sw = SimulatedEswitch.create(2);
        rep0 = sw.representor(0);
        rep1 = sw.representor(1);
        Shell.ok("tc", "qdisc", "add", "dev", rep0, "ingress");
    }

    @AfterEach
    void remove() throws Exception {
        sw.close();
    }

    private Shell.Result add(String prio, String... flower) {
        String[] cmd = new String[9 + flower.length];
        String[] head = {"tc", "filter", "add", "dev", rep0, "ingress", "prio", prio, "protocol"};
        System.arraycopy(head, 0, cmd, 0, head.length);
        System.arraycopy(flower, 0, cmd, head.length, flower.length);
        return Shell.run(cmd);
    }

    private String show(String prio) {
        return Shell.ok("tc", "-s", "filter", "show", "dev", rep0, "ingress", "prio", prio);
    }

    @Test
    void skipSwBetweenRepresentorsIsInHardwareAndCountsWhatTheHardwareCounts() {
        Shell.Result r = add("1", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.2",
            "action", "mirred", "egress", "redirect", "dev", rep1, "cookie", COOKIE);
        assertEquals(0, r.exit(), r.toString());
        String s = show("1");
        assertTrue(s.contains("skip_sw") && s.contains("in_hw in_hw_count 1"), s);
        assertTrue(s.contains("used_hw_stats delayed"), "a rule the hardware holds reports hardware stats: " + s);
        assertTrue(s.contains("Sent 0 bytes 0 pkt"), s);

        List<SimulatedEswitch.Rule> rules = sw.rules();
        assertEquals(1, rules.size(), rules.toString());
        assertEquals(rep0, rules.get(0).dev());
        assertEquals(1, rules.get(0).prio());
        assertEquals(COOKIE, rules.get(0).cookie(), "the table knows the rule by its action cookie");

        // Counters move in "hardware" only; tc reads them on the dump, as deltas it adds up.
        sw.statsAdd(COOKIE, 10, 1500);
        s = show("1");
        assertTrue(s.contains("Sent 1500 bytes 10 pkt") && s.contains("Sent hardware 1500 bytes 10 pkt")
            && s.contains("Sent software 0 bytes 0 pkt"), s);
        sw.statsAdd("id:" + rules.get(0).id(), 5, 500);
        s = show("1");
        assertTrue(s.contains("Sent 2000 bytes 15 pkt"), "read twice, counted once: " + s);
        s = show("1");
        assertTrue(s.contains("Sent 2000 bytes 15 pkt"), s);

        // Deleting the filter frees the table.
        Shell.ok("tc", "filter", "del", "dev", rep0, "ingress", "prio", "1");
        assertEquals(0, sw.count());
    }

    @Test
    void aFullTableRefusesWithEnospcAndTheDriversText() {
        sw.capacity(1);
        assertEquals(0, add("1", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.1", "action", "drop").exit());
        Shell.Result full = add("2", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.2", "action", "drop");
        assertEquals(2, full.exit(), full.toString());
        assertTrue(full.err().contains("netdevsim: hardware flow table is full"), full.toString());
        assertEquals(1, sw.number("refused_full"));
        assertFalse(Shell.ok("tc", "filter", "show", "dev", rep0, "ingress").contains("10.0.0.2"), "nothing left behind");

        // Without skip_sw tc keeps it in software, not_in_hw, and says why in a warning.
        Shell.Result soft = add("3", "ip", "flower", "dst_ip", "10.0.0.3", "action", "drop");
        assertEquals(0, soft.exit(), soft.toString());
        assertTrue(show("3").contains("not_in_hw"), show("3"));

        // Space freed: the next one goes in.
        Shell.ok("tc", "filter", "del", "dev", rep0, "ingress", "prio", "1");
        assertEquals(0, add("4", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.4", "action", "drop").exit());
        assertTrue(show("4").contains("in_hw in_hw_count 1"), show("4"));
        assertEquals(1, sw.count());
    }

    @Test
    void whatTheHardwareCannotDoIsEopnotsuppInTheDriversWords() {
        // Defaults, as mlx5's e-switch in 6.1: no ARP key, no tunnel keys on a port, forwarding
        // only within the switch. (Legacy pedit, which mlx5 refuses too, act_pedit already
        // refuses to offload in 6.1, before any driver is asked.)
        Shell.Result arp = add("1", "arp", "flower", "skip_sw", "arp_tip", "10.0.0.3", "action", "drop");
        assertEquals(2, arp.exit(), arp.toString());
        assertTrue(arp.err().contains("netdevsim: Unsupported key"), arp.toString());
        Shell.Result enc = add("2", "ip", "flower", "skip_sw", "enc_key_id", "5", "action", "drop");
        assertTrue(enc.exit() == 2 && enc.err().contains("netdevsim: Match on tunnel is not supported"), enc.toString());
        Shell.Result out = add("4", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.4", "action", "mirred", "egress", "redirect", "dev", "lo");
        assertTrue(out.exit() == 2 && out.err().contains("netdevsim: devices are not on same switch HW"), out.toString());
        assertEquals(3, sw.number("refused_unsupported"));

        // The knobs: refuse the IP key (tos/ttl), VLAN push, rewriting IPv4 headers, more than 1 action.
        sw.refuseKey(SimulatedEswitch.KEY_IP);
        Shell.Result tos = add("5", "ip", "flower", "skip_sw", "ip_tos", "4", "action", "drop");
        assertTrue(tos.exit() == 2 && tos.err().contains("netdevsim: Unsupported key"), tos.toString());
        sw.refuseAction(SimulatedEswitch.ACTION_VLAN_PUSH);
        Shell.Result push = add("6", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.6", "action", "vlan", "push", "id", "5",
            "action", "mirred", "egress", "redirect", "dev", rep1);
        assertTrue(push.exit() == 2 && push.err().contains("netdevsim: Not implemented offload action"), push.toString());
        sw.setMask("unsupported_mangle", sw.mask("unsupported_mangle") | 1L << 2); // FLOW_ACT_MANGLE_HDR_TYPE_IP4
        Shell.Result ttl = add("9", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.9", "action", "pedit", "ex", "munge", "ip", "ttl", "set", "9",
            "pipe", "action", "mirred", "egress", "redirect", "dev", rep1);
        assertTrue(ttl.exit() == 2 && ttl.err().contains("netdevsim: can't offload re-write of this header"), ttl.toString());
        sw.setMask("unsupported_mangle", 1); // back to the default: legacy (FLOW_ACT_MANGLE_UNSPEC) only
        sw.set("max_actions", "1");
        Shell.Result two = add("7", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.7", "action", "pedit", "ex", "munge", "ip", "ttl", "set", "9",
            "pipe", "action", "mirred", "egress", "redirect", "dev", rep1);
        assertTrue(two.exit() == 2 && two.err().contains("netdevsim: too many actions"), two.toString());
        sw.set("max_actions", "32");
        Shell.Result ok = add("8", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.8", "action", "pedit", "ex", "munge", "ip", "ttl", "set", "9",
            "pipe", "action", "mirred", "egress", "redirect", "dev", rep1);
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(show("8").contains("in_hw in_hw_count 1"), show("8"));
        assertEquals(1, sw.count(), "nothing refused is in the table: " + sw.rules());
    }

    @Test
    void aRuleTheHardwareLosesStopsCountingAndLosesItsHardwareStats() {
        assertEquals(0, add("1", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.1", "action", "drop", "cookie", COOKIE).exit());
        assertEquals(0, add("2", "ip", "flower", "skip_sw", "dst_ip", "10.0.0.2", "action", "drop").exit());
        sw.statsAdd(COOKIE, 3, 300);
        assertTrue(show("1").contains("Sent 300 bytes 3 pkt"), show("1"));

        sw.evict(COOKIE);
        assertEquals(1, sw.number("evicted"));
        assertEquals(1, sw.count());
        // Linux gives a driver no way to clear one filter's in_hw: tc still says in_hw, but the
        // actions no longer carry used_hw_stats (the driver had no stats to give) and the
        // counters stand still.
        String s = show("1");
        assertTrue(s.contains("in_hw") && !s.contains("used_hw_stats") && s.contains("Sent 300 bytes 3 pkt"), s);
        assertTrue(show("2").contains("used_hw_stats delayed"), "the other rule is still held: " + show("2"));
        Shell.Result lost = Shell.run("sh", "-c", "echo " + COOKIE + " 1 1 > " + sw.knobs.resolve("stats_add"));
        assertTrue(lost.exit() != 0, "the hardware has no such rule any more: " + lost);

        // Deleting a filter the hardware lost is quiet, and frees nothing twice.
        Shell.ok("tc", "filter", "del", "dev", rep0, "ingress", "prio", "1");
        assertEquals(1, sw.count());
    }
}
