package org.offloadbridge.netlink;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The request path against a "kernel" whose answers are the input: {@link RtnlLinks#get},
 * {@link RtnlLinks#dump}, {@link NetlinkConnection#request} and a batch of three, through the
 * package-private {@link NetlinkTransport} seam — acks, nlmsgerr with extack TLVs, NLMSG_DONE,
 * NLM_F_DUMP_INTR restarts, stale replies, link messages for {@link LinkInfo#parse}.
 *
 * <p>Input: byte 0 picks the call; the rest is datagrams, each a 2-byte (little-endian) length
 * and that many bytes (the last takes what is left). Every {@code nlmsg_seq} in a datagram is
 * taken relative to the first request's number, so the fuzzer can answer the requests it
 * made (seq 0 = the first). When the datagrams run out the socket reports nothing (the
 * connection then times out), and a dump that is restarted gets the same datagrams again.
 *
 * <p>Property: a call returns, or throws {@link NetlinkException} (errno, timeout) or
 * {@link NetlinkParseException} with an offset inside the datagram; nothing else.
 */
class NetlinkRepliesFuzzTest {

    /** Answers every send with the input's datagrams, sequence numbers rebased on the send's first. */
    static final class FuzzKernel implements NetlinkTransport {
        final byte[][] datagrams;
        final Deque<byte[]> queue = new ArrayDeque<>();
        final ByteBuffer rx = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
        int lastLength;

        FuzzKernel(byte[][] datagrams) {
            this.datagrams = datagrams;
        }

        @Override
        public void send(ByteBuffer buffer, int offset, int length) {
            int base = buffer.getInt(offset + NlMsgHdr.SEQ);
            for (byte[] d : datagrams) {
                byte[] copy = d.clone();
                ByteBuffer c = ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
                // Rebase the seq of every header a lenient walk finds (the parser's walk is the one under test).
                for (int p = 0; p + NlMsgHdr.LENGTH <= copy.length; ) {
                    c.putInt(p + NlMsgHdr.SEQ, c.getInt(p + NlMsgHdr.SEQ) + base);
                    int len = c.getInt(p + NlMsgHdr.LEN);
                    if (len < NlMsgHdr.LENGTH || len > copy.length - p) {
                        break;
                    }
                    p += (len + 3) & ~3;
                }
                queue.add(copy);
            }
        }

        @Override
        public int receive(int timeoutMillis) {
            byte[] d = queue.poll();
            if (d == null) {
                return -Errno.EAGAIN.value();
            }
            if (d.length == 1) {
                return -(d[0] & 0xff); // a one-byte datagram stands for a receive error (ENOBUFS = 105 ...)
            }
            rx.put(0, d);
            lastLength = d.length;
            return d.length;
        }

        @Override
        public ByteBuffer receiveBuffer() {
            return rx;
        }

        @Override
        public int portId() {
            return 4242;
        }

        @Override
        public void close() {
        }
    }

    static byte[][] datagrams(byte[] data) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        int p = 1;
        while (p < data.length && out.size() < 16) {
            if (p + 2 > data.length) {
                out.add(java.util.Arrays.copyOfRange(data, p, data.length));
                break;
            }
            int len = (data[p] & 0xff) | (data[p + 1] & 0xff) << 8;
            p += 2;
            int end = Math.min(data.length, p + Math.min(len, 1 << 16));
            out.add(java.util.Arrays.copyOfRange(data, p, end));
            p = end;
        }
        return out.toArray(new byte[0][]);
    }

    @FuzzTest
    void replies(byte[] data) {
        if (data.length == 0) {
            return;
        }
        FuzzKernel k = new FuzzKernel(datagrams(data));
        NetlinkConnection c = new NetlinkConnection(k).timeoutMillis(1);
        RtnlLinks links = new RtnlLinks(c);
        try {
            switch (data[0] & 3) {
                case 0 -> links.get(7);
                case 1 -> links.dump();
                case 2 -> {
                    NetlinkMessageWriter w = new NetlinkMessageWriter(128);
                    RtnlLinks.encodeSetUp(w, 1, true);
                    c.request("set up", w, (i, m) -> { });
                }
                default -> {
                    NetlinkMessageWriter w = new NetlinkMessageWriter(256);
                    RtnlLinks.encodeSetUp(w, 1, true);
                    RtnlLinks.encodeGet(w, 2, null);
                    RtnlLinks.encodeDelete(w, "v0");
                    BatchResult r = c.batch("batch", w, (i, m) -> { }, new BatchResult());
                    for (int i = 0; i < r.size(); i++) {
                        r.exception(i);
                    }
                }
            }
        } catch (NetlinkParseException e) {
            if (e.offset() < 0 || e.offset() > k.lastLength) {
                throw new AssertionError("offset " + e.offset() + " outside a datagram of " + k.lastLength, e);
            }
        } catch (NetlinkException e) {
            if (e.errnoValue() == 0) { // the kernel's error is taken as it comes (even INT_MIN)
                throw new AssertionError("errno " + e.errnoValue(), e);
            }
        }
    }
}
