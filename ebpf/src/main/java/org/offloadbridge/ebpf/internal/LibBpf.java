package org.offloadbridge.ebpf.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The one system call eBPF loading needs, {@code bpf(2)}, through libc's {@code syscall}
 * (glibc has no wrapper), bound with JNA direct mapping as the other modules bind libc. The
 * four arguments are passed as {@code long}s: syscall(2) reads them as machine words. errno is
 * saved per thread by JNA right after the call ({@link #errno()}).
 */
public final class LibBpf {
    private static final Throwable UNAVAILABILITY_CAUSE;
    /** {@code __NR_bpf}: 321 on x86-64, 280 on arm64 (the generic table). */
    public static final long NR_BPF;

    static {
        Throwable cause = null;
        String arch = System.getProperty("os.arch");
        NR_BPF = switch (arch) {
            case "amd64", "x86_64" -> 321;
            case "aarch64", "riscv64", "loongarch64" -> 280;
            default -> -1;
        };
        try {
            if (NR_BPF < 0) {
                throw new UnsupportedOperationException("bpf(2) number unknown for architecture " + arch);
            }
            Native.register(LibBpf.class, NativeLibrary.getInstance("c"));
        } catch (Throwable t) {
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
    }

    private LibBpf() {
    }

    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    public static int errno() {
        return Native.getLastError();
    }

    public static native long syscall(long number, long a1, long a2, long a3);

    public static native int close(int fd);
}
