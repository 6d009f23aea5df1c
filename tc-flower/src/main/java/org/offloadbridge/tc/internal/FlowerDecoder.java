package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_FLAGS;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_IN_HW_COUNT;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_MAX;

import java.nio.ByteBuffer;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.tc.TcPorts;

/**
 * A flower filter as the kernel reports it (RTM_NEWTFILTER: echo, get reply, dump entry) →
 * {@link DecodedFilter}: identity, cookie → ufid, the megaflow it implements, flags, stats.
 * The inverse of {@link FlowerEncoder} on everything the encoder writes, through the same
 * {@link FlowerFilter}: the codecs read {@code TCA_OPTIONS} into it ({@link FlowerMatchCodec},
 * {@link FlowerActionCodec}), then {@link FlowerMatchDecoder} and {@link FlowerActionDecoder}
 * make the megaflow, the ufid and the counters of it.
 *
 * <p>Canonical form: the match a filter decodes to is what the filter really matches, written
 * the way {@link FlowMask#setDatapathBaseline} writes it, so a megaflow whose mask includes
 * the datapath baseline decodes back to exactly itself (revalidators compare dumps with what
 * they installed):
 * <ul>
 *   <li>in_port exact (the filter's device) and {@code recirc_id(0)} exact (we only install in
 *       chain 0, which every packet enters with recirc_id 0);</li>
 *   <li>protocol {@code ip} (an untagged ethertype), or protocol all with {@code num_of_vlans 0},
 *       decodes as "no tag": vlan0 tpid 0 and cfi 0, both exact — flower only sees untagged
 *       packets there;</li>
 *   <li>protocol 802.1Q/802.1ad decodes as tag 0 present with that exact TPID; a
 *       {@code vlan_ethtype} that is not a TPID also says "no second tag" (vlan1 tpid 0,
 *       cfi 0, exact); with {@code vlan_ethtype} a TPID, tag 1 is present with that TPID;</li>
 *   <li>"not a fragment" decodes as nw_frag {@code no} with mask {@code 0x3} (the baseline's
 *       exact nw_frag; OVS's {@code frag=no}); first/later as exact values; "any fragment"
 *       (is_fragment alone) as {@code 0x1/0x1}.</li>
 * </ul>
 * On top of that, every {@link Megaflow} is in the one canonical form of its match
 * ({@link FlowMask#canonicalize}): mask bits of absent tags and headers (a vid pinned on an
 * untagged packet, a port on a later fragment) are gone on both sides, which is why a megaflow
 * the pipeline built from an untagged packet comes back equal although flower can't carry a
 * VLAN id mask without a tag.
 * A megaflow without the baseline still encodes (the filter then matches the baseline's
 * narrowing: chain 0, and an untagged ethertype only untagged packets), and decodes to that
 * megaflow plus those implied bits. An IP flow without nw_frag in its mask gets no ip_flags
 * and decodes with nw_frag wildcarded, as the filter matches every fragment state.
 * Rewrites decode as masked sets ({@code set_masked}), csum and tunnel_key unset as implied
 * (they follow from the rewrite and from the tunnel match).
 * Control plane only (dumps, echoes): allocates freely.
 */
public final class FlowerDecoder {
    private final TcPorts ports;
    private final TcMsg tcmsg = new TcMsg();
    private final AttributeTable top = new AttributeTable(Rtnetlink.TCA_MAX);
    private final AttributeTable opts = new AttributeTable(TCA_FLOWER_MAX);
    private final FlowerActionCodec actionCodec = new FlowerActionCodec();
    private final FlowerActionDecoder actions;
    private final FlowerFilter filter = new FlowerFilter();

    private static final String FLOWER = "flower";

    public FlowerDecoder(TcPorts ports) {
        this.ports = ports;
        this.actions = new FlowerActionDecoder(ports);
    }

    /** Thrown (internally) for a filter we can't express as a megaflow; its text is {@link DecodedFilter#why}. */
    static final class NotOurs extends RuntimeException {
        NotOurs(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * What a dump already knows: the megaflow of the filter of ours with this identity, or null.
     * A filter is changed only by a request on its handle, and ours carry the flow's ufid in
     * every action's cookie; so a filter at the same (device, prio, handle) with the same cookie
     * as one we installed and decoded in full (its echo) is that flow, and a dump need only read
     * its counters — what makes a revalidation round cost tc's counters, not a full decode per
     * flow. A new identity, another cookie, is decoded in full.
     */
    @FunctionalInterface
    public interface Known {
        Megaflow at(Ufid ufid, int ifindex, int prio, int handle);
    }

    public DecodedFilter decode(NetlinkMessage m) {
        return decode(m, null);
    }

    /** {@link #decode(NetlinkMessage)}, reading only the counters of a filter {@code known} has (null: none). */
    public DecodedFilter decode(NetlinkMessage m, Known known) {
        ByteBuffer b = m.buffer();
        int hdr = m.fixedHeader(TcMsg.LENGTH);
        tcmsg.wrap(b, hdr);
        int ifindex = tcmsg.ifindex();
        int handle = tcmsg.handle();
        int info = tcmsg.info();
        int prio = info >>> 16;
        int protocol = Short.reverseBytes((short) info) & 0xffff;
        m.attributes(TcMsg.LENGTH, top);
        if (!top.isString(Rtnetlink.TCA_KIND, FLOWER) || handle == 0 || !top.nested(Rtnetlink.TCA_OPTIONS, opts)) {
            return new DecodedFilter(ifindex, prio, protocol, handle, top.string(Rtnetlink.TCA_KIND), null, null, "not a flower filter",
                0, 0, 0, 0, 0, -1, false);
        }
        String kind = FLOWER;
        int flags = opts.u32(TCA_FLOWER_FLAGS, 0);
        int inHwCount = opts.u32(TCA_FLOWER_IN_HW_COUNT, 0);
        if (known != null) {
            // The common case of a revalidator's dump: read the cookie and counters, nothing else.
            FlowerActionDecoder.Result kr = new FlowerActionDecoder.Result();
            if (actionCodec.readCounters(opts, kr)) {
                Megaflow held = known.at(kr.ufid, ifindex, prio, handle);
                if (held != null) {
                    return new DecodedFilter(ifindex, prio, protocol, handle, kind, kr.ufid, held, null, flags, inHwCount,
                            kr.packets, kr.bytes, kr.hwPackets, kr.packets == 0 ? -1 : kr.usedMillisAgo, kr.usedHwStats);
                }
            }
        }
        filter.clear().protocol(protocol);
        actionCodec.parse(opts, filter);
        FlowerActionDecoder.Result ar = new FlowerActionDecoder.Result();
        FlowerMatchCodec.parse(opts, filter);
        String why = null;
        Megaflow flow = null;
        try {
            FlowKey key = new FlowKey();
            FlowMask mask = new FlowMask();
            int port = ports.portOf(ifindex);
            if (port < 0) {
                throw new NotOurs("no datapath port for ifindex " + ifindex);
            }
            FlowerMatchDecoder.set(key, mask, Field.IN_PORT, port & 0xffffffffL, 0xffffffffL);
            FlowerMatchDecoder.set(key, mask, Field.RECIRC_ID, 0, 0xffffffffL); // chain 0: see the class comment
            FlowerMatchDecoder.decode(filter, key, mask);
            Actions acts = actions.decode(filter, ar);
            key.deriveAttrs(mask); // which OVS key attributes to print, as the parser would set them
            flow = new Megaflow(key, mask, acts, ar.ufid);
        } catch (NotOurs e) {
            why = e.getMessage();
        }
        return new DecodedFilter(ifindex, prio, protocol, handle, kind, ar.ufid, flow, why, flags, inHwCount,
                ar.packets, ar.bytes, ar.hwPackets, ar.packets == 0 ? -1 : ar.usedMillisAgo, filter.usedHwStats);
    }
}
