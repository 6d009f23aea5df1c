package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real {@code ovs-ofctl} as oracle for the rule syntax: for random rules, OVS's own
 * normalised reading of the original text ({@code ovs-ofctl parse-flows}) must equal its
 * reading of what we parsed and printed back ({@link Rule#toOfctlString()}). Equal outputs
 * mean our parser understood every field, mask, shorthand and action as OVS does. Also:
 * rules OVS rejects outright, we reject too. (We are stricter in places: OVS 3.1 reads
 * {@code nw_dst=10.0.0.256} as 10.0.0.0 and silently drops {@code tp_dst=80} without a
 * transport protocol; we reject both with a message.)
 *
 * <p>Needs {@code ovs-ofctl} (Debian package openvswitch-common); skipped where it is missing.
 * Rules use port numbers (ovs-ofctl has no port table) and leave out our offload= extension.
 */
@Tag("host")
class OvsOfctlOracleTest {
    static final String OVS_OFCTL = "/usr/bin/ovs-ofctl";
    static final String DECODE_ERROR = "(ovs-ofctl could not decode its own encoding)";

    final RuleParser parser = new RuleParser(MegaflowCorrectnessPropertyTest.PORTS);

    static String numericPorts(String rule) {
        String[] names = MegaflowCorrectnessPropertyTest.PORT_NAMES;
        int[] numbers = {1, 2, 3, 4, 10};
        for (int i = 0; i < names.length; i++) {
            rule = rule.replaceAll("(?<=[=:(,])" + names[i] + "(?=[,)]|$)", Integer.toString(numbers[i]));
        }
        return rule.replaceAll(",offload=[a-z]+", "");
    }

    /** OVS's normalised reading of one rule (the text after "ADD "), or null if it rejects it. */
    static String ovsRead(String rule) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(OVS_OFCTL, "parse-flow", rule).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ovs-ofctl hung");
        if (p.exitValue() != 0) {
            return null;
        }
        if (out.contains("***decode error")) {
            // OVS encodes the flow but its own decoder refuses it (seen: OFPBMC_BAD_PREREQ
            // for some vlan_tci + tun_id combinations): OVS cannot round-trip it either.
            return DECODE_ERROR;
        }
        for (String line : out.split("\n")) {
            int add = line.indexOf("): ADD ");
            if (line.contains("FLOW_MOD") && add >= 0) {
                return line.substring(add + 7);
            }
        }
        throw new AssertionError("no flow in ovs-ofctl output:\n" + out);
    }

    @Test
    void ovsReadsOurPrintedRulesExactlyAsItReadsTheOriginals() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(OVS_OFCTL)), "ovs-ofctl not installed (openvswitch-common)");
        long seed = Long.getLong("pipeline.seed", System.nanoTime());
        Random rnd = new Random(seed);
        int compared = 0;
        int total = 100;
        for (int i = 0; i < total; i++) {
            String text = numericPorts(MegaflowCorrectnessPropertyTest.randomRule(rnd));
            Rule r = parser.parse(text);
            String ours = numericPorts(r.toOfctlString());
            String a = ovsRead(text);
            if (a == null || a.equals(DECODE_ERROR)) {
                // OVS cannot encode this combination in any one OpenFlow version (e.g.
                // goto_table with an NXM-only field); nothing to compare.
                continue;
            }
            String b = ovsRead(ours);
            assertEquals(a, b, "seed " + seed + "\noriginal: " + text + "\nours:     " + ours);
            compared++;
        }
        System.out.println("ovs-ofctl oracle: " + compared + " of " + total + " random rules compared, seed " + seed);
        assertTrue(compared > total / 2, "only " + compared + " of " + total + " rules were comparable");
    }

    @Test
    void whatOvsRejectsWeRejectToo() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(OVS_OFCTL)), "ovs-ofctl not installed (openvswitch-common)");
        String[] bad = {
            "ip,foo=1,actions=drop",
            "in_port=p9,actions=drop",
            "table=3,actions=goto_table:1",
            "priority=70000,actions=drop",
            "tcp,tp_dst=http,actions=drop",
            "actions=mod_vlan_vid:4096",
            "dl_dst=00:11:22:33:44,actions=drop",
            "ip,nw_src=10.0.0.0/33,actions=drop",
            "actions=frobnicate:1",
            "tcp,tcp_flags=+syn+foo,actions=drop",
            "actions=drop,output:1",
        };
        for (String rule : bad) {
            Process p = new ProcessBuilder(OVS_OFCTL, "parse-flow", rule).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertTrue(p.exitValue() != 0, "ovs-ofctl accepts " + rule);
            org.junit.jupiter.api.Assertions.assertThrows(RuleSyntaxException.class, () -> parser.parse(rule), rule);
        }
    }
}
