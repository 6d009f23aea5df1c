package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.TcPedit.TCA_PEDIT_KEY_EX_HDR_TYPE_ETH;
import static org.offloadbridge.netlink.uapi.TcPedit.TCA_PEDIT_KEY_EX_HDR_TYPE_IP4;
import static org.offloadbridge.netlink.uapi.TcPedit.TCA_PEDIT_KEY_EX_HDR_TYPE_IP6;
import static org.offloadbridge.netlink.uapi.TcPedit.TCA_PEDIT_KEY_EX_HDR_TYPE_TCP;
import static org.offloadbridge.netlink.uapi.TcPedit.TCA_PEDIT_KEY_EX_HDR_TYPE_UDP;

import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.KeyAttr;

/**
 * Where each rewritable field sits in its header, for {@code act_pedit} in extended mode
 * ({@code TCA_PEDIT_KEY_EX_HTYPE}): header type, bit offset from the header start (network
 * order, bit 0 = most significant bit of byte 0) and width. pedit rewrites 32-bit words as
 * {@code word = (word & mask) ^ val}, so a field becomes one key per word it touches.
 *
 * <pre>
 *  eth   dst 0..47   src 48..95
 *  ipv4  tos 8..15   ttl 64..71   src 96..127   dst 128..159
 *  ipv6  tclass 4..11   hlimit 56..63   src 64..191   dst 192..319
 *  tcp/udp  sport 0..15   dport 16..31
 * </pre>
 */
public enum PeditField {
    ETH_DST(KeyAttr.ETHERNET, Field.ETH_DST, TCA_PEDIT_KEY_EX_HDR_TYPE_ETH, 0),
    ETH_SRC(KeyAttr.ETHERNET, Field.ETH_SRC, TCA_PEDIT_KEY_EX_HDR_TYPE_ETH, 48),
    IPV4_TOS(KeyAttr.IPV4, Field.NW_TOS, TCA_PEDIT_KEY_EX_HDR_TYPE_IP4, 8),
    IPV4_TTL(KeyAttr.IPV4, Field.NW_TTL, TCA_PEDIT_KEY_EX_HDR_TYPE_IP4, 64),
    IPV4_SRC(KeyAttr.IPV4, Field.IPV4_SRC, TCA_PEDIT_KEY_EX_HDR_TYPE_IP4, 96),
    IPV4_DST(KeyAttr.IPV4, Field.IPV4_DST, TCA_PEDIT_KEY_EX_HDR_TYPE_IP4, 128),
    IPV6_TCLASS(KeyAttr.IPV6, Field.NW_TOS, TCA_PEDIT_KEY_EX_HDR_TYPE_IP6, 4),
    IPV6_HLIMIT(KeyAttr.IPV6, Field.NW_TTL, TCA_PEDIT_KEY_EX_HDR_TYPE_IP6, 56),
    IPV6_SRC_HI(KeyAttr.IPV6, Field.IPV6_SRC_HI, TCA_PEDIT_KEY_EX_HDR_TYPE_IP6, 64),
    IPV6_SRC_LO(KeyAttr.IPV6, Field.IPV6_SRC_LO, TCA_PEDIT_KEY_EX_HDR_TYPE_IP6, 128),
    IPV6_DST_HI(KeyAttr.IPV6, Field.IPV6_DST_HI, TCA_PEDIT_KEY_EX_HDR_TYPE_IP6, 192),
    IPV6_DST_LO(KeyAttr.IPV6, Field.IPV6_DST_LO, TCA_PEDIT_KEY_EX_HDR_TYPE_IP6, 256),
    TCP_SRC(KeyAttr.TCP, Field.TP_SRC, TCA_PEDIT_KEY_EX_HDR_TYPE_TCP, 0),
    TCP_DST(KeyAttr.TCP, Field.TP_DST, TCA_PEDIT_KEY_EX_HDR_TYPE_TCP, 16),
    UDP_SRC(KeyAttr.UDP, Field.TP_SRC, TCA_PEDIT_KEY_EX_HDR_TYPE_UDP, 0),
    UDP_DST(KeyAttr.UDP, Field.TP_DST, TCA_PEDIT_KEY_EX_HDR_TYPE_UDP, 16);

    private static final PeditField[] VALUES = values();

    final KeyAttr attr;
    final Field field;
    final int htype;
    final int bitOffset;

    PeditField(KeyAttr attr, Field field, int htype, int bitOffset) {
        this.attr = attr;
        this.field = field;
        this.htype = htype;
        this.bitOffset = bitOffset;
    }

    public KeyAttr attr() {
        return attr;
    }

    public Field field() {
        return field;
    }

    int width() {
        return field.width();
    }

    /** The entry for {@code field} set through {@code attr}, or null when pedit can't write it. */
    public static PeditField of(KeyAttr attr, Field field) {
        for (PeditField p : VALUES) {
            if (p.attr == attr && p.field == field) {
                return p;
            }
        }
        return null;
    }

    static PeditField[] all() {
        return VALUES;
    }
}
