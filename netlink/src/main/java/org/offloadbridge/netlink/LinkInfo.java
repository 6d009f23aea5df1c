package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.uapi.IfLink.IFLA_ADDRESS;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_IFNAME;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_KIND;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_INFO_MAX;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_LINK;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_LINKINFO;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_MASTER;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_MAX;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_MTU;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_OPERSTATE;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_PARENT_DEV_BUS_NAME;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_PARENT_DEV_NAME;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_PHYS_PORT_NAME;
import static org.offloadbridge.netlink.uapi.IfLink.IFLA_PHYS_SWITCH_ID;

import java.util.HexFormat;
import org.offloadbridge.netlink.uapi.If;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * A network interface as rtnetlink describes it (RTM_NEWLINK replies, dumps and events).
 *
 * @param index         ifindex
 * @param name          IFLA_IFNAME
 * @param kind          IFLA_LINKINFO/IFLA_INFO_KIND ("veth", "vlan", ...), null for physical devices
 * @param flags         IFF_* flags from ifinfomsg
 * @param mtu           IFLA_MTU, 0 when absent
 * @param address       IFLA_ADDRESS as "aa:bb:cc:dd:ee:ff" (colon-separated hex, as ip prints it), null when absent
 * @param link          IFLA_LINK (the peer or lower device's ifindex), 0 when absent
 * @param master        IFLA_MASTER, 0 when absent
 * @param operState     IFLA_OPERSTATE (IF_OPER_*), -1 when absent
 * @param physSwitchId  IFLA_PHYS_SWITCH_ID as hex (switchdev representors share their e-switch's id), null when absent
 * @param physPortName  IFLA_PHYS_PORT_NAME ("pf0vf1", "p0"), null when absent
 * @param parentDevName IFLA_PARENT_DEV_NAME (e.g. the PCI address "0000:03:00.0"), null when absent
 * @param parentDevBusName IFLA_PARENT_DEV_BUS_NAME ("pci"), null when absent
 */
public record LinkInfo(int index, String name, String kind, int flags, int mtu, String address, int link, int master,
        int operState, String physSwitchId, String physPortName, String parentDevName, String parentDevBusName) {

    public boolean isUp() {
        return (flags & If.IFF_UP) != 0;
    }

    /**
     * Decodes an RTM_NEWLINK/RTM_DELLINK message.
     *
     * @throws NetlinkParseException when the message is malformed or is not a link message (a
     *         reply to a link request or dump of another type is input we cannot use, not a bug
     *         of the caller's)
     */
    public static LinkInfo parse(NetlinkMessage m) {
        if (m.type() != Rtnetlink.RTM_NEWLINK && m.type() != Rtnetlink.RTM_DELLINK) {
            throw new NetlinkParseException("not a link message: type " + m.type(), m.offset());
        }
        AttributeTable t = m.attributes(IfInfoMsg.LENGTH, new AttributeTable(IFLA_MAX));
        IfInfoMsg ifi = new IfInfoMsg().wrap(m.buffer(), m.payloadOffset());
        String kind = null;
        if (t.has(IFLA_LINKINFO)) {
            AttributeTable li = new AttributeTable(IFLA_INFO_MAX);
            t.nested(IFLA_LINKINFO, li);
            kind = li.string(IFLA_INFO_KIND);
        }
        byte[] mac = t.bytes(IFLA_ADDRESS);
        byte[] sw = t.bytes(IFLA_PHYS_SWITCH_ID);
        return new LinkInfo(ifi.index(), t.string(IFLA_IFNAME), kind, ifi.flags(), t.u32(IFLA_MTU, 0),
                mac == null ? null : HexFormat.ofDelimiter(":").formatHex(mac), t.u32(IFLA_LINK, 0), t.u32(IFLA_MASTER, 0),
                t.u8(IFLA_OPERSTATE, -1), sw == null ? null : HexFormat.of().formatHex(sw), t.string(IFLA_PHYS_PORT_NAME),
                t.string(IFLA_PARENT_DEV_NAME), t.string(IFLA_PARENT_DEV_BUS_NAME));
    }
}
