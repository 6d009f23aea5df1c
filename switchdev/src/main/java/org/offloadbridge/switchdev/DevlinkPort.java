package org.offloadbridge.switchdev;

import java.util.Objects;

/**
 * One devlink port as {@code DEVLINK_CMD_PORT_GET} reports it. Numbers absent from the
 * message are -1; {@code flavour} is null when the kernel sent none or one newer than us
 * ({@code flavourValue} keeps the number).
 *
 * @param handle       the devlink instance
 * @param index        DEVLINK_ATTR_PORT_INDEX
 * @param flavourValue DEVLINK_ATTR_PORT_FLAVOUR as sent, or -1
 * @param flavour      that value as an enum, or null
 * @param netdevIfindex DEVLINK_ATTR_PORT_NETDEV_IFINDEX, or 0
 * @param netdevName   DEVLINK_ATTR_PORT_NETDEV_NAME, or null
 * @param portNumber   DEVLINK_ATTR_PORT_NUMBER, or -1
 * @param splitSubport DEVLINK_ATTR_PORT_SPLIT_SUBPORT_NUMBER, or -1
 * @param controller   DEVLINK_ATTR_PORT_CONTROLLER_NUMBER, or -1
 * @param external     DEVLINK_ATTR_PORT_EXTERNAL
 * @param pf           DEVLINK_ATTR_PORT_PCI_PF_NUMBER, or -1
 * @param vf           DEVLINK_ATTR_PORT_PCI_VF_NUMBER, or -1
 * @param sf           DEVLINK_ATTR_PORT_PCI_SF_NUMBER, or -1
 */
public record DevlinkPort(DevlinkHandle handle, long index, int flavourValue, DevlinkPortFlavour flavour,
                          int netdevIfindex, String netdevName, long portNumber, long splitSubport,
                          long controller, boolean external, int pf, int vf, long sf) {
    public DevlinkPort {
        Objects.requireNonNull(handle, "handle");
    }

    /** {@code pci/0000:08:00.0/65535}, as iproute2 names a port. */
    public String id() {
        return handle + "/" + index;
    }
}
