package org.offloadbridge.switchdev.internal;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.switchdev.DevlinkHandle;
import org.offloadbridge.switchdev.DevlinkPort;
import org.offloadbridge.switchdev.DevlinkPortFlavour;
import org.offloadbridge.switchdev.HwTcOffload;
import org.offloadbridge.switchdev.PhysPortName;
import org.offloadbridge.switchdev.Port;
import org.offloadbridge.switchdev.PortRole;
import org.offloadbridge.switchdev.Problem;
import org.offloadbridge.switchdev.SwitchId;

/**
 * Decides what one netdev is, from the three places that say so.
 *
 * <p>Order of trust: the devlink port flavour is what the driver registered, so it wins; the
 * phys_port_name is the kernel's rendering of the same attributes and is used when devlink
 * has no port for the netdev (older drivers, devlink unavailable); a switch id with neither
 * makes the port {@link PortRole#UNCLASSIFIED} — reported, not guessed. Disagreements between
 * sources are kept as problems on the port.
 */
public final class RoleClassifier {
    private RoleClassifier() {
    }

    /**
     * @param link from rtnetlink (or built from sysfs), never null
     * @param sys  the sysfs view of the same netdev, or null
     * @param dp   the devlink port whose netdev this is, or null
     */
    public static Port classify(LinkIdentity link, SysfsNetdev sys, DevlinkPort dp, HwTcOffload tc) {
        return classify(link, sys, dp, tc, List.of());
    }

    /** As {@link #classify(LinkIdentity, SysfsNetdev, DevlinkPort, HwTcOffload)}, keeping {@code earlier} problems on the port. */
    public static Port classify(LinkIdentity link, SysfsNetdev sys, DevlinkPort dp, HwTcOffload tc, List<Problem> earlier) {
        final List<Problem> problems = new ArrayList<>(earlier);
        final String where = "netdev " + link.name();
        if (sys != null) {
            problems.addAll(sys.problems());
        }
        SwitchId sid = link.switchId();
        if (sys != null && sys.switchId() != null) {
            if (sid == null) {
                sid = sys.switchId();
            } else if (!sid.equals(sys.switchId())) {
                problems.add(new Problem(where, "switch id differs: rtnetlink " + sid + ", sysfs " + sys.switchId()));
            }
        }
        String rawName = link.physPortName();
        if (rawName == null && sys != null) {
            rawName = sys.physPortName();
        }
        final PhysPortName ppn = rawName == null || rawName.isEmpty() ? null : PhysPortName.parse(rawName);

        PortRole role;
        if (dp != null && dp.flavour() != null) {
            role = roleOf(dp.flavour());
            if (role == null) {
                problems.add(new Problem(where, "devlink port " + dp.id() + " has flavour " + dp.flavour().iproute2Name()
                        + ", which is not an e-switch port we handle"));
                role = PortRole.UNCLASSIFIED;
            }
            final PortRole byName = ppn == null ? null : roleOf(ppn);
            if (byName != null && byName != role) {
                problems.add(new Problem(where, "phys_port_name '" + ppn.raw() + "' says " + byName.label()
                        + " but devlink flavour " + dp.flavour().iproute2Name() + " says " + role.label()));
            }
        } else if (ppn != null && ppn.kind() != PhysPortName.Kind.UNKNOWN
                && (sid != null || ppn.kind() != PhysPortName.Kind.LEGACY_VF)) {
            // A bare number is only mlx5's legacy VF index on a switch port; elsewhere it means nothing to us.
            role = roleOf(ppn);
        } else if (sid != null) {
            role = PortRole.UNCLASSIFIED;
            if (dp != null) {
                problems.add(new Problem(where, "devlink port " + dp.id() + " has unknown flavour " + dp.flavourValue()));
            } else {
                problems.add(new Problem(where, ppn == null ? "has a switch id but no phys_port_name"
                        : "unknown phys_port_name '" + ppn.raw() + "'"));
            }
        } else {
            role = PortRole.PLAIN;
        }

        DevlinkHandle devlink = dp != null ? dp.handle() : null;
        if (devlink == null && role.isSwitchPort() && sys != null && sys.deviceBus() != null && sys.deviceName() != null) {
            devlink = new DevlinkHandle(sys.deviceBus(), sys.deviceName());
        }
        if (devlink == null && role.isSwitchPort() && link.parentBus() != null && link.parentDev() != null) {
            devlink = new DevlinkHandle(link.parentBus(), link.parentDev());
        }
        if (dp != null && dp.netdevName() != null && !dp.netdevName().equals(link.name())) {
            problems.add(new Problem(where, "devlink port " + dp.id() + " named it " + dp.netdevName()
                    + " (renamed since; using " + link.name() + ")"));
        }
        String parent = link.parentDev();
        if (parent == null && sys != null) {
            parent = sys.deviceName();
        }
        return new Port(link.ifindex(), link.name(), role, role.isSwitchPort() ? sid : null, ppn, dp, devlink,
                link.kind(), parent, tc == null ? HwTcOffload.UNKNOWN : tc, problems);
    }

    static PortRole roleOf(DevlinkPortFlavour f) {
        return switch (f) {
            case PHYSICAL -> PortRole.UPLINK;
            case PCI_VF -> PortRole.VF_REPRESENTOR;
            case PCI_SF -> PortRole.SF_REPRESENTOR;
            case PCI_PF -> PortRole.HOST_PF_REPRESENTOR;
            // The netdev of a VF or SF itself (inside a VM, or an SF's own netdev): an endpoint, not an e-switch port.
            case VIRTUAL -> PortRole.PLAIN;
            case CPU, DSA, UNUSED -> null;
        };
    }

    static PortRole roleOf(PhysPortName n) {
        return switch (n.kind()) {
            case PHYSICAL -> PortRole.UPLINK;
            case PCI_VF, LEGACY_VF -> PortRole.VF_REPRESENTOR;
            case PCI_SF -> PortRole.SF_REPRESENTOR;
            case PCI_PF -> PortRole.HOST_PF_REPRESENTOR;
            case UNKNOWN -> null;
        };
    }
}
