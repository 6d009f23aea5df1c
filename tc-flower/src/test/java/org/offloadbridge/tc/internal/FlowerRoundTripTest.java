package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.tc.TcPorts;

/**
 * Encoder then decoder gives back the same megaflow, for every golden family: what a dump
 * returns maps back to exactly the flow that was installed (match, actions, ufid). The golden
 * flows (see {@link Flows}) carry the L2/metadata part in the datapath-baseline form the
 * decoder gives back (recirc_id(0), vlan tpid+cfi presence); flows without it are covered by
 * {@link FlowerBaselineRoundTripTest}.
 */
class FlowerRoundTripTest {
    static Stream<Arguments> cases() {
        return GoldenCases.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodeOfEncodeIsIdentity(String name, GoldenCases.Case c) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        new FlowerEncoder(TcPorts.IDENTITY).encode(w, 0, c.flow(), c.flow().key().inPort(), 7, 0x42, c.clsFlags(), c.actFlags());
        NetlinkMessageCursor cur = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        cur.next();
        DecodedFilter d = new FlowerDecoder(TcPorts.IDENTITY).decode(cur.message());
        assertNull(d.why(), name);
        assertNotNull(d.flow(), name);
        assertEquals(7, d.prio());
        assertEquals(0x42, d.handle());
        assertEquals(c.clsFlags(), d.flags());
        assertEquals(c.flow().mask(), d.flow().mask(), name + " mask");
        assertEquals(c.flow().key(), d.flow().key(), name + " key");
        assertEquals(c.flow().actions(), d.flow().actions(), name + " actions");
        assertEquals(c.flow(), d.flow(), name);
        assertEquals(c.flow().ufid(), d.ufid());
    }
}
