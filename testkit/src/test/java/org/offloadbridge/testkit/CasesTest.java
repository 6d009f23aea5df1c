package org.offloadbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What the replay promise rests on: case i's input depends on (seed, i) only, and a failure prints how to replay it. */
class CasesTest {

    @Test
    void caseInputDependsOnSeedAndIndexOnly() {
        long a = Cases.random(17).nextLong();
        Cases.random(3).nextLong(); // drawing other cases in between changes nothing
        assertEquals(a, Cases.random(17).nextLong());
        assertNotEquals(Cases.random(17).nextLong(), Cases.random(18).nextLong());
    }

    @Test
    void checkRunsEdgesFirstThenRandomCasesFromTheirOwnGenerators() {
        if (Cases.ONLY >= 0) {
            return; // a replay of some other test's case: this one's count of runs does not apply
        }
        List<Long> seen = new ArrayList<>();
        Cases.check(5, List.of(-1L, -2L), r -> r.nextLong(), String::valueOf, seen::add);
        assertEquals(2 + 5 * Cases.SCALE, seen.size());
        assertEquals(List.of(-1L, -2L), seen.subList(0, 2));
        assertEquals(Cases.random(2).nextLong(), seen.get(2));
        assertEquals(Cases.random(6).nextLong(), seen.get(6));
    }

    @Test
    void failureNamesSeedCaseInputAndTheReplayFlags() {
        if (Cases.ONLY >= 0) {
            return;
        }
        AssertionError e = assertThrows(AssertionError.class, () -> Cases.check(10, List.of(), r -> r.nextInt(1000),
                i -> "input " + i, i -> assertTrue(i < 0, "never")));
        String seed = String.format("0x%016x", Cases.SEED);
        String m = e.getMessage();
        int first = new SplittableRandom(new SplittableRandom(Cases.SEED).nextLong()).nextInt(1000);
        assertTrue(m.startsWith("seed=" + seed + " case=0: input " + first), m);
        assertTrue(m.endsWith("replay: -Dob.seed=" + seed + " -Dob.case=0"), m);
    }

    @Test
    void seedsParseInHexAndDecimal() {
        assertEquals(0xfedcba9876543210L, Cases.parseSeed("0xFEDCBA9876543210"));
        assertEquals(-5L, Cases.parseSeed(" -5 "));
        assertThrows(NumberFormatException.class, () -> Cases.parseSeed("0xnope"));
    }
}
