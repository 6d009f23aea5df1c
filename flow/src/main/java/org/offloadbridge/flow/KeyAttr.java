package org.offloadbridge.flow;

/**
 * The OVS datapath key attributes ({@code enum ovs_key_attr} in the kernel's
 * {@code include/uapi/linux/openvswitch.h}), with their uapi numbers and the names
 * {@code ovs-dpctl dump-flows} prints. A {@link FlowKey#attrs()} bitset says which ones a key
 * holds; the numbers are the uapi values, never ordinals.
 */
public enum KeyAttr {
    ENCAP(1, "encap"),
    PRIORITY(2, "skb_priority"),
    IN_PORT(3, "in_port"),
    ETHERNET(4, "eth"),
    VLAN(5, "vlan"),
    ETHERTYPE(6, "eth_type"),
    IPV4(7, "ipv4"),
    IPV6(8, "ipv6"),
    TCP(9, "tcp"),
    UDP(10, "udp"),
    ICMP(11, "icmp"),
    ICMPV6(12, "icmpv6"),
    ARP(13, "arp"),
    ND(14, "nd"),
    SKB_MARK(15, "skb_mark"),
    TUNNEL(16, "tunnel"),
    SCTP(17, "sctp"),
    TCP_FLAGS(18, "tcp_flags"),
    DP_HASH(19, "dp_hash"),
    RECIRC_ID(20, "recirc_id"),
    CT_STATE(22, "ct_state"),
    CT_ZONE(23, "ct_zone"),
    CT_MARK(24, "ct_mark"),
    CT_LABELS(25, "ct_label"),
    PACKET_TYPE(29, "packet_type");

    private final int id;
    private final String ovsName;

    KeyAttr(int id, String ovsName) {
        this.id = id;
        this.ovsName = ovsName;
    }

    /** The uapi value, {@code OVS_KEY_ATTR_*}. */
    public int id() { return id; }
    /** The name in dump-flows text. */
    public String ovsName() { return ovsName; }

    /** The bit of this attribute in {@link FlowKey#attrs()}. */
    public long bit() { return 1L << id; }

    /** The attribute with this text name, or null. */
    public static KeyAttr byName(String name) {
        for (KeyAttr a : values()) {
            if (a.ovsName.equals(name)) {
                return a;
            }
        }
        return null;
    }
}
