package org.offloadbridge.switchdev.internal;

import java.util.List;
import org.offloadbridge.switchdev.DevlinkHandle;
import org.offloadbridge.switchdev.DevlinkPort;
import org.offloadbridge.switchdev.EswitchState;
import org.offloadbridge.switchdev.HwTcOffload;

/**
 * Where discovery reads the kernel's state from. {@link NetlinkKernelView} is the real one;
 * unit tests script one to produce what a live kernel will not on demand (a devlink instance
 * vanishing between two calls, a netdev renamed between the link dump and the sysfs read).
 */
public interface KernelView {
    /** Every link (rtnetlink RTM_GETLINK dump). */
    List<LinkIdentity> links();

    /**
     * Every devlink port (DEVLINK_CMD_PORT_GET dump).
     *
     * @throws UnsupportedOperationException when the kernel has no devlink family
     */
    List<DevlinkPort> devlinkPorts();

    /**
     * The e-switch of one devlink instance.
     *
     * @return null when the instance has no e-switch (EOPNOTSUPP)
     * @throws org.offloadbridge.switchdev.SwitchdevException on any other refusal (ENODEV: it went away)
     */
    EswitchState eswitch(DevlinkHandle handle);

    /** hw-tc-offload of one netdev; {@link HwTcOffload#UNKNOWN} when it cannot be read. */
    HwTcOffload hwTcOffload(String netdev);

    SysfsReader sysfs();
}
