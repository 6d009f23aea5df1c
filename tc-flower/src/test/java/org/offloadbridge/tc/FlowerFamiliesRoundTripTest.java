package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.tc.internal.DecodedFilter;
import org.offloadbridge.tc.internal.FlowerDecoder;
import org.offloadbridge.tc.internal.FlowerEncoder;

/**
 * The families {@link FlowerKernelRoundTripVmTest} installs in the kernel VM round-trip through
 * our own encoder and decoder first: a failure here is ours, a failure only there is the kernel's.
 */
class FlowerFamiliesRoundTripTest {
    @Test
    void everyFamilyRoundTripsThroughTheCodec() {
        FlowerEncoder enc = new FlowerEncoder(TcPorts.IDENTITY);
        FlowerDecoder dec = new FlowerDecoder(TcPorts.IDENTITY);
        for (Megaflow f : FlowerKernelRoundTripVmTest.families(3, 4, 5, 6)) {
            NetlinkMessageWriter w = new NetlinkMessageWriter(512);
            enc.encode(w, 0, f, f.key().inPort(), 1, 1, 0, 0);
            NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
            c.next();
            DecodedFilter d = dec.decode(c.message());
            assertNull(d.why(), () -> FlowerKernelRoundTripVmTest.show(f));
            assertEquals(f, d.flow(), () -> FlowerKernelRoundTripVmTest.show(f) + " came back as " + FlowerKernelRoundTripVmTest.show(d.flow()));
        }
    }
}
