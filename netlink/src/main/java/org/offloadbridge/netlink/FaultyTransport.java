package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSG_DONE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSG_ERROR;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CAPPED;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP_INTR;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.offloadbridge.netlink.NetlinkFaultInjector.Fault;

/**
 * A real socket behind a {@link NetlinkFaultInjector} (tests only; see there). Messages pass to
 * the kernel unchanged unless the injector names a fault for them; what comes back is copied into
 * this transport's own buffer, minus what a fault drops.
 *
 * <p>The kernel answers every message of a sendmsg inside the call, each echo and each ack in a
 * datagram of its own, so dropping "the ack of message k" is dropping its datagrams; a dump's
 * datagrams hold many messages of one request. The first datagram of a request whose ack is lost
 * turns into {@code -ENOBUFS} (the kernel reports an overrun on the next recvmsg); its later
 * datagrams are dropped silently, as stale replies would be.
 *
 * <p>A refused request never reaches the kernel; its error is delivered where the kernel would
 * have put it, in sequence order among the other requests' answers (the kernel has queued all of
 * them by the time sendmsg returns, so they are drained then and merged). Order matters to a
 * fenced batch ({@link NetlinkConnection#batchFenced}): the fence's answer must come after every
 * earlier failure.
 */
final class FaultyTransport implements NetlinkTransport {
    /** How long a receive waits while a reply is known lost: the kernel answered within the sendmsg. */
    private static final int LOST_REPLY_WAIT_MILLIS = 300;

    private enum Drop { ACK_LOST, ACK_LOST_REPORTED, REPLY_LOST, DUMP_INTR }

    private final NetlinkTransport delegate;
    private final NetlinkProtocol protocol;
    private final NetlinkFaultInjector injector;
    private final boolean events;
    private final NetlinkMessageCursor cursor = new NetlinkMessageCursor();
    private final Map<Integer, Drop> bySeq = new HashMap<>();
    private final ArrayDeque<byte[]> synthesized = new ArrayDeque<>();
    /** Answers to hand out before reading the socket again, in the order the kernel would send them. */
    private final ArrayDeque<Answer> ready = new ArrayDeque<>();

    /**
     * One answer held back: a datagram the kernel sent (faults applied when it is handed out), one
     * synthesized (handed out as it is), or a negative receive result ({@code datagram} null).
     */
    private record Answer(byte[] datagram, boolean fromKernel, int result) {
        static Answer kernel(byte[] d) {
            return new Answer(d, true, d.length);
        }

        static Answer synthesized(byte[] d) {
            return new Answer(d, false, d.length);
        }

        static Answer failed(int result) {
            return new Answer(null, true, result);
        }
    }
    private ByteBuffer staging = direct(1 << 16);
    private ByteBuffer rx = direct(1 << 16);

    FaultyTransport(NetlinkTransport delegate, NetlinkProtocol protocol, NetlinkFaultInjector injector, boolean events) {
        this.delegate = delegate;
        this.protocol = protocol;
        this.injector = injector;
        this.events = events;
    }

    private static ByteBuffer direct(int n) {
        return ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
    }

    @Override
    public void send(ByteBuffer buffer, int offset, int length) {
        if (events) {
            delegate.send(buffer, offset, length);
            return;
        }
        if (staging.capacity() < length) {
            staging = direct(Math.max(length, 2 * staging.capacity()));
        }
        int staged = 0;
        cursor.reset(buffer, offset, offset + length);
        for (int index = 0; cursor.next(); index++) {
            NetlinkMessage m = cursor.message();
            Fault f = injector.onRequest(protocol, m.type(), m.flags(), index);
            switch (f.kind()) {
                case REFUSE -> {
                    synthesized.add(errorFor(buffer, m, f.errno()));
                    continue;
                }
                case ACK_LOST -> bySeq.put(m.seq(), Drop.ACK_LOST);
                case REPLY_LOST -> bySeq.put(m.seq(), Drop.REPLY_LOST);
                case DUMP_INTR -> bySeq.put(m.seq(), Drop.DUMP_INTR);
                case OPTION_IGNORED -> {
                    staged += withoutOption(buffer, m, f.attribute(), staged);
                    continue;
                }
                case NONE -> { }
            }
            staging.put(staged, buffer, m.offset(), m.length());
            staged += NetlinkMessageWriter.align(m.length());
        }
        if (staged > 0) {
            delegate.send(staging, 0, staged);
        }
        if (!synthesized.isEmpty()) {
            mergeInSequence();
        }
    }

    /** Drains the kernel's answers (all queued inside the sendmsg) and merges the synthesized errors in by sequence number. */
    private void mergeInSequence() {
        ArrayDeque<Answer> kernel = new ArrayDeque<>();
        for (int guard = 0; guard < 1_000_000; guard++) {
            int n = delegate.receive(0);
            if (n == -Errno.EAGAIN.value()) {
                break;
            }
            if (n < 0) {
                kernel.add(Answer.failed(n));
                continue;
            }
            byte[] d = new byte[n];
            delegate.receiveBuffer().get(0, d);
            kernel.add(Answer.kernel(d));
        }
        while (!synthesized.isEmpty() || !kernel.isEmpty()) {
            Answer k = kernel.peek();
            if (k != null && (k.datagram() == null || synthesized.isEmpty() || seqOf(k.datagram()) - seqOf(synthesized.peek()) < 0)) {
                ready.add(kernel.poll());
            } else {
                ready.add(Answer.synthesized(synthesized.poll()));
            }
        }
    }

    private static int seqOf(byte[] datagram) {
        return ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder()).getInt(NlMsgHdr.SEQ);
    }

    /**
     * Stages {@code m} without the attribute of type {@code attribute} inside its top-level
     * TCA_OPTIONS (after nlmsghdr and the 20-byte struct tcmsg), lengths fixed up; returns the
     * bytes staged. A message without one is staged as it is.
     */
    private int withoutOption(ByteBuffer buffer, NetlinkMessage m, int attribute, int at) {
        int tcmsgEnd = m.offset() + NlMsgHdr.LENGTH + 20;
        int optStart = -1;
        int cutStart = -1;
        int cutLen = 0;
        for (int p = tcmsgEnd; p + 4 <= m.end() && optStart < 0; p += NetlinkMessageWriter.align(buffer.getShort(p) & 0xffff)) {
            int len = buffer.getShort(p) & 0xffff;
            if ((buffer.getShort(p + 2) & 0x3fff) == 2 && len >= 4) { // TCA_OPTIONS
                optStart = p;
                for (int q = p + 4; q + 4 <= p + len; q += NetlinkMessageWriter.align(buffer.getShort(q) & 0xffff)) {
                    if ((buffer.getShort(q + 2) & 0x3fff) == attribute) {
                        cutStart = q;
                        // with its padding, unless it is the last bytes of the message
                        cutLen = Math.min(NetlinkMessageWriter.align(buffer.getShort(q) & 0xffff), m.end() - q);
                        break;
                    }
                }
            }
            if (len < 4) {
                break;
            }
        }
        int head = cutStart < 0 ? m.length() : cutStart - m.offset();
        staging.put(at, buffer, m.offset(), head);
        if (cutStart >= 0) {
            int tail = m.end() - (cutStart + cutLen);
            staging.put(at + head, buffer, cutStart + cutLen, tail);
            staging.putInt(at + NlMsgHdr.LEN, m.length() - cutLen);
            int optAt = at + (optStart - m.offset());
            staging.putShort(optAt, (short) ((buffer.getShort(optStart) & 0xffff) - cutLen));
            return NetlinkMessageWriter.align(m.length() - cutLen);
        }
        return NetlinkMessageWriter.align(m.length());
    }

    /** The {@code NLMSG_ERROR} the kernel sends for a refused request (capped: header only, no extack). */
    private byte[] errorFor(ByteBuffer request, NetlinkMessage m, int errno) {
        ByteBuffer e = ByteBuffer.allocate(NlMsgHdr.LENGTH + 4 + NlMsgHdr.LENGTH).order(ByteOrder.nativeOrder());
        e.putInt(NlMsgHdr.LEN, e.capacity());
        e.putShort(NlMsgHdr.TYPE, (short) NLMSG_ERROR);
        e.putShort(NlMsgHdr.FLAGS, (short) NLM_F_CAPPED);
        e.putInt(NlMsgHdr.SEQ, m.seq());
        e.putInt(NlMsgHdr.PID, delegate.portId());
        e.putInt(NlMsgHdr.LENGTH, -errno);
        for (int i = 0; i < NlMsgHdr.LENGTH; i++) {
            e.put(NlMsgHdr.LENGTH + 4 + i, request.get(m.offset() + i));
        }
        return e.array();
    }

    @Override
    public int receive(int timeoutMillis) {
        while (true) {
            Answer next = ready.poll();
            int n;
            ByteBuffer in;
            if (next != null && next.datagram() == null) {
                return next.result();
            } else if (next != null && !next.fromKernel()) {
                byte[] s = next.datagram(); // synthesized: as it is
                ensure(s.length);
                rx.put(0, s);
                return s.length;
            } else if (next != null) {
                byte[] d = next.datagram();
                n = d.length;
                in = ByteBuffer.wrap(d).order(ByteOrder.nativeOrder());
            } else {
                boolean replyLost = bySeq.containsValue(Drop.REPLY_LOST);
                int wait = !replyLost ? timeoutMillis : timeoutMillis < 0 ? LOST_REPLY_WAIT_MILLIS : Math.min(timeoutMillis, LOST_REPLY_WAIT_MILLIS);
                n = delegate.receive(wait);
                if (n < 0) {
                    if (n == -Errno.EAGAIN.value() && replyLost) {
                        bySeq.values().removeIf(d -> d == Drop.REPLY_LOST); // the caller now times the request out
                    }
                    return n;
                }
                in = delegate.receiveBuffer();
            }
            if (events) {
                cursor.reset(in, 0, n);
                if (cursor.next() && injector.loseEvent(protocol, cursor.message().type())) {
                    return -Errno.ENOBUFS.value();
                }
                ensure(n);
                rx.put(0, in, 0, n);
                return n;
            }
            int kept = 0;
            boolean overrun = false;
            cursor.reset(in, 0, n);
            ensure(n);
            while (cursor.next()) {
                NetlinkMessage m = cursor.message();
                Drop d = bySeq.get(m.seq());
                boolean last = m.type() == NLMSG_ERROR || m.type() == NLMSG_DONE;
                if (d == Drop.ACK_LOST || d == Drop.ACK_LOST_REPORTED || d == Drop.REPLY_LOST) {
                    if (d == Drop.ACK_LOST) {
                        overrun = true;
                    }
                    if (last && d != Drop.REPLY_LOST) { // a lost reply stays marked until the wait for it ends
                        bySeq.remove(m.seq());
                    }
                    continue;
                }
                rx.put(kept, in, m.offset(), m.length());
                if (d == Drop.DUMP_INTR) {
                    rx.putShort(kept + NlMsgHdr.FLAGS, (short) (m.flags() | NLM_F_DUMP_INTR));
                    if (last) {
                        bySeq.remove(m.seq());
                    }
                }
                kept += NetlinkMessageWriter.align(m.length());
            }
            if (overrun) {
                // Whatever else the datagram held is lost with it, as in a real overrun; one
                // report covers every request whose ack is lost (the caller gives up on them all).
                bySeq.replaceAll((seq, d) -> d == Drop.ACK_LOST ? Drop.ACK_LOST_REPORTED : d);
                return -Errno.ENOBUFS.value();
            }
            if (kept > 0) {
                return kept;
            }
        }
    }

    private void ensure(int n) {
        if (rx.capacity() < n) {
            rx = direct(Math.max(n, 2 * rx.capacity()));
        }
    }

    @Override
    public ByteBuffer receiveBuffer() {
        return rx;
    }

    @Override
    public int portId() {
        return delegate.portId();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
