package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.GenStats;
import org.offloadbridge.netlink.uapi.PktCls;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.testkit.Cases;

/**
 * A dump reads a filter it already knows for its cookie and counters only
 * ({@link FlowerActionCodec#readCounters}); that must say exactly what the full read does
 * ({@link FlowerActionCodec#parse} then {@link FlowerActionDecoder#collect}): whether the filter
 * is ours (one 16-byte cookie on every action), its ufid, the packets, bytes and hardware packets
 * of the action that counted most, the youngest lastuse, and whether the driver reported counters
 * — over random action lists as a kernel dump would hold them (kinds we write and others, cookies
 * equal, different, missing or of another length, basic / 64-bit / hardware counters, tcf_t).
 */
class KnownFilterCountersTest {
    private static final String[] KINDS = {"mirred", "gact", "vlan", "pedit", "csum", "tunnel_key", "police", "ct"};

    @Test
    void theCountersOnlyReadAgreesWithTheFullRead() {
        int[] ours = {0};
        int[] checked = {0};
        Cases.check(2_000, List.of(), r -> r.nextLong(), seed -> "action list from seed " + Long.toHexString(seed), seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            AttributeTable opts = optionsOf(randomActions(rnd));
            FlowerActionCodec codec = new FlowerActionCodec();
            FlowerActionDecoder.Result fast = new FlowerActionDecoder.Result();
            boolean fastOurs = codec.readCounters(opts, fast);

            FlowerFilter f = new FlowerFilter();
            f.clear();
            new FlowerActionCodec().parse(opts, f);
            FlowerActionDecoder.Result full = new FlowerActionDecoder.Result();
            boolean fullOurs = FlowerActionDecoder.collect(f, full) == null;

            checked[0]++;
            assertEquals(fullOurs, fastOurs, "ours or not");
            if (fullOurs) {
                ours[0]++;
                assertEquals(full.ufid, fast.ufid, "ufid");
                assertEquals(full.packets, fast.packets, "packets");
                assertEquals(full.bytes, fast.bytes, "bytes");
                assertEquals(full.hwPackets, fast.hwPackets, "hardware packets");
                assertEquals(full.usedMillisAgo, fast.usedMillisAgo, "lastuse");
                assertEquals(f.usedHwStats, fast.usedHwStats, "used_hw_stats");
            }
        });
        assertTrue(Cases.ONLY >= 0 || ours[0] > checked[0] / 3, "most lists must be ours to mean something: " + ours[0] + " of " + checked[0]);
    }

    /** The TCA_OPTIONS of a filter message holding {@code acts} under TCA_FLOWER_ACT. */
    private static AttributeTable optionsOf(Act[] acts) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(4096);
        w.beginMessage(Rtnetlink.RTM_NEWTFILTER, 0);
        w.putTcMsg(0, 1, 1, 0, 0);
        w.putString(Rtnetlink.TCA_KIND, "flower");
        int o = w.beginNested(Rtnetlink.TCA_OPTIONS);
        int list = w.beginNested(PktCls.TCA_FLOWER_ACT);
        for (int i = 0; i < acts.length; i++) {
            Act a = acts[i];
            int one = w.beginNested(i + 1);
            w.putString(PktCls.TCA_ACT_KIND, a.kind);
            if (a.cookie != null) {
                w.putBytes(PktCls.TCA_ACT_COOKIE, a.cookie);
            }
            if (a.packets >= 0) {
                int st = w.beginNested(PktCls.TCA_ACT_STATS);
                int b = w.putStruct(GenStats.TCA_STATS_BASIC, 16); // struct gnet_stats_basic: u64 bytes, u32 packets (+pad)
                w.buffer().putLong(b + GenStats.GNET_STATS_BASIC_BYTES, a.bytes);
                w.buffer().putInt(b + GenStats.GNET_STATS_BASIC_PACKETS, (int) a.packets);
                if (a.pkt64) {
                    w.putU64(GenStats.TCA_STATS_PKT64, a.packets);
                }
                if (a.hwPackets >= 0) {
                    int h = w.putStruct(GenStats.TCA_STATS_BASIC_HW, 16);
                    w.buffer().putLong(h + GenStats.GNET_STATS_BASIC_BYTES, a.bytes / 2);
                    w.buffer().putInt(h + GenStats.GNET_STATS_BASIC_PACKETS, (int) a.hwPackets);
                }
                w.endNested(st);
            }
            if (a.usedHw) {
                w.putU8(PktCls.TCA_ACT_USED_HW_STATS, 1);
            }
            if (a.lastUse >= 0) {
                int ao = w.beginNested(PktCls.TCA_ACT_OPTIONS);
                int tmAttr = tmOf(a.kind);
                if (tmAttr >= 0) {
                    int tm = w.putStruct(tmAttr, 32); // struct tcf_t: install, lastuse, expires, firstuse
                    w.buffer().putLong(tm + 8, a.lastUse);
                }
                w.endNested(ao);
            }
            w.endNested(one);
        }
        w.endNested(list);
        w.endNested(o);
        w.finish(1);
        NetlinkMessageCursor c = new NetlinkMessageCursor().reset(w.buffer(), 0, w.length());
        c.next();
        NetlinkMessage m = c.message();
        AttributeTable top = new AttributeTable(Rtnetlink.TCA_MAX);
        m.attributes(TcMsg.LENGTH, top);
        AttributeTable opts = new AttributeTable(PktCls.TCA_FLOWER_MAX);
        assertTrue(top.nested(Rtnetlink.TCA_OPTIONS, opts));
        return opts;
    }

    private static int tmOf(String kind) {
        for (FlowerAction.Kind k : FlowerAction.Kind.ALL) {
            if (kind.equals(k.tcName)) {
                return k.tmAttr;
            }
        }
        return 1; // another kind's TCA_*_TM is 1 too in most of tc's actions; the read must ignore it
    }

    private record Act(String kind, byte[] cookie, long packets, long bytes, boolean pkt64, long hwPackets, boolean usedHw, long lastUse) {}

    private static Act[] randomActions(SplittableRandom rnd) {
        int n = rnd.nextInt(6); // 0..5 actions; none is not ours
        byte[] cookie = Ufid.random().toCookieBytes();
        Act[] acts = new Act[n];
        for (int i = 0; i < n; i++) {
            byte[] ck = cookie;
            int c = rnd.nextInt(40);
            if (c == 0) {
                ck = null;
            } else if (c == 1) {
                ck = new byte[8];
            } else if (c == 2) {
                ck = Ufid.random().toCookieBytes();
            }
            long packets = rnd.nextInt(5) == 0 ? -1 : rnd.nextInt(4) == 0 ? rnd.nextLong(1L << 40) : rnd.nextInt(1000);
            acts[i] = new Act(KINDS[rnd.nextInt(KINDS.length)], ck, packets, rnd.nextLong(1L << 50), packets > 0xffffffffL || rnd.nextBoolean(),
                rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(1000), rnd.nextBoolean(), rnd.nextInt(4) == 0 ? -1 : rnd.nextInt(100_000));
        }
        return acts;
    }
}
