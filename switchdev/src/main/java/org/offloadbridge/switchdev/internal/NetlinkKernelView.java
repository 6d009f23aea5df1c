package org.offloadbridge.switchdev.internal;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.GenericNetlink;
import org.offloadbridge.netlink.GenlFamily;
import org.offloadbridge.netlink.LinkInfo;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.ReplyHandler;
import org.offloadbridge.netlink.RtnlLinks;
import org.offloadbridge.switchdev.DevlinkHandle;
import org.offloadbridge.switchdev.DevlinkPort;
import org.offloadbridge.switchdev.EswitchEncapMode;
import org.offloadbridge.switchdev.EswitchInlineMode;
import org.offloadbridge.switchdev.EswitchMode;
import org.offloadbridge.switchdev.EswitchState;
import org.offloadbridge.switchdev.HwTcOffload;
import org.offloadbridge.switchdev.SwitchId;
import org.offloadbridge.switchdev.SwitchdevException;

/**
 * The kernel through netlink: rtnetlink for links, the "devlink" and "ethtool" generic
 * netlink families for ports, e-switch mode and features. Families are resolved on first
 * use; a kernel without one (no devlink, ethtool netlink before 5.6) is reported, not fatal.
 * Thread-safe as its connections are; the writer is guarded by this object's lock.
 */
public final class NetlinkKernelView implements KernelView, AutoCloseable {
    private final NetlinkConnection route;
    private final NetlinkConnection genl;
    private final SysfsReader sysfs;
    private final NetlinkMessageWriter w = new NetlinkMessageWriter(512);
    private final DevlinkCodec devlink = new DevlinkCodec();
    private final EthtoolCodec ethtool = new EthtoolCodec();
    private final GenericNetlink families;
    private List<String> featureNames;
    private int hwTcBit = -1;

    public NetlinkKernelView(NetlinkConnection route, NetlinkConnection genl, SysfsReader sysfs) {
        this.route = route;
        this.genl = genl;
        this.sysfs = sysfs;
        this.families = new GenericNetlink(genl);
    }

    public static NetlinkKernelView open(SysfsReader sysfs) {
        final NetlinkConnection r = NetlinkConnection.open(NetlinkProtocol.ROUTE);
        try {
            return new NetlinkKernelView(r, NetlinkConnection.open(NetlinkProtocol.GENERIC), sysfs);
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    @Override
    public SysfsReader sysfs() {
        return sysfs;
    }

    public GenlFamily devlinkFamily() {
        return resolve(org.offloadbridge.netlink.uapi.Devlink.DEVLINK_GENL_NAME);
    }

    public GenlFamily ethtoolFamily() {
        return resolve(org.offloadbridge.netlink.uapi.EthtoolNetlink.ETHTOOL_GENL_NAME);
    }

    private GenlFamily resolve(String name) {
        return families.findFamily(name).orElseThrow(
                () -> new UnsupportedOperationException("this kernel has no '" + name + "' generic netlink family"));
    }

    @Override
    public List<LinkIdentity> links() {
        final List<LinkIdentity> out = new ArrayList<>();
        for (LinkInfo l : new RtnlLinks(route).dump()) {
            out.add(new LinkIdentity(l.index(), l.name(), l.kind(),
                    l.physSwitchId() == null || l.physSwitchId().isEmpty() ? null : SwitchId.parseHex(l.physSwitchId()),
                    l.physPortName(), l.parentDevBusName(), l.parentDevName()));
        }
        return out;
    }

    @Override
    public synchronized List<DevlinkPort> devlinkPorts() {
        final int family = devlinkFamily().id();
        final List<DevlinkPort> out = new ArrayList<>();
        w.reset();
        DevlinkCodec.encodePortDump(w, family, 0);
        genl.dump("devlink port show", w, new ReplyHandler() {
            @Override
            public void onReply(int requestIndex, org.offloadbridge.netlink.NetlinkMessage m) {
                out.add(devlink.parsePort(m));
            }

            @Override
            public void onDumpInterrupted() {
                out.clear();
            }
        });
        return out;
    }

    @Override
    public synchronized EswitchState eswitch(DevlinkHandle h) {
        final int family = devlinkFamily().id();
        final EswitchState[] got = {null};
        w.reset();
        DevlinkCodec.encodeEswitchGet(w, family, h, 0);
        try {
            genl.request("devlink dev eswitch show " + h, w, (i, m) -> got[0] = devlink.parseEswitch(m));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                return null;
            }
            throw refused("devlink dev eswitch show " + h, e);
        }
        return got[0];
    }

    /** {@code devlink dev eswitch set}; null leaves a setting alone. */
    public synchronized void setEswitch(DevlinkHandle h, EswitchMode mode, EswitchInlineMode inline, EswitchEncapMode encap) {
        final int family = devlinkFamily().id();
        w.reset();
        DevlinkCodec.encodeEswitchSet(w, family, h, mode, inline, encap, 0);
        final StringBuilder op = new StringBuilder("devlink dev eswitch set ").append(h);
        if (mode != null) {
            op.append(" mode ").append(mode.label());
        }
        if (inline != null) {
            op.append(" inline-mode ").append(inline.label());
        }
        if (encap != null) {
            op.append(" encap-mode ").append(encap.label());
        }
        try {
            genl.request(op.toString(), w);
        } catch (NetlinkException e) {
            throw refused(op.toString(), e);
        }
    }

    static SwitchdevException refused(String op, NetlinkException e) {
        return new SwitchdevException(e.getMessage(), e.extackMessage(), e.errnoValue(), e);
    }

    private synchronized int hwTcBit() {
        if (featureNames == null) {
            final int family = ethtoolFamily().id();
            w.reset();
            EthtoolCodec.encodeFeatureStringsGet(w, family, 0);
            final java.util.concurrent.atomic.AtomicReference<List<String>> got = new java.util.concurrent.atomic.AtomicReference<>();
            genl.request("ethtool strset features", w, (i, m) -> got.set(ethtool.parseFeatureStrings(m)));
            if (got.get() == null) {
                throw new IllegalStateException("ethtool strset: no reply");
            }
            featureNames = List.copyOf(got.get().stream().map(s -> s == null ? "" : s).toList());
            hwTcBit = featureNames.indexOf(EthtoolCodec.HW_TC_OFFLOAD);
            if (hwTcBit < 0) {
                throw new UnsupportedOperationException("the kernel's ETH_SS_FEATURES set has no '" + EthtoolCodec.HW_TC_OFFLOAD + "'");
            }
        }
        return hwTcBit;
    }

    /** The features of one netdev, or throws (ENODEV when it is gone). */
    public synchronized EthtoolCodec.Features features(String dev) {
        final int bitNames = hwTcBit();
        final int family = ethtoolFamily().id();
        w.reset();
        EthtoolCodec.encodeFeaturesGet(w, family, dev, 0);
        final EthtoolCodec.Features[] got = {null};
        try {
            genl.request("ethtool -k " + dev, w, (i, m) -> got[0] = ethtool.parseFeatures(m, featureNames));
        } catch (NetlinkException e) {
            throw refused("ethtool -k " + dev, e);
        }
        if (got[0] == null) {
            throw new IllegalStateException("ethtool -k " + dev + ": no reply (bit " + bitNames + ")");
        }
        return got[0];
    }

    @Override
    public HwTcOffload hwTcOffload(String dev) {
        try {
            final EthtoolCodec.Features f = features(dev);
            final int bit = hwTcBit();
            return HwTcOffload.of(f.active(bit), f.changeable(bit));
        } catch (SwitchdevException | UnsupportedOperationException e) {
            return HwTcOffload.UNKNOWN;
        }
    }

    /**
     * Turns hw-tc-offload on or off ({@code ethtool -K dev hw-tc-offload on|off}) and returns
     * the state the kernel reports afterwards. When the driver does not let it change, nothing
     * is sent and the fixed state is returned, as {@code ethtool -k} shows it ("off [fixed]").
     */
    public synchronized HwTcOffload setHwTcOffload(String dev, boolean on) {
        final int bit = hwTcBit();
        final EthtoolCodec.Features before = features(dev);
        if (before.active(bit) == on) {
            return HwTcOffload.of(on, before.changeable(bit));
        }
        if (!before.changeable(bit)) {
            return HwTcOffload.of(before.active(bit), false);
        }
        setFeature(dev, EthtoolCodec.HW_TC_OFFLOAD, on);
        final EthtoolCodec.Features after = features(dev);
        return HwTcOffload.of(after.active(bit), after.changeable(bit));
    }

    /**
     * {@code ethtool -K dev NAME on|off} for any feature name, with no checks of ours: the
     * kernel validates the name and says what it refuses (its extack text lands in the
     * {@link SwitchdevException}).
     */
    public synchronized void setFeature(String dev, String feature, boolean on) {
        w.reset();
        EthtoolCodec.encodeFeatureSet(w, ethtoolFamily().id(), dev, feature, on, 0);
        final String op = "ethtool -K " + dev + " " + feature + " " + (on ? "on" : "off");
        try {
            genl.request(op, w, (i, m) -> { });
        } catch (NetlinkException e) {
            throw refused(op, e);
        }
    }

    @Override
    public void close() {
        try {
            genl.close();
        } finally {
            route.close();
        }
    }
}
