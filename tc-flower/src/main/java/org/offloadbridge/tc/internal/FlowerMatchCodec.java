package org.offloadbridge.tc.internal;

import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.NetlinkMessageWriter;

/**
 * A {@link FlowerFilter}'s match ↔ the {@code TCA_FLOWER_KEY_*} attributes inside
 * {@code TCA_OPTIONS}. Apart from the actions' codec because keys and actions change for
 * different reasons (a new match field vs a new tc action), and apart from the translation
 * because this part is pure layout: every present key is written as its value attribute then
 * its mask attribute, in {@link FlowerKey}'s order (iproute2's), and read back the same way.
 * What a key means, and whether a flow may use it, is the translators' business.
 *
 * <p>Reading: a key attribute makes the key present; a missing mask attribute reads as the
 * exact mask (as the kernel takes it). Allocation-free both ways.
 */
final class FlowerMatchCodec {
    private FlowerMatchCodec() {}

    /**
     * Writes the present keys that go before the actions ({@code afterActions} false) or after
     * them and {@code TCA_FLOWER_FLAGS} (true: ip_flags, eth_type).
     */
    static void write(NetlinkMessageWriter w, FlowerFilter f, boolean afterActions) {
        for (FlowerKey k : FlowerKey.ALL) {
            if (k.afterActions() != afterActions || !f.has(k)) {
                continue;
            }
            put(w, k.wire, k.keyAttr, f.key(k), f.keyLo(k));
            if (k.maskAttr != 0 && !(k.omitsExactMask() && f.mask(k) == k.wire.full)) {
                put(w, k.wire, k.maskAttr, f.mask(k), f.maskLo(k));
            }
        }
    }

    /** Reads every key of ours that {@code opts} (a parsed TCA_OPTIONS) holds into {@code f}. */
    static void parse(AttributeTable opts, FlowerFilter f) {
        for (FlowerKey k : FlowerKey.ALL) {
            if (!opts.has(k.keyAttr)) {
                continue;
            }
            boolean masked = k.maskAttr != 0 && opts.has(k.maskAttr);
            f.set(k, get(opts, k.wire, k.keyAttr, 0), get(opts, k.wire, k.keyAttr, 8),
                    masked ? get(opts, k.wire, k.maskAttr, 0) : k.wire.full, masked ? get(opts, k.wire, k.maskAttr, 8) : exactLo(k.wire));
        }
    }

    private static long exactLo(FlowerKey.Wire wire) {
        return wire == FlowerKey.Wire.IN6 ? -1L : 0;
    }

    private static void put(NetlinkMessageWriter w, FlowerKey.Wire wire, int type, long v, long lo) {
        switch (wire) {
            case U8 -> w.putU8(type, (int) v);
            case U16 -> w.putU16(type, (int) v);
            case BE16 -> w.putBe16(type, (int) v);
            case BE32 -> w.putBe32(type, (int) v);
            case MAC -> FlowerAttrs.putMac(w, type, v);
            case IN6 -> FlowerAttrs.put128(w, type, v, lo);
        }
    }

    /** The value of {@code type}; {@code half} 8 is the lower 64 bits of an IN6 (0 for the others). */
    private static long get(AttributeTable t, FlowerKey.Wire wire, int type, int half) {
        return switch (wire) {
            case U8 -> half == 0 ? t.u8(type) : 0;
            case U16 -> half == 0 ? t.u16(type) : 0;
            case BE16 -> half == 0 ? t.be16(type) : 0;
            case BE32 -> half == 0 ? t.be32(type) & 0xffffffffL : 0;
            case MAC -> {
                FlowerAttrs.need(t, type, 6);
                yield half == 0 ? FlowerAttrs.readBe(t.buffer(), t.offset(type), 6) : 0;
            }
            case IN6 -> {
                FlowerAttrs.need(t, type, 16);
                yield FlowerAttrs.readBe(t.buffer(), t.offset(type) + half, 8);
            }
        };
    }
}
