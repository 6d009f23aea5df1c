package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_FAMILY_ID;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_FAMILY_NAME;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_HDRSIZE;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_MAX;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_MAXATTR;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_MCAST_GROUPS;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_MCAST_GRP_ID;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_MCAST_GRP_MAX;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_MCAST_GRP_NAME;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_ATTR_VERSION;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_CMD_GETFAMILY;
import static org.offloadbridge.netlink.uapi.Genetlink.CTRL_CMD_NEWFAMILY;
import static org.offloadbridge.netlink.uapi.Genetlink.GENL_ID_CTRL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generic netlink family lookup: resolves a family name ("devlink", "ethtool") to its id and
 * multicast groups with CTRL_CMD_GETFAMILY, and caches the answer. Family ids are assigned
 * when a module registers, so they differ between machines and boots — never hard-code them.
 * A cached id stays valid until the family's module is unloaded; call {@link #invalidate}
 * when requests to it start failing with ENOENT/EOPNOTSUPP.
 *
 * <p>Thread-safe.
 */
public final class GenericNetlink {
    private final NetlinkConnection generic;
    private final Map<String, GenlFamily> cache = new ConcurrentHashMap<>();
    private final AtomicLong lookups = new AtomicLong();

    /** @param generic a connection on {@link NetlinkProtocol#GENERIC} */
    public GenericNetlink(NetlinkConnection generic) {
        this.generic = generic;
    }

    public NetlinkConnection connection() {
        return generic;
    }

    /** CTRL_CMD_GETFAMILY for {@code name} (no I/O). */
    public static void encodeGetFamily(NetlinkMessageWriter w, String name) {
        w.beginMessage(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK);
        w.putGenlMsgHdr(CTRL_CMD_GETFAMILY, 1);
        w.putString(CTRL_ATTR_FAMILY_NAME, name);
        w.finish(0);
    }

    /**
     * The family {@code name}, from the cache or the kernel.
     *
     * @throws NetlinkException ENOENT when the kernel has no such family (module not loaded)
     */
    public GenlFamily family(String name) {
        GenlFamily f = cache.get(name);
        if (f != null) {
            return f;
        }
        f = lookup(name);
        cache.put(name, f);
        return f;
    }

    /** The family {@code name}, or empty when the kernel does not have it. */
    public Optional<GenlFamily> findFamily(String name) {
        try {
            return Optional.of(family(name));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Forgets the cached family (after its module was reloaded, its id may have changed). */
    public void invalidate(String name) {
        cache.remove(name);
    }

    /** Lookups that went to the kernel (cache misses). */
    public long kernelLookups() {
        return lookups.get();
    }

    private GenlFamily lookup(String name) {
        lookups.incrementAndGet();
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        encodeGetFamily(w, name);
        GenlFamily[] out = new GenlFamily[1];
        generic.request("resolve generic netlink family " + name, w, (i, m) -> out[0] = parseFamily(m));
        if (out[0] == null) {
            throw new NetlinkException("resolve generic netlink family " + name, Errno.ENOENT.value(),
                    "the controller acked without describing the family", -1, -1);
        }
        return out[0];
    }

    /** Decodes a CTRL_CMD_NEWFAMILY message. */
    public static GenlFamily parseFamily(NetlinkMessage m) {
        GenlMsgHdr g = new GenlMsgHdr().wrap(m.buffer(), m.fixedHeader(GenlMsgHdr.LENGTH));
        if (m.type() != GENL_ID_CTRL || g.cmd() != CTRL_CMD_NEWFAMILY) {
            throw new IllegalArgumentException("not a CTRL_CMD_NEWFAMILY message: type " + m.type() + " cmd " + g.cmd());
        }
        AttributeTable t = m.attributes(GenlMsgHdr.LENGTH, new AttributeTable(CTRL_ATTR_MAX));
        if (!t.has(CTRL_ATTR_FAMILY_ID) || !t.has(CTRL_ATTR_FAMILY_NAME)) {
            throw new NetlinkParseException("CTRL_CMD_NEWFAMILY without family id or name", m.offset());
        }
        Map<String, Integer> groups = new HashMap<>();
        if (t.has(CTRL_ATTR_MCAST_GROUPS)) {
            AttributeCursor each = new AttributeCursor().reset(t, CTRL_ATTR_MCAST_GROUPS);
            AttributeTable grp = new AttributeTable(CTRL_ATTR_MCAST_GRP_MAX);
            while (each.next()) {
                grp.parse(each.buffer(), each.payloadOffset(), each.payloadEnd());
                if (grp.has(CTRL_ATTR_MCAST_GRP_NAME) && grp.has(CTRL_ATTR_MCAST_GRP_ID)) {
                    groups.put(grp.string(CTRL_ATTR_MCAST_GRP_NAME), grp.u32(CTRL_ATTR_MCAST_GRP_ID));
                }
            }
        }
        return new GenlFamily(t.string(CTRL_ATTR_FAMILY_NAME), t.u16(CTRL_ATTR_FAMILY_ID), t.u32(CTRL_ATTR_VERSION, 0),
                t.u32(CTRL_ATTR_HDRSIZE, 0), t.u32(CTRL_ATTR_MAXATTR, 0), groups);
    }
}
