package org.offloadbridge.tc.internal;

import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.Ufid;

/**
 * Test helper: builds megaflows field by field (exact or masked), the way a translation would.
 * The L2/metadata part is in the canonical (datapath baseline) form the decoder gives back:
 * {@code recirc_id(0)} and in_port exact, "no tag" as vlan0 tpid and cfi exact 0, and a single
 * tag with a known inner ethertype as "no second tag" (vlan1 tpid and cfi exact 0). nw_frag is
 * left to each case: adding it would add ip_flags to the golden filters.
 */
public final class Flows {
    /** The cookie the golden captures carry: {@code cookie 00112233445566778899aabbccddeeff}. */
    public static final Ufid GOLDEN_UFID = Ufid.fromCookieBytes(new byte[] {
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xaa, (byte) 0xbb, (byte) 0xcc, (byte) 0xdd, (byte) 0xee, (byte) 0xff});

    private final FlowKey key = new FlowKey();
    private final FlowMask mask = new FlowMask();
    private Actions actions = Actions.DROP;
    private Ufid ufid;

    private Flows(int inPort) {
        exact(Field.IN_PORT, inPort);
        exact(Field.RECIRC_ID, 0);
    }

    public static Flows on(int inPort) {
        return new Flows(inPort);
    }

    public Flows exact(Field f, long value) {
        key.set(f, value);
        mask.setExact(f);
        return this;
    }

    public Flows masked(Field f, long value, long m) {
        key.set(f, value & m);
        mask.unwildcard(f, m);
        return this;
    }

    public Flows eth(int ethType) {
        return exact(Field.ETH_TYPE, ethType).exact(Field.VLAN0_CFI, 0).exact(Field.VLAN0_TPID, 0);
    }

    public Flows ipv4(int proto) {
        return eth(0x0800).exact(Field.NW_PROTO, proto);
    }

    public Flows ipv6(int proto) {
        return eth(0x86dd).exact(Field.NW_PROTO, proto);
    }

    /** Outer tag present with this vid (and tpid 0x8100 unless given), inner ethertype {@code ethType}. */
    public Flows vlan(int tpid, int vid, int ethType) {
        exact(Field.VLAN0_CFI, 1).exact(Field.VLAN0_TPID, tpid);
        if (vid >= 0) {
            exact(Field.VLAN0_VID, vid);
        }
        // A known inner ethertype also says "no second tag" (QinQ cases then set tag 1 over it).
        return ethType >= 0 ? exact(Field.ETH_TYPE, ethType).exact(Field.VLAN1_CFI, 0).exact(Field.VLAN1_TPID, 0) : this;
    }

    public Flows ipv6Src(long hi, long lo, int prefix) {
        key.set(Field.IPV6_SRC_HI, hi);
        key.set(Field.IPV6_SRC_LO, lo);
        mask.setPrefix128(Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, prefix);
        return this;
    }

    public Flows ipv6Dst(long hi, long lo, int prefix) {
        key.set(Field.IPV6_DST_HI, hi);
        key.set(Field.IPV6_DST_LO, lo);
        mask.setPrefix128(Field.IPV6_DST_HI, Field.IPV6_DST_LO, prefix);
        return this;
    }

    public Flows prefix(Field f, long value, int len) {
        return masked(f, value, FlowMask.prefixBits(f.width(), len));
    }

    public Flows actions(Actions a) {
        this.actions = a;
        return this;
    }

    public Flows ufid(Ufid u) {
        this.ufid = u;
        return this;
    }

    public Megaflow build() {
        return ufid == null ? Megaflow.of(key, mask, actions) : new Megaflow(key, mask, actions, ufid);
    }

    public static long mac(String s) {
        return Long.parseLong(s.replace(":", ""), 16);
    }

    public static long ip(String dotted) {
        String[] p = dotted.split("\\.");
        return (Long.parseLong(p[0]) << 24) | (Long.parseLong(p[1]) << 16) | (Long.parseLong(p[2]) << 8) | Long.parseLong(p[3]);
    }

    /** An IPv6 address as {hi, lo}. */
    public static long[] ip6(String text) {
        try {
            byte[] b = java.net.InetAddress.getByName(text).getAddress();
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = hi << 8 | (b[i] & 0xff);
                lo = lo << 8 | (b[8 + i] & 0xff);
            }
            return new long[] {hi, lo};
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
