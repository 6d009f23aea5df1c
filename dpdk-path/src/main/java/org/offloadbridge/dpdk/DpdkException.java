package org.offloadbridge.dpdk;

import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.rte.RteEal;

/**
 * A DPDK control call failed. Carries the operation (the C function), the device it was about
 * and the errno DPDK reported, with DPDK's own text for it.
 */
public final class DpdkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String device;
    private final int errno;

    public DpdkException(String operation, String device, int errno) {
        super(operation + "(" + device + ") failed: errno " + errno + " (" + describe(errno) + ")");
        this.operation = operation;
        this.device = device;
        this.errno = errno;
    }

    public DpdkException(String operation, String device, String message) {
        super(operation + "(" + device + ") failed: " + message);
        this.operation = operation;
        this.device = device;
        this.errno = 0;
    }

    /** Throws when a control call returned a negative errno; returns rc otherwise. */
    static int check(int rc, String operation, String device) {
        if (rc < 0) {
            throw new DpdkException(operation, device, -rc);
        }
        return rc;
    }

    private static String describe(int errno) {
        if (errno <= 0 || !NativeLibs.isAvailable()) {
            return "unknown";
        }
        return RteEal.rte_strerror(errno);
    }

    public String operation() {
        return operation;
    }

    public String device() {
        return device;
    }

    /** Positive errno value, 0 when the failure had none. */
    public int errno() {
        return errno;
    }
}
