package org.offloadbridge.netlink;

/**
 * A netlink request the kernel refused (an {@code NLMSG_ERROR} with a negative error), or a
 * socket call that failed. Carries what the operator needs to act: the operation, the errno
 * (typed and raw), the kernel's extended-ack text ({@code NLMSGERR_ATTR_MSG}, e.g. "TC
 * classifier not found") and the offset of the offending attribute within the request
 * ({@code NLMSGERR_ATTR_OFFS}), and for batches which request failed.
 */
public class NetlinkException extends RuntimeException {
    private final String operation;
    private final int errnoValue;
    private final String extackMessage;
    private final int extackOffset;
    private final int requestIndex;

    public NetlinkException(String operation, int errnoValue, String extackMessage, int extackOffset, int requestIndex) {
        super(format(operation, errnoValue, extackMessage, extackOffset, requestIndex));
        this.operation = operation;
        this.errnoValue = Math.abs(errnoValue);
        this.extackMessage = extackMessage;
        this.extackOffset = extackOffset;
        this.requestIndex = requestIndex;
    }

    /** A failed system call (no kernel extack). */
    public NetlinkException(String operation, int errnoValue) {
        this(operation, errnoValue, null, -1, -1);
    }

    private static String format(String op, int errno, String msg, int offs, int index) {
        Errno e = Errno.of(errno);
        StringBuilder sb = new StringBuilder();
        sb.append(op).append(": ");
        if (e == Errno.UNKNOWN) {
            sb.append("errno ").append(Math.abs(errno));
        } else {
            sb.append(e.name()).append(" (").append(e.description()).append(')');
        }
        if (msg != null) {
            sb.append(": ").append(msg);
        }
        if (offs >= 0) {
            sb.append(" [offending attribute at byte ").append(offs).append(" of the request]");
        }
        if (index >= 0) {
            sb.append(" [request #").append(index).append(" of the batch]");
        }
        return sb.toString();
    }

    /** What was being done, e.g. "RTM_NEWLINK veth0" or "sendmsg". */
    public String operation() {
        return operation;
    }

    public Errno errno() {
        return Errno.of(errnoValue);
    }

    /** The raw errno, positive. */
    public int errnoValue() {
        return errnoValue;
    }

    /** The kernel's extended-ack message, or null when it sent none. */
    public String extackMessage() {
        return extackMessage;
    }

    /** Offset (from the request's nlmsghdr) of the attribute the kernel blamed, or -1. */
    public int extackOffset() {
        return extackOffset;
    }

    /** Index of the failed request within its batch, or -1 outside batches. */
    public int requestIndex() {
        return requestIndex;
    }
}
