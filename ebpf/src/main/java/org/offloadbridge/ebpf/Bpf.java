package org.offloadbridge.ebpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import org.offloadbridge.ebpf.internal.LibBpf;
import org.offloadbridge.netlink.Errno;

/**
 * Loads programs into the kernel with {@code bpf(BPF_PROG_LOAD)}. Control plane only: a
 * program is loaded when a tunnel port is set up, never per packet.
 */
public final class Bpf {
    static final int BPF_PROG_LOAD = 5;
    /** {@code union bpf_attr} as far as BPF_PROG_LOAD's fields we set (to prog_name); the kernel zero-fills the rest. */
    static final int PROG_LOAD_ATTR_LEN = 64;
    /** Enough for the verifier's log of a program of a few dozen instructions at log level 1. */
    static final int LOG_SIZE = 64 * 1024;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    private Bpf() {
    }

    public static boolean isAvailable() {
        return LibBpf.isAvailable();
    }

    public static Throwable unavailabilityCause() {
        return LibBpf.unavailabilityCause();
    }

    /**
     * Loads {@code program}. The caller owns the returned fd.
     *
     * @throws BpfException with the errno and, when the verifier refused it, the verifier's log
     */
    public static ProgramFd load(BpfProgram program) {
        if (!LibBpf.isAvailable()) {
            throw new UnsupportedOperationException("eBPF loading unavailable: " + LibBpf.unavailabilityCause(), LibBpf.unavailabilityCause());
        }
        byte[] code = program.insns();
        try (Memory insns = new Memory(code.length); Memory license = cString(program.license()); Memory attr = new Memory(PROG_LOAD_ATTR_LEN)) {
            insns.write(0, code, 0, code.length);
            // First without a log (the kernel then skips building it); only a refusal is loaded again with one.
            int fd = progLoad(attr, program, insns, license, null);
            if (fd >= 0) {
                return new ProgramFd(fd, program.name());
            }
            int errno = -fd;
            String log = "";
            if (errno == Errno.EINVAL.value() || errno == Errno.EACCES.value()) {
                try (Memory logBuf = new Memory(LOG_SIZE)) {
                    logBuf.clear();
                    fd = progLoad(attr, program, insns, license, logBuf);
                    if (fd >= 0) { // accepted the second time: nothing to report
                        return new ProgramFd(fd, program.name());
                    }
                    errno = -fd;
                    log = logBuf.getString(0, StandardCharsets.UTF_8.name());
                }
            }
            throw new BpfException("load eBPF program " + program.name() + " (" + program.insnCount() + " instructions)", errno, log);
        }
    }

    /** The new fd, or minus the errno. */
    private static int progLoad(Memory attr, BpfProgram p, Memory insns, Memory license, Memory log) {
        attr.clear();
        attr.setInt(0, p.type().value);                  // prog_type
        attr.setInt(4, p.insnCount());                   // insn_cnt
        attr.setLong(8, Pointer.nativeValue(insns));   // insns
        attr.setLong(16, Pointer.nativeValue(license)); // license
        if (log != null) {
            attr.setInt(24, 1);                          // log_level
            attr.setInt(28, (int) log.size());           // log_size
            attr.setLong(32, Pointer.nativeValue(log)); // log_buf
        }
        byte[] name = p.name().getBytes(StandardCharsets.US_ASCII);
        attr.write(48, name, 0, name.length);            // prog_name[16], NUL-terminated by clear()
        for (int attempt = 0; ; attempt++) {
            long r = LibBpf.syscall(LibBpf.NR_BPF, BPF_PROG_LOAD, Pointer.nativeValue(attr), PROG_LOAD_ATTR_LEN);
            if (r >= 0) {
                return (int) r;
            }
            int errno = LibBpf.errno();
            // The verifier can be interrupted by a signal; it is a pure function of the program, so ask again.
            if ((errno != EINTR && errno != EAGAIN) || attempt == 5) {
                return -errno;
            }
        }
    }

    private static Memory cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        Memory m = new Memory(b.length + 1);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }
}
