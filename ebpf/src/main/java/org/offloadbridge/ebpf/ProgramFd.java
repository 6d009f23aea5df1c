package org.offloadbridge.ebpf;

import org.offloadbridge.ebpf.internal.LibBpf;

/**
 * A loaded program's file descriptor. The program lives as long as something holds it: this
 * fd, or a tc filter it was attached to (cls_bpf takes its own reference), so the fd is closed
 * as soon as the filter is in place.
 */
public final class ProgramFd implements AutoCloseable {
    private int fd;
    private final String name;

    ProgramFd(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    public int fd() {
        if (fd < 0) {
            throw new IllegalStateException("program " + name + ": fd closed");
        }
        return fd;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            LibBpf.close(fd);
            fd = -1;
        }
    }
}
