package org.offloadbridge.switchdev;

import java.util.List;
import java.util.Objects;

/**
 * One netdev as the switchdev model sees it: its role and, for a switch port, which
 * e-switch and which function it stands for. Immutable; a change produces a new Port.
 *
 * @param ifindex      the netdev's ifindex (the identity in the model)
 * @param name         the netdev name now
 * @param role         what it is to the offload policy
 * @param switchId     IFLA_PHYS_SWITCH_ID / sysfs phys_switch_id, or null
 * @param physPortName the parsed phys_port_name, or null when the netdev has none
 * @param devlinkPort  the devlink port whose netdev this is, or null
 * @param devlink      the devlink instance of the port or of its parent device, or null
 * @param linkKind     IFLA_INFO_KIND ({@code veth}, {@code vxlan} …), or null
 * @param parentDevice the parent device (PCI address, {@code netdevsim1}), or null
 * @param hwTcOffload  the hw-tc-offload feature state
 * @param problems     what discovery could not read or reconcile for this port
 */
public record Port(int ifindex, String name, PortRole role, SwitchId switchId, PhysPortName physPortName,
                   DevlinkPort devlinkPort, DevlinkHandle devlink, String linkKind, String parentDevice,
                   HwTcOffload hwTcOffload, List<Problem> problems) {

    public Port {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(hwTcOffload, "hwTcOffload");
        problems = List.copyOf(problems);
    }

    /** The VF this port represents, or -1. */
    public int vf() {
        if (devlinkPort != null && devlinkPort.vf() >= 0) {
            return devlinkPort.vf();
        }
        if (physPortName != null && (physPortName.kind() == PhysPortName.Kind.PCI_VF
                || physPortName.kind() == PhysPortName.Kind.LEGACY_VF)) {
            return physPortName.vf();
        }
        return -1;
    }

    /** The PCI PF number of the function this port stands for, or -1. */
    public int pf() {
        if (devlinkPort != null && devlinkPort.pf() >= 0) {
            return devlinkPort.pf();
        }
        return physPortName != null ? physPortName.pf() : -1;
    }

    /** The subfunction number, or -1. */
    public long sf() {
        if (devlinkPort != null && devlinkPort.sf() >= 0) {
            return devlinkPort.sf();
        }
        return physPortName != null ? physPortName.sf() : -1;
    }

    /** The controller number (0 = this host), or -1 when nothing says. */
    public long controller() {
        if (devlinkPort != null && devlinkPort.controller() >= 0) {
            return devlinkPort.controller();
        }
        return physPortName != null && physPortName.external() ? physPortName.controller() : -1;
    }

    /** True when the function sits behind an external controller (BlueField host side). */
    public boolean external() {
        return devlinkPort != null ? devlinkPort.external() : physPortName != null && physPortName.external();
    }

    /** The key of this port's e-switch in the model, or null when it is on none. */
    public String eswitchKey() {
        if (switchId != null) {
            return switchId.toString();
        }
        return role.isSwitchPort() && devlink != null ? "devlink:" + devlink : null;
    }

    public Port withHwTcOffload(HwTcOffload state) {
        return new Port(ifindex, name, role, switchId, physPortName, devlinkPort, devlink, linkKind, parentDevice, state, problems);
    }
}
