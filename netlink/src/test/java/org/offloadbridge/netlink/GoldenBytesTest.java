package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLA_F_NESTED;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.uapi.PktCls;
import org.offloadbridge.netlink.uapi.PktSched;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.netlink.uapi.TcMirred;

/**
 * Our encoders against the bytes iproute2 6.1 sent for the same requests, captured with
 * strace (src/test/resources/golden/*.txt; capture.sh there re-records them and each file
 * names its exact command). Whole messages are compared. Masked — zeroed on both sides —
 * are only fields that differ by run: nlmsg_seq (offset 8) always, and the ifindex fields
 * each test names, since iproute2 resolved device names to whatever index the capture
 * namespace assigned.
 */
class GoldenBytesTest {
    private static final int NLMSG_SEQ = 8;
    private static final int IFI_INDEX = NlMsgHdr.LENGTH + IfInfoMsg.INDEX;
    private static final int TCM_IFINDEX = NlMsgHdr.LENGTH + TcMsg.IFINDEX;

    static byte[] golden(String file) {
        try (InputStream in = GoldenBytesTest.class.getResourceAsStream("/golden/" + file)) {
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith(" | ")) {
                    // " | 00000  54 00 00 00 ...  ....ascii.... |": the hex columns sit between the offset and the ASCII column.
                    String cols = line.substring(10, Math.min(line.length(), 10 + 49));
                    hex.append(cols.replace(" ", ""));
                }
            }
            return HexFormat.of().parseHex(hex.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(NetlinkMessageWriter w) {
        byte[] b = new byte[w.length()];
        w.buffer().get(0, b);
        return b;
    }

    static void assertSameMessage(String file, NetlinkMessageWriter ours, int... maskedU32Offsets) {
        byte[] expected = golden(file);
        byte[] actual = bytes(ours);
        assertTrue(expected.length >= NlMsgHdr.LENGTH, file + ": no bytes captured");
        for (byte[] b : new byte[][] {expected, actual}) {
            mask(b, NLMSG_SEQ);
            for (int off : maskedU32Offsets) {
                mask(b, off);
            }
        }
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(actual), file);
    }

    private static void mask(byte[] b, int off) {
        for (int i = off; i < off + 4 && i < b.length; i++) {
            b[i] = 0;
        }
    }

    @Test
    void createVethPair() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        RtnlLinks.encodeCreateVeth(w, "v0", "v1", -1);
        assertSameMessage("link-add-veth.txt", w);
    }

    /** {@code ... peer name v3 netns NAME}: iproute2 opened /run/netns/NAME as some fd; masked at 0x50 (IFLA_NET_NS_FD's value). */
    @Test
    void createVethPairWithPeerInAnotherNamespace() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        RtnlLinks.encodeCreateVeth(w, "v2", "v3", 99);
        assertSameMessage("link-add-veth-peer-netns.txt", w, 0x50);
    }

    @Test
    void deleteLinkByIndex() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        RtnlLinks.encodeDelete(w, 3);
        assertSameMessage("link-del.txt", w, IFI_INDEX);
    }

    @Test
    void setLinkUp() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        RtnlLinks.encodeSetUp(w, 3, true);
        assertSameMessage("link-set-up.txt", w, IFI_INDEX);
    }

    @Test
    void setMtu() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        RtnlLinks.encodeSetMtu(w, 3, 1400);
        assertSameMessage("link-set-mtu.txt", w, IFI_INDEX);
    }

    @Test
    void setIpv6AddrGenModeNone() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        RtnlLinks.encodeSetIpv6AddrGenModeNone(w, 3);
        assertSameMessage("link-set-addrgenmode-none.txt", w, IFI_INDEX);
    }

    /** {@code ip link show dev v0} ends by fetching v0's peer (to print "v0@v1") by index. */
    @Test
    void getLinkByIndex() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        RtnlLinks.encodeGet(w, 2, null);
        assertSameMessage("link-get.txt", w, IFI_INDEX);
    }

    @Test
    void addClsactQdisc() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        w.beginMessage(Rtnetlink.RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        w.putTcMsg(0, 3, TcMsg.tcHMaj(PktSched.TC_H_CLSACT), PktSched.TC_H_CLSACT, 0);
        w.putString(Rtnetlink.TCA_KIND, "clsact");
        w.finish(0);
        assertSameMessage("qdisc-add-clsact.txt", w, TCM_IFINDEX);
    }

    /**
     * {@code tc filter add dev v0 ingress protocol ip prio 1 u32 match ip dst 10.0.0.1/32
     * action mirred egress redirect dev v1}: nested actions, an NLA_F_NESTED options
     * attribute and two raw structs (tc_mirred, tc_u32_sel + one tc_u32_key). Masked: the
     * tcmsg ifindex and tc_mirred.ifindex (offset 0x64).
     */
    @Test
    void addU32FilterWithMirredAction() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        w.beginMessage(Rtnetlink.RTM_NEWTFILTER, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        w.putTcMsg(0, 3, 0, TcMsg.tcHMake(PktSched.TC_H_CLSACT, PktSched.TC_H_MIN_INGRESS), TcMsg.filterInfo(1, 0x0800));
        w.putString(Rtnetlink.TCA_KIND, "u32");
        int opts = w.beginNested(Rtnetlink.TCA_OPTIONS);
        int acts = w.beginNested(PktCls.TCA_U32_ACT);
        int act1 = w.beginNested(1); // actions are numbered by their order, from 1
        w.putString(PktCls.TCA_ACT_KIND, "mirred");
        int actOpts = w.beginNested(PktCls.TCA_ACT_OPTIONS | NLA_F_NESTED);
        // struct tc_mirred { tc_gen (index, capab, action, refcnt, bindcnt); int eaction; __u32 ifindex; }
        int p = w.putStruct(TcMirred.TCA_MIRRED_PARMS, 28);
        w.buffer().putInt(p + 8, PktCls.TC_ACT_STOLEN);
        w.buffer().putInt(p + 20, TcMirred.TCA_EGRESS_REDIR);
        w.buffer().putInt(p + 24, 2);
        w.endNested(actOpts);
        w.endNested(act1);
        w.endNested(acts);
        // struct tc_u32_sel { u8 flags, offshift, nkeys, pad; be16 offmask; u16 off; s16 offoff, hoff; be32 hmask; } + tc_u32_key[nkeys]
        int s = w.putStruct(PktCls.TCA_U32_SEL, 16 + 16);
        w.buffer().put(s, (byte) PktCls.TC_U32_TERMINAL);
        w.buffer().put(s + 2, (byte) 1);
        // struct tc_u32_key { be32 mask, val; int off, offmask; }: IPv4 destination at offset 16
        w.buffer().putInt(s + 16, 0xffffffff);
        w.buffer().putInt(s + 20, Integer.reverseBytes(0x0a000001));
        w.buffer().putInt(s + 24, 16);
        w.endNested(opts);
        w.finish(0);
        assertSameMessage("filter-add-u32.txt", w, TCM_IFINDEX, 0x64);
    }
}
