package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Cases;

/**
 * The real {@code ovs-ofctl} as oracle for how dump-rules prints a rule: for random rules, the
 * match (with priority) we print is OVS's {@code match_format} of the same rule, and the actions
 * its {@code ofpacts_format}, as {@code ovs-ofctl parse-flow} prints them (the OpenFlow 1.0 forms
 * that {@code ovs-ofctl dump-flows} prints by default). Port numbers: parse-flow has no port table. Needs ovs-ofctl (Debian's
 * openvswitch-common); skipped where it is missing, as OvsOfctlOracleTest.
 */
@Tag("host")
class RuleFormatOvsOracleTest {
    final RuleParser parser = new RuleParser(MegaflowCorrectnessPropertyTest.PORTS);

    /** {@code table:1 priority=..,match cookie:0x1 actions=...} → {match, actions}. */
    static String[] split(String ovs) {
        String s = ovs.replaceFirst("^table:\\d+ ", "");
        int act = s.indexOf("actions=");
        String head = s.substring(0, act).strip();
        int ck = head.indexOf(" cookie:");
        if (ck >= 0) {
            head = head.substring(0, ck);
        } else if (head.startsWith("cookie:")) {
            head = "";
        }
        return new String[] {head, s.substring(act + "actions=".length())};
    }

    @Test
    void matchAndActionsPrintAsOvsPrintsThem() {
        assumeTrue(Files.isExecutable(Path.of(OvsOfctlOracleTest.OVS_OFCTL)), "ovs-ofctl not installed (openvswitch-common)");
        int[] compared = {0};
        int[] actionsCompared = {0};
        int total = 100;
        Cases.check(total, List.of(), rnd -> OvsOfctlOracleTest.numericPorts(MegaflowCorrectnessPropertyTest.randomRule(rnd)),
            t -> t, text -> {
                String ovs = OvsOfctlOracleTest.ovsRead(text);
                if (ovs == null || ovs.equals(OvsOfctlOracleTest.DECODE_ERROR)) {
                    return;
                }
                Rule r = parser.parse(text);
                String[] want = split(ovs);
                assertEquals(want[0], RuleFormat.match(r.match(), r.priority(), null), "match of " + text + "\nOVS: " + ovs);
                compared[0]++;
                assertEquals(want[1], RuleFormat.actions(r.actions(), null), "actions of " + text + "\nOVS: " + ovs);
                actionsCompared[0]++;
            });
        int ran = total * Cases.SCALE;
        System.out.println("dump-rules format vs ovs-ofctl: " + compared[0] + " matches and " + actionsCompared[0]
            + " action lists of " + ran + " random rules compared");
        assertTrue(Cases.ONLY >= 0 || compared[0] > ran / 2, "only " + compared[0] + " of " + ran + " rules were comparable");
    }
}
