package org.offloadbridge.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When the EMC stops probing ({@link Emc#probeThisBurst}): after a window of probes of which
 * fewer than half hit, it probes only one burst in {@link Emc#SAMPLE_EVERY}; the sampled bursts
 * bring it back once a window of them hits half the time.
 */
class EmcBypassTest {

    private static final int BURST = 32;

    /** Runs bursts until {@code window} probed packets were accounted; returns how many bursts probed of how many. */
    private static int[] window(Emc emc, double hitRate) {
        int bursts = 0;
        int probedBursts = 0;
        int probed = 0;
        while (probed < Emc.WINDOW) {
            bursts++;
            if (emc.probeThisBurst()) {
                probedBursts++;
                emc.probed(BURST, (int) Math.round(BURST * hitRate));
                probed += BURST;
            }
        }
        return new int[] {probedBursts, bursts};
    }

    @Test
    void aThrashingCacheIsSkippedButSampledAndComesBackWithLocality() {
        Emc emc = new Emc(64);
        int[] w = window(emc, 1.0);
        assertEquals(w[1], w[0], "a cache that hits is probed every burst");
        assertFalse(emc.bypassed());

        window(emc, 0.0625);
        assertTrue(emc.bypassed(), "a window under half hits turns probing off");
        w = window(emc, 0.0625);
        assertEquals(Emc.SAMPLE_EVERY, w[1] / w[0], "then one burst in " + Emc.SAMPLE_EVERY + " still probes");
        assertTrue(emc.bypassed());

        window(emc, 0.75);
        assertFalse(emc.bypassed(), "sampled bursts that hit turn probing back on");
        w = window(emc, 0.75);
        assertEquals(w[1], w[0]);
    }

    @Test
    void exactlyHalfIsStillWorthProbing() {
        Emc emc = new Emc(64);
        window(emc, 0.5);
        assertFalse(emc.bypassed());
        window(emc, 15.0 / 32);
        assertTrue(emc.bypassed());
    }
}
