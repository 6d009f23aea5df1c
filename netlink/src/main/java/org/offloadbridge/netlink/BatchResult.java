package org.offloadbridge.netlink;

import java.util.Arrays;

/**
 * Outcome of every request in a batch, by index in the request buffer: errno 0 for an ack,
 * the kernel's errno, extack text and offending-attribute offset otherwise. Reusable:
 * {@link NetlinkConnection#batch} resets it; allocates only when it must grow or when
 * the kernel sends error text.
 */
public final class BatchResult {
    private int size;
    private int[] errno = new int[0];
    private String[] extackMessage = new String[0];
    private int[] extackOffset = new int[0];
    private boolean[] done = new boolean[0];
    private int failures;
    private String operation = "";

    void reset(String operation, int n) {
        this.operation = operation;
        if (errno.length < n) {
            int cap = Math.max(n, errno.length * 2);
            errno = new int[cap];
            extackMessage = new String[cap];
            extackOffset = new int[cap];
            done = new boolean[cap];
        }
        Arrays.fill(errno, 0, n, 0);
        Arrays.fill(extackMessage, 0, n, null);
        Arrays.fill(extackOffset, 0, n, -1);
        Arrays.fill(done, 0, n, false);
        size = n;
        failures = 0;
    }

    boolean isDone(int i) {
        return done[i];
    }

    void complete(int i, int errnoValue, String message, int offset) {
        if (done[i]) {
            return;
        }
        done[i] = true;
        errno[i] = Math.abs(errnoValue);
        extackMessage[i] = message;
        extackOffset[i] = offset;
        if (errnoValue != 0) {
            failures++;
        }
    }

    /** Number of requests in the batch. */
    public int size() {
        return size;
    }

    /** 0 when request {@code i} was acked, else its errno (positive). */
    public int errno(int i) {
        check(i);
        return errno[i];
    }

    public boolean ok(int i) {
        return errno(i) == 0;
    }

    public String extackMessage(int i) {
        check(i);
        return extackMessage[i];
    }

    public int extackOffset(int i) {
        check(i);
        return extackOffset[i];
    }

    public int failureCount() {
        return failures;
    }

    /** The failure of request {@code i} as an exception, or null when it succeeded. */
    public NetlinkException exception(int i) {
        return ok(i) ? null : new NetlinkException(operation, errno[i], extackMessage[i], extackOffset[i], i);
    }

    /** Throws the first failure, if any. */
    public void throwIfFailed() {
        for (int i = 0; i < size; i++) {
            if (errno[i] != 0) {
                throw exception(i);
            }
        }
    }

    private void check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("request " + i + " outside batch of " + size);
        }
    }
}
