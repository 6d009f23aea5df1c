package org.offloadbridge.tc.internal;

import java.util.Arrays;
import org.offloadbridge.flow.EthType;

/**
 * A flower filter's match and actions in tc's terms — what OVS's {@code struct tc_flower}
 * (lib/tc.h) is between the megaflow and the netlink message. Both directions pass through it:
 * <pre>
 *   encode:  Megaflow ──FlowerMatchEncoder──▶ FlowerFilter ──FlowerMatchCodec──▶  TCA_OPTIONS
 *                     ──FlowerActionEncoder─▶              ──FlowerActionCodec─▶
 *   decode:  TCA_OPTIONS ──codecs──▶ FlowerFilter ──FlowerMatchDecoder, FlowerActionDecoder──▶ Megaflow, stats
 * </pre>
 * The translation decides everything (what flower can express, the protocol, which actions);
 * the codecs only lay the filter out as attributes or read it back, so a flow translated once
 * can be written as many requests as needed (TcOffload writes its canonical form and then the
 * request itself).
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link #protocol()}: the filter protocol ({@code tcm_info}'s low half, host order): the
 *       outermost ethertype, or {@link EthType#ALL}.</li>
 *   <li>The match: per {@link FlowerKey} a value and a mask (two longs each for the 128-bit
 *       keys), with a presence bit: present means the attribute is in the message.</li>
 *   <li>The actions: {@link FlowerAction} slots in order, each with its cookie.</li>
 * </ul>
 * Mutable and reusable: {@link #clear} it and fill it again; slots are reused, so a filter
 * that has seen the largest flow allocates nothing more. Not thread-safe.
 */
public final class FlowerFilter {
    private static final int KEYS = FlowerKey.ALL.length;

    private int protocol = EthType.ALL;
    private long present;
    // value and mask per key: [2 * ordinal] holds the value (the upper half of a 128-bit key),
    // [2 * ordinal + 1] the lower half of a 128-bit key
    private final long[] key = new long[2 * KEYS];
    private final long[] mask = new long[2 * KEYS];
    private FlowerAction[] actions = new FlowerAction[FlowerEncoder.MAX_ACTIONS + 2];
    private int actionCount;
    /** Read: some action carried TCA_ACT_USED_HW_STATS (the driver reported hardware counters on this dump). */
    public boolean usedHwStats;

    /** Empties match and actions; the protocol goes back to all. */
    public FlowerFilter clear() {
        protocol = EthType.ALL;
        present = 0;
        Arrays.fill(key, 0);
        Arrays.fill(mask, 0);
        actionCount = 0;
        usedHwStats = false;
        return this;
    }

    /** The filter protocol, host order. */
    public int protocol() {
        return protocol;
    }

    void protocol(int protocol) {
        this.protocol = protocol;
    }

    // ------------------------------------------------------------------ match

    public boolean has(FlowerKey k) {
        return (present & (1L << k.ordinal())) != 0;
    }

    /** The key's value (the upper 64 bits of a 128-bit key); 0 when absent. */
    public long key(FlowerKey k) {
        return key[2 * k.ordinal()];
    }

    /** The lower 64 bits of a 128-bit key. */
    public long keyLo(FlowerKey k) {
        return key[2 * k.ordinal() + 1];
    }

    /** The key's mask (the upper 64 bits for a 128-bit key); the exact mask for keys flower has no mask for. */
    public long mask(FlowerKey k) {
        return mask[2 * k.ordinal()];
    }

    public long maskLo(FlowerKey k) {
        return mask[2 * k.ordinal() + 1];
    }

    void set(FlowerKey k, long value, long valueMask) {
        set(k, value, 0, valueMask, 0);
    }

    void set(FlowerKey k, long hi, long lo, long maskHi, long maskLo) {
        int i = 2 * k.ordinal();
        key[i] = hi;
        key[i + 1] = lo;
        mask[i] = maskHi;
        mask[i + 1] = maskLo;
        present |= 1L << k.ordinal();
    }

    /** Sets {@code k} with the exact mask. */
    void exact(FlowerKey k, long value) {
        set(k, value, k.wire.full);
    }

    /**
     * True when the filter matches tunnel metadata (an enc_* key with a non-zero mask): the
     * packet arrived decapsulated, and the first action must release the tunnel key.
     */
    boolean matchesTunnel() {
        for (FlowerKey k : FlowerKey.ALL) {
            if (k.isTunnel() && has(k) && (mask(k) != 0 || maskLo(k) != 0)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ actions

    public int actionCount() {
        return actionCount;
    }

    FlowerAction action(int i) {
        if (i < 0 || i >= actionCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return actions[i];
    }

    /** Appends a slot of {@code kind}, every field reset. */
    FlowerAction addAction(FlowerAction.Kind kind) {
        if (actionCount == actions.length) {
            actions = Arrays.copyOf(actions, 2 * actions.length);
        }
        FlowerAction a = actions[actionCount];
        if (a == null) {
            a = actions[actionCount] = new FlowerAction();
        }
        actionCount++;
        return a.reset(kind);
    }
}
