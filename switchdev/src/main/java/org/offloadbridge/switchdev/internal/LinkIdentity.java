package org.offloadbridge.switchdev.internal;

import org.offloadbridge.switchdev.SwitchId;

/**
 * Who one netdev is in the e-switch topology, as rtnetlink (or, without it, sysfs) says: the
 * discovery input, the part of a {@link org.offloadbridge.netlink.LinkInfo} that decides a port's
 * role, with the switch id parsed.
 *
 * @param ifindex      ifi_index
 * @param name         IFLA_IFNAME
 * @param kind         IFLA_LINKINFO/IFLA_INFO_KIND, or null
 * @param switchId     IFLA_PHYS_SWITCH_ID, or null
 * @param physPortName IFLA_PHYS_PORT_NAME, or null
 * @param parentBus    IFLA_PARENT_DEV_BUS_NAME, or null
 * @param parentDev    IFLA_PARENT_DEV_NAME, or null
 */
public record LinkIdentity(int ifindex, String name, String kind, SwitchId switchId, String physPortName,
                       String parentBus, String parentDev) {
}
