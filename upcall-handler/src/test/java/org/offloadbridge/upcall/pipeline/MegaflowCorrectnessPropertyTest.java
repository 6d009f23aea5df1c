package org.offloadbridge.upcall.pipeline;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Tunnel;
import org.offloadbridge.testkit.Cases;

/**
 * The megaflow correctness property, randomized: for random rule sets and random packets P,
 * translate P to a megaflow M; then packets Q that agree with P on M's mask (P with every
 * wildcarded bit re-drawn) must translate to M's actions.
 *
 * <p>Values come from small pools shared by rules and packets, so lookups hit, tie and
 * overlap often; wildcarded bits of Q are re-drawn from the pools, from random bits, or by
 * flipping one bit, so a mask that is one bit too wide is likely to be caught. One case is one
 * rule set with its packets ({@link Cases}): a failure prints the rules, P, Q and both
 * translations, and {@code -Dob.seed=S -Dob.case=I} replays it.
 */
class MegaflowCorrectnessPropertyTest {
    static final int RULE_SETS = 300;
    static final int PACKETS_PER_SET = 25;
    static final int QS_PER_PACKET = 12;

    static final PortTable PORTS = PortTable.of(
            new BridgePort("p1", 1, 11), new BridgePort("p2", 2, 12), new BridgePort("p3", 3, 13), new BridgePort("p4", 4, 14),
            new BridgePort("vx0", 10, 20, Tunnel.vxlan(0xc0a80001, 0xc0a80002)));
    static final int[] DP_PORTS = {11, 12, 13, 14, 20};
    static final String[] PORT_NAMES = {"p1", "p2", "p3", "p4", "vx0"};
    static final long[] MACS = {0x020000000001L, 0x020000000002L, 0x020000000003L, 0xffffffffffffL, 0x010000000001L};
    static final String[] MAC_TEXT = {"02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03", "ff:ff:ff:ff:ff:ff", "01:00:00:00:00:01"};
    static final long[] IPS = {0x0a000001L, 0x0a000002L, 0x0a000101L, 0x0a010001L, 0xc0a80001L, 0x0a0000feL};
    static final int[] TP = {22, 80, 443, 53, 8080};
    static final int[] VIDS = {10, 20};

    /** One rule set and the generator its packets come from. */
    record RuleSetCase(List<String> rules, SplittableRandom packets) {
    }

    static RuleSetCase ruleSet(SplittableRandom rnd) {
        List<String> ruleText = new ArrayList<>();
        int n = 1 + rnd.nextInt(rnd.nextInt(3) == 0 ? 40 : 10);
        for (int i = 0; i < n; i++) {
            ruleText.add(randomRule(rnd));
        }
        return new RuleSetCase(ruleText, rnd.split());
    }

    @Test
    void everyPacketMatchingAMegaflowTranslatesToItsActions() {
        long[] cases = {0};
        Cases.check(RULE_SETS, List.of(), MegaflowCorrectnessPropertyTest::ruleSet,
                c -> "rules:\n  " + String.join("\n  ", c.rules()), c -> cases[0] += checkRuleSet(c));
        System.out.println("megaflow property: " + cases[0] + " packet pairs checked, seed " + String.format("0x%016x", Cases.SEED));
    }

    /**
     * The upcall path translates into one {@link Translation} per batch slot, again and again:
     * whatever it held before (another packet, another rule set, an error, a controller action),
     * the result must be exactly a fresh translation's — key, mask, actions, rules hit,
     * offload, error, sequence number.
     */
    @Test
    void aTranslationReusedAcrossPacketsAndRuleSetsIsAFreshOne() {
        Translation reused = new Translation();
        long[] checked = {0};
        Cases.check(RULE_SETS, List.of(), MegaflowCorrectnessPropertyTest::ruleSet,
                c -> "rules:\n  " + String.join("\n  ", c.rules()), c -> {
            Pipeline p = new Pipeline(PORTS, () -> 1_000, 300_000, 0);
            try {
                p.loadRulesFile(String.join("\n", c.rules()));
            } catch (RuleSyntaxException e) {
                fail("generator produced a bad rule: " + e.getMessage());
            }
            SplittableRandom rnd = c.packets();
            for (int pk = 0; pk < PACKETS_PER_SET; pk++) {
                FlowKey packet = randomPacket(rnd);
                p.translate(packet); // learn, as a handler would, so later packets see MACs
                Translation fresh = p.translate(packet, false);
                Translation again = p.translate(packet, false, reused);
                checked[0]++;
                if (again != reused || !again.key().equals(fresh.key()) || !again.mask().equals(fresh.mask())
                        || !again.actions().equals(fresh.actions()) || !again.rulesHit().equals(fresh.rulesHit())
                        || !again.sameRules(fresh.rulesHit()) || again.ruleCount() != fresh.rulesHit().size()
                        || again.offload() != fresh.offload() || !java.util.Objects.equals(again.error(), fresh.error())
                        || again.seq() != fresh.seq() || !again.ufid().equals(fresh.megaflow().ufid())
                        || !again.megaflow().equals(fresh.megaflow())) {
                    fail("a reused translation differs from a fresh one\nP: " + packet + "\nfresh  " + fresh + "\nreused " + again);
                }
            }
        });
        System.out.println("reused translations: " + checked[0] + " compared with fresh ones");
    }

    long checkRuleSet(RuleSetCase c) {
        List<String> ruleText = c.rules();
        SplittableRandom rnd = c.packets();
        long cases = 0;
        long[] clock = {1_000};
        Pipeline p = new Pipeline(PORTS, () -> clock[0], 300_000, 0);
        try {
            p.loadRulesFile(String.join("\n", ruleText));
        } catch (RuleSyntaxException e) {
            fail("generator produced a bad rule: " + e.getMessage());
        }
        for (int pk = 0; pk < PACKETS_PER_SET; pk++) {
            FlowKey packet = randomPacket(rnd);
            Translation m = p.translate(packet);
            if (m.seq() != p.seq()) {
                // The translation learned a MAC: like a revalidator, translate again on the new state.
                m = p.translate(packet);
            }
            String bad = installable(packet, m.mask());
            if (bad != null) {
                fail("megaflow mask not installable: " + bad + "\nP: " + packet + "\nM: mask " + m.mask());
            }
            for (int q = 0; q < QS_PER_PACKET; q++) {
                FlowKey other = redrawWildcarded(rnd, packet, m.mask());
                Translation t = p.translate(other);
                cases++;
                if (!t.actions().equals(m.actions()) || !java.util.Objects.equals(t.error(), m.error())
                        || t.offload() != m.offload()) {
                    fail("megaflow not correct"
                            + "\nP: " + packet + "\nM: mask " + m.mask() + "\n   actions " + m.actions() + " error " + m.error()
                            + " offload " + m.offload()
                            + "\nQ: " + other + "\n   actions " + t.actions() + " error " + t.error() + " offload " + t.offload());
                }
            }
        }
        return cases;
    }

    /**
     * A datapath (and tc flower) can only match a protocol's fields under that protocol's
     * ethertype / IP protocol: the mask must never pin, say, IPv4 addresses of an ARP packet or
     * TCP ports of a UDP packet. Returns what is wrong, or null.
     */
    static String installable(FlowKey p, FlowMask m) {
        int eth = (int) p.get(Field.ETH_TYPE);
        int proto = (int) p.get(Field.NW_PROTO);
        boolean ip4 = eth == 0x0800;
        boolean ip6 = eth == 0x86dd;
        if (!m.isExact(Field.ETH_TYPE) || !m.isExact(Field.IN_PORT)) {
            return "eth_type and in_port must always be exact";
        }
        if (!ip4 && !(m.isWildcard(Field.IPV4_SRC) && m.isWildcard(Field.IPV4_DST))) {
            return "IPv4 addresses pinned on a non-IPv4 packet";
        }
        if (!ip6 && !(m.isWildcard(Field.IPV6_SRC_HI) && m.isWildcard(Field.IPV6_SRC_LO) && m.isWildcard(Field.IPV6_DST_HI)
                && m.isWildcard(Field.IPV6_DST_LO) && m.isWildcard(Field.IPV6_LABEL))) {
            return "IPv6 fields pinned on a non-IPv6 packet";
        }
        if (eth != 0x0806 && !(m.isWildcard(Field.ARP_OP) && m.isWildcard(Field.ARP_SPA) && m.isWildcard(Field.ARP_TPA)
                && m.isWildcard(Field.ARP_SHA) && m.isWildcard(Field.ARP_THA))) {
            return "ARP fields pinned on a non-ARP packet";
        }
        if (!ip4 && !ip6 && !(m.isWildcard(Field.NW_PROTO) && m.isWildcard(Field.NW_TTL) && m.isWildcard(Field.NW_TOS)
                && m.isWildcard(Field.NW_FRAG))) {
            return "IP fields pinned on a non-IP packet";
        }
        boolean l4 = (ip4 || ip6) && (proto == 6 || proto == 17 || proto == 132);
        if (!l4 && !(m.isWildcard(Field.TP_SRC) && m.isWildcard(Field.TP_DST))) {
            return "L4 ports pinned on a packet without TCP/UDP/SCTP";
        }
        if (!(m.isWildcard(Field.TP_SRC) && m.isWildcard(Field.TP_DST) && m.isWildcard(Field.TCP_FLAGS)) && !m.isExact(Field.NW_PROTO)) {
            return "L4 fields pinned without an exact nw_proto";
        }
        if (proto != 6 && !m.isWildcard(Field.TCP_FLAGS)) {
            return "tcp_flags pinned on a non-TCP packet";
        }
        return null;
    }

    // ---- rules ----

    static <T> T pick(SplittableRandom r, T[] a) {
        return a[r.nextInt(a.length)];
    }

    static String randomRule(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int table = r.nextInt(3);
        sb.append("table=").append(table).append(",priority=").append(r.nextInt(4) * 100);
        if (r.nextInt(4) == 0) {
            sb.append(",offload=").append(pick(r, new String[] {"required", "preferred", "never"}));
        }
        if (r.nextInt(3) == 0) {
            sb.append(",in_port=").append(pick(r, PORT_NAMES));
        }
        if (r.nextInt(3) == 0) {
            sb.append(",dl_dst=").append(mac(r));
        }
        if (r.nextInt(5) == 0) {
            sb.append(",dl_src=").append(mac(r));
        }
        if (r.nextInt(5) == 0) {
            sb.append(r.nextBoolean() ? ",dl_vlan=" + VIDS[r.nextInt(2)] : r.nextBoolean() ? ",dl_vlan=0xffff" : ",vlan_tci=0x1000/0x1000");
        }
        int l3 = r.nextInt(6); // 0,1 none; 2,3 ipv4; 4 ipv6; 5 arp
        String proto = null;
        boolean ip4 = l3 == 2 || l3 == 3;
        boolean ip6 = l3 == 4;
        if (ip4) {
            proto = pick(r, new String[] {null, "tcp", "udp", "icmp", "sctp"});
            sb.append(',').append(proto == null ? "ip" : proto);
            if (r.nextInt(2) == 0) {
                sb.append(",nw_dst=").append(ipv4(r));
            }
            if (r.nextInt(3) == 0) {
                sb.append(",nw_src=").append(ipv4(r));
            }
            if (r.nextInt(6) == 0) {
                sb.append(",nw_ttl=").append(r.nextBoolean() ? 64 : 1);
            }
            if (r.nextInt(8) == 0) {
                sb.append(",nw_tos=").append(r.nextBoolean() ? 0 : 0x20);
            }
            if (r.nextInt(8) == 0) {
                sb.append(",nw_frag=").append(pick(r, new String[] {"no", "yes", "first", "later", "not_later"}));
            }
        } else if (ip6) {
            proto = pick(r, new String[] {null, "tcp6", "udp6", "icmp6"});
            sb.append(',').append(proto == null ? "ipv6" : proto);
            if (r.nextBoolean()) {
                sb.append(",ipv6_dst=2001:db8:").append(r.nextInt(3)).append("::").append(r.nextInt(3)).append('/')
                        .append(pick(r, new Integer[] {32, 48, 64, 128}));
            }
        } else if (l3 == 5) {
            sb.append(",arp");
            if (r.nextBoolean()) {
                sb.append(",arp_tpa=").append(ipv4(r));
            }
            if (r.nextInt(3) == 0) {
                sb.append(",arp_op=").append(1 + r.nextInt(2));
            }
        }
        if (proto != null && (proto.startsWith("tcp") || proto.startsWith("udp") || proto.equals("sctp"))) {
            if (r.nextInt(3) != 0) {
                sb.append(",tp_dst=").append(TP[r.nextInt(TP.length)]);
                if (r.nextInt(4) == 0) {
                    sb.append("/0xfff0");
                }
            }
            if (r.nextInt(4) == 0) {
                sb.append(",tp_src=").append(TP[r.nextInt(TP.length)]);
                if (r.nextInt(4) == 0) {
                    sb.append("/0xfc00"); // a port-range prefix: the L4 trie's non-exact case
                }
            }
            if (proto.startsWith("tcp") && r.nextInt(4) == 0) {
                sb.append(",tcp_flags=").append(r.nextBoolean() ? "+syn-ack" : "0x010/0x010");
            }
        }
        if (proto != null && proto.startsWith("icmp") && r.nextBoolean()) {
            sb.append(",icmp_type=").append(r.nextBoolean() ? 8 : 0);
            if (r.nextInt(3) == 0) {
                sb.append(",icmp_code=").append(r.nextInt(2));
            }
        }
        if (r.nextInt(8) == 0) {
            sb.append(",tun_id=").append(r.nextInt(3));
        }
        sb.append(",actions=");
        List<String> acts = new ArrayList<>();
        int na = r.nextInt(4);
        boolean l4 = proto != null && (proto.startsWith("tcp") || proto.startsWith("udp") || proto.equals("sctp"));
        for (int i = 0; i < na; i++) {
            int k = r.nextInt(20);
            switch (k) {
                case 0, 1, 2 -> acts.add("output:" + pick(r, PORT_NAMES));
                case 3 -> acts.add("normal");
                case 4 -> acts.add("flood");
                case 5 -> acts.add("in_port");
                case 6 -> acts.add("resubmit(," + resubmitTarget(r, table) + ")");
                case 7 -> acts.add("resubmit(" + pick(r, PORT_NAMES) + "," + resubmitTarget(r, table) + ")");
                case 8 -> acts.add("mod_vlan_vid:" + VIDS[r.nextInt(2)]);
                case 9 -> acts.add(r.nextBoolean() ? "strip_vlan" : "push_vlan:0x8100");
                case 10 -> acts.add("mod_dl_dst:" + MAC_TEXT[r.nextInt(3)]);
                case 11 -> {
                    if (ip4) {
                        acts.add("mod_nw_dst:" + ipv4Plain(r));
                    }
                }
                case 12 -> {
                    if (ip4 || ip6) {
                        acts.add("dec_ttl");
                    }
                }
                case 13 -> {
                    if (l4) {
                        acts.add("mod_tp_dst:" + TP[r.nextInt(TP.length)]);
                    }
                }
                case 14 -> acts.add("set_tunnel:" + r.nextInt(4));
                case 15 -> acts.add("controller");
                case 16 -> {
                    if (ip4) {
                        acts.add("set_field:" + ipv4Plain(r) + "->nw_src");
                    }
                }
                case 17 -> acts.add("mod_vlan_pcp:" + r.nextInt(8));
                case 18 -> acts.add("set_field:" + r.nextInt(3) + "->tun_id");
                default -> acts.add("output:vx0");
            }
        }
        if (table < 2 && r.nextInt(4) == 0) {
            acts.add("goto_table:" + (table + 1 + r.nextInt(2 - table)));
        }
        sb.append(acts.isEmpty() ? "drop" : String.join(",", acts));
        return sb.toString();
    }

    /**
     * Mostly a later table; sometimes the same or an earlier one, which makes loops that
     * must hit the depth limit (those translations run thousands of lookups, so keep them rare).
     */
    static int resubmitTarget(SplittableRandom r, int table) {
        return table < 2 && r.nextInt(8) != 0 ? table + 1 + r.nextInt(2 - table) : r.nextInt(3);
    }

    static String mac(SplittableRandom r) {
        String m = MAC_TEXT[r.nextInt(MAC_TEXT.length)];
        return r.nextInt(4) == 0 ? m + "/01:00:00:00:00:00" : m;
    }

    static String ipv4Plain(SplittableRandom r) {
        return Values.formatIpv4(IPS[r.nextInt(IPS.length)]);
    }

    static String ipv4(SplittableRandom r) {
        String a = ipv4Plain(r);
        return switch (r.nextInt(6)) {
            case 0 -> a + "/8";
            case 1 -> a + "/16";
            case 2 -> a + "/24";
            case 3 -> a + "/" + r.nextInt(33);
            case 4 -> a + "/255.0.255.0";
            default -> a;
        };
    }

    // ---- packets ----

    static FlowKey randomPacket(SplittableRandom r) {
        FlowKey k = new FlowKey();
        k.set(Field.IN_PORT, DP_PORTS[r.nextInt(DP_PORTS.length)]);
        k.set(Field.ETH_SRC, MACS[r.nextInt(MACS.length)]);
        k.set(Field.ETH_DST, MACS[r.nextInt(MACS.length)]);
        if (r.nextInt(3) == 0) {
            k.set(Field.VLAN0_TPID, 0x8100);
            k.set(Field.VLAN0_CFI, 1);
            k.set(Field.VLAN0_VID, r.nextInt(4) == 0 ? r.nextInt(4096) : VIDS[r.nextInt(2)]);
            k.set(Field.VLAN0_PCP, r.nextInt(8));
            if (r.nextInt(4) == 0) {
                k.set(Field.VLAN1_TPID, 0x8100);
                k.set(Field.VLAN1_CFI, 1);
                k.set(Field.VLAN1_VID, VIDS[r.nextInt(2)]);
            }
        }
        if (r.nextInt(6) == 0) {
            k.set(Field.TUN_ID, r.nextInt(3));
        }
        int l3 = r.nextInt(5);
        if (l3 <= 1) {
            k.set(Field.ETH_TYPE, 0x0800);
            k.set(Field.IPV4_SRC, IPS[r.nextInt(IPS.length)]);
            k.set(Field.IPV4_DST, r.nextInt(4) == 0 ? r.nextInt() & 0xffffffffL : IPS[r.nextInt(IPS.length)]);
            ipCommon(r, k, new int[] {6, 17, 1, 132, 47});
        } else if (l3 == 2) {
            k.set(Field.ETH_TYPE, 0x86dd);
            k.set(Field.IPV6_DST_HI, 0x20010db800000000L | ((long) r.nextInt(3) << 16));
            k.set(Field.IPV6_DST_LO, r.nextInt(3));
            k.set(Field.IPV6_SRC_HI, 0x20010db800000000L);
            k.set(Field.IPV6_SRC_LO, 1);
            ipCommon(r, k, new int[] {6, 17, 58});
        } else if (l3 == 3) {
            k.set(Field.ETH_TYPE, 0x0806);
            k.set(Field.ARP_OP, 1 + r.nextInt(2));
            k.set(Field.ARP_SPA, IPS[r.nextInt(IPS.length)]);
            k.set(Field.ARP_TPA, IPS[r.nextInt(IPS.length)]);
            k.set(Field.ARP_SHA, MACS[r.nextInt(MACS.length)]);
        } else {
            k.set(Field.ETH_TYPE, r.nextBoolean() ? 0x88cc : 0x8847);
        }
        return k;
    }

    static void ipCommon(SplittableRandom r, FlowKey k, int[] protos) {
        int proto = protos[r.nextInt(protos.length)];
        k.set(Field.NW_PROTO, proto);
        k.set(Field.NW_TTL, r.nextInt(4) == 0 ? r.nextInt(3) : 64);
        k.set(Field.NW_TOS, r.nextBoolean() ? 0 : 0x21);
        k.set(Field.NW_FRAG, r.nextInt(5) == 0 ? 1 + 2 * r.nextInt(2) : 0);
        if (proto == 6 || proto == 17 || proto == 132) {
            // Mostly pool ports (lookups hit), sometimes any port (the L4 trie's misses vary).
            k.set(Field.TP_SRC, r.nextInt(4) == 0 ? r.nextInt(65536) : TP[r.nextInt(TP.length)]);
            k.set(Field.TP_DST, r.nextInt(4) == 0 ? r.nextInt(65536) : TP[r.nextInt(TP.length)]);
            if (proto == 6) {
                k.set(Field.TCP_FLAGS, r.nextInt(0x40));
            }
        } else if (proto == 1 || proto == 58) {
            k.set(Field.ICMP_TYPE, r.nextInt(4) == 0 ? r.nextInt(256) : r.nextBoolean() ? 8 : 0);
            k.set(Field.ICMP_CODE, r.nextInt(3) == 0 ? 1 : 0);
        }
    }

    /** P with every wildcarded bit re-drawn: from another packet, from random bits, or one bit flipped. */
    FlowKey redrawWildcarded(SplittableRandom r, FlowKey p, FlowMask m) {
        FlowKey donor = randomPacket(r);
        FlowKey q = p.copy();
        for (int i = 0; i < Field.count(); i++) {
            Field f = Field.of(i);
            long fm = m.get(f);
            if (fm == f.valueMask()) {
                continue;
            }
            long candidate = switch (r.nextInt(4)) {
                case 0 -> donor.get(f);
                case 1 -> r.nextLong();
                case 2 -> p.get(f) ^ (1L << r.nextInt(f.width()));
                default -> p.get(f);
            };
            q.set(f, (p.get(f) & fm) | (candidate & ~fm));
        }
        // Only keys the packet parser can make: a tag that is absent has VID and PCP 0.
        if (q.get(Field.VLAN0_CFI) == 0) {
            q.set(Field.VLAN0_VID, 0);
            q.set(Field.VLAN0_PCP, 0);
        }
        if (q.get(Field.VLAN0_CFI) == 0 || q.get(Field.VLAN1_CFI) == 0) {
            q.set(Field.VLAN1_VID, 0);
            q.set(Field.VLAN1_PCP, 0);
        }
        return q;
    }
}
