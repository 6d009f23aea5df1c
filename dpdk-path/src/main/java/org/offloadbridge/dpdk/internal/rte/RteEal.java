package org.offloadbridge.dpdk.internal.rte;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/** librte_eal (rte_eal.h, rte_dev.h, rte_errno.h, rte_lcore.h) for DPDK 22.11. */
public final class RteEal {

    private static final MethodHandle rte_eal_init =
        NativeLibs.downcall("rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle rte_thread_register =
        NativeLibs.downcall("rte_thread_register", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle rte_thread_unregister =
        NativeLibs.downcall("rte_thread_unregister", FunctionDescriptor.ofVoid());
    private static final MethodHandle rte_dev_probe =
        NativeLibs.downcall("rte_dev_probe", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle rte_strerror =
        NativeLibs.downcall("rte_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** ENOENT etc. as in errno.h; EEXIST is what rte_dev_probe says for an already probed device. */
    public static final int EEXIST = 17;

    private RteEal() {
    }

    /** {@code int rte_eal_init(int argc, char **argv)}: -1 and rte_errno on failure. */
    public static int rte_eal_init(List<String> args) {
        try (Arena arena = Arena.ofConfined()) {
            // EAL keeps pointers into argv (it permutes it with getopt), so argv lives forever.
            Arena forever = Arena.global();
            MemorySegment argv = forever.allocate(ADDRESS, args.size() + 1L);
            for (int i = 0; i < args.size(); i++) {
                argv.setAtIndex(ADDRESS, i, forever.allocateFrom(args.get(i)));
            }
            argv.setAtIndex(ADDRESS, args.size(), MemorySegment.NULL);
            return (int) rte_eal_init.invokeExact(args.size(), argv);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int rte_thread_register(void)}: gives the calling thread an lcore id (mempool cache). */
    public static int rte_thread_register() {
        try {
            return (int) rte_thread_register.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void rte_thread_unregister() {
        try {
            rte_thread_unregister.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int rte_dev_probe(const char *devargs)}: 0 or -errno. */
    public static int rte_dev_probe(String devargs) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) rte_dev_probe.invokeExact(arena.allocateFrom(devargs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code const char *rte_strerror(int errnum)} for a positive errno (DPDK's own codes too). */
    public static String rte_strerror(int errnum) {
        try {
            MemorySegment s = (MemorySegment) rte_strerror.invokeExact(errnum);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The calling thread's {@code rte_errno}. It is a thread-local variable
     * ({@code per_lcore__rte_errno}); glibc's dlsym resolves a TLS symbol to the calling thread's
     * instance, so the lookup is done on every call, on the thread that saw the failure.
     */
    public static int rte_errno() {
        return NativeLibs.find("per_lcore__rte_errno")
            .map(s -> s.reinterpret(4).get(JAVA_INT, 0))
            .orElse(0);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
