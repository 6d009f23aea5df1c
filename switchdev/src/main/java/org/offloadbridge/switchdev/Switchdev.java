package org.offloadbridge.switchdev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.NetlinkSocket;
import org.offloadbridge.netlink.NetlinkSubscription;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.switchdev.internal.Discovery;
import org.offloadbridge.switchdev.internal.NetlinkKernelView;
import org.offloadbridge.switchdev.internal.SysfsReader;

/**
 * The switchdev module's front door: discover which ports are representors of which
 * e-switch, prepare them for offload (e-switch mode, hw-tc-offload, VF count), and keep the
 * {@link SwitchdevModel} current through a {@link HotplugAgent}.
 *
 * <pre>
 *   try (Switchdev sd = Switchdev.open()) {
 *       sd.discover();
 *       sd.setEswitch(DevlinkHandle.parse("pci/0000:08:00.0"), EswitchMode.SWITCHDEV, null, null);
 *       sd.setHwTcOffload("enp8s0f0npf0vf0", true);
 *       boolean hw = sd.model().sameSwitch("enp8s0f0npf0vf0", "enp8s0f0npf0vf1");
 *   }
 * </pre>
 *
 * Sockets belong to the network namespace they were opened in; open this on a thread inside
 * the namespace to manage. Thread-safe.
 */
public final class Switchdev implements AutoCloseable {
    private final NetlinkKernelView kernel;
    private final SwitchdevModel model = new SwitchdevModel();
    private volatile boolean withFeatures = true;
    /** Passes run one at a time (the caller's and the hotplug agent's), so the model has one writer. */
    private final Object discovery = new Object();

    private Switchdev(NetlinkKernelView kernel) {
        this.kernel = kernel;
    }

    /** Opens netlink sockets in the caller's network namespace; sysfs at {@code /sys}. */
    public static Switchdev open() {
        return open(Path.of("/sys"));
    }

    public static Switchdev open(Path sysfsRoot) {
        return new Switchdev(NetlinkKernelView.open(new SysfsReader(sysfsRoot)));
    }

    /** Whether netlink is usable here (the native socket calls load). */
    public static boolean isAvailable() {
        return NetlinkSocket.isAvailable();
    }

    public static Throwable unavailabilityCause() {
        return NetlinkSocket.unavailabilityCause();
    }

    public SwitchdevModel model() {
        return model;
    }

    /** Whether discovery also reads hw-tc-offload of every port (one ethtool request each; default on). */
    public Switchdev readFeatures(boolean on) {
        this.withFeatures = on;
        return this;
    }

    /** A full discovery pass; installs the result in {@link #model()} (listeners hear the differences). */
    public SwitchdevModel.Snapshot discover() {
        synchronized (discovery) {
            model.update(Discovery.discover(kernel, withFeatures));
            return model.snapshot();
        }
    }

    /** {@code devlink dev eswitch show}: null when the instance has no e-switch. */
    public EswitchState eswitch(DevlinkHandle h) {
        return kernel.eswitch(h);
    }

    /**
     * {@code devlink dev eswitch set}; null leaves a setting alone.
     *
     * @throws SwitchdevException with the kernel's extack text when the driver refuses
     */
    public void setEswitch(DevlinkHandle h, EswitchMode mode, EswitchInlineMode inline, EswitchEncapMode encap) {
        kernel.setEswitch(h, mode, inline, encap);
    }

    /** hw-tc-offload of one netdev, as {@code ethtool -k} shows it. */
    public HwTcOffload hwTcOffload(String netdev) {
        return kernel.hwTcOffload(netdev);
    }

    /**
     * Turns hw-tc-offload on or off and returns the state afterwards; {@link HwTcOffload#FIXED_OFF}
     * (or FIXED_ON) when the driver does not let it change.
     */
    public HwTcOffload setHwTcOffload(String netdev, boolean on) {
        return kernel.setHwTcOffload(netdev, on);
    }

    /**
     * {@code ethtool -K netdev feature on|off} for any feature the kernel names (its strings
     * set); the kernel's refusal text is in the {@link SwitchdevException}.
     */
    public void setFeature(String netdev, String feature, boolean on) {
        kernel.setFeature(netdev, feature, on);
    }

    /**
     * Sets the VF count of a PF netdev through sysfs ({@code device/sriov_numvfs}), as an
     * operator would by hand, and keeps the e-switch in switchdev mode.
     *
     * <p>The kernel refuses to go from one non-zero count to another (EBUSY), so we write 0
     * first. Drivers leave switchdev mode when the VFs go away (netdevsim and mlx5 fall back to
     * legacy at 0 VFs), so when the PF's devlink instance was in switchdev mode before, it is
     * put back after the new count is set — which is what recreates the representors.
     */
    public void setNumVfs(String pfNetdev, int numVfs) {
        final SysfsReader sysfs = kernel.sysfs();
        DevlinkHandle h = null;
        EswitchState before = null;
        try {
            final var dev = sysfs.read(pfNetdev);
            if (dev.deviceBus() != null && dev.deviceName() != null) {
                h = new DevlinkHandle(dev.deviceBus(), dev.deviceName());
                before = kernel.eswitch(h);
            }
        } catch (IOException | SwitchdevException | UnsupportedOperationException e) {
            before = null; // no devlink e-switch to keep: just set the count
        }
        try {
            sysfs.setNumVfs(pfNetdev, numVfs);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        if (h != null && before != null && before.mode() == EswitchMode.SWITCHDEV && numVfs > 0) {
            final EswitchState now = kernel.eswitch(h);
            if (now != null && now.mode() != EswitchMode.SWITCHDEV) {
                kernel.setEswitch(h, EswitchMode.SWITCHDEV, null, null);
            }
        }
    }

    /**
     * An agent that keeps {@link #model()} current from RTNLGRP_LINK and devlink "config"
     * notifications. Its sockets are opened now, in the caller's namespace; run its
     * {@link HotplugAgent#doWork()} from one thread (an {@link org.agrona.concurrent.AgentRunner}).
     * Discovery passes run on a thread of the agent's own, so {@code doWork()} never blocks.
     */
    public HotplugAgent hotplugAgent() {
        return hotplugAgent(null);
    }

    /**
     * {@link #hotplugAgent()} with discovery passes run by {@code rediscovery}; null for a
     * thread of the agent's own, {@code Runnable::run} to run them inside {@code doWork()}
     * (single-threaded tests only: that {@code doWork()} blocks).
     */
    public HotplugAgent hotplugAgent(java.util.concurrent.Executor rediscovery) {
        final NetlinkSubscription links = NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_LINK);
        NetlinkSubscription dl = null;
        try {
            final Integer group = kernel.devlinkFamily().multicastGroups().get(org.offloadbridge.netlink.uapi.Devlink.DEVLINK_GENL_MCGRP_CONFIG_NAME);
            if (group != null) {
                dl = NetlinkSubscription.open(NetlinkProtocol.GENERIC, group);
            }
        } catch (UnsupportedOperationException e) {
            dl = null;
        } catch (RuntimeException e) {
            links.close();
            throw e;
        }
        return new HotplugAgent(this::discover, links, dl, rediscovery);
    }

    @Override
    public void close() {
        kernel.close();
    }
}
