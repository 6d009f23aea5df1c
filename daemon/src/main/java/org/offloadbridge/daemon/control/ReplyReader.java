package org.offloadbridge.daemon.control;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.function.IntFunction;
import tools.jackson.databind.JsonNode;

/**
 * Reads one reply ({@link ControlProtocol}: head frame, then text frame) off a non-blocking
 * channel as its bytes come, copying the text to the stream its status chooses instead of
 * holding it: obctl prints a 30 MB dump without a copy of it in memory, and prints the first
 * lines while the daemon still sends the last.
 */
final class ReplyReader {
    private static final int COPY_BYTES = 256 << 10;

    private final IntFunction<OutputStream> sinkFor;
    private final ByteBuffer length = ByteBuffer.allocate(ControlProtocol.HEADER_BYTES);
    private ByteBuffer head;
    private ControlProtocol.Head parsed;
    private ByteBuffer copy;
    private OutputStream sink;
    private long textLeft = -1;
    private long textBytes;
    private int lastByte = -1;

    /** @param sinkFor the stream the text goes to, given the reply's status */
    ReplyReader(IntFunction<OutputStream> sinkFor) {
        this.sinkFor = sinkFor;
    }

    /**
     * Reads what {@code ch} has now.
     *
     * @return true once the whole reply has been read (and its text written)
     * @throws EOFException the peer closed before the reply was whole
     * @throws ControlProtocol.MalformedException the bytes are not a reply
     */
    boolean readFrom(ReadableByteChannel ch) throws IOException, ControlProtocol.MalformedException {
        while (true) {
            if (length.hasRemaining()) {
                if (ch.read(length) < 0) {
                    throw new EOFException(parsed == null ? "closed the connection without a reply" : "closed the connection in the middle of the reply's text");
                }
                if (length.hasRemaining()) {
                    return false;
                }
                int n = length.getInt(0);
                if (parsed == null) {
                    if (n < 0 || n > ControlProtocol.MAX_HEAD_BYTES) {
                        throw new ControlProtocol.MalformedException("reply head claims " + Integer.toUnsignedString(n) + " bytes");
                    }
                    head = ByteBuffer.allocate(n);
                } else {
                    if (n < 0 || n > ControlProtocol.MAX_REPLY_BYTES) {
                        throw new ControlProtocol.MalformedException("reply text claims " + Integer.toUnsignedString(n) + " bytes");
                    }
                    textLeft = n;
                    copy = ByteBuffer.allocate((int) Math.min(n, COPY_BYTES));
                }
            }
            if (parsed == null) {
                if (ch.read(head) < 0) {
                    throw new EOFException("closed the connection in the middle of the reply's head");
                }
                if (head.hasRemaining()) {
                    return false;
                }
                head.flip();
                parsed = ControlProtocol.decodeHead(head);
                head = null;
                sink = sinkFor.apply(parsed.status());
                length.clear();
                continue;
            }
            while (textLeft > 0) {
                copy.clear().limit((int) Math.min(copy.capacity(), textLeft));
                int n = ch.read(copy);
                if (n < 0) {
                    throw new EOFException("closed the connection in the middle of the reply's text");
                }
                if (n == 0) {
                    return false;
                }
                sink.write(copy.array(), 0, n);
                textLeft -= n;
                textBytes += n;
                lastByte = copy.array()[n - 1] & 0xff;
            }
            return true;
        }
    }

    int status() {
        return parsed.status();
    }

    JsonNode json() {
        return parsed.json();
    }

    /** Bytes of text written to the sink. */
    long textBytes() {
        return textBytes;
    }

    /** True if the text is empty or ends with a newline. */
    boolean endsLine() {
        return lastByte < 0 || lastByte == '\n';
    }
}
