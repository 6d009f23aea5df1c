package org.offloadbridge.flow;

/**
 * Ethertypes the project handles, host order, named as in the kernel's
 * {@code include/uapi/linux/if_ether.h} ({@code ETH_P_*}). One copy for every module: the
 * packet parser, header edits, the flower codec and the rule parser all use these.
 */
public final class EthType {
    private EthType() {}

    public static final int IP = 0x0800;
    public static final int ARP = 0x0806;
    public static final int RARP = 0x8035;
    public static final int IPV6 = 0x86dd;
    /** 802.1Q VLAN tag (C-tag). */
    public static final int VLAN_8021Q = 0x8100;
    /** 802.1ad service tag (S-tag, QinQ outer). */
    public static final int VLAN_8021AD = 0x88a8;
    public static final int MPLS_UC = 0x8847;
    public static final int MPLS_MC = 0x8848;
    /** tc's {@code protocol all} ({@code ETH_P_ALL}). */
    public static final int ALL = 0x0003;
    /** OVS's {@code FLOW_DL_TYPE_NONE}: an 802.3 frame without SNAP. */
    public static final int NONE = 0x05ff;

    /** True for the two VLAN tag ethertypes. */
    public static boolean isVlan(int ethType) {
        return ethType == VLAN_8021Q || ethType == VLAN_8021AD;
    }
}
