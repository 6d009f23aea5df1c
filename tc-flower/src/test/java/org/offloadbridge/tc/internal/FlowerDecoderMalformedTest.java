package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.NetlinkParseException;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.PktCls;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.tc.TcPorts;

/**
 * Filters from the kernel whose attributes are shorter than their type: found by fuzzing
 * (fuzz/: TcFlowerFuzzTest). The raw reads of MAC and IPv6 keys ran past the attribute (an
 * IndexOutOfBoundsException, or the next attribute's bytes read as the address); now they are
 * {@link NetlinkParseException}s naming the attribute.
 */
class FlowerDecoderMalformedTest {

    static NetlinkMessageCursor filterWith(int attr, int payloadBytes) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        w.beginMessage(Rtnetlink.RTM_NEWTFILTER, 0);
        w.putTcMsg(0, 3, 1, FlowerEncoder.PARENT_INGRESS, TcMsg.filterInfo(1, 0x86dd));
        w.putString(Rtnetlink.TCA_KIND, "flower");
        int opts = w.beginNested(Rtnetlink.TCA_OPTIONS);
        FlowerAttrs.struct(w, attr, payloadBytes);
        w.endNested(opts);
        w.finish(0);
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        c.next();
        return c;
    }

    @Test
    void shortMacKeyIsAParseError() {
        NetlinkMessageCursor c = filterWith(PktCls.TCA_FLOWER_KEY_ETH_DST, 4);
        NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> new FlowerDecoder(TcPorts.IDENTITY).decode(c.message()));
        assertTrue(e.getMessage().contains("need 6"), e.getMessage());
    }

    @Test
    void shortIpv6KeyIsAParseError() {
        NetlinkMessageCursor c = filterWith(PktCls.TCA_FLOWER_KEY_IPV6_SRC, 12);
        NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> new FlowerDecoder(TcPorts.IDENTITY).decode(c.message()));
        assertTrue(e.getMessage().contains("need 16"), e.getMessage());
    }
}
