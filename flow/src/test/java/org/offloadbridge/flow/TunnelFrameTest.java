package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The tunnel slow path's frame layout, byte for byte as the programs write and read it (the
 * programs themselves are checked against the kernel in TunnelSlowPathHostTest).
 */
class TunnelFrameTest {

    /** A miss header as the miss program leaves it: fixed part, then struct bpf_tunnel_key in host order. */
    private static ByteBuffer missFrame(boolean v6) {
        ByteBuffer b = ByteBuffer.allocate(TunnelFrame.MISS_HEADER_LEN + 14).order(ByteOrder.nativeOrder());
        b.put(0, TunnelFrame.missHeaderFixed());
        if (v6) {
            b.put(TunnelFrame.MISS_FLAGS, (byte) TunnelFrame.FLAG_IPV6);
            b.put(TunnelFrame.MISS_KEY + TunnelFrame.KEY_REMOTE, HexFormat.of().parseHex("fd000000000000000000000000000002"));
            b.put(TunnelFrame.MISS_KEY + TunnelFrame.KEY_LOCAL, HexFormat.of().parseHex("fd000000000000000000000000000001"));
        } else {
            b.putInt(TunnelFrame.MISS_KEY + TunnelFrame.KEY_REMOTE, 0x0a140002);
            b.putInt(TunnelFrame.MISS_KEY + TunnelFrame.KEY_LOCAL, 0x0a140001);
        }
        b.putInt(TunnelFrame.MISS_KEY + TunnelFrame.KEY_TUNNEL_ID, 0xabcdef);
        b.put(TunnelFrame.MISS_KEY + TunnelFrame.KEY_TOS, (byte) 0x28);
        b.put(TunnelFrame.MISS_KEY + TunnelFrame.KEY_TTL, (byte) 63);
        return b;
    }

    private static String tunnelText(FlowKey k) {
        FlowMask m = new FlowMask();
        for (Field f : new Field[] {Field.TUN_ID, Field.TUN_IPV4_SRC, Field.TUN_IPV4_DST, Field.TUN_TOS, Field.TUN_TTL, Field.TUN_TP_DST,
            Field.TUN_FLAGS}) {
            m.setExact(f);
        }
        StringBuilder sb = new StringBuilder();
        MatchFormat.appendTunnel(sb, k, m, false, null);
        return sb.toString();
    }

    @Test
    void theMissHeaderLooksLikeAnEthernetFrameOfTheLocalExperimentalType() {
        assertEquals("026f62746e6c020000000000" + "88b5" + "0100", HexFormat.of().formatHex(TunnelFrame.missHeaderFixed()),
            "dst 02:6f:62:74:6e:6c (\"ob tnl\"), src 02:00:00:00:00:00, ethertype 0x88b5, version 1, flags 0");
    }

    @Test
    void anIpv4MissHeaderFillsTheKeysTunnelFields() {
        FlowKey k = new FlowKey();
        ByteBuffer b = missFrame(false);
        assertTrue(TunnelFrame.readMissHeader(b, 0, b.capacity(), 4789, k));
        assertEquals(0xabcdef, k.get(Field.TUN_ID));
        assertEquals(0x0a140002L, k.get(Field.TUN_IPV4_SRC), "the remote is the outer source");
        assertEquals(0x0a140001L, k.get(Field.TUN_IPV4_DST), "we are the outer destination");
        assertEquals(0x28, k.get(Field.TUN_TOS));
        assertEquals(63, k.get(Field.TUN_TTL));
        assertEquals(4789, k.get(Field.TUN_TP_DST));
        assertEquals(FlowKey.TUN_F_KEY, k.get(Field.TUN_FLAGS));
        assertTrue(k.hasAttr(KeyAttr.TUNNEL));
        assertEquals("tun_id=0xabcdef,src=10.20.0.2,dst=10.20.0.1,tos=0x28,ttl=63,tp_dst=4789,flags(key),",
            tunnelText(k), "inside tunnel(...), as OVS prints an exact tunnel match");
    }

    @Test
    void anIpv6MissHeaderFillsTheIpv6Fields() {
        FlowKey k = new FlowKey();
        ByteBuffer b = missFrame(true);
        assertTrue(TunnelFrame.readMissHeader(b, 0, b.capacity(), 4789, k));
        assertEquals(0xfd00000000000000L, k.get(Field.TUN_IPV6_SRC_HI));
        assertEquals(2L, k.get(Field.TUN_IPV6_SRC_LO));
        assertEquals(1L, k.get(Field.TUN_IPV6_DST_LO));
        assertEquals(0L, k.get(Field.TUN_IPV4_SRC));
    }

    @Test
    void somethingElseIsNoMissHeaderAndLeavesTheKeyAlone() {
        FlowKey k = new FlowKey();
        ByteBuffer b = missFrame(false);
        assertFalse(TunnelFrame.readMissHeader(b, 0, TunnelFrame.MISS_HEADER_LEN + 13, 4789, k), "too short for an inner frame");
        b.put(13, (byte) 0xb6);
        assertFalse(TunnelFrame.readMissHeader(b, 0, b.capacity(), 4789, k), "another ethertype");
        b.put(13, (byte) 0xb5).put(TunnelFrame.MISS_VERSION, (byte) 2);
        assertFalse(TunnelFrame.readMissHeader(b, 0, b.capacity(), 4789, k), "another version");
        assertEquals(new FlowKey(), k);
    }

    @Test
    void theInjectTrailerCarriesWhatBpfSkbSetTunnelKeyWants() {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.put(0, new byte[100]);
        for (int i = 0; i < 100; i++) {
            b.put(i, (byte) 0xee); // stale bytes: the trailer must overwrite all of its 64
        }
        TunnelFrame.writeInjectTrailer(b, 20, 42, 0x0a140002, 0x0a140001, 0, 64, FlowKey.TUN_F_DONT_FRAGMENT);
        ByteBuffer t = b.slice(20, 64).order(ByteOrder.nativeOrder());
        assertArrayEquals("OBTI".getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[] {t.get(0), t.get(1), t.get(2), t.get(3)});
        assertEquals(TunnelFrame.BPF_F_ZERO_CSUM_TX | TunnelFrame.BPF_F_DONT_FRAGMENT, t.getInt(TunnelFrame.INJECT_FLAGS));
        assertEquals(42, t.getInt(TunnelFrame.INJECT_KEY + TunnelFrame.KEY_TUNNEL_ID));
        assertEquals(0x0a140002, t.getInt(TunnelFrame.INJECT_KEY + TunnelFrame.KEY_REMOTE), "remote: the outer destination");
        assertEquals(64, t.get(TunnelFrame.INJECT_KEY + TunnelFrame.KEY_TTL));
        assertEquals(0x0a140001, t.getInt(TunnelFrame.INJECT_KEY + TunnelFrame.KEY_LOCAL), "local: the outer source");
        for (int i = TunnelFrame.INJECT_KEY + TunnelFrame.KEY_LEN; i < 64; i++) {
            assertEquals(0, t.get(i), "reserved byte " + i);
        }
        assertEquals((byte) 0xee, b.get(19), "nothing written before the trailer");
        assertEquals((byte) 0xee, b.get(84), "nothing written after it");
        TunnelFrame.writeInjectTrailer(b, 20, 42, 0x0a140002, 0, 0, 64, FlowKey.TUN_F_CSUM);
        assertEquals(0, t.getInt(TunnelFrame.INJECT_FLAGS), "a checksum asked: no zero-csum flag");
    }

    @Test
    void anIpv6InjectTrailerSaysSoAndCarriesTheAddressesAsOnTheWire() {
        java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(new byte[64]);
        TunnelFrame.writeInjectTrailerIpv6(seg, 0, 42, 0xfd00002000000000L, 2, 0xfd00002000000000L, 1, 0, 64, FlowKey.TUN_F_CSUM);
        ByteBuffer t = ByteBuffer.wrap(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).order(ByteOrder.nativeOrder());
        assertEquals(TunnelFrame.BPF_F_TUNINFO_IPV6, t.getInt(TunnelFrame.INJECT_FLAGS), "IPv6, checksum on");
        assertEquals("fd000020000000000000000000000002",
            HexFormat.of().formatHex(t.array(), TunnelFrame.INJECT_KEY + TunnelFrame.KEY_REMOTE, TunnelFrame.INJECT_KEY + TunnelFrame.KEY_REMOTE + 16));
        assertEquals("fd000020000000000000000000000001",
            HexFormat.of().formatHex(t.array(), TunnelFrame.INJECT_KEY + TunnelFrame.KEY_LOCAL, TunnelFrame.INJECT_KEY + TunnelFrame.KEY_LOCAL + 16));
        assertEquals(42, t.getInt(TunnelFrame.INJECT_KEY + TunnelFrame.KEY_TUNNEL_ID));
    }
}
