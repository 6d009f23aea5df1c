package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Action;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.PacketParser;

/**
 * End to end with the real packet parser: wire bytes → flow key → translation. Frames that
 * differ only in bits the megaflow wildcards land in the same megaflow and get its actions.
 */
class ParsedFrameTranslationTest {
    static final PortTable PORTS = PortTable.of(new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12), new BridgePort("p3", 3, 13));

    /** Ethernet (optionally 802.1Q) + IPv4 (no options) + TCP header, checksums left zero. */
    static byte[] tcpFrame(int vlan, int src, int dst, int sport, int dport, int ttl) {
        ByteBuffer b = ByteBuffer.allocate(vlan >= 0 ? 58 : 54);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1});
        if (vlan >= 0) {
            b.putShort((short) 0x8100).putShort((short) vlan);
        }
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) ttl).put((byte) 6).putShort((short) 0).putInt(src).putInt(dst);
        b.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02)
                .putShort((short) 1024).putShort((short) 0).putShort((short) 0);
        return b.array();
    }

    static FlowKey parse(byte[] frame, int dpPort) {
        FlowKey k = new FlowKey();
        PacketParser.parse(frame, dpPort, k);
        return k;
    }

    @Test
    void parsedFramesTranslateAndShareTheirMegaflow() throws Exception {
        Pipeline p = new Pipeline(PORTS, () -> 0, 300_000, 0);
        p.loadRulesFile("""
                priority=100,tcp,tp_dst=22,actions=drop
                priority=50,ip,nw_dst=10.0.1.0/24,actions=dec_ttl,output:p2
                priority=50,dl_vlan=7,actions=strip_vlan,output:p3
                priority=0,actions=drop
                """);
        FlowKey a = parse(tcpFrame(-1, 0x0a000001, 0x0a000105, 40000, 443, 64), 11);
        Translation t = p.translate(a);
        List<Action> acts = t.actions().toList();
        assertEquals(2, acts.size(), acts.toString());
        assertEquals(new Action.Output(12), acts.get(1));
        assertTrue(t.megaflow().matches(a));

        // Another source, source port and destination host in the same /24: same megaflow.
        FlowKey b = parse(tcpFrame(-1, 0x0a0000fe, 0x0a0001c8, 51515, 443, 64), 11);
        assertTrue(t.megaflow().matches(b), "the megaflow covers the class: " + t.mask());
        assertEquals(t.actions(), p.translate(b).actions());

        // ssh is dropped by the higher-priority ACL; its own megaflow pins tp_dst.
        FlowKey ssh = parse(tcpFrame(-1, 0x0a000001, 0x0a000105, 40000, 22, 64), 11);
        assertTrue(!t.megaflow().matches(ssh), "tp_dst is part of the web megaflow's mask");
        assertTrue(p.translate(ssh).actions().isDrop());

        // A tagged frame on VLAN 7 (to a non-routed address) is stripped and sent to p3.
        FlowKey tagged = parse(tcpFrame(7, 0x0a000001, 0x0b000001, 1, 80, 64), 11);
        assertEquals(List.of(new Action.PopVlan(), new Action.Output(13)), p.translate(tagged).actions().toList());
    }
}
