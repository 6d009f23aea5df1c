package org.offloadbridge.benchmarks.netlink;

import java.util.concurrent.TimeUnit;
import org.offloadbridge.netlink.AttributeCursor;
import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.NetlinkConstants;
import org.offloadbridge.netlink.uapi.PktCls;
import org.offloadbridge.netlink.uapi.PktSched;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.netlink.uapi.TcMirred;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + parse of an RTM_NEWTFILTER the size tc-flower will send for a typical megaflow
 * (eth type, IPv4 5-tuple with masks, flags, a 16-byte ufid cookie and a mirred action:
 * ~250 bytes), with reused writer and parsers. The point is gc.alloc.rate.norm ≈ 0 B/op:
 * the steady state allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    private final NetlinkMessageWriter writer = new NetlinkMessageWriter(1024);
    private final NetlinkMessageCursor messages = new NetlinkMessageCursor();
    private final AttributeTable top = new AttributeTable(Rtnetlink.TCA_MAX);
    private final AttributeTable flower = new AttributeTable(PktCls.TCA_FLOWER_MAX);
    private final AttributeTable act = new AttributeTable(PktCls.TCA_ACT_MAX);
    private final AttributeTable mirred = new AttributeTable(TcMirred.TCA_MIRRED_MAX);
    private final AttributeCursor actions = new AttributeCursor();
    private int seq;

    static void encodeFlower(NetlinkMessageWriter w, int seq) {
        w.reset();
        w.beginMessage(Rtnetlink.RTM_NEWTFILTER, NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_ACK
                | NetlinkConstants.NLM_F_CREATE | NetlinkConstants.NLM_F_EXCL);
        w.putTcMsg(0, 7, 0, PktSched.TC_H_CLSACT & 0xffff0000 | PktSched.TC_H_MIN_INGRESS, TcMsg.filterInfo(2, 0x0800));
        w.putString(Rtnetlink.TCA_KIND, "flower");
        w.putU32(Rtnetlink.TCA_CHAIN, 0);
        int opts = w.beginNested(Rtnetlink.TCA_OPTIONS);
        w.putBe16(PktCls.TCA_FLOWER_KEY_ETH_TYPE, 0x0800);
        w.putU8(PktCls.TCA_FLOWER_KEY_IP_PROTO, 6);
        w.putBe32(PktCls.TCA_FLOWER_KEY_IPV4_SRC, 0x0a000001);
        w.putBe32(PktCls.TCA_FLOWER_KEY_IPV4_SRC_MASK, 0xffffffff);
        w.putBe32(PktCls.TCA_FLOWER_KEY_IPV4_DST, 0x0a000002 + (seq & 0xff));
        w.putBe32(PktCls.TCA_FLOWER_KEY_IPV4_DST_MASK, 0xffffffff);
        w.putBe16(PktCls.TCA_FLOWER_KEY_TCP_SRC, 12345);
        w.putBe16(PktCls.TCA_FLOWER_KEY_TCP_SRC_MASK, 0xffff);
        w.putBe16(PktCls.TCA_FLOWER_KEY_TCP_DST, 80);
        w.putBe16(PktCls.TCA_FLOWER_KEY_TCP_DST_MASK, 0xffff);
        w.putU32(PktCls.TCA_FLOWER_FLAGS, PktCls.TCA_CLS_FLAGS_SKIP_HW);
        int acts = w.beginNested(PktCls.TCA_FLOWER_ACT);
        int a1 = w.beginNested(1);
        w.putString(PktCls.TCA_ACT_KIND, "mirred");
        int ao = w.beginNested(PktCls.TCA_ACT_OPTIONS | NetlinkConstants.NLA_F_NESTED);
        int p = w.putStruct(TcMirred.TCA_MIRRED_PARMS, 28);
        w.buffer().putInt(p + 8, PktCls.TC_ACT_STOLEN);
        w.buffer().putInt(p + 20, TcMirred.TCA_EGRESS_REDIR);
        w.buffer().putInt(p + 24, 9);
        w.endNested(ao);
        int ck = w.putStruct(PktCls.TCA_ACT_COOKIE, 16);
        w.buffer().putLong(ck, 0x0123456789abcdefL);
        w.buffer().putLong(ck + 8, seq);
        w.endNested(a1);
        w.endNested(acts);
        w.endNested(opts);
        w.finish(seq);
    }

    @Benchmark
    public long encodeAndParse() {
        encodeFlower(writer, ++seq);
        long sum = 0;
        messages.reset(writer.buffer(), 0, writer.length());
        while (messages.next()) {
            NetlinkMessage m = messages.message();
            m.attributes(TcMsg.LENGTH, top);
            top.nested(Rtnetlink.TCA_OPTIONS, flower);
            sum += flower.be32(PktCls.TCA_FLOWER_KEY_IPV4_DST) + flower.be16(PktCls.TCA_FLOWER_KEY_TCP_DST)
                    + flower.u32(PktCls.TCA_FLOWER_FLAGS);
            actions.reset(flower, PktCls.TCA_FLOWER_ACT);
            while (actions.next()) {
                act.parse(actions.buffer(), actions.payloadOffset(), actions.payloadEnd());
                act.nested(PktCls.TCA_ACT_OPTIONS, mirred);
                sum += m.buffer().getInt(mirred.offset(TcMirred.TCA_MIRRED_PARMS) + 24);
                sum += m.buffer().getLong(act.offset(PktCls.TCA_ACT_COOKIE) + 8);
            }
        }
        return sum + writer.length();
    }

    /** Encode alone, to split the figure. */
    @Benchmark
    public int encode() {
        encodeFlower(writer, ++seq);
        return writer.length();
    }
}
