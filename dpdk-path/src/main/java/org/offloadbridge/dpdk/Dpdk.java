package org.offloadbridge.dpdk;

import org.offloadbridge.dpdk.internal.rte.NativeLibs;

/**
 * Whether DPDK can be used in this JVM. False when the librte_*.so.23 libraries are missing or
 * when EAL refused to initialise; {@link #unavailabilityCause()} says which. The rest of the daemon
 * runs without the DPDK datapath then (flows stay in tc or are refused).
 */
public final class Dpdk {

    private Dpdk() {
    }

    public static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** Null when available; otherwise the library-loading or EAL-init failure. */
    public static Throwable unavailabilityCause() {
        Throwable lib = NativeLibs.unavailabilityCause();
        return lib != null ? lib : Eal.failure();
    }
}
