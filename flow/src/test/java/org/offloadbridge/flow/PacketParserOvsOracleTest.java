package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Open vSwitch as the oracle for the packet parser: resources pcap/ovs-parse-pcap.txt.gz is
 * {@code ovs-ofctl parse-pcap} (OVS's own flow_extract) over every truncation, 14 bytes to
 * full length, of every frame in pcap/frames.pcap (made by pcap/truncations.py). For each one
 * our key must hold exactly the fields OVS extracted.
 */
class PacketParserOvsOracleTest {

    static final Field[] COMPARED = {
        Field.ETH_SRC, Field.ETH_DST, Field.ETH_TYPE, Field.NW_PROTO, Field.NW_FRAG,
        Field.VLAN0_VID, Field.VLAN0_PCP, Field.VLAN0_CFI, Field.VLAN1_VID, Field.VLAN1_PCP, Field.VLAN1_CFI,
        Field.IPV4_SRC, Field.IPV4_DST, Field.NW_TOS, Field.NW_TTL, Field.TP_SRC, Field.TP_DST, Field.TCP_FLAGS,
        Field.ICMP_TYPE, Field.ICMP_CODE, Field.ARP_OP, Field.IPV6_LABEL, Field.IPV6_SRC_HI, Field.IPV6_SRC_LO,
        Field.IPV6_DST_HI, Field.IPV6_DST_LO, Field.ARP_SPA, Field.ARP_TPA, Field.ARP_SHA, Field.ARP_THA,
        Field.ND_TARGET_HI, Field.ND_TARGET_LO, Field.ND_SLL, Field.ND_TLL,
    };

    static List<String> oracle(String resource) throws IOException {
        List<String> ovs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                PacketParserOvsOracleTest.class.getResourceAsStream(resource)), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("#")) {
                    ovs.add(line);
                }
            }
        }
        return ovs;
    }

    /** Malformed headers (bytes replaced, some truncated; pcap/mutations.py): OVS and we agree on every field. */
    @Test
    void mutatedFramesMatchOpenVswitch() throws Exception {
        List<String> ovs = oracle("/pcap/ovs-parse-mutated.txt.gz");
        List<byte[]> frames = Pcap.read("/pcap/mutated.pcap.gz");
        assertEquals(ovs.size(), frames.size());
        FlowKey ours = new FlowKey();
        FlowKey want = new FlowKey();
        List<String> mismatches = new ArrayList<>();
        int[] statuses = new int[ParseStatus.COUNT];
        for (int i = 0; i < frames.size(); i++) {
            int status = PacketParser.parse(frames.get(i), 0, ours);
            statuses[status]++;
            fromOvs(ovs.get(i), want);
            for (Field fld : COMPARED) {
                if (ours.get(fld) != want.get(fld)) {
                    mismatches.add("mutated " + i + " (" + ParseStatus.name(status) + "): " + fld + " ours=0x" + Long.toHexString(ours.get(fld))
                            + " ovs=0x" + Long.toHexString(want.get(fld)) + "  ovs: " + ovs.get(i) + "  frame: " + java.util.HexFormat.of().formatHex(frames.get(i)));
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches, first ones:\n"
                + String.join("\n", mismatches.subList(0, Math.min(15, mismatches.size()))));
        assertTrue(frames.size() - statuses[ParseStatus.OK] > 100, "the mutations must produce malformed packets");
    }

    @Test
    void everyTruncationMatchesOpenVswitch() throws Exception {
        List<String> ovs = oracle("/pcap/ovs-parse-pcap.txt.gz");
        FlowKey ours = new FlowKey();
        FlowKey want = new FlowKey();
        int i = 0;
        List<String> mismatches = new ArrayList<>();
        for (int f = 0; f < PacketParserTest.frames.size(); f++) {
            byte[] frame = PacketParserTest.frames.get(f);
            for (int n = 14; n <= frame.length; n++, i++) {
                int status = PacketParser.parse(MemorySegment.ofArray(frame), 0, n, 0, ours);
                fromOvs(ovs.get(i), want);
                for (Field fld : COMPARED) {
                    if (ours.get(fld) != want.get(fld)) {
                        mismatches.add("frame " + f + " len " + n + "/" + frame.length + " (" + ParseStatus.name(status) + "): "
                                + fld + " ours=0x" + Long.toHexString(ours.get(fld)) + " ovs=0x" + Long.toHexString(want.get(fld))
                                + "  ovs: " + ovs.get(i));
                    }
                }
            }
        }
        assertEquals(ovs.size(), i, "oracle and corpus disagree on the number of truncations");
        assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches, first ones:\n"
                + String.join("\n", mismatches.subList(0, Math.min(15, mismatches.size()))));
    }

    /** An ovs-ofctl flow string → our fields (only those OVS prints; the rest zero). */
    static void fromOvs(String line, FlowKey k) throws Exception {
        k.clear();
        String[] parts = line.split(",");
        switch (parts[0]) {
            case "ip" -> k.set(Field.ETH_TYPE, 0x0800);
            case "ipv6" -> k.set(Field.ETH_TYPE, 0x86dd);
            case "arp" -> k.set(Field.ETH_TYPE, 0x0806);
            case "rarp" -> k.set(Field.ETH_TYPE, 0x8035);
            case "tcp", "udp", "icmp", "sctp" -> {
                k.set(Field.ETH_TYPE, 0x0800);
                k.set(Field.NW_PROTO, proto(parts[0]));
            }
            case "tcp6", "udp6", "icmp6", "sctp6" -> {
                k.set(Field.ETH_TYPE, 0x86dd);
                k.set(Field.NW_PROTO, parts[0].equals("icmp6") ? 58 : proto(parts[0].substring(0, parts[0].length() - 1)));
            }
            default -> { }
        }
        long tos = 0;
        for (String p : parts) {
            int eq = p.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String n = p.substring(0, eq);
            String v = p.substring(eq + 1);
            switch (n) {
                case "in_port" -> { }
                case "dl_src" -> k.set(Field.ETH_SRC, mac(v));
                case "dl_dst" -> k.set(Field.ETH_DST, mac(v));
                case "dl_type" -> k.set(Field.ETH_TYPE, Long.decode(v));
                case "vlan_tci" -> tci(k, 0, Long.decode(v));
                case "vlan_tci1" -> tci(k, 1, Long.decode(v));
                case "dl_vlan" -> { k.set(Field.VLAN0_VID, Long.parseLong(v)); k.set(Field.VLAN0_CFI, 1); }
                case "dl_vlan_pcp" -> { k.set(Field.VLAN0_PCP, Long.parseLong(v)); k.set(Field.VLAN0_CFI, 1); }
                case "dl_vlan1" -> { k.set(Field.VLAN1_VID, Long.parseLong(v)); k.set(Field.VLAN1_CFI, 1); }
                case "dl_vlan_pcp1" -> { k.set(Field.VLAN1_PCP, Long.parseLong(v)); k.set(Field.VLAN1_CFI, 1); }
                case "nw_src" -> k.set(Field.IPV4_SRC, ipv4(v));
                case "nw_dst" -> k.set(Field.IPV4_DST, ipv4(v));
                case "ipv6_src" -> ipv6(k, Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, v);
                case "ipv6_dst" -> ipv6(k, Field.IPV6_DST_HI, Field.IPV6_DST_LO, v);
                case "nd_target" -> ipv6(k, Field.ND_TARGET_HI, Field.ND_TARGET_LO, v);
                case "ipv6_label" -> k.set(Field.IPV6_LABEL, Long.decode(v));
                case "nw_proto" -> k.set(Field.NW_PROTO, Long.parseLong(v));
                case "nw_tos" -> tos |= Long.parseLong(v);
                case "nw_ecn" -> tos |= Long.parseLong(v);
                case "nw_ttl" -> k.set(Field.NW_TTL, Long.parseLong(v));
                case "nw_frag" -> k.set(Field.NW_FRAG, switch (v) {
                    case "no" -> FlowKey.FRAG_NO;
                    case "first" -> FlowKey.FRAG_FIRST;
                    case "later" -> FlowKey.FRAG_LATER_FRAGMENT;
                    default -> throw new IllegalArgumentException("nw_frag=" + v);
                });
                case "tp_src" -> k.set(Field.TP_SRC, Long.parseLong(v));
                case "tp_dst" -> k.set(Field.TP_DST, Long.parseLong(v));
                case "tcp_flags" -> k.set(Field.TCP_FLAGS, tcpFlags(v));
                case "icmp_type" -> k.set(Field.ICMP_TYPE, Long.parseLong(v));
                case "icmp_code" -> k.set(Field.ICMP_CODE, Long.parseLong(v));
                case "arp_op" -> k.set(Field.ARP_OP, Long.parseLong(v));
                case "arp_spa" -> k.set(Field.ARP_SPA, ipv4(v));
                case "arp_tpa" -> k.set(Field.ARP_TPA, ipv4(v));
                case "arp_sha" -> k.set(Field.ARP_SHA, mac(v));
                case "arp_tha" -> k.set(Field.ARP_THA, mac(v));
                case "nd_sll" -> k.set(Field.ND_SLL, mac(v));
                case "nd_tll" -> k.set(Field.ND_TLL, mac(v));
                default -> throw new IllegalArgumentException("oracle field " + n + " not mapped: " + line);
            }
        }
        k.set(Field.NW_TOS, tos);
    }

    static int proto(String name) {
        return switch (name) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "icmp6" -> 58;
            case "sctp" -> 132;
            default -> throw new IllegalArgumentException(name);
        };
    }

    static void tci(FlowKey k, int tag, long tci) {
        if ((tci & 0x1000) != 0) {
            k.set(tag == 0 ? Field.VLAN0_VID : Field.VLAN1_VID, tci & 0xfff);
            k.set(tag == 0 ? Field.VLAN0_PCP : Field.VLAN1_PCP, tci >>> 13);
            k.set(tag == 0 ? Field.VLAN0_CFI : Field.VLAN1_CFI, 1);
        }
    }

    static long tcpFlags(String v) {
        long f = 0;
        if (v.equals("0")) {
            return 0;
        }
        for (String n : v.split("\\|")) {
            int bit = List.of(ValueFormat.TCP_FLAG_NAMES).indexOf(n);
            if (bit < 0) {
                throw new IllegalArgumentException("tcp flag " + n);
            }
            f |= 1L << bit;
        }
        return f;
    }

    static long mac(String v) { return Long.parseLong(v.replace(":", ""), 16); }

    static long ipv4(String v) throws Exception {
        return ByteBuffer.wrap(InetAddress.getByName(v).getAddress()).getInt() & 0xffffffffL;
    }

    static void ipv6(FlowKey k, Field hi, Field lo, String v) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(InetAddress.getByName(v).getAddress());
        k.set(hi, b.getLong(0));
        k.set(lo, b.getLong(8));
    }
}
