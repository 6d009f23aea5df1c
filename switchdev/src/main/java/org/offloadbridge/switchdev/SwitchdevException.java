package org.offloadbridge.switchdev;

/**
 * A switchdev operation the kernel refused or that could not be carried out. The message
 * names the operation, the device and — when the kernel gave one — its extended-ack text
 * (e.g. "Can't change mode when flows are configured"); {@link #kernelMessage()} has the
 * extack text alone.
 */
public final class SwitchdevException extends RuntimeException {
    private final String kernelMessage;
    private final int errno;

    public SwitchdevException(String message, String kernelMessage, int errno, Throwable cause) {
        super(message, cause);
        this.kernelMessage = kernelMessage;
        this.errno = errno;
    }

    /** The kernel's extack text, or null when it sent none. */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** The errno the kernel answered (positive), or 0 when the failure was not a kernel answer. */
    public int errno() {
        return errno;
    }
}
