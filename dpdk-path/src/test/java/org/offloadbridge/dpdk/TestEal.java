package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one EAL every test in this JVM shares (EAL cannot be initialised twice in a process).
 *
 * <p>No silent skips: CI installs DPDK (tools/install-deps), so a missing library fails the test
 * with the cause. Set OB_DPDK_TESTS=off to opt out explicitly on a machine without DPDK; tests
 * are then reported as skipped with that reason.
 */
public final class TestEal {

    private TestEal() {
    }

    public static Eal get() {
        if ("off".equals(System.getenv("OB_DPDK_TESTS"))) {
            org.junit.jupiter.api.Assumptions.abort("DPDK tests switched off by OB_DPDK_TESTS=off");
        }
        if (!Dpdk.isAvailable() && Eal.current() == null) {
            Throwable cause = Dpdk.unavailabilityCause();
            fail("DPDK is not usable on this machine (set OB_DPDK_TESTS=off to skip explicitly): " + cause, cause);
        }
        return Eal.initOrGet(new EalConfig().memoryMb(512));
    }
}
