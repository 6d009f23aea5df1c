package org.offloadbridge.switchdev.internal;

import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_BUS_NAME;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_DEV_NAME;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_ESWITCH_ENCAP_MODE;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_ESWITCH_INLINE_MODE;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_ESWITCH_MODE;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_MAX;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_CONTROLLER_NUMBER;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_EXTERNAL;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_FLAVOUR;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_INDEX;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_NETDEV_IFINDEX;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_NETDEV_NAME;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_NUMBER;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_PCI_PF_NUMBER;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_PCI_SF_NUMBER;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_PCI_VF_NUMBER;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_ATTR_PORT_SPLIT_SUBPORT_NUMBER;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_CMD_ESWITCH_GET;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_CMD_ESWITCH_SET;
import static org.offloadbridge.netlink.uapi.Devlink.DEVLINK_CMD_PORT_GET;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.GenlMsgHdr;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkParseException;
import org.offloadbridge.switchdev.DevlinkHandle;
import org.offloadbridge.switchdev.DevlinkPort;
import org.offloadbridge.switchdev.DevlinkPortFlavour;
import org.offloadbridge.switchdev.EswitchEncapMode;
import org.offloadbridge.switchdev.EswitchInlineMode;
import org.offloadbridge.switchdev.EswitchMode;
import org.offloadbridge.switchdev.EswitchState;

/**
 * The devlink generic netlink messages switchdev uses, encoded and parsed with no I/O.
 *
 * <p>Requests are byte-for-byte what iproute2's {@code devlink} (6.1) sends, except the
 * padding bytes after short attributes, which libmnl leaves uninitialised and we zero (the
 * golden tests mask them). iproute2 sends genlmsghdr version 0; the kernel ignores it.
 *
 * <p>Kernel semantics worth knowing (net/devlink): a port dump walks every devlink instance
 * under its lock one after another, so an instance unregistered mid-dump simply stops
 * appearing — the dump does not fail. {@code DEVLINK_CMD_ESWITCH_SET} calls the driver once
 * per attribute given (mode first, then inline mode, then encap mode) and stops at the
 * first refusal, so a partly applied set is possible; we send only what the caller asked to
 * change. Port messages carry no switch id: that comes from rtnetlink or sysfs.
 */
public final class DevlinkCodec {
    /** iproute2's devlink writes 0 here (DEVLINK_GENL_VERSION is 1; the kernel does not check). */
    public static final int IPROUTE2_GENL_VERSION = 0;

    private final AttributeTable table = new AttributeTable(DEVLINK_ATTR_MAX);
    private final GenlMsgHdr genl = new GenlMsgHdr();

    /** {@code devlink port show}: DEVLINK_CMD_PORT_GET with NLM_F_DUMP. */
    public static int encodePortDump(NetlinkMessageWriter w, int familyId, int seq) {
        w.beginMessage(familyId, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP);
        w.putGenlMsgHdr(DEVLINK_CMD_PORT_GET, IPROUTE2_GENL_VERSION);
        return w.finish(seq);
    }

    /** {@code devlink dev eswitch show BUS/DEV}. */
    public static int encodeEswitchGet(NetlinkMessageWriter w, int familyId, DevlinkHandle h, int seq) {
        w.beginMessage(familyId, NLM_F_REQUEST | NLM_F_ACK);
        w.putGenlMsgHdr(DEVLINK_CMD_ESWITCH_GET, IPROUTE2_GENL_VERSION);
        putHandle(w, h);
        return w.finish(seq);
    }

    /**
     * {@code devlink dev eswitch set BUS/DEV [mode M] [inline-mode I] [encap-mode E]}; null
     * leaves that setting alone. At least one must be given.
     */
    public static int encodeEswitchSet(NetlinkMessageWriter w, int familyId, DevlinkHandle h, EswitchMode mode,
                                       EswitchInlineMode inline, EswitchEncapMode encap, int seq) {
        if (mode == null && inline == null && encap == null) {
            throw new IllegalArgumentException("eswitch set on " + h + ": nothing to set");
        }
        w.beginMessage(familyId, NLM_F_REQUEST | NLM_F_ACK);
        w.putGenlMsgHdr(DEVLINK_CMD_ESWITCH_SET, IPROUTE2_GENL_VERSION);
        putHandle(w, h);
        if (mode != null) {
            w.putU16(DEVLINK_ATTR_ESWITCH_MODE, mode.value());
        }
        if (inline != null) {
            w.putU8(DEVLINK_ATTR_ESWITCH_INLINE_MODE, inline.value());
        }
        if (encap != null) {
            w.putU8(DEVLINK_ATTR_ESWITCH_ENCAP_MODE, encap.value());
        }
        return w.finish(seq);
    }

    private static void putHandle(NetlinkMessageWriter w, DevlinkHandle h) {
        w.putString(DEVLINK_ATTR_BUS_NAME, h.bus());
        w.putString(DEVLINK_ATTR_DEV_NAME, h.device());
    }

    /** The genl command of a devlink message (PORT_NEW, PORT_DEL, ESWITCH_GET …). */
    public int command(NetlinkMessage m) {
        return genl.wrap(m.buffer(), m.fixedHeader(GenlMsgHdr.LENGTH)).cmd();
    }

    /** The devlink instance a message is about (every devlink object message carries it). */
    public DevlinkHandle handle(NetlinkMessage m) {
        m.attributes(GenlMsgHdr.LENGTH, table);
        return handleOf(m);
    }

    private DevlinkHandle handleOf(NetlinkMessage m) {
        final String bus = table.string(DEVLINK_ATTR_BUS_NAME);
        final String dev = table.string(DEVLINK_ATTR_DEV_NAME);
        if (bus == null || dev == null || bus.isEmpty() || dev.isEmpty() || bus.contains("/")) {
            throw new NetlinkParseException("devlink message without a valid DEVLINK_ATTR_BUS_NAME/DEV_NAME (got "
                    + bus + "/" + dev + ")", m.offset());
        }
        return new DevlinkHandle(bus, dev);
    }

    /** A port message (DEVLINK_CMD_PORT_NEW from a dump or notification, or PORT_DEL). */
    public DevlinkPort parsePort(NetlinkMessage m) {
        m.attributes(GenlMsgHdr.LENGTH, table);
        final DevlinkHandle h = handleOf(m);
        if (!table.has(DEVLINK_ATTR_PORT_INDEX)) {
            throw new NetlinkParseException("devlink port message for " + h + " without DEVLINK_ATTR_PORT_INDEX", m.offset());
        }
        final long index = Integer.toUnsignedLong(table.u32(DEVLINK_ATTR_PORT_INDEX));
        final int flavourValue = table.has(DEVLINK_ATTR_PORT_FLAVOUR) ? table.u16(DEVLINK_ATTR_PORT_FLAVOUR) : -1;
        final DevlinkPortFlavour flavour = flavourValue < 0 ? null : DevlinkPortFlavour.ofValue(flavourValue);
        return new DevlinkPort(h, index, flavourValue, flavour,
                table.u32(DEVLINK_ATTR_PORT_NETDEV_IFINDEX, 0),
                table.string(DEVLINK_ATTR_PORT_NETDEV_NAME),
                u32OrMinus1(DEVLINK_ATTR_PORT_NUMBER),
                u32OrMinus1(DEVLINK_ATTR_PORT_SPLIT_SUBPORT_NUMBER),
                u32OrMinus1(DEVLINK_ATTR_PORT_CONTROLLER_NUMBER),
                table.has(DEVLINK_ATTR_PORT_EXTERNAL) && table.u8(DEVLINK_ATTR_PORT_EXTERNAL) != 0,
                table.has(DEVLINK_ATTR_PORT_PCI_PF_NUMBER) ? table.u16(DEVLINK_ATTR_PORT_PCI_PF_NUMBER) : -1,
                table.has(DEVLINK_ATTR_PORT_PCI_VF_NUMBER) ? table.u16(DEVLINK_ATTR_PORT_PCI_VF_NUMBER) : -1,
                u32OrMinus1(DEVLINK_ATTR_PORT_PCI_SF_NUMBER));
    }

    /** The answer to DEVLINK_CMD_ESWITCH_GET. */
    public EswitchState parseEswitch(NetlinkMessage m) {
        m.attributes(GenlMsgHdr.LENGTH, table);
        handleOf(m);
        try {
            return new EswitchState(
                    table.has(DEVLINK_ATTR_ESWITCH_MODE) ? EswitchMode.ofValue(table.u16(DEVLINK_ATTR_ESWITCH_MODE)) : null,
                    table.has(DEVLINK_ATTR_ESWITCH_INLINE_MODE)
                            ? EswitchInlineMode.ofValue(table.u8(DEVLINK_ATTR_ESWITCH_INLINE_MODE)) : null,
                    table.has(DEVLINK_ATTR_ESWITCH_ENCAP_MODE)
                            ? EswitchEncapMode.ofValue(table.u8(DEVLINK_ATTR_ESWITCH_ENCAP_MODE)) : null);
        } catch (IllegalArgumentException e) {
            throw new NetlinkParseException("devlink eswitch reply: " + e.getMessage(), m.offset());
        }
    }

    private long u32OrMinus1(int type) {
        return table.has(type) ? Integer.toUnsignedLong(table.u32(type)) : -1;
    }
}
