package org.offloadbridge.netlink;

import org.offloadbridge.netlink.uapi.NetlinkConstants;

/** The netlink protocols this library speaks, with their {@code NETLINK_*} numbers. */
public enum NetlinkProtocol {
    /** rtnetlink: links, addresses, routes, qdiscs, tc filters and actions. */
    ROUTE(NetlinkConstants.NETLINK_ROUTE),
    /** generic netlink: devlink, ethtool, and other families resolved by name. */
    GENERIC(NetlinkConstants.NETLINK_GENERIC);

    private final int value;

    NetlinkProtocol(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
