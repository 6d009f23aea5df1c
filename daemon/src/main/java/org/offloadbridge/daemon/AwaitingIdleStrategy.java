package org.offloadbridge.daemon;

import org.agrona.concurrent.IdleStrategy;

/**
 * An idle strategy that, after a few idle turns, blocks in the agent's own wait (a queue's
 * condition, {@code poll(2)} on its sockets, a selector) until work may be there or a timeout
 * passed. Agrona's strategies only spin, yield or sleep a fixed time: an agent that sleeps 1 ms
 * wakes a thousand times a second for nothing, and on the two-vCPU machines this runs on those
 * wake-ups came to as much CPU as the handlers' own work. Blocking costs nothing while idle and
 * wakes at once when work arrives; the few yields first keep a busy agent from paying a
 * block/wake per batch.
 */
public final class AwaitingIdleStrategy implements IdleStrategy {
    /** The agent's blocking wait: returns when work may be there, or after {@code timeoutMillis}. */
    @FunctionalInterface
    public interface Waiter {
        void await(int timeoutMillis);
    }

    /** Idle turns that only yield before the first blocking wait. */
    static final int YIELDS = 8;

    private final Waiter waiter;
    private final int timeoutMillis;
    private int idleTurns;

    /**
     * @param timeoutMillis the longest one wait blocks: the agent's periodic duties (deadlines,
     *                      counters, a port added) are at most this late
     */
    public AwaitingIdleStrategy(Waiter waiter, int timeoutMillis) {
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeout must be >= 1 ms, got " + timeoutMillis);
        }
        this.waiter = waiter;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            idleTurns = 0;
            return;
        }
        idle();
    }

    @Override
    public void idle() {
        if (idleTurns < YIELDS) {
            idleTurns++;
            Thread.yield();
            return;
        }
        waiter.await(timeoutMillis);
    }

    @Override
    public void reset() {
        idleTurns = 0;
    }

    @Override
    public String alias() {
        return "awaiting";
    }
}
