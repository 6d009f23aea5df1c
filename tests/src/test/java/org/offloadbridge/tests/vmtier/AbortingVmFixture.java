package org.offloadbridge.tests.vmtier;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A kernel-vm test class that skips one test the way a missing prerequisite used to
 * (assumeTrue). Run only by {@link VmTierSkipRuleTest} through the console launcher: its name
 * matches neither surefire's nor the VM tier's class name patterns, so no tier runs it.
 */
@Tag("kernel-vm")
class AbortingVmFixture {
    @Test
    void passes() {
        Assumptions.assumeTrue(true);
    }

    @Test
    void abortsOnAMissingPrerequisite() {
        Assumptions.assumeTrue(false, "netdevsim not loaded");
    }
}
