package org.offloadbridge.netlink;

/**
 * Layout of {@code struct nlattr}, the 4-byte header of every attribute (TLV).
 *
 * <pre>
 *  +-------------------------------+-------------------------------+
 *  |  nla_len (u16, hdr+payload)   | N|O| nla_type (14 bits)        |  0
 *  +-------------------------------+-------------------------------+
 *  |  payload (nla_len - 4 bytes), then zero padding to 4 bytes    |  4
 *  +---------------------------------------------------------------+
 *   N = NLA_F_NESTED, O = NLA_F_NET_BYTEORDER
 * </pre>
 */
public final class NlAttr {
    public static final int LEN = 0;
    public static final int TYPE = 2;
    public static final int HEADER_LENGTH = 4;

    private NlAttr() {
    }
}
