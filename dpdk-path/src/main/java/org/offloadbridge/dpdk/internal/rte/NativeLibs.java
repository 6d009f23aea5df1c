package org.offloadbridge.dpdk.internal.rte;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Loads DPDK's shared libraries once per JVM.
 *
 * <p>The libraries are the ABI-versioned ones (".so.23" for DPDK 22.11), never the unversioned
 * dev symlinks: the struct offsets in this package are only right for that ABI. When a library is
 * missing, {@link #isAvailable()} is false and {@link #unavailabilityCause()} says which one and
 * why; nothing else in this package may be touched then (their static initialisers would throw).
 */
public final class NativeLibs {

    /** DPDK 22.11's ABI version; the offsets in this package are checked against it. */
    public static final String ABI = "23";

    static final String[] LIBRARIES = {"librte_eal.so." + ABI, "librte_mempool.so." + ABI,
        "librte_mbuf.so." + ABI, "librte_ethdev.so." + ABI};

    /** Everything addressable: absolute-address reads and writes without a per-call segment. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    static final Linker LINKER = Linker.nativeLinker();

    private static final SymbolLookup LOOKUP;
    private static final Throwable CAUSE;

    static {
        SymbolLookup lookup = null;
        Throwable cause = null;
        try {
            String dir = System.getProperty("offloadbridge.dpdk.libdir", "");
            for (String lib : LIBRARIES) {
                String path = dir.isEmpty() ? lib : dir + "/" + lib;
                SymbolLookup one = SymbolLookup.libraryLookup(path, Arena.global());
                lookup = lookup == null ? one : lookup.or(one);
            }
        } catch (Throwable t) {
            lookup = null;
            cause = new IllegalStateException("DPDK libraries not loadable (" + String.join(", ", LIBRARIES)
                + "; Debian: apt-get install dpdk libdpdk-dev): " + t.getMessage(), t);
        }
        LOOKUP = lookup;
        CAUSE = cause;
    }

    private NativeLibs() {
    }

    public static boolean isAvailable() {
        return CAUSE == null;
    }

    /** Why DPDK cannot be used, or null when it can. */
    public static Throwable unavailabilityCause() {
        return CAUSE;
    }

    static void require() {
        if (CAUSE != null) {
            throw new IllegalStateException(CAUSE.getMessage(), CAUSE);
        }
    }

    static Optional<MemorySegment> find(String symbol) {
        require();
        return LOOKUP.find(symbol);
    }

    static MemorySegment symbol(String symbol) {
        return find(symbol).orElseThrow(() -> new IllegalStateException(
            "symbol " + symbol + " not exported by " + String.join(", ", LIBRARIES)));
    }

    /** A downcall to an exported function, bound to its address. */
    static MethodHandle downcall(String symbol, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(symbol), fd, options);
    }

    /** A downcall whose first argument is the function pointer (for rte_eth_fp_ops entries). */
    static MethodHandle pointerDowncall(FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(fd, options);
    }

    static final ValueLayout.OfLong PTR = ValueLayout.JAVA_LONG;
}
