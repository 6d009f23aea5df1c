package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetlinkMessageWriter;

/**
 * Our catch-all request against the bytes iproute2 6.1 sent for its twin, captured on this
 * project's build machine (kernel 6.18) with:
 * <pre>
 * ip netns add g; ip -n g link add v0 type veth peer name v1; ip -n g link set v0 up
 * ip netns exec g tc qdisc add dev v0 clsact
 * strace -f -e trace=sendmsg -e write=all -s 0 ip netns exec g tc filter add dev v0 ingress \
 *   prio 65535 protocol all handle 800::800 u32 skip_hw match u32 0 0 \
 *   action mirred egress redirect dev v1 cookie 6f622d6d697373
 * </pre>
 * (v0 was ifindex 3, v1 ifindex 2.) The whole message is compared; only nlmsg_seq is masked.
 */
class CatchAllGoldenTest {
    /** strace's rows, nlmsg_seq zeroed. */
    private static final String IPROUTE2 = """
        a0 00 00 00 2c 00 05 06  00 00 00 00 00 00 00 00
        00 00 00 00 03 00 00 00  00 08 00 80 f2 ff ff ff
        00 03 ff ff 08 00 01 00  75 33 32 00 74 00 02 00
        44 00 07 00 40 00 01 00  0b 00 01 00 6d 69 72 72
        65 64 00 00 24 00 02 80  20 00 02 00 00 00 00 00
        00 00 00 00 04 00 00 00  00 00 00 00 00 00 00 00
        01 00 00 00 02 00 00 00  0b 00 06 00 6f 62 2d 6d
        69 73 73 00 24 00 05 00  01 00 01 00 00 00 00 00
        00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00  08 00 0b 00 01 00 00 00
        """.replaceAll("\\s+", "");

    @Test
    void sameBytesAsIproute2() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        CatchAll.encodeInstall(w, 3, 2, false);
        ByteBuffer b = w.buffer();
        byte[] ours = new byte[w.length()];
        b.get(0, ours);
        ours[8] = ours[9] = ours[10] = ours[11] = 0; // nlmsg_seq
        assertEquals(IPROUTE2, HexFormat.of().formatHex(ours));
    }
}
