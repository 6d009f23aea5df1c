package org.offloadbridge.tests.vmtier;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Like {@link AbortingVmFixture}, but the whole class aborts in {@code @BeforeAll}: none of its tests runs. */
@Tag("kernel-vm")
class AbortingVmContainerFixture {
    @BeforeAll
    static void prerequisite() {
        Assumptions.assumeTrue(false, "openvswitch module missing");
    }

    @Test
    void first() {
        Assumptions.assumeTrue(true);
    }

    @Test
    void second() {
        Assumptions.assumeTrue(true);
    }
}
