package org.offloadbridge.switchdev.internal;

import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_BITS;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_BITS_BIT;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_BIT_INDEX;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_BIT_MAX;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_BIT_NAME;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_BIT_VALUE;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_MAX;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_SIZE;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_BITSET_VALUE;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_FEATURES_ACTIVE;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_FEATURES_HEADER;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_FEATURES_HW;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_FEATURES_MAX;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_FEATURES_NOCHANGE;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_FEATURES_WANTED;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_HEADER_DEV_NAME;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_HEADER_FLAGS;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRINGSETS_STRINGSET;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRINGSET_ID;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRINGSET_MAX;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRINGSET_STRINGS;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRINGS_STRING;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRING_INDEX;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRING_MAX;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRING_VALUE;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRSET_HEADER;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRSET_MAX;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_A_STRSET_STRINGSETS;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_FLAG_COMPACT_BITSETS;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_GENL_VERSION;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_MSG_FEATURES_GET;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_MSG_FEATURES_SET;
import static org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_MSG_STRSET_GET;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLA_F_NESTED;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.netlink.AttributeCursor;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.GenlMsgHdr;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkParseException;

/**
 * The ethtool generic netlink messages for netdev features (Documentation/networking/
 * ethtool-netlink.rst), encoded and parsed with no I/O.
 *
 * <p>Feature bits have no stable numbers in the uapi: {@code NETIF_F_HW_TC_BIT} is an enum
 * position inside the kernel that moves between versions. The stable key is the name
 * ({@code "hw-tc-offload"}) in the {@code ETH_SS_FEATURES} string set, so we read the set
 * once ({@link #encodeFeatureStringsGet}) and look the bit up by name, as ethtool does. To
 * change a feature we send it by name in a non-compact bitset, again as ethtool does, so the
 * set request does not depend on the bit number at all.
 *
 * <p>Requests are byte-for-byte what ethtool 6.1 sends, except the padding after the
 * feature name, which ethtool leaves uninitialised and we zero (golden tests mask padding).
 */
public final class EthtoolCodec {
    /** {@code ETH_SS_FEATURES} from {@code enum ethtool_stringset} in {@code <linux/ethtool.h>} (not in ethtool_netlink.h). */
    public static final int ETH_SS_FEATURES = 4;
    /** The ETH_SS_FEATURES name of NETIF_F_HW_TC, as {@code ethtool -k} prints it. */
    public static final String HW_TC_OFFLOAD = "hw-tc-offload";

    private final AttributeTable top = new AttributeTable(Math.max(ETHTOOL_A_STRSET_MAX, ETHTOOL_A_FEATURES_MAX));
    private final AttributeTable set = new AttributeTable(ETHTOOL_A_STRINGSET_MAX);
    private final AttributeTable str = new AttributeTable(ETHTOOL_A_STRING_MAX);
    private final AttributeTable bitset = new AttributeTable(ETHTOOL_A_BITSET_MAX);
    private final AttributeTable bit = new AttributeTable(ETHTOOL_A_BITSET_BIT_MAX);
    private final AttributeCursor cursor = new AttributeCursor();
    private final AttributeCursor inner = new AttributeCursor();

    /** {@code ETHTOOL_MSG_STRSET_GET} for the global ETH_SS_FEATURES set (what {@code ethtool -k} asks first). */
    public static int encodeFeatureStringsGet(NetlinkMessageWriter w, int familyId, int seq) {
        w.beginMessage(familyId, NLM_F_REQUEST | NLM_F_ACK);
        w.putGenlMsgHdr(ETHTOOL_MSG_STRSET_GET, ETHTOOL_GENL_VERSION);
        w.endNested(w.beginNested(ETHTOOL_A_STRSET_HEADER | NLA_F_NESTED));
        final int sets = w.beginNested(ETHTOOL_A_STRSET_STRINGSETS | NLA_F_NESTED);
        final int one = w.beginNested(ETHTOOL_A_STRINGSETS_STRINGSET | NLA_F_NESTED);
        w.putU32(ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES);
        w.endNested(one);
        w.endNested(sets);
        return w.finish(seq);
    }

    /** {@code ETHTOOL_MSG_FEATURES_GET} for one netdev, asking for compact bitsets. */
    public static int encodeFeaturesGet(NetlinkMessageWriter w, int familyId, String dev, int seq) {
        w.beginMessage(familyId, NLM_F_REQUEST | NLM_F_ACK);
        w.putGenlMsgHdr(ETHTOOL_MSG_FEATURES_GET, ETHTOOL_GENL_VERSION);
        putHeader(w, ETHTOOL_A_FEATURES_HEADER, dev);
        return w.finish(seq);
    }

    /** {@code ETHTOOL_MSG_FEATURES_SET}: turn the named feature on or off ({@code ethtool -K dev NAME on|off}). */
    public static int encodeFeatureSet(NetlinkMessageWriter w, int familyId, String dev, String feature, boolean on, int seq) {
        w.beginMessage(familyId, NLM_F_REQUEST | NLM_F_ACK);
        w.putGenlMsgHdr(ETHTOOL_MSG_FEATURES_SET, ETHTOOL_GENL_VERSION);
        putHeader(w, ETHTOOL_A_FEATURES_HEADER, dev);
        final int wanted = w.beginNested(ETHTOOL_A_FEATURES_WANTED | NLA_F_NESTED);
        final int bits = w.beginNested(ETHTOOL_A_BITSET_BITS | NLA_F_NESTED);
        final int b = w.beginNested(ETHTOOL_A_BITSET_BITS_BIT | NLA_F_NESTED);
        w.putString(ETHTOOL_A_BITSET_BIT_NAME, feature);
        if (on) {
            w.putFlag(ETHTOOL_A_BITSET_BIT_VALUE);
        }
        w.endNested(b);
        w.endNested(bits);
        w.endNested(wanted);
        return w.finish(seq);
    }

    private static void putHeader(NetlinkMessageWriter w, int type, String dev) {
        final int h = w.beginNested(type | NLA_F_NESTED);
        w.putString(ETHTOOL_A_HEADER_DEV_NAME, dev);
        w.putU32(ETHTOOL_A_HEADER_FLAGS, ETHTOOL_FLAG_COMPACT_BITSETS);
        w.endNested(h);
    }

    /**
     * The strings of the ETH_SS_FEATURES set from an {@code ETHTOOL_MSG_STRSET_GET_REPLY}, by index
     * (null where the kernel sent no string for an index).
     */
    public List<String> parseFeatureStrings(NetlinkMessage m) {
        m.attributes(GenlMsgHdr.LENGTH, top);
        final List<String> out = new ArrayList<>();
        cursor.reset(top, ETHTOOL_A_STRSET_STRINGSETS);
        boolean found = false;
        while (cursor.next()) {
            if (cursor.type() != ETHTOOL_A_STRINGSETS_STRINGSET) {
                continue;
            }
            set.parse(cursor.buffer(), cursor.payloadOffset(), cursor.payloadEnd());
            if (!set.has(ETHTOOL_A_STRINGSET_ID) || set.u32(ETHTOOL_A_STRINGSET_ID) != ETH_SS_FEATURES) {
                continue;
            }
            found = true;
            inner.reset(set, ETHTOOL_A_STRINGSET_STRINGS);
            while (inner.next()) {
                if (inner.type() != ETHTOOL_A_STRINGS_STRING) {
                    continue;
                }
                str.parse(inner.buffer(), inner.payloadOffset(), inner.payloadEnd());
                if (!str.has(ETHTOOL_A_STRING_INDEX) || !str.has(ETHTOOL_A_STRING_VALUE)) {
                    throw new NetlinkParseException("ethtool string without index or value", inner.attributeOffset());
                }
                final int idx = str.u32(ETHTOOL_A_STRING_INDEX);
                if (idx < 0 || idx > 4096) {
                    throw new NetlinkParseException("ethtool feature string index " + idx + " out of range", inner.attributeOffset());
                }
                while (out.size() <= idx) {
                    out.add(null);
                }
                out.set(idx, str.string(ETHTOOL_A_STRING_VALUE));
            }
        }
        if (!found) {
            throw new NetlinkParseException("ethtool strset reply has no ETH_SS_FEATURES set", m.offset());
        }
        return out;
    }

    /** One netdev's feature bitsets from {@code ETHTOOL_MSG_FEATURES_GET_REPLY}. */
    public record Features(int[] hw, int[] wanted, int[] active, int[] nochange) {
        static boolean bit(int[] words, int i) {
            return i >= 0 && i / 32 < words.length && (words[i / 32] & (1 << (i % 32))) != 0;
        }

        /** Whether feature {@code i} is on now. */
        public boolean active(int i) {
            return bit(active, i);
        }

        /** Whether a user may change feature {@code i} (in hw_features and not in the never-changeable set). */
        public boolean changeable(int i) {
            return bit(hw, i) && !bit(nochange, i);
        }

        public boolean wanted(int i) {
            return bit(wanted, i);
        }
    }

    public Features parseFeatures(NetlinkMessage m, List<String> names) {
        m.attributes(GenlMsgHdr.LENGTH, top);
        final int[][] sets = new int[4][];
        final int[] types = {ETHTOOL_A_FEATURES_HW, ETHTOOL_A_FEATURES_WANTED, ETHTOOL_A_FEATURES_ACTIVE, ETHTOOL_A_FEATURES_NOCHANGE};
        for (int k = 0; k < 4; k++) {
            if (!top.has(types[k])) {
                throw new NetlinkParseException("ethtool features reply without bitset " + types[k], m.offset());
            }
            sets[k] = bitset(top.offset(types[k]), top.offset(types[k]) + top.length(types[k]), names);
        }
        return new Features(sets[0], sets[1], sets[2], sets[3]);
    }

    /** A bitset's value words: compact (SIZE + VALUE) or verbose (BITS of BIT{INDEX|NAME, VALUE}). */
    private int[] bitset(int start, int end, List<String> names) {
        bitset.parse(top.buffer(), start, end);
        if (bitset.has(ETHTOOL_A_BITSET_VALUE)) {
            final int size = bitset.has(ETHTOOL_A_BITSET_SIZE) ? bitset.u32(ETHTOOL_A_BITSET_SIZE) : 0;
            final int len = bitset.length(ETHTOOL_A_BITSET_VALUE);
            if (size < 0 || len % 4 != 0 || len < (size + 31) / 32 * 4) {
                throw new NetlinkParseException("ethtool bitset of " + size + " bits with a " + len + "-byte value", start);
            }
            final int[] words = new int[len / 4];
            for (int i = 0; i < words.length; i++) {
                words[i] = top.buffer().getInt(bitset.offset(ETHTOOL_A_BITSET_VALUE) + 4 * i);
            }
            return words;
        }
        final int[] words = new int[(Math.max(names.size(), 1) + 31) / 32];
        cursor.reset(bitset, ETHTOOL_A_BITSET_BITS);
        while (cursor.next()) {
            bit.parse(cursor.buffer(), cursor.payloadOffset(), cursor.payloadEnd());
            int idx = bit.has(ETHTOOL_A_BITSET_BIT_INDEX) ? bit.u32(ETHTOOL_A_BITSET_BIT_INDEX) : -1;
            if (idx < 0 && bit.has(ETHTOOL_A_BITSET_BIT_NAME)) {
                idx = names.indexOf(bit.string(ETHTOOL_A_BITSET_BIT_NAME));
            }
            if (idx >= 0 && idx / 32 < words.length && bit.flag(ETHTOOL_A_BITSET_BIT_VALUE)) {
                words[idx / 32] |= 1 << (idx % 32);
            }
        }
        return words;
    }
}
