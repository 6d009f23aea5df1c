package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSGERR_ATTR_MAX;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSGERR_ATTR_MSG;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSGERR_ATTR_OFFS;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSG_DONE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSG_ERROR;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLMSG_MIN_TYPE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK_TLVS;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CAPPED;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP_INTR;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ECHO;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The request path: one netlink socket behind a lock, turning requests into acks, replies
 * and typed errors. Thread-safe; callers build requests in their own
 * {@link NetlinkMessageWriter} and hand it over.
 *
 * <h2>Kernel semantics this class relies on</h2>
 * <ul>
 *   <li>Every request is sent with {@code NLM_F_REQUEST|NLM_F_ACK} and a fresh sequence
 *       number, so every request ends in exactly one {@code NLMSG_ERROR} (error 0 = ack)
 *       carrying that number, even when it also produced replies or an NLM_F_ECHO echo
 *       (which arrive first). Dumps end instead with {@code NLMSG_DONE} (the kernel does not
 *       ack a dump). Two exceptions: an rtnetlink GET (not a dump) built without
 *       NLM_F_ACK is sent without it, as iproute2 does, and completes on its single reply
 *       (or error) — half the datagrams. And {@link #batchFenced} sends a request written
 *       without NLM_F_ACK without it, each chunk's last one excepted (the fence).</li>
 *   <li>rtnetlink and generic netlink process all messages of one sendmsg in order, within
 *       the call, and ack each separately; a failing message does not stop the ones after
 *       it. So a batch is one sendmsg, and acks are matched back to requests by sequence
 *       number, never by arrival order.</li>
 *   <li>Acks the kernel cannot queue (receive buffer full) are dropped and the next recvmsg
 *       fails with ENOBUFS. Requests whose ack was lost are reported with ENOBUFS: their
 *       outcome is unknown, the caller must re-read state. To make that rare the socket gets
 *       a large forced receive buffer and batches are sent in chunks of at most
 *       {@link #maxMessagesPerSend()} messages (and {@link #maxBytesPerSend()} bytes).</li>
 *   <li>A dump whose table changed mid-walk carries {@code NLM_F_DUMP_INTR}; it is
 *       restarted (up to {@link #MAX_DUMP_ATTEMPTS} attempts) after telling the handler to
 *       discard what it got.</li>
 *   <li>Replies with a sequence number we are not waiting for (left over from a request that
 *       timed out) are dropped and counted ({@link Counters#staleReplies()}).</li>
 * </ul>
 *
 * <p>Requests are serialized: the kernel holds the rtnl lock for most of them anyway, and
 * batching — not concurrency — is what makes bulk work fast.
 */
public final class NetlinkConnection implements AutoCloseable {
    /** Attempts at a dump that keeps coming back NLM_F_DUMP_INTR before giving up with EINTR. */
    public static final int MAX_DUMP_ATTEMPTS = 8;
    private static final int DEFAULT_TIMEOUT_MILLIS = 30_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final NetlinkTransport transport;
    private final NetlinkMessageCursor cursor = new NetlinkMessageCursor();
    private final NetlinkMessageCursor requestCursor = new NetlinkMessageCursor();
    private final AttributeTable errAttrs = new AttributeTable(NLMSGERR_ATTR_MAX);
    private final BatchResult single = new BatchResult();
    private int[] messageOffsets = new int[16];
    /** Per message: how it is answered, {@link #BY_REPLY}, {@link #SILENT}, {@link #WANTS_ECHO}, {@link #ECHO_SEEN}. */
    private byte[] how = new byte[16];
    /** An rtnetlink GET sent without NLM_F_ACK, answered by its one reply (or an error). */
    private static final byte BY_REPLY = 1;
    /** A message of a {@link #batchFenced} batch sent without NLM_F_ACK: its success is known by its chunk's fence. */
    private static final byte SILENT = 2;
    /** A silent message that asks NLM_F_ECHO: the echo is its answer, and it must come before the fence's ack. */
    private static final byte WANTS_ECHO = 4;
    /** Its echo (or, for a GET, its reply) was read. */
    private static final byte ECHO_SEEN = 8;
    private final boolean rtnetlink;
    private int nextSeq;
    private int timeoutMillis = DEFAULT_TIMEOUT_MILLIS;
    private int maxMessagesPerSend = 1024;
    private int maxBytesPerSend = Integer.MAX_VALUE;
    private boolean dumpInterrupted;
    /** Written under the lock with opaque stores, read from any thread. */
    private final AtomicLong staleReplies = new AtomicLong();

    /**
     * This connection's counters, one snapshot; readable from any thread, also while a request
     * is under way.
     *
     * @param staleReplies replies dropped because no request was waiting for their sequence number
     */
    public record Counters(long staleReplies) {
    }

    NetlinkConnection(NetlinkTransport transport) {
        this(transport, NetlinkProtocol.ROUTE);
    }

    NetlinkConnection(NetlinkTransport transport, NetlinkProtocol protocol) {
        this.transport = transport;
        this.rtnetlink = protocol == NetlinkProtocol.ROUTE;
        // Start from a time-derived number so a restarted process does not mistake a late
        // reply to its predecessor's port (ports are reused) for one of its own.
        this.nextSeq = (int) (System.nanoTime() >>> 10);
    }

    /**
     * Opens a connection in the caller's network namespace with an 8 MiB (forced when
     * permitted) receive buffer and a 4 MiB send buffer, so batches of thousands of requests
     * keep all their acks.
     */
    public static NetlinkConnection open(NetlinkProtocol protocol) {
        NetlinkSocket s = NetlinkSocket.open(protocol);
        try {
            s.setReceiveBufferSize(8 << 20, true);
            s.setSendBufferSize(4 << 20, true);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return new NetlinkConnection(NetlinkFaults.requests(s, protocol), protocol);
    }

    /**
     * Wraps a socket the caller opened and configured (buffer sizes,
     * {@link NetlinkSocket#peekSizing}); the connection owns it from now on and closes it.
     */
    public static NetlinkConnection of(NetlinkSocket socket) {
        return new NetlinkConnection(NetlinkFaults.requests(socket, socket.protocol()), socket.protocol());
    }

    /** The socket's port id. */
    public int portId() {
        return transport.portId();
    }

    /** How long to wait for each reply datagram; a request that times out fails with ETIMEDOUT. */
    public NetlinkConnection timeoutMillis(int millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("timeout must be positive, got " + millis);
        }
        this.timeoutMillis = millis;
        return this;
    }

    public int maxMessagesPerSend() {
        return maxMessagesPerSend;
    }

    /** Upper bound of messages per sendmsg in {@link #batch}; bigger batches go out in chunks. */
    public NetlinkConnection maxMessagesPerSend(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxMessagesPerSend must be >= 1, got " + n);
        }
        this.maxMessagesPerSend = n;
        return this;
    }

    public int maxBytesPerSend() {
        return maxBytesPerSend;
    }

    /**
     * Upper bound of bytes per sendmsg in {@link #batch} (a message bigger than that goes
     * alone). For requests whose handling allocates in proportion to the rest of the sendmsg:
     * since 2025 (tfilter_notify_prep, backported to 6.1) the kernel sizes each tc filter
     * notification — an echo, or any while an RTNLGRP_TC listener exists — as
     * max(NLMSG_GOODSIZE, bytes left in the sendmsg), so 1,024 requests in one sendmsg cost
     * each a zeroed allocation of half the batch on average.
     */
    public NetlinkConnection maxBytesPerSend(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxBytesPerSend must be >= 1, got " + n);
        }
        this.maxBytesPerSend = n;
        return this;
    }

    /** This connection's counters (see {@link Counters}). */
    public Counters counters() {
        return new Counters(staleReplies.getOpaque());
    }

    /**
     * Sends the one message in {@code request} and waits for its ack.
     *
     * @throws NetlinkException when the kernel refuses it, with errno and extack text
     */
    public void request(String op, NetlinkMessageWriter request) {
        request(op, request, null);
    }

    /**
     * Sends the one message in {@code request}, delivers any replies (a GET's answer, an
     * NLM_F_ECHO echo) to {@code handler}, and waits for its ack.
     */
    public void request(String op, NetlinkMessageWriter request, ReplyHandler handler) {
        lock.lock();
        try {
            int n = prepare(request, false);
            if (n != 1) {
                throw new IllegalArgumentException(op + ": request() takes exactly one message, the writer holds " + n + "; use batch()");
            }
            single.reset(op, 1);
            exchange(request, 0, 1, handler, single, false);
            if (!single.ok(0)) {
                throw new NetlinkException(op, single.errno(0), single.extackMessage(0), single.extackOffset(0), -1);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the dump request in {@code request} (NLM_F_DUMP is added), delivering every entry
     * to {@code handler}; restarts it when the kernel reports it interrupted.
     */
    public void dump(String op, NetlinkMessageWriter request, ReplyHandler handler) {
        lock.lock();
        try {
            int n = prepare(request, true);
            if (n != 1) {
                throw new IllegalArgumentException(op + ": dump() takes exactly one message, the writer holds " + n);
            }
            for (int attempt = 1; ; attempt++) {
                single.reset(op, 1);
                dumpInterrupted = false;
                exchange(request, 0, 1, handler, single, true);
                if (!single.ok(0)) {
                    throw new NetlinkException(op, single.errno(0), single.extackMessage(0), single.extackOffset(0), -1);
                }
                if (!dumpInterrupted) {
                    return;
                }
                if (handler != null) {
                    handler.onDumpInterrupted();
                }
                if (attempt == MAX_DUMP_ATTEMPTS) {
                    throw new NetlinkException(op, Errno.EINTR.value(),
                            "dump interrupted (NLM_F_DUMP_INTR) " + MAX_DUMP_ATTEMPTS + " times in a row: the table keeps changing", -1, -1);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends every message in {@code requests} — in one sendmsg when there are at most
     * {@link #maxMessagesPerSend()} — and waits for all their acks. Never throws for a
     * refused request: each outcome lands in {@code result} at the request's index, so one
     * failure does not hide the others.
     *
     * @return {@code result}
     */
    public BatchResult batch(String op, NetlinkMessageWriter requests, ReplyHandler handler, BatchResult result) {
        return batch(op, requests, handler, result, false);
    }

    /**
     * {@link #batch}, with the kernel answering only what fails: a request the caller wrote
     * without {@code NLM_F_ACK} goes without it, and the kernel sends an error for it only when
     * it fails (netlink_rcv_skb acks a request that fails or asks). Each chunk's last request is
     * sent with the flag — the fence: the kernel handles a sendmsg's messages in order and
     * queues each answer as it goes, so once the fence's answer is read every earlier failure
     * has been read too, and a request with no answer succeeded. A lost answer (ENOBUFS) still
     * leaves every request of the chunk unknown, as in {@link #batch}.
     *
     * <p>For requests whose ack says nothing but "done" — deletes, adds whose echo (if asked)
     * carries the rest: each ack is a datagram the kernel allocates and we receive one recvmsg
     * at a time. Not for requests whose ack may carry a warning worth keeping (a driver's
     * extack on success): write those with {@code NLM_F_ACK} and they keep it.
     *
     * <p>A silent request that asks {@code NLM_F_ECHO} succeeds only when its echo came: the
     * kernel queues the echo before the request's error (if any) and before the fence's ack, so
     * a silent echo request with neither echo nor error by the fence lost its echo, and its
     * outcome is unknown (ENOBUFS), never "done" — a delete's echo carries the final counters.
     */
    public BatchResult batchFenced(String op, NetlinkMessageWriter requests, ReplyHandler handler, BatchResult result) {
        return batch(op, requests, handler, result, true);
    }

    private BatchResult batch(String op, NetlinkMessageWriter requests, ReplyHandler handler, BatchResult result, boolean fenced) {
        lock.lock();
        try {
            int n = prepare(requests, false, fenced);
            result.reset(op, n);
            for (int from = 0, to; from < n; from = to) {
                to = chunkEnd(requests, from, n);
                exchange(requests, from, to, handler, result, false);
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** The end of the chunk from {@code from}: within both per-send bounds, and at least one message. */
    private int chunkEnd(NetlinkMessageWriter w, int from, int n) {
        int limit = Math.min(n, from + maxMessagesPerSend);
        int to = from + 1;
        while (to < limit && (to + 1 < n ? messageOffsets[to + 1] : w.length()) - messageOffsets[from] <= maxBytesPerSend) {
            to++;
        }
        return to;
    }

    private int prepare(NetlinkMessageWriter w, boolean dump) {
        return prepare(w, dump, false);
    }

    /** Walks the writer's messages, records their offsets and sets flags and port id; returns the count. */
    private int prepare(NetlinkMessageWriter w, boolean dump, boolean fenced) {
        if (w.currentMessageOffset() >= 0) {
            throw new IllegalStateException("the writer's last message is not finished");
        }
        ByteBuffer b = w.buffer();
        requestCursor.reset(b, 0, w.length());
        int n = 0;
        while (requestCursor.next()) {
            NetlinkMessage m = requestCursor.message();
            if (n == messageOffsets.length) {
                messageOffsets = java.util.Arrays.copyOf(messageOffsets, n * 2);
                how = java.util.Arrays.copyOf(how, n * 2);
            }
            how[n] = 0;
            messageOffsets[n++] = m.offset();
            int flags = m.flags() | NLM_F_REQUEST;
            if (dump) {
                flags |= NLM_F_DUMP;
            } else if (rtnetlink && isGetLike(m.type()) && (flags & NLM_F_DUMP) != 0) {
                // A dump ends in NLMSG_DONE and is never acked: inside a batch it would never complete.
                throw new IllegalArgumentException("message " + (n - 1) + " is a dump request; use dump()");
            } else if (rtnetlink && isGetLike(m.type()) && (flags & NLM_F_ACK) == 0) {
                // An rtnetlink GET is answered by exactly one reply or one error; asking for an
                // ack as well would double the datagrams (iproute2 does not ask either).
                how[n - 1] = BY_REPLY;
            } else if (fenced && (flags & NLM_F_ACK) == 0) {
                // exchange() makes each chunk's last one the fence
                how[n - 1] = (flags & NLM_F_ECHO) != 0 ? SILENT | WANTS_ECHO : SILENT;
            } else {
                flags |= NLM_F_ACK;
            }
            b.putShort(m.offset() + NlMsgHdr.FLAGS, (short) flags);
            b.putInt(m.offset() + NlMsgHdr.PID, 0);
        }
        if (n == 0) {
            throw new IllegalArgumentException("the writer holds no message");
        }
        return n;
    }

    /** Whether message {@code i} of the batch being exchanged has {@code flag} ({@link #how}). */
    private boolean is(int i, byte flag) {
        return (how[i] & flag) != 0;
    }

    /** rtnetlink GET types are 2 mod 4 (RTM_GETLINK = 18, RTM_GETTFILTER = 46, ...); flags 0x300 on them mean a dump. */
    private static boolean isGetLike(int type) {
        return type >= NLMSG_MIN_TYPE && (type & 3) == 2;
    }

    /** Numbers messages [from, to), sends them in one sendmsg, and reads until each is answered. */
    private void exchange(NetlinkMessageWriter w, int from, int to, ReplyHandler handler, BatchResult result, boolean dump) {
        ByteBuffer b = w.buffer();
        int base = nextSeq;
        nextSeq += to - from;
        for (int i = from; i < to; i++) {
            b.putInt(messageOffsets[i] + NlMsgHdr.SEQ, base + (i - from));
        }
        if (is(to - 1, SILENT)) {
            // The fence: the chunk's last request asks for its ack (see batchFenced).
            how[to - 1] &= ~(SILENT | WANTS_ECHO);
            int at = messageOffsets[to - 1] + NlMsgHdr.FLAGS;
            b.putShort(at, (short) (b.getShort(at) | NLM_F_ACK));
        }
        int start = messageOffsets[from];
        int end = to < messageCount(w) ? messageOffsets[to] : w.length();
        transport.send(b, start, end - start);
        int pending = 0;
        for (int i = from; i < to; i++) {
            pending += is(i, SILENT) ? 0 : 1;
        }
        while (pending > 0) {
            int len = transport.receive(timeoutMillis);
            if (len < 0) {
                int err = -len;
                String why;
                int errno = err;
                if (err == Errno.ENOBUFS.value()) {
                    why = "reply lost: the socket's receive buffer overflowed; outcome unknown, re-read kernel state";
                } else if (err == Errno.EMSGSIZE.value()) {
                    why = "reply lost: a datagram exceeded the receive buffers (now grown); outcome unknown, re-read kernel state";
                } else {
                    why = "no reply within " + timeoutMillis + " ms";
                    errno = Errno.ETIMEDOUT.value();
                }
                for (int i = from; i < to; i++) {
                    result.complete(i, errno, why, -1);
                }
                if (dump && errno != Errno.ETIMEDOUT.value()) {
                    drainDump(base);
                }
                return;
            }
            ByteBuffer rb = transport.receiveBuffer();
            cursor.reset(rb, 0, len);
            while (cursor.next()) {
                NetlinkMessage m = cursor.message();
                int idx = from + (m.seq() - base);
                if (idx < from || idx >= to || result.isDone(idx)) {
                    staleReplies.setOpaque(staleReplies.getPlain() + 1);
                    continue;
                }
                if ((m.flags() & NLM_F_DUMP_INTR) != 0) {
                    dumpInterrupted = true;
                }
                int type = m.type();
                if (type == NLMSG_ERROR) {
                    completeFromError(m, idx, result);
                    if (!is(idx, SILENT)) {
                        pending--; // a silent request's error is extra: the fence still ends the chunk
                    }
                } else if (type == NLMSG_DONE && dump) {
                    int err = m.length() >= NlMsgHdr.LENGTH + 4 ? rb.getInt(m.payloadOffset()) : 0;
                    String msg = null;
                    int offs = -1;
                    if (err != 0 && (m.flags() & NLM_F_ACK_TLVS) != 0 && m.length() > NlMsgHdr.LENGTH + 4) {
                        errAttrs.parse(rb, m.payloadOffset() + 4, m.end());
                        msg = errAttrs.string(NLMSGERR_ATTR_MSG);
                        offs = errAttrs.u32(NLMSGERR_ATTR_OFFS, -1);
                    }
                    result.complete(idx, err, msg, offs);
                    pending--;
                } else if (type >= NLMSG_MIN_TYPE) {
                    if (handler != null) {
                        handler.onReply(idx, m);
                    }
                    how[idx] |= ECHO_SEEN;
                    if (!dump && is(idx, BY_REPLY)) {
                        result.complete(idx, 0, null, -1);
                        pending--;
                    }
                }
            }
        }
        for (int i = from; i < to; i++) {
            if ((how[i] & (SILENT | WANTS_ECHO | ECHO_SEEN)) == (SILENT | WANTS_ECHO)) {
                // The kernel queues a request's echo before anything it answers later: with the
                // fence's ack read and no echo, the echo was lost (in a real kernel our receive
                // buffer overflowed, which the next recvmsg reports) — done or not, unknown.
                result.complete(i, Errno.ENOBUFS.value(), "reply lost: its echo never came before the fence's ack; outcome unknown, re-read kernel state", -1);
            } else if (is(i, SILENT)) {
                result.complete(i, 0, null, -1); // no error came before the fence: done (a failure read is kept)
            }
        }
    }

    /**
     * After a dump lost a datagram, reads and drops the rest of it (up to its NLMSG_DONE),
     * so the next request on this socket starts clean. The kernel produces each further dump
     * datagram inside our recvmsg, so they are there at once; no waiting.
     */
    private void drainDump(int seq) {
        for (int guard = 0; guard < 1_000_000; guard++) {
            int len = transport.receive(0);
            if (len == -Errno.EAGAIN.value()) {
                return;
            }
            if (len < 0) {
                continue;
            }
            cursor.reset(transport.receiveBuffer(), 0, len);
            try {
                while (cursor.next()) {
                    NetlinkMessage m = cursor.message();
                    staleReplies.setOpaque(staleReplies.getPlain() + 1);
                    if (m.seq() == seq && (m.type() == NLMSG_DONE || m.type() == NLMSG_ERROR)) {
                        return;
                    }
                }
            } catch (NetlinkParseException e) {
                return;
            }
        }
    }

    private static int messageCount(NetlinkMessageWriter w) {
        return w.messageCount();
    }

    /**
     * {@code struct nlmsgerr}: {@code int error}, then the request's nlmsghdr (whole request
     * unless NLM_F_CAPPED), then — with NLM_F_ACK_TLVS — NLMSGERR_ATTR_* attributes.
     */
    private void completeFromError(NetlinkMessage m, int idx, BatchResult result) {
        ByteBuffer rb = m.buffer();
        int p = m.payloadOffset();
        if (m.length() < NlMsgHdr.LENGTH + 4 + NlMsgHdr.LENGTH) {
            throw new NetlinkParseException("NLMSG_ERROR of " + m.length() + " bytes shorter than struct nlmsgerr", m.offset());
        }
        int error = rb.getInt(p);
        String msg = null;
        int offs = -1;
        if ((m.flags() & NLM_F_ACK_TLVS) != 0) {
            int origLen = rb.getInt(p + 4);
            int echoed = (m.flags() & NLM_F_CAPPED) != 0 ? NlMsgHdr.LENGTH : origLen;
            if (echoed < NlMsgHdr.LENGTH || echoed > m.end() - (p + 4)) {
                throw new NetlinkParseException("NLMSG_ERROR echoes a request of " + Integer.toUnsignedString(echoed)
                        + " bytes, outside [" + NlMsgHdr.LENGTH + ", " + (m.end() - (p + 4)) + "]", m.offset());
            }
            int tlvStart = Math.min(m.end(), p + 4 + NetlinkMessageWriter.align(echoed));
            if (tlvStart < m.end()) {
                errAttrs.parse(rb, tlvStart, m.end());
                // On success too: the kernel's warning (e.g. a driver's reason for leaving a
                // filter not_in_hw) is the only place it says so.
                msg = errAttrs.string(NLMSGERR_ATTR_MSG);
                if (error != 0) {
                    offs = errAttrs.u32(NLMSGERR_ATTR_OFFS, -1);
                }
            }
        }
        result.complete(idx, error, msg, offs);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            transport.close();
        } finally {
            lock.unlock();
        }
    }
}
