package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_DATA;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_KIND;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_MAX;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_LINKINFO;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_MAX;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_VXLAN_COLLECT_METADATA;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_VXLAN_ID;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_VXLAN_MAX;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_VXLAN_PORT;

/**
 * A VXLAN device's identity as far as sharing a UDP port goes: the kernel lets one socket per
 * UDP port serve either one collect-metadata device or VNI devices, so two devices on a port
 * clash (the second one's {@code ip link set up} fails with EADDRINUSE, or its creation with
 * "A VXLAN device with the specified VNI already exists").
 *
 * @param link            the link
 * @param dstPort         IFLA_VXLAN_PORT (host order)
 * @param collectMetadata IFLA_VXLAN_COLLECT_METADATA ({@code external}): tunnel metadata per packet
 * @param vni             IFLA_VXLAN_ID, 0 for a collect-metadata device
 */
public record VxlanLink(LinkInfo link, int dstPort, boolean collectMetadata, int vni) {

    /** The VXLAN part of an RTM_NEWLINK message, or null when the link is not a VXLAN device. */
    public static VxlanLink parse(NetlinkMessage m) {
        LinkInfo link = LinkInfo.parse(m);
        if (!"vxlan".equals(link.kind())) {
            return null;
        }
        AttributeTable t = m.attributes(IfInfoMsg.LENGTH, new AttributeTable(IFLA_MAX));
        AttributeTable li = new AttributeTable(IFLA_INFO_MAX);
        AttributeTable data = new AttributeTable(IFLA_VXLAN_MAX);
        if (!t.nested(IFLA_LINKINFO, li) || !"vxlan".equals(li.string(IFLA_INFO_KIND)) || !li.nested(IFLA_INFO_DATA, data)) {
            return new VxlanLink(link, 0, false, 0);
        }
        return new VxlanLink(link, data.has(IFLA_VXLAN_PORT) ? data.be16(IFLA_VXLAN_PORT) : 0,
            data.u8(IFLA_VXLAN_COLLECT_METADATA, 0) != 0, data.has(IFLA_VXLAN_ID) ? data.u32(IFLA_VXLAN_ID, 0) : 0);
    }
}
