package org.offloadbridge.flow;

/**
 * Result codes of {@link PacketParser#parse}. {@link #OK} is 0; everything else names the
 * first problem found, and the key then holds every field parsed before it (see the parser's
 * contract). Codes are stable numbers (counters and logs use them), never ordinals.
 */
public final class ParseStatus {
    private ParseStatus() {}

    public static final int OK = 0;
    /** Offset/length outside the segment, or negative: nothing parsed. */
    public static final int BAD_ARGUMENT = 1;
    /** Shorter than an Ethernet header (14 bytes). */
    public static final int TRUNCATED_L2 = 2;
    /** A VLAN TPID with fewer than 4 bytes of tag after it. */
    public static final int TRUNCATED_VLAN = 3;
    /** Shorter than the L3 header (IPv4 20/IHL bytes, IPv6 40, ARP 28) or than its length fields say. */
    public static final int TRUNCATED_L3 = 4;
    /**
     * Reserved, never returned: the version nibble is not checked, because OVS and the
     * kernel flow dissector do not check it (a key must mean the same in every datapath).
     */
    public static final int BAD_IP_VERSION = 5;
    /** IPv4 IHL below 5. */
    public static final int BAD_IP_HEADER_LEN = 6;
    /** IPv4 total length below the header length, or more than 64 KiB after the IP packet. */
    public static final int BAD_IP_TOTAL_LEN = 7;
    /** An IPv6 extension header runs past the packet; only the addresses are kept (as OVS). */
    public static final int TRUNCATED_IPV6_EXT = 8;
    /** More IPv6 extension headers than the parser walks ({@link PacketParser#MAX_IPV6_EXT_HEADERS}); only the addresses are kept. OVS walks without a bound. */
    public static final int TOO_MANY_IPV6_EXT = 9;
    /** Shorter than the L4 header (TCP 20, UDP 8, SCTP 12, ICMP 4, ND 24). */
    public static final int TRUNCATED_L4 = 10;
    /** TCP data offset below 5 or past the packet. */
    public static final int BAD_TCP_HEADER_LEN = 11;
    /** ARP that is not Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4): no ARP fields. */
    public static final int UNSUPPORTED_ARP = 12;
    /**
     * A malformed ND option: zero length or past the packet (the walk stops, what was found is
     * kept), or a repeated link-layer option (target, sll and tll cleared) — as OVS.
     */
    public static final int BAD_ND_OPTION = 13;

    private static final String[] NAMES = {
        "OK", "BAD_ARGUMENT", "TRUNCATED_L2", "TRUNCATED_VLAN", "TRUNCATED_L3", "BAD_IP_VERSION", "BAD_IP_HEADER_LEN",
        "BAD_IP_TOTAL_LEN", "TRUNCATED_IPV6_EXT", "TOO_MANY_IPV6_EXT", "TRUNCATED_L4", "BAD_TCP_HEADER_LEN",
        "UNSUPPORTED_ARP", "BAD_ND_OPTION",
    };

    /** Number of codes (for counter arrays indexed by code). */
    public static final int COUNT = NAMES.length;

    /** The constant's name, e.g. {@code "TRUNCATED_L3"}. */
    public static String name(int status) {
        return status >= 0 && status < NAMES.length ? NAMES[status] : "UNKNOWN(" + status + ")";
    }
}
